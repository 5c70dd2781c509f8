"""Dashboard pages: a login form, one page per view, HTMX panels rendering analyses, progress and upload forms."""

from fastapi import APIRouter

from journeykit.server.pages import login, panels, progress, upload, views

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(views.router)
router.include_router(panels.router)
router.include_router(progress.router)
router.include_router(upload.router)

__all__ = ["router"]
