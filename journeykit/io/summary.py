"""Workspace summary for ``journeykit info`` and the report overview."""

from __future__ import annotations

from typing import Any

import ibis

from journeykit.engine import schema
from journeykit.workspace import Workspace


def workspace_summary(ws: Workspace) -> dict[str, Any]:
    """Table counts, event date range and rejects per reason."""
    eng = ws.engine
    counts = {name: eng.count(name) for name in schema.TABLES}
    ev = eng.events
    first, last = (None, None)
    if counts[schema.EVENTS]:
        rng = eng.execute(ev.aggregate(first=ev.timestamp.min(), last=ev.timestamp.max()))
        first, last = rng["first"].iloc[0], rng["last"].iloc[0]
    rej = eng.rejects
    reasons = eng.execute(rej.group_by("reason").aggregate(rows=rej.count()).order_by(ibis.desc("rows")))
    return {"counts": counts, "first": first, "last": last, "rejects_by_reason": reasons}

