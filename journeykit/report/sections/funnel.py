"""Funnel section: the journey stages as a funnel and, when the model has them, the purchase steps."""

from __future__ import annotations

from journeykit.analytics._steps import Step
from journeykit.analytics.funnels import FunnelResult, funnel
from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: The purchase funnel of the example e-commerce model (used when the model has these touchpoints).
PURCHASE_STEPS = ["product_view", "cart_add", "checkout", "payment", "order_confirmation"]
STAGE_WINDOW = "90d"
PURCHASE_WINDOW = "7d"


def _run(ws: Workspace, steps: list[Step], window: str) -> FunnelResult | None:
    try:
        return funnel(ws.engine, steps, window=window, period="month")
    except EmptyResultError:
        return None


def build(ws: Workspace) -> Section | None:
    """Stage funnel (all model stages, in order) and the purchase funnel (``None`` without data)."""
    runs = []
    stages = [Step((f"stage:{s.name}",), name=s.name) for s in ws.model.stages]
    if len(stages) >= 2:
        runs.append(("Stages", _run(ws, stages, STAGE_WINDOW)))
    if set(PURCHASE_STEPS) <= set(ws.model.touchpoint_by_name):
        purchase = [Step((f"touchpoint:{t}",), name=t) for t in PURCHASE_STEPS]
        runs.append(("Purchase steps", _run(ws, purchase, PURCHASE_WINDOW)))
    runs = [(label, r) for label, r in runs if r is not None]
    if not runs:
        return None
    figures, tables, notes, shown = [], [], [], []
    for label, r in runs:
        window = f"window {r.params['window_seconds'] / 86400:g} days"
        r.title = f"Funnel: {label.lower()} ({window})"
        figures.append(r.figure())
        tables.append((r.title, r.table.drop(columns=["optional"])))
        tables.append((f"{label}: conversion by entry month", r.trend.drop(columns=["period_index"])))
        notes += r.notes
        shown.append(f"{label.lower()} {' -> '.join(r.table['name'])} ({window})")
    intro = (
        "Customers who reached each step in order within the conversion window, measured from their first step "
        "(one attempt per customer: the one that got furthest). Conversion from the previous step shows where "
        f"customers drop off; times to convert are from the first step. Shown: {'; '.join(shown)}."
    )
    return Section("Funnels", intro=intro, figures=figures, tables=tables, notes=list(dict.fromkeys(notes)))
