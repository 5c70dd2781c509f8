"""PERT section: critical path and schedule risk of the support process.

The plan is ``plan.yaml`` in the workspace folder when present, otherwise it is discovered from the event
log (:func:`journeykit.schedule.from_log.plan_from_log`) for the support stage of the journey model: the
first stage whose name contains "support", else "post-purchase".
"""

from __future__ import annotations

from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Monte Carlo iterations and seed of the report (fixed, so the report is reproducible).
ITERATIONS = 10_000
SEED = 0
PLAN_FILE = "plan.yaml"


def _support_stage(ws: Workspace) -> str | None:
    names = [s.name for s in ws.model.stages]
    for key in ("support", "post-purchase"):
        hits = [n for n in names if key in n.lower()]
        if hits:
            return hits[0]
    return None


def build(ws: Workspace) -> Section | None:
    """Critical path, analytic PERT and Monte Carlo of the workspace's plan (``None`` without one)."""
    from journeykit.schedule.from_log import plan_from_log
    from journeykit.schedule.plan_io import read_plan

    notes: list[str] = []
    if (ws.path / PLAN_FILE).exists():
        plan = read_plan(ws.path / PLAN_FILE)
        origin = f"the plan in {PLAN_FILE}"
    else:
        stage = _support_stage(ws)
        if stage is None:
            return None
        try:
            found = plan_from_log(ws.engine, stage, unit="hours")
        except EmptyResultError:
            return None
        plan, notes = found.plan, list(found.notes)
        origin = f"the main path of the '{stage}' cases in the event log, with observed step durations"
    sched = plan.cpm()
    sim = plan.simulate(iterations=ITERATIONS, seed=SEED)
    analytic = plan.pert()
    intro = (
        f"Schedule of {origin}: {len(plan)} activities, critical path {' -> '.join(analytic.path)} "
        f"({sched.duration:.3g} {plan.unit} on expected durations). A simulation of {ITERATIONS:,} runs gives "
        f"P50 {sim.percentile(50):.3g}, P80 {sim.percentile(80):.3g} and P95 {sim.percentile(95):.3g} {plan.unit}: "
        "quote the P80 or P95 to customers, not the expected duration. Criticality is the share of runs in which "
        "an activity is on the critical path; sensitivity its rank correlation with the finish."
    )
    table = sched.table.merge(sim.table[["id", "criticality", "sensitivity"]], on="id")
    return Section(
        "Support process plan (PERT)",
        intro=intro,
        figures=[sched.pert_chart(), sched.figure(), sim.figure(), sim.tornado()],
        tables=[("Schedule risk", sim.summary()), ("Activities", table)],
        notes=notes + analytic.notes,
    )
