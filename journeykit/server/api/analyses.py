"""``GET /api/v1/analyses/<name>``: one route per registry entry, its options and filters as query parameters.

No ``from __future__ import annotations`` here: FastAPI reads the generated endpoints' annotations, which
refer to each entry's query model held in a closure.
"""


from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from journeykit.server.analyses import ANALYSES, Analysis
from journeykit.server.auth import require
from journeykit.server.db import Database
from journeykit.server.deps import get_db, request_workspace
from journeykit.server.serialize import TABLE_RESPONSES, result_response
from journeykit.workspace import Workspace

router = APIRouter(prefix="/analyses", tags=["analyses"], dependencies=[Depends(require("read"))])


@router.get("")
def list_analyses() -> list[dict[str, Any]]:
    """The analyses this server offers, with their query parameters' JSON schema."""
    return [
        {"name": a.name, "title": a.title, "path": f"/api/v1/analyses/{a.name}", "parameters": a.query.model_json_schema()}
        for a in ANALYSES.values()
    ]


def _endpoint(analysis: Analysis):
    query_model = analysis.query

    def run(
        query: Annotated[query_model, Query()],  # type: ignore[valid-type]
        ws: Workspace = Depends(request_workspace),
        db: Database = Depends(get_db),
    ) -> Response:
        return result_response(analysis.cached(db, ws, query), query.format, analysis.name)

    run.__name__ = f"analysis_{analysis.name}"
    run.__doc__ = f"{analysis.title}: ``journeykit.analytics.{analysis.function.__name__}`` on the filtered events."
    return run


for _analysis in ANALYSES.values():
    router.add_api_route(
        f"/{_analysis.name}", _endpoint(_analysis), methods=["GET"], summary=_analysis.title,
        response_class=Response, responses=TABLE_RESPONSES,
    )
