"""Ingest an uploaded file like ``journeykit ingest``: shared by the API route and the dashboard's upload form.

The multipart body is spooled to disk as it arrives (never held whole in memory), copied under its own
file name into a private temporary folder (the reader picks the format by extension) and ingested by
:meth:`journeykit.server.db.Database.ingest` in one transaction.  Run :func:`ingest_upload` in a worker
thread: reads keep being answered meanwhile, and a failed ingest leaves the workspace unchanged.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from journeykit.errors import JourneykitError
from journeykit.io.ingest import IngestOptions, IngestReport
from journeykit.io.mapping import parse_map_option
from journeykit.server.db import Database

#: Rejected rows listed in the answer (all are kept in the workspace's ``rejects`` table).
REJECT_SAMPLE = 100

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(filename: str | None) -> str:
    name = _UNSAFE.sub("_", Path(filename or "upload").name).lstrip(".")
    return name or "upload"


def upload_options(
    target: str, map: str = "", strict: bool = False, timezone: str = "UTC", timestamp_format: str = "",
    survey: str = "",
) -> IngestOptions:
    """The ingest options of an upload's form fields (empty text: the default).

    Raises
    ------
    JourneykitError
        A malformed ``map`` (expected ``field=column,...``).
    """
    return IngestOptions(
        target=target, mapping=parse_map_option(map), strict=strict, timezone=timezone,
        timestamp_format=timestamp_format or None, survey=survey or None,
    )


def ingest_upload(db: Database, upload: UploadFile, options: IngestOptions) -> dict[str, Any]:
    """Ingest ``upload`` (blocking); the report as JSON data.

    Raises
    ------
    JourneykitError
        A file that cannot be read at all (unknown format, missing column, unknown time zone...).
    """
    with tempfile.TemporaryDirectory(prefix="jk-upload-") as folder:
        path = Path(folder) / _safe_name(upload.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(upload.file, out, 1024 * 1024)
        private = f"{folder}/"  # the server's temporary folder: neither the client's business nor worth keeping
        try:
            report = db.ingest([path], options)
        except JourneykitError as exc:
            raise JourneykitError(str(exc).replace(private, "")) from None
    with db.cursor() as ws:
        con = ws.engine.backend.con
        con.execute("UPDATE rejects SET file = replace(file, ?, '') WHERE ingest_id = ?", [private, report.ingest_id])
        con.execute("UPDATE ingests SET files = replace(files, ?, '') WHERE ingest_id = ?", [private, report.ingest_id])
    report.files = [f.replace(private, "") for f in report.files]
    report.rejects_by_reason = [(r, n, first.replace(private, "")) for r, n, first in report.rejects_by_reason]
    return _report_json(db, report)


def _report_json(db: Database, report: IngestReport) -> dict[str, Any]:
    with db.cursor() as ws:
        rej = ws.engine.rejects
        sample = ws.engine.execute(
            rej.filter(rej.ingest_id == report.ingest_id)
            .order_by("row_number")
            .select("row_number", "column", "reason", "raw")
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
        "rejects_by_reason": [{"reason": r, "rows": n, "first": f} for r, n, f in report.rejects_by_reason],
        "rejects": [
            {"row_number": int(r.row_number), "column": r.column if isinstance(r.column, str) else None,
             "reason": r.reason, "raw": r.raw if isinstance(r.raw, str) else None}
            for r in sample.itertuples()
        ],
        "seconds": report.seconds,
    }
