"""``POST /api/v1/uploads/{events,responses}``: ingest an uploaded file like ``journeykit ingest``.

The multipart body is spooled to disk as it arrives (never held whole in memory), copied under its own
file name into a private temporary folder (the reader picks the format by extension) and ingested in a
worker thread by :func:`journeykit.io.ingest.ingest_files`, in one transaction.  Reads keep being answered
meanwhile; a failed ingest leaves the workspace unchanged.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from journeykit.io.ingest import IngestOptions, IngestReport
from journeykit.io.mapping import parse_map_option
from journeykit.server.auth import require
from journeykit.server.db import Database
from journeykit.server.deps import get_db

router = APIRouter(prefix="/uploads", tags=["uploads"], dependencies=[Depends(require("write"))])

#: Rejected rows listed in the answer (all are kept in the workspace's ``rejects`` table).
REJECT_SAMPLE = 100

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(filename: str | None) -> str:
    name = _UNSAFE.sub("_", Path(filename or "upload").name).lstrip(".")
    return name or "upload"


def _ingest(db: Database, upload: UploadFile, options: IngestOptions) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jk-upload-") as folder:
        path = Path(folder) / _safe_name(upload.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1024 * 1024)
        report = db.ingest([path], options)
    return _report_json(db, report)


def _report_json(db: Database, report: IngestReport) -> dict[str, Any]:
    with db.cursor() as ws:
        rej = ws.engine.rejects
        sample = ws.engine.execute(
            rej.filter(rej.ingest_id == report.ingest_id)
            .order_by("row_number")
            .select("row_number", "column", "reason")
            .limit(REJECT_SAMPLE)
        )
    return {
        "ingest_id": report.ingest_id,
        "target": report.target,
        "rows_read": report.rows_read,
        "accepted": report.accepted,
        "new": report.new,
        "duplicates": report.duplicates,
        "rejected": report.rejected,
        "rejects_by_reason": [{"reason": r, "rows": n} for r, n in report.rejects_by_reason],
        "rejects": [
            {"row_number": int(r.row_number), "column": r.column if isinstance(r.column, str) else None, "reason": r.reason}
            for r in sample.itertuples()
        ],
        "seconds": report.seconds,
    }


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
    options = IngestOptions(
        target="events", mapping=parse_map_option(map), strict=strict, timezone=timezone,
        timestamp_format=timestamp_format or None,
    )
    return await run_in_threadpool(_ingest, db, file, options)


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
    options = IngestOptions(
        target="responses", mapping=parse_map_option(map), timezone=timezone,
        timestamp_format=timestamp_format or None, survey=survey or None,
    )
    return await run_in_threadpool(_ingest, db, file, options)
