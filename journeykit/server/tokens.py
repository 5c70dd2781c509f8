"""API tokens of a workspace: random, shown once, stored only as SHA-256 hashes in ``tokens.json``.

A token reads ``jk_<id>_<secret>``: the id finds the record, the secret is checked against its hash in
constant time.  The file lives next to the journey model so that ``journeykit token create`` works while
the server is running (the DuckDB file is locked by the server process); it is written atomically with
mode 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from journeykit.errors import JourneykitError

TOKENS_FILE = "tokens.json"
SCOPES = ("read", "write")
PREFIX = "jk"


class TokenError(JourneykitError):
    """An unknown scope, an unknown token id or an unreadable token file."""


@dataclass(frozen=True)
class TokenRecord:
    """What is stored about a token (never the token itself)."""

    id: str
    name: str
    scope: str
    sha256: str
    created: str

    def allows(self, scope: str) -> bool:
        """``write`` tokens may also read; ``read`` tokens only read."""
        return self.scope == "write" or scope == "read"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenStore:
    """The tokens of one workspace folder."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / TOKENS_FILE

    def create(self, scope: str, name: str = "") -> tuple[str, TokenRecord]:
        """A new token and its record; the token string is returned once and never stored."""
        if scope not in SCOPES:
            raise TokenError(f"unknown scope '{scope}' (expected one of {list(SCOPES)})")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        record = TokenRecord(token_id, name, scope, _digest(secret), datetime.now(timezone.utc).isoformat())
        self._write([*self.list(), record])
        return f"{PREFIX}_{token_id}_{secret}", record

    def list(self) -> list[TokenRecord]:
        if not self.path.exists():
            return []
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return [TokenRecord(**row) for row in rows]
        except (ValueError, TypeError) as exc:
            raise TokenError(f"{self.path}: unreadable token file ({exc})") from None

    def revoke(self, token_id: str) -> TokenRecord:
        """Remove a token by id (or by name when the name is unique)."""
        records = self.list()
        match = [r for r in records if r.id == token_id] or [r for r in records if r.name and r.name == token_id]
        if len(match) != 1:
            raise TokenError(f"no token with id or unique name '{token_id}' (see 'journeykit token list')")
        self._write([r for r in records if r is not match[0]])
        return match[0]

    def get(self, token_id: str) -> TokenRecord | None:
        return next((r for r in self.list() if r.id == token_id), None)

    def verify(self, token: str) -> TokenRecord | None:
        """The record of a presented token, or ``None`` when it is malformed, unknown or revoked."""
        prefix, _, rest = token.partition("_")
        token_id, _, secret = rest.partition("_")
        if prefix != PREFIX or not token_id or not secret:
            return None
        record = self.get(token_id)
        if record is None or not hmac.compare_digest(record.sha256, _digest(secret)):
            return None
        return record

    def _write(self, records: list[TokenRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tokens-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump([asdict(r) for r in records], fh, indent=1)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
