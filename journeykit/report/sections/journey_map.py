"""Journey map section: stage flows (Sankey) and the touchpoint process map."""

from __future__ import annotations

from journeykit.analytics.transitions import transitions
from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Transitions listed in the section's table.
TOP = 20


def build(ws: Workspace) -> Section | None:
    """Stage Sankey, touchpoint process map and the most frequent transitions (``None`` without events)."""
    try:
        stages = transitions(ws.engine, level="stage")
        touchpoints = transitions(ws.engine, level="touchpoint")
    except EmptyResultError:
        return None
    intro = (
        "How customers move: the Sankey shows moves between stages (repeats within a stage merged), the map "
        "the directly-follows graph of touchpoints, with arrow width by frequency and the median time between "
        "the two touchpoints. Probabilities are shares of the source's outgoing moves."
    )
    return Section(
        "Journey map",
        intro=intro,
        figures=[stages.figure("sankey"), touchpoints.figure("map")],
        tables=[
            (f"Most frequent touchpoint transitions (top {TOP})", touchpoints.table.head(TOP)),
            ("Where journeys start", touchpoints.starts),
            ("Where journeys end", touchpoints.ends),
        ],
        notes=list(dict.fromkeys(stages.notes + touchpoints.notes)),
    )
