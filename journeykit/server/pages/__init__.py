"""Dashboard pages: a login form, one page per view, and HTMX panels rendering analyses."""

from fastapi import APIRouter

from journeykit.server.pages import login, panels, views

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(views.router)
router.include_router(panels.router)

__all__ = ["router"]
