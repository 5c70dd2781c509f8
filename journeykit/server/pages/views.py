"""One route per dashboard page of :mod:`journeykit.server.pages.catalog`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from journeykit.server.auth import page_user
from journeykit.server.deps import request_workspace
from journeykit.server.pages.catalog import Page, visible_pages
from journeykit.server.pages.templating import render
from journeykit.workspace import Workspace

router = APIRouter(dependencies=[Depends(page_user)])


def _view(page: Page):
    def view(request: Request, ws: Workspace = Depends(request_workspace)) -> Response:
        extra = page.context(ws) if page.context else {}
        values = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
        channels = sorted({t.channel for t in ws.model.touchpoints})
        return render(request, page.template, page=page, model=ws.model, channels=channels, values=values, **extra)

    return view


for _page in visible_pages():
    router.add_api_route(_page.path, _view(_page), methods=["GET"], name=_page.template.removesuffix(".html"))
