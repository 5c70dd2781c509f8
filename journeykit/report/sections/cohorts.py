"""Cohorts section: monthly retention of buyers (or of first contacts) and the lifecycle of customers."""

from __future__ import annotations

from journeykit.analytics.cohorts import cohorts, lifecycle
from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Entry and returning touchpoints of the example e-commerce model.
ENTRY, RETURNING = "payment", "repeat_purchase"


def build(ws: Workspace) -> Section | None:
    """Retention by month of first purchase with repeat purchases (``None`` without data).

    Models without the ``payment`` / ``repeat_purchase`` touchpoints get cohorts by first event of the
    first stage, retained by any later event.
    """
    touchpoints = ws.model.touchpoint_by_name
    if ENTRY in touchpoints and RETURNING in touchpoints:
        entry, returning, what = f"touchpoint:{ENTRY}", f"touchpoint:{RETURNING}", "first payment; repeat purchases"
    else:
        entry, returning, what = f"stage:{ws.model.stages[0].name}", None, "first contact; any later event"
    try:
        retention = cohorts(ws.engine, entry, returning, period="month")
        life = lifecycle(ws.engine, period="month")
    except EmptyResultError:
        return None
    intro = (
        f"Cohorts by month of {what.split(';')[0]}; each cell is the share of the cohort that came back "
        f"({what.split('; ')[1]}) in that month after entry. Cells marked * are not complete at the last "
        "observed event and are left out of the averages. The lifecycle chart splits active customers into "
        "new, returning and resurrecting, with dormant ones (active the month before, not this month) below zero."
    )
    average = retention.average.rename(columns={"customers": "cohort_customers"})
    return Section(
        "Cohorts and retention",
        intro=intro,
        figures=[retention.figure(), life.figure()],
        tables=[("Average retention over complete cohorts", average), ("Lifecycle per month", life.table)],
        notes=retention.notes + life.notes,
    )
