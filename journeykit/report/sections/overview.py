"""Overview section: what is in the workspace."""

from __future__ import annotations

import pandas as pd

from journeykit.report.document import Section
from journeykit.report.text import timestamp_text
from journeykit.workspace import Workspace


def build(ws: Workspace) -> Section:
    """The journey model, the rows of each table and the time span of the events."""
    from journeykit.io.summary import workspace_summary

    summary = workspace_summary(ws)
    rows = pd.DataFrame(
        [{"table": k, "rows": v} for k, v in summary["counts"].items()]
    )
    notes = []
    intro = (
        f"Journey model '{ws.model.name}': {len(ws.model.stages)} stages, {len(ws.model.touchpoints)} "
        "touchpoints."
    )
    if summary["counts"].get("events", 0) == 0:
        notes.append("The workspace holds no events yet: ingest some with 'journeykit ingest'.")
    else:
        intro += f" Events from {timestamp_text(summary['first'])} to {timestamp_text(summary['last'])} (UTC)."
    return Section("Overview", intro=intro, tables=[("Tables", rows)], notes=notes)
