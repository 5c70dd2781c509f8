"""``/login`` and ``/logout``: exchange an API token for a signed session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from journeykit.server.auth import SESSION_COOKIE, Auth, check_csrf, get_auth
from journeykit.server.pages.templating import render

router = APIRouter()


def _local(path: str) -> str:
    """Only redirect to a path on this server."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_local(next), error=None)


@router.post("/login")
def login(
    request: Request,
    token: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    auth: Auth = Depends(get_auth),
) -> Response:
    check_csrf(request, csrf_token)
    record = auth.tokens.verify(token.strip())
    if record is None:
        return render(request, "login.html", status_code=401, next=_local(next), error="Unknown or revoked token.")
    response = RedirectResponse(_local(next), status_code=303)
    auth.set_cookie(response, SESSION_COOKIE, auth.session_value(record), max_age=int(auth.settings.session_hours * 3600))
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
