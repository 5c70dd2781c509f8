"""The REST API under ``/api/v1``: every route needs a bearer token (``read``; ``write`` for changes)."""

from fastapi import APIRouter

from journeykit.server.api import analyses, benchmarks, plans, uploads, workspace

router = APIRouter(prefix="/api/v1")
router.include_router(workspace.router)
router.include_router(uploads.router)
router.include_router(analyses.router)
router.include_router(plans.router)
router.include_router(benchmarks.router)

__all__ = ["router"]
