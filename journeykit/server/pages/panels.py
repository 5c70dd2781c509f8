"""``GET /panels/...``: HTML fragments (figure, notes, table) that HTMX swaps into a page.

``/panels/<analysis>`` renders an entry of the analysis registry from the page's form fields;
``/panels/plans/<view>`` renders a stored plan's PERT, Monte Carlo, critical chain or fever chart;
``/panels/sections/<name>`` renders a section of the static report (its builder in
:mod:`journeykit.report.sections`) on the workspace seen through the page's filters.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import methodcaller
from typing import Any, get_args, get_origin

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from journeykit.display import readable
from journeykit.engine import Filters
from journeykit.errors import JourneykitError
from journeykit.result import Result
from journeykit.server.analyses import ANALYSES
from journeykit.server.auth import page_user
from journeykit.server.db import Database
from journeykit.server.deps import get_db, get_store, request_workspace
from journeykit.server.filtered import filtered
from journeykit.server.pages.catalog import SECTIONS
from journeykit.server.pages.templating import render
from journeykit.server.plans import PLAN_VIEWS, PlanStore
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


def filter_scope(filters: Filters, applied: bool) -> str | None:
    """What the page's filters did to a section (``None`` without filters)."""
    if filters == Filters():
        return None
    if applied:
        return f"Filtered: {filters.describe()}."
    return f"The filters ({filters.describe()}) do not apply here: this section is not computed from the events."


def render_panel(
    request: Request, panel_id: str, title: str, compute: Callable[[], Result],
    draw: Callable[[Result], Any] = methodcaller("figure"),
) -> Response:
    """The fragment of ``compute()``'s result drawn by ``draw``, or of the user errors raised."""
    try:
        result = compute()
        figure = figure_json(draw(result))
    except ValidationError as exc:
        return render(request, "panel.html", panel_id=panel_id, title=title, errors=_errors(exc))
    except JourneykitError as exc:
        return render(request, "panel.html", panel_id=panel_id, title=title, errors=[str(exc)])
    table = readable(result.table.head(TABLE_ROWS)).to_html(index=False, border=0)
    return render(
        request, "panel.html", panel_id=panel_id, title=title, errors=[], result=result, figure=figure, table=table,
        more_rows=max(len(result.table) - TABLE_ROWS, 0),
    )


@router.get("/panels/plans/{view}")
def plan_panel(view: str, plan: str, request: Request, store: PlanStore = Depends(get_store)) -> Response:
    spec = PLAN_VIEWS.get(view)
    if spec is None:
        raise HTTPException(404, f"unknown plan view '{view}'")
    return render_panel(request, f"plans-{view}", spec.title, lambda: spec.compute(store, plan), spec.draw)


@router.get("/panels/sections/{name}")
def section_panel(name: str, request: Request, ws: Workspace = Depends(request_workspace)) -> Response:
    build = SECTIONS.get(name)
    if build is None:
        raise HTTPException(404, f"unknown report section '{name}'")

    def failed(errors: list[str]) -> Response:
        return render(request, "section_panel.html", panel_id=name, title=name, errors=errors, section=None)

    try:
        filters = parse_form(AnalysisQuery, request.query_params).filters()
        view, engine = filtered(ws, filters)
        section = build(view)
    except ValidationError as exc:
        return failed(_errors(exc))
    except JourneykitError as exc:
        return failed([str(exc)])
    if section is None:
        return failed([f"the workspace has no data for this section ({filters.describe()})"])
    tables = [(c, t.head(TABLE_ROWS).to_html(index=False, border=0)) for c, t in section.tables]
    return render(
        request, "section_panel.html", panel_id=name, title=section.title, errors=[], section=section,
        figures=[figure_json(f) for f in section.figures], tables=tables,
        scope=filter_scope(filters, engine.read_filtered),
    )


@router.get("/panels/{name}")
def analysis_panel(
    name: str, request: Request, ws: Workspace = Depends(request_workspace), db: Database = Depends(get_db)
) -> Response:
    analysis = ANALYSES.get(name)
    if analysis is None:
        raise HTTPException(404, f"unknown analysis '{name}'")
    return render_panel(
        request, name, analysis.title,
        lambda: analysis.cached(db, ws, parse_form(analysis.query, request.query_params)),
    )
