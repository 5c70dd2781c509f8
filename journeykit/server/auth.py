"""Authentication: bearer tokens for the API, signed session cookies for the pages, CSRF for forms.

- API routes take ``Authorization: Bearer jk_...``; a missing or unknown token gives 401, a token without
  the route's scope 403.
- The login form exchanges a token for a session cookie ``jk_session`` = ``<token id>.<expiry>.<HMAC>``
  signed with a per-process random key (HTTP-only, ``SameSite=Strict``, ``Secure``).  The token is looked
  up again on every request, so revoking it ends its sessions.
- Form posts carry a CSRF token equal to the ``jk_csrf`` cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from journeykit.server.settings import ServerSettings
from journeykit.server.tokens import TokenRecord, TokenStore

SESSION_COOKIE = "jk_session"
CSRF_COOKIE = "jk_csrf"
CSRF_FIELD = "csrf_token"

_bearer = HTTPBearer(auto_error=False, description="An API token from 'journeykit token create'.")


class LoginRequired(Exception):
    """A page was requested without a valid session (handled by a redirect to the login form)."""


class Auth:
    """Token checks and session signing for one app (the signing key lives as long as the process)."""

    def __init__(self, tokens: TokenStore, settings: ServerSettings):
        self.tokens = tokens
        self.settings = settings
        self._key = secrets.token_bytes(32)

    # ------------------------------------------------------------------------------------ sessions
    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def session_value(self, record: TokenRecord) -> str:
        payload = f"{record.id}.{int(time.time() + self.settings.session_hours * 3600)}"
        return f"{payload}.{self._sign(payload)}"

    def session_record(self, value: str | None) -> TokenRecord | None:
        """The token behind a session cookie, or ``None`` if it is forged, expired or revoked."""
        token_id, _, rest = (value or "").partition(".")
        expiry, _, signature = rest.partition(".")
        if not expiry.isdigit() or not hmac.compare_digest(self._sign(f"{token_id}.{expiry}"), signature):
            return None
        if int(expiry) < time.time():
            return None
        return self.tokens.get(token_id)

    def set_cookie(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(
            name, value, max_age=max_age, httponly=True, samesite="strict", secure=self.settings.secure_cookies,
            path="/",
        )


def get_auth(request: Request) -> Auth:
    return request.app.state.auth


def require(scope: str) -> Callable[..., TokenRecord]:
    """A dependency admitting API requests with a bearer token of ``scope`` (``write`` implies ``read``)."""

    def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer), auth: Auth = Depends(get_auth)
    ) -> TokenRecord:
        record = auth.tokens.verify(credentials.credentials) if credentials else None
        if record is None:
            raise HTTPException(401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"})
        if not record.allows(scope):
            raise HTTPException(403, f"this token has scope '{record.scope}'; the route needs '{scope}'")
        return record

    return dependency


def page_user(request: Request, auth: Auth = Depends(get_auth)) -> TokenRecord:
    """A dependency admitting page requests with a valid session cookie."""
    record = auth.session_record(request.cookies.get(SESSION_COOKIE))
    if record is None:
        raise LoginRequired()
    return record


def csrf_token(request: Request) -> str:
    """The CSRF token of the browser (its ``jk_csrf`` cookie) or a new one, to embed in forms."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose CSRF field does not match the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or not hmac.compare_digest(cookie, submitted):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
