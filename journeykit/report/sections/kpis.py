"""KPI section: NPS, CSAT and CES with confidence intervals, monthly trend, operational headline KPIs."""

from __future__ import annotations

from journeykit.analytics.kpis import operational_kpis, survey_kpis
from journeykit.errors import EmptyResultError
from journeykit.options import MIN_N
from journeykit.report.document import Section
from journeykit.report.sections.clv import purchase_touchpoints
from journeykit.workspace import Workspace

#: Columns shown in the report tables.
COLUMNS = ["group", "survey", "kpi", "unit", "n", "value", "ci_low", "ci_high"]
#: How each kind of survey KPI is computed, in the order of the intro.
SURVEY_KINDS = {
    "nps": "NPS, promoters (9-10) minus detractors (0-6) in points (trinomial Wald interval)",
    "csat": "CSAT, the share of the top two answers (Wilson interval)",
    "ces": "CES, the mean score on its scale (Student t interval)",
    "custom": "custom scores, the mean on their scale (Student t interval)",
}
#: What each event KPI counts, in the order of the intro.
EVENT_KPIS = {
    "reached_stage": "customers reaching each stage",
    "repeat_purchase_rate": "purchasers who bought on two or more days",
    "inactive": "purchasers with no event in the last {inactive_days:g} days of the data",
}


def build(ws: Workspace) -> Section | None:
    """Survey KPIs overall, per touchpoint and per month, and event KPIs (``None`` without any data)."""
    tables, figures, notes, intro = [], [], [], []
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
            kinds = set(overall.table["kind"])
            intro.append(
                "Survey KPIs with 95% confidence intervals: "
                + "; ".join(text for kind, text in SURVEY_KINDS.items() if kind in kinds)
                + f". Grey bars in the monthly chart rest on fewer than {MIN_N} answers."
            )
    try:
        events = operational_kpis(ws.engine, ws.model, purchase=purchase_touchpoints(ws.model) or None)
    except EmptyResultError:
        events = None
    if events is not None:
        tables.append(("Event KPIs (shares of customers)", events.table[COLUMNS]))
        notes += events.notes
        kpis = set(events.table["kpi"])
        counted = [text.format(**events.params) for kpi, text in EVENT_KPIS.items() if kpi in kpis]
        intro.append(f"Event KPIs are shares of customers with Wilson intervals: {'; '.join(counted)}.")
    if not tables:
        return None
    notes = list(dict.fromkeys(notes))
    return Section("Customer experience KPIs", intro=" ".join(intro), figures=figures, tables=tables, notes=notes)
