"""Value chain section: TDABC cost-to-serve per touchpoint and stage, capacity, value and improvements.

Uses ``value_chain.yaml`` in the workspace folder when present, else the touchpoint costs of the model.
"""

from __future__ import annotations

from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.value_chain import value_chain
from journeykit.model.value_chain import from_touchpoint_costs, load_value_chain
from journeykit.report.document import Section
from journeykit.report.sections.moments import churn_drivers
from journeykit.workspace import VALUE_CHAIN_FILE, Workspace

#: File name of a workspace's value chain.


def build(ws: Workspace) -> Section | None:
    """Costs and value per touchpoint (``None`` without events or costs)."""
    title = "Value chain"
    path = ws.path / VALUE_CHAIN_FILE
    try:
        chain = load_value_chain(path, ws.model) if path.exists() else from_touchpoint_costs(ws.model)
        result = value_chain(ws.engine, ws.model, chain, moments=churn_drivers(ws))
    except EmptyResultError:
        return None
    except JourneykitError as exc:
        return Section(title, notes=[f"Could not be computed: {exc}"])
    notes = list(result.notes)
    if not path.exists():
        notes.insert(0, f"No {VALUE_CHAIN_FILE} in the workspace: costs are the model's cost per interaction "
                        "(no resources or capacity). See examples/value_chain.yaml.")
    intro = (
        f"Time-driven activity-based costing (Kaplan & Anderson 2004) of '{chain.name}', per {chain.period} "
        f"in {chain.currency}: resource cost rates × minutes per activity × interactions in the event log, "
        "grouped by Porter's value chain. Value is the revenue of the customers served and, from the moments "
        "of truth, the revenue at stake of harmful experiences."
    )
    return Section(
        title, intro=intro, figures=[result.figure("chain"), result.figure("scatter")],
        tables=[("Prioritised improvements", result.improvements),
                ("Cost and value per touchpoint", result.table), ("Stages", result.stages),
                ("Resources", result.resources)],
        notes=notes,
    )
