"""Server settings (command-line options of ``journeykit serve``)."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """How the server runs.

    Attributes
    ----------
    max_upload_bytes : int
        Largest request body accepted (uploads); larger bodies get HTTP 413 and are never ingested.
    session_hours : float
        Lifetime of a dashboard session cookie.
    secure_cookies : bool
        Mark cookies ``Secure`` (browsers send them over HTTPS and to loopback addresses only).
    cached_results : int
        Analysis results kept in memory per data version (repeated queries answer from memory).
    """

    max_upload_bytes: int = 512 * MB
    session_hours: float = 12.0
    secure_cookies: bool = True
    cached_results: int = 64
