"""``POST /plans/progress``: the plans page's progress form (``write`` scope, CSRF), same path as the API's.

The status report is stored by :func:`journeykit.server.plans.record_progress`, like
``POST /api/v1/plans/<name>/progress``; the plans page is shown again with the buffer status and its fever
chart redrawn, or with the reason the report was refused (unknown activity, date before the plan's start, ...).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from journeykit.errors import JourneykitError
from journeykit.server.auth import check_csrf, page_user
from journeykit.server.deps import get_store, request_workspace
from journeykit.server.pages.catalog import page_at
from journeykit.server.pages.progress_form import progress_rows
from journeykit.server.pages.views import render_page
from journeykit.server.plans import PlanStore, record_progress
from journeykit.server.tokens import TokenRecord
from journeykit.workspace import Workspace

router = APIRouter()


@router.post("/plans/progress")
def post_progress(
    request: Request,
    plan: Annotated[str, Form()],
    activity: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    remaining: Annotated[list[str], Form()] = [],  # noqa: B006
    date: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    ws: Workspace = Depends(request_workspace),
    store: PlanStore = Depends(get_store),
    user: TokenRecord = Depends(page_user),
) -> Response:
    check_csrf(request, csrf_token)
    page, values = page_at("/plans"), {"plan": [plan]}
    if not user.allows("write"):
        message = f"this session's token has scope '{user.scope}'; recording progress needs 'write'"
        return render_page(request, page, ws, values, 403, can_write=False, progress_errors=[message])
    try:
        rows = progress_rows(activity, remaining, date, as_of)
        fever = record_progress(store, plan, rows)
    except JourneykitError as exc:
        return render_page(request, page, ws, values, 400, can_write=True, progress_errors=[str(exc)])
    latest = fever.table.iloc[-1]
    when = date or f"{as_of} {fever.params['unit']} after the start"
    message = (
        f"Recorded {len(rows)} activities of '{plan}' as of {when}: chain {latest['completion']:.0%} complete, "
        f"project buffer {latest['consumption']:.0%} used ({latest['zone']})."
    )
    return render_page(request, page, ws, values, can_write=True, progress_message=message)
