"""The FastAPI application: REST API, dashboard pages and local static assets.

``create_app(workspace)`` is what ``journeykit serve`` runs under Uvicorn; tests use it with the FastAPI
test client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from plotly.offline import get_plotlyjs
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from journeykit.errors import JourneykitError
from journeykit.server import api, pages
from journeykit.server.auth import Auth, LoginRequired, require
from journeykit.server.db import Database
from journeykit.server.plans import PlanNotFound, PlanStore
from journeykit.server.settings import ServerSettings
from journeykit.server.tokens import TokenStore

STATIC = Path(__file__).parent / "static"

#: Content Security Policy of every answer: scripts only from this server, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    return get_plotlyjs()


class SecurityHeaders:
    """ASGI layer adding the security headers to every answer, including those made outside the
    application's own middleware: the 500 of an unexpected error and the 413 of a too-large body.

    ``Content-Security-Policy`` (unless the answer sets its own), ``X-Content-Type-Options: nosniff``,
    ``Referrer-Policy: same-origin`` and, under ``/api/``, ``Cache-Control: no-store``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api_path = scope["path"].startswith("/api/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                if api_path:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


class _App(FastAPI):
    """FastAPI with :class:`SecurityHeaders` around the whole middleware stack (error pages included)."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


def create_app(workspace: str | Path, settings: ServerSettings | None = None) -> FastAPI:
    """The server of one workspace folder."""
    settings = settings or ServerSettings()
    db = Database(workspace, settings.cached_results)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        db.close()

    app = _App(
        title="journeykit",
        summary="Journey analytics and planning of one workspace.",
        version="1",
        docs_url=None, redoc_url=None, openapi_url=None,  # the schema is served behind a token below
        lifespan=lifespan,
        max_body_size=settings.max_upload_bytes,  # larger bodies get 413, also when sent chunked
    )
    app.state.db = db
    app.state.settings = settings
    app.state.auth = Auth(TokenStore(db.workspace.path), settings)
    app.state.plans = PlanStore(db.workspace.path)

    @app.get("/api/v1/openapi.json", tags=["workspace"], dependencies=[Depends(require("read"))])
    def openapi_schema() -> dict[str, Any]:
        """This API's OpenAPI schema."""
        return app.openapi()

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_handlers(app)
    return app


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(PlanNotFound)
    async def plan_not_found(_: Request, exc: PlanNotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(JourneykitError)
    async def journeykit_error(_: Request, exc: JourneykitError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

