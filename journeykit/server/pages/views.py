"""One route per dashboard page of :mod:`journeykit.server.pages.catalog`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError
from starlette.datastructures import QueryParams

from journeykit.engine import Filters
from journeykit.engine.filters import FilterError
from journeykit.server.auth import page_user
from journeykit.server.deps import request_workspace
from journeykit.server.filtered import filtered
from journeykit.server.pages.catalog import Page, Values, visible_pages
from journeykit.server.pages.panels import parse_form
from journeykit.server.pages.templating import render
from journeykit.server.query import AnalysisQuery
from journeykit.server.tokens import TokenRecord
from journeykit.workspace import Workspace

router = APIRouter(dependencies=[Depends(page_user)])


def page_filters(values: Values) -> Filters:
    """The filters among a page's query parameters; invalid ones are ignored here (the panels report them)."""
    try:
        return parse_form(AnalysisQuery, QueryParams([(k, v) for k, vs in values.items() for v in vs])).filters()
    except (ValidationError, FilterError):
        return Filters()


def render_page(
    request: Request, page: Page, ws: Workspace, values: Values | None = None, status_code: int = 200, **extra: Any
) -> Response:
    """``page`` for the query parameters ``values`` (default: the request's), with ``extra`` template variables."""
    if values is None:
        values = {k: request.query_params.getlist(k) for k in request.query_params}
    filters = page_filters(values) if page.takes_filters else Filters()
    context = page.context(filtered(ws, filters)[0], values) if page.context else {}
    channels = sorted({t.channel for t in ws.model.touchpoints})
    return render(
        request, page.template, status_code=status_code, page=page, model=ws.model, channels=channels,
        values=values, filters=filters, **context, **extra,
    )


def _view(page: Page):
    def view(
        request: Request, ws: Workspace = Depends(request_workspace), user: TokenRecord = Depends(page_user)
    ) -> Response:
        return render_page(request, page, ws, can_write=user.allows("write"))

    return view


for _page in visible_pages():
    router.add_api_route(_page.path, _view(_page), methods=["GET"], name=_page.template.removesuffix(".html"))
