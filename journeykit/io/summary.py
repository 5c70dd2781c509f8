"""Workspace summary for ``journeykit info`` and the report overview."""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from journeykit.engine import schema
from journeykit.workspace import Workspace


def workspace_summary(ws: Workspace) -> dict[str, Any]:
    """Table counts, event date range and rejects per reason (of the tables the engine has)."""
    eng = ws.engine
    counts = {name: eng.count(name) for name in schema.TABLES if eng.has_table(name)}
    ev = eng.events
    first, last = (None, None)
    if counts[schema.EVENTS]:
        rng = eng.execute(ev.aggregate(first=ev.timestamp.min(), last=ev.timestamp.max()))
        first, last = rng["first"].iloc[0], rng["last"].iloc[0]
    if schema.REJECTS in counts:
        rej = eng.rejects
        reasons = eng.execute(rej.group_by("reason").aggregate(rows=rej.count()).order_by(ibis.desc("rows")))
    else:
        reasons = pd.DataFrame({"reason": pd.Series(dtype=str), "rows": pd.Series(dtype="int64")})
    return {"counts": counts, "first": first, "last": last, "rejects_by_reason": reasons}



def rejected_rows(ws: Workspace) -> pd.DataFrame:
    """Every rejected input row with its reason: ``ingest_id, file, row_number, column, reason, raw``,
    in ingest and row order (``row_number`` counts data rows from 1, the header excluded)."""
    eng = ws.engine
    columns = ["ingest_id", "file", "row_number", "column", "reason", "raw"]
    if not eng.has_table(schema.REJECTS):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rej = eng.rejects
    return eng.execute(rej.select(*columns).order_by(["ingest_id", "file", "row_number"]))
