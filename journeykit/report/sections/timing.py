"""Timing section: dwell time per stage, bottleneck transitions and, with case ids, case throughput."""

from __future__ import annotations

from journeykit.analytics.timing import bottlenecks, case_throughput, stage_dwell
from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Bottleneck transitions listed.
TOP = 10


def build(ws: Workspace) -> Section | None:
    """Dwell, bottlenecks and throughput (``None`` without events mapped to stages)."""
    try:
        dwell = stage_dwell(ws.engine, stage_order=[s.name for s in ws.model.stages])
        slow = bottlenecks(ws.engine)
    except EmptyResultError:
        return None
    figures = [dwell.figure(), slow.figure()]
    tables = [("Dwell time per stage", dwell.table), (f"Bottlenecks (top {TOP})", slow.table.head(TOP))]
    notes = dwell.notes + slow.notes
    try:
        throughput = case_throughput(ws.engine)
    except EmptyResultError:
        throughput = None
    if throughput is not None:
        figures.append(throughput.figure())
        tables.append(("Case first response and resolution", throughput.table))
        notes += throughput.notes
    intro = (
        "Dwell time runs from the first event in a stage to the first event of the next stage. Bottlenecks rank "
        "transitions by the total waiting time they cause (count × mean time) and show the 90th percentile for "
        "the slow tail. The charts show hours."
    )
    return Section("Timing and bottlenecks", intro=intro, figures=figures, tables=tables,
                   notes=list(dict.fromkeys(notes)))
