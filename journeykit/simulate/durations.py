"""Durations written as a number and a unit (``"30s"``, ``"15m"``, ``"1.5h"``, ``"2d"``, ``"1w"``)."""

from __future__ import annotations

import re

UNITS: dict[str, float] = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}

_DURATION = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([smhdw])\s*")


def parse_duration(text: object) -> float:
    """Seconds of a duration such as ``"15m"`` or ``"2d"``.

    Raises
    ------
    ValueError
        When ``text`` is not a string of a non-negative number followed by one of the units s, m, h,
        d, w.
    """
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"invalid duration {text!r}: expected a number and a unit s, m, h, d or w (e.g. '15m', '2d')"
        )
    return float(match.group(1)) * UNITS[match.group(2)]
