"""``GET /panels/<analysis>``: an HTML fragment (figure, notes, table) that HTMX swaps into a page."""

from __future__ import annotations

from typing import get_args, get_origin

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from journeykit.errors import JourneykitError
from journeykit.server.analyses import ANALYSES
from journeykit.server.auth import page_user
from journeykit.server.deps import request_workspace
from journeykit.server.pages.templating import render
from journeykit.server.query import AnalysisQuery
from journeykit.server.serialize import figure_json
from journeykit.workspace import Workspace

router = APIRouter(dependencies=[Depends(page_user)])

#: Rows of the result table shown under the figure.
TABLE_ROWS = 15


def parse_form(model: type[AnalysisQuery], params: QueryParams) -> AnalysisQuery:
    """Validate the form fields the analysis takes (a page's form may serve several panels).

    Empty inputs are left out; list fields take every value of a repeated input.
    """
    data: dict[str, str | list[str]] = {}
    for key, field in model.model_fields.items():
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            data[key] = values if list in (get_origin(field.annotation), *map(get_origin, get_args(field.annotation))) \
                else values[-1]
    return model.model_validate(data)


def _errors(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]


@router.get("/panels/{name}")
def panel(name: str, request: Request, ws: Workspace = Depends(request_workspace)) -> Response:
    analysis = ANALYSES.get(name)
    if analysis is None:
        raise HTTPException(404, f"unknown analysis '{name}'")
    try:
        result = analysis.run(ws, parse_form(analysis.query, request.query_params))
        figure = figure_json(result)
    except ValidationError as exc:
        return render(request, "panel.html", analysis=analysis, errors=_errors(exc))
    except JourneykitError as exc:
        return render(request, "panel.html", analysis=analysis, errors=[str(exc)])
    table = result.table.head(TABLE_ROWS).to_html(index=False, border=0, float_format=lambda v: f"{v:,.4g}")
    return render(
        request, "panel.html", analysis=analysis, errors=[], result=result, figure=figure, table=table,
        more_rows=max(len(result.table) - TABLE_ROWS, 0),
    )
