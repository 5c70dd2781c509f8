"""``POST /api/v1/uploads/{events,responses}``: ingest an uploaded file like ``journeykit ingest``.

See :mod:`journeykit.server.uploads`: spooled to disk, ingested in a worker thread in one transaction;
reads keep being answered meanwhile and a failed ingest leaves the workspace unchanged.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from journeykit.server.auth import require
from journeykit.server.db import Database
from journeykit.server.deps import get_db
from journeykit.server.uploads import ingest_upload, upload_options

router = APIRouter(prefix="/uploads", tags=["uploads"], dependencies=[Depends(require("write"))])

MapForm = Annotated[str, Form(description="Columns for canonical fields, e.g. customer=cust_id,timestamp=ts.")]
StrictForm = Annotated[bool, Form(description="Reject events that map to no touchpoint.")]
TimezoneForm = Annotated[str, Form(description="Time zone of timestamps without an offset (IANA name).")]
FormatForm = Annotated[str, Form(description="strptime pattern, 'epoch' or 'epoch_ms' (default ISO 8601).")]
FileForm = Annotated[UploadFile, File(description="CSV, TSV, Parquet, JSON lines or XES (.gz allowed).")]


@router.post("/events")
async def upload_events(
    file: FileForm,
    map: MapForm = "",
    strict: StrictForm = False,
    timezone: TimezoneForm = "UTC",
    timestamp_format: FormatForm = "",
    db: Database = Depends(get_db),
) -> dict[str, Any]:
    """Ingest an event log; the answer counts ``rows_read = accepted + rejected`` with reasons per row."""
    options = upload_options("events", map, strict, timezone, timestamp_format)
    return await run_in_threadpool(ingest_upload, db, file, options)


@router.post("/responses")
async def upload_responses(
    file: FileForm,
    map: MapForm = "",
    survey: Annotated[str, Form(description="Survey name for every row.")] = "",
    timezone: TimezoneForm = "UTC",
    timestamp_format: FormatForm = "",
    db: Database = Depends(get_db),
) -> dict[str, Any]:
    """Ingest survey responses; scores are validated against each survey's scale."""
    options = upload_options("responses", map, timezone=timezone, timestamp_format=timestamp_format, survey=survey)
    return await run_in_threadpool(ingest_upload, db, file, options)
