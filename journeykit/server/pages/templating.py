"""Jinja2 templates of the dashboard and the context every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from journeykit.server.auth import CSRF_COOKIE, csrf_token
from journeykit.server.pages.catalog import visible_pages

templates = Jinja2Templates(directory=Path(__file__).parents[1] / "templates")


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the CSRF token (also set as the double-submit cookie)."""
    token = csrf_token(request)
    response = templates.TemplateResponse(
        request, name, {"csrf_token": token, "nav": visible_pages(), **context}, status_code=status_code
    )
    if request.cookies.get(CSRF_COOKIE) != token:
        request.app.state.auth.set_cookie(response, CSRF_COOKIE, token)
    return response
