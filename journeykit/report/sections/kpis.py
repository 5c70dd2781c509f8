"""KPI section: NPS, CSAT and CES with confidence intervals, monthly trend, operational headline KPIs."""

from __future__ import annotations

from journeykit.analytics.kpis import operational_kpis, survey_kpis
from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.report.sections.clv import purchase_touchpoints
from journeykit.workspace import Workspace

#: Columns shown in the report tables.
COLUMNS = ["group", "survey", "kpi", "unit", "n", "value", "ci_low", "ci_high"]


def build(ws: Workspace) -> Section | None:
    """Survey KPIs overall, per touchpoint and per month, and event KPIs (``None`` without any data)."""
    tables, figures, notes = [], [], []
    if ws.model.surveys:
        try:
            overall = survey_kpis(ws.engine, ws.model)
            by_touchpoint = survey_kpis(ws.engine, ws.model, by="touchpoint")
            monthly = survey_kpis(ws.engine, ws.model, by="period:month")
        except EmptyResultError:
            overall = None
        if overall is not None:
            figures.append(monthly.figure())
            tables += [
                ("Survey KPIs", overall.table[COLUMNS]),
                ("Per touchpoint", by_touchpoint.table[COLUMNS]),
            ]
            notes += overall.notes + monthly.notes
    try:
        events = operational_kpis(ws.engine, ws.model, purchase=purchase_touchpoints(ws.model) or None)
    except EmptyResultError:
        events = None
    if events is not None:
        caption = "Customers reaching each stage; repeat purchase and inactivity"
        tables.append((caption, events.table[COLUMNS]))
        notes += events.notes
    if not tables:
        return None
    intro = (
        "NPS is the share of promoters (9-10) minus detractors (0-6) in points, CSAT the share of the top "
        "two answers, CES the mean score on its scale; ranges are 95% confidence intervals (trinomial for "
        "NPS, Wilson for shares, Student t for means). Grey bars rest on fewer than 30 answers. Event KPIs "
        "are shares of customers."
    )
    notes = list(dict.fromkeys(notes))
    return Section("Customer experience KPIs", intro=intro, figures=figures, tables=tables, notes=notes)
