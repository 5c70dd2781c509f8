"""PERT section: critical path and schedule risk of the support process.

The plan is ``plan.yaml`` in the workspace folder when present, otherwise it is discovered from the event
log for the support process of the journey model (:func:`support_process`): one template per kind of case
(its first step; :func:`journeykit.schedule.from_log.plans_by_kind`), of which the section plans the
most frequent kind and names the others in its notes.
"""

from __future__ import annotations

from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Monte Carlo iterations and seed of the report (fixed, so the report is reproducible).
ITERATIONS = 10_000
SEED = 0
PLAN_FILE = "plan.yaml"


def support_process(ws: Workspace) -> tuple[str, str | list[str]] | None:
    """The support process of the report: its label and the process for ``plan_from_log`` (``None``: none).

    The stages are the journey model's ``support_stages`` when it sets them (``[]``: no support process),
    else the first stage whose name contains "support", else the first containing "post-purchase".  One
    stage is the process by name; several are the touchpoints of those stages.
    """
    names = [s.name for s in ws.model.stages]
    stages = ws.model.support_stages
    if stages is None:
        stages = next(([n] for key in ("support", "post-purchase") for n in names if key in n.lower()), [])
    if len(stages) < 2:
        return (stages[0], stages[0]) if stages else None
    return ", ".join(stages), [t.name for t in ws.model.touchpoints if t.stage in stages]


def build(ws: Workspace) -> Section | None:
    """Critical path, analytic PERT and Monte Carlo of the workspace's plan (``None`` without one)."""
    from journeykit.schedule.from_log import plans_by_kind
    from journeykit.schedule.plan_io import read_plan

    notes: list[str] = []
    if (ws.path / PLAN_FILE).exists():
        plan = read_plan(ws.path / PLAN_FILE)
        origin = f"the plan in {PLAN_FILE}"
    else:
        support = support_process(ws)
        if support is None:
            return None
        label, process = support
        try:
            found, *others = plans_by_kind(ws.engine, process, unit="hours")
        except EmptyResultError:
            return None
        plan = found.plan
        notes = list(found.notes) + [f"another kind of '{label}' case: {o.notes[0]}" for o in others]
        origin = (f"the main path of the '{label}' cases that start at {found.start} (the most frequent kind of "
                  "case) in the event log, with observed step durations")
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
