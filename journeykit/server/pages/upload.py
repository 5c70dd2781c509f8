"""``POST /upload``: the dashboard's upload form (``write`` scope, CSRF), ingested like the API's uploads.

The file goes through :func:`journeykit.server.uploads.ingest_upload` (spooled to disk, one transaction,
in a worker thread); the upload page is shown again with the counts and the first rejected rows with
their reasons, or with why nothing was ingested.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from journeykit.errors import JourneykitError
from journeykit.server.auth import check_csrf, page_user
from journeykit.server.db import Database
from journeykit.server.deps import get_db, request_workspace
from journeykit.server.pages.catalog import page_at
from journeykit.server.pages.views import render_page
from journeykit.server.tokens import TokenRecord
from journeykit.server.uploads import ingest_upload, upload_options
from journeykit.workspace import Workspace

router = APIRouter()

#: Rejected rows shown on the page (the API answer lists more; the workspace keeps them all).
SHOWN_REJECTS = 20


@router.post("/upload")
async def post_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    target: Annotated[Literal["events", "responses"], Form()] = "events",
    map: Annotated[str, Form()] = "",
    strict: Annotated[bool, Form()] = False,
    timezone: Annotated[str, Form()] = "UTC",
    timestamp_format: Annotated[str, Form()] = "",
    survey: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    ws: Workspace = Depends(request_workspace),
    db: Database = Depends(get_db),
    user: TokenRecord = Depends(page_user),
) -> Response:
    check_csrf(request, csrf_token)
    page = page_at("/upload")
    if not user.allows("write"):
        message = f"this session's token has scope '{user.scope}'; uploads need 'write'"
        return render_page(request, page, ws, {}, 403, can_write=False, upload_errors=[message])
    try:
        options = upload_options(target, map, strict, timezone, timestamp_format, survey)
        report = await run_in_threadpool(ingest_upload, db, file, options)
    except JourneykitError as exc:
        return render_page(request, page, ws, {}, 400, can_write=True, upload_errors=[str(exc)])
    return render_page(
        request, page, ws, {}, can_write=True, report=report, shown_rejects=report["rejects"][:SHOWN_REJECTS],
        filename=file.filename,
    )
