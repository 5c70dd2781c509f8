"""``GET /api/v1/workspace``: what the workspace holds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from journeykit.io.summary import workspace_summary
from journeykit.server.auth import require
from journeykit.server.deps import request_workspace
from journeykit.server.serialize import jsonable, records
from journeykit.workspace import Workspace

router = APIRouter(tags=["workspace"], dependencies=[Depends(require("read"))])


@router.get("/workspace")
def workspace_info(ws: Workspace = Depends(request_workspace)) -> dict[str, Any]:
    """The journey model's outline, table counts, event date range and rejects per reason."""
    summary = workspace_summary(ws)
    model = ws.model
    return {
        "path": str(ws.path),
        "model": {
            "name": model.name,
            "stages": [s.name for s in model.stages],
            "touchpoints": [t.name for t in model.touchpoints],
            "surveys": sorted(model.survey_by_name),
        },
        "counts": summary["counts"],
        "first": jsonable(summary["first"]),
        "last": jsonable(summary["last"]),
        "rejects_by_reason": records(summary["rejects_by_reason"]),
    }
