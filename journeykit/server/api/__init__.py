"""The REST API under ``/api/v1``: every route needs a bearer token (``read``, or ``write`` for uploads)."""

from fastapi import APIRouter

from journeykit.server.api import analyses, uploads, workspace

router = APIRouter(prefix="/api/v1")
router.include_router(workspace.router)
router.include_router(uploads.router)
router.include_router(analyses.router)

__all__ = ["router"]
