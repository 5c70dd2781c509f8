"""Value chain section: TDABC cost-to-serve per touchpoint and stage, capacity, value and improvements.

Uses ``value_chain.yaml`` in the workspace folder when present, else the touchpoint costs of the model:
cost-to-serve only, as that chain has no real resources, minutes or capacity (its single resource turns
each cost into as many "minutes" at 1 a minute), so the Resources table is left out.  Without either
there is no data for the section.
"""

from __future__ import annotations

import pandas as pd

from journeykit.analytics.clv import FitError
from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.value_chain import value_chain
from journeykit.model.value_chain import from_touchpoint_costs, load_value_chain
from journeykit.report.document import Section
from journeykit.report.sections.clv import PURCHASES, lifetime_values, purchase_touchpoints
from journeykit.report.sections.moments import churn_drivers
from journeykit.workspace import VALUE_CHAIN_FILE, Workspace

#: Resource columns that only mean something for a resource with a practical capacity.
CAPACITY_COLUMNS = ["capacity_minutes", "utilisation", "unused_minutes", "unused_cost"]


def _customer_values(ws: Workspace) -> tuple[pd.Series | None, str]:
    """The report's lifetime value per customer id, or ``None`` and why there is none."""
    try:
        result = lifetime_values(ws)
    except FitError as exc:
        return None, f"no lifetime-value model could be fitted ({exc})"
    if result is not None:
        return result.table.set_index("customer_id")["clv"], ""
    if purchase_touchpoints(ws.model):
        return None, "no purchases to value customers by"
    return None, f"the journey model has no purchase touchpoint ({', '.join(PURCHASES)}) to value customers by"


def build(ws: Workspace) -> Section | None:
    """Costs and value per touchpoint (``None`` without a value chain file or touchpoint costs, or without
    events at the costed touchpoints)."""
    title = "Value chain"
    path = ws.path / VALUE_CHAIN_FILE
    from_file = path.exists()
    if not from_file and not any(t.cost for t in ws.model.touchpoints):
        return None
    try:
        chain = load_value_chain(path, ws.model) if from_file else from_touchpoint_costs(ws.model)
        moments = churn_drivers(ws)
        clv, no_clv = _customer_values(ws)
        result = value_chain(ws.engine, ws.model, chain, moments=moments, clv=clv)
    except EmptyResultError:
        return None
    except JourneykitError as exc:
        return Section(title, notes=[f"Could not be computed: {exc}"])
    notes = list(result.notes)
    table, value = result.table, ["the revenue of the customers served"]
    if clv is None:
        table = table.drop(columns="customer_clv")
        notes.append(f"No customer_clv column: {no_clv}.")
    else:
        value.append("their lifetime value (customer_clv, from the lifetime-value section)")
    if moments is not None:
        value.append("from the moments of truth, the revenue at stake of harmful experiences")
    tables = [("Prioritised improvements", result.improvements), ("Cost and value per touchpoint", table),
              ("Stages", result.stages)]
    if from_file:
        method = (f"Time-driven activity-based costing (Kaplan & Anderson 2004) of '{chain.name}': resource cost "
                  "rates × minutes per activity × interactions in the event log, grouped by Porter's value chain")
        resources = result.resources
        if resources["capacity_minutes"].isna().all():
            resources = resources.drop(columns=CAPACITY_COLUMNS)
            notes.append("No resource has a practical capacity (all are paid per minute): no utilisation.")
        tables.append(("Resources", resources))
    else:
        method = (f"Cost-to-serve of '{chain.name}': each touchpoint's cost per interaction in the journey model "
                  "× its interactions in the event log (all counted as service in Porter's value chain)")
        notes.insert(0, f"No {VALUE_CHAIN_FILE} in the workspace: costs are the model's cost per interaction, "
                        "without resources, minutes or capacity (so no Resources table). See "
                        "examples/value_chain.yaml.")
    intro = f"{method}, per {chain.period} in {chain.currency}. Value: {'; '.join(value)}."
    return Section(title, intro=intro, figures=[result.figure("chain"), result.figure("scatter")], tables=tables,
                   notes=notes)
