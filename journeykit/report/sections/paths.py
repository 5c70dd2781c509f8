"""Paths section: the most frequent whole journeys (variants) of touchpoints and of stages."""

from __future__ import annotations

from journeykit.analytics.paths import variants
from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Variants listed before the rest is grouped into "other".
TOP = 15


def build(ws: Workspace) -> Section | None:
    """Top variants by touchpoint and by stage (``None`` without events)."""
    try:
        touchpoints = variants(ws.engine, level="touchpoint", top=TOP)
        stages = variants(ws.engine, level="stage", collapse_repeats=True, top=TOP)
    except EmptyResultError:
        return None
    intro = (
        "The most frequent complete journeys per customer, with their share of all journeys and the mean time "
        "from first to last step; the rest is grouped as 'other' so that shares add up to 100%."
    )
    return Section(
        "Paths and variants",
        intro=intro,
        figures=[touchpoints.figure()],
        tables=[("Touchpoint variants", touchpoints.table), ("Stage variants (repeats merged)", stages.table)],
        notes=list(dict.fromkeys(touchpoints.notes + stages.notes)),
    )
