"""Overview section: what is in the workspace."""

from __future__ import annotations

import pandas as pd

from journeykit.report.document import Section
from journeykit.workspace import Workspace


def build(ws: Workspace) -> Section | None:
    from journeykit.io.summary import workspace_summary

    summary = workspace_summary(ws)
    rows = pd.DataFrame(
        [{"table": k, "rows": v} for k, v in summary["counts"].items()]
    )
    notes = []
    if summary["counts"].get("events", 0) == 0:
        notes.append("The workspace holds no events yet: ingest some with 'journeykit ingest'.")
    intro = (
        f"Journey model '{ws.model.name}': {len(ws.model.stages)} stages, {len(ws.model.touchpoints)} "
        f"touchpoints. Events from {summary['first']} to {summary['last']}."
    )
    return Section("Overview", intro=intro, tables=[("Tables", rows)], notes=notes)
