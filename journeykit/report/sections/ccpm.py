"""Critical chain section: the buffered plan of ``plan.yaml``, or the live support cases against an SLA.

With a ``plan.yaml`` that declares resources, the section shows its critical-chain plan (Gantt with chain
and buffers, resource load, buffer table).  Otherwise, for the support process of the journey model
(:func:`journeykit.report.sections.pert.support_process`), every open case is read as a small critical
chain of the template of its kind (its first step; :func:`journeykit.schedule.ccpm.cases.case_status_by_kind`),
closed at the steps where cases of its kind end, with the SLA that kind has met: the time within which 90 %
of its cases that followed its main path were done.
"""

from __future__ import annotations

import numpy as np

from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.report.sections.pert import PLAN_FILE, support_process
from journeykit.workspace import Workspace

#: Share of past cases done within the SLA of the live-case view, and the levelling budget (fixed, so the
#: report is reproducible).
SLA_MET = 0.9
SCHEDULES = 1000


def build(ws: Workspace) -> Section | None:
    """The workspace's critical-chain plan or live cases (``None`` when there is neither)."""
    from journeykit.schedule.plan_io import read_plan

    if (ws.path / PLAN_FILE).exists():
        plan = read_plan(ws.path / PLAN_FILE)
        if plan.resources:
            return _plan_section(plan)
    return _cases_section(ws)


def _plan_section(plan) -> Section:
    from journeykit.schedule.ccpm import ccpm

    result = ccpm(plan, buffer="calibrated", schedules=SCHEDULES, seed=0)
    intro = (
        f"Critical chain of {PLAN_FILE} ({plan.name}): estimates cut to their aggressive values, resources levelled "
        f"as late as possible. The critical chain {' -> '.join(result.chain_names)} ends at {result.chain_end} "
        f"{plan.unit}; a project buffer of {result.project_buffer} {plan.unit}, sized by simulation for a 90 % "
        f"chance, puts the due date at {result.due} {plan.unit}. Feeding buffers protect the chain where other "
        "work joins it. Manage the project by buffer consumption, not by activity dates."
    )
    return Section("Critical chain plan (CCPM)", intro=intro, figures=[result.figure(), result.load_figure()],
                   tables=[("Buffers", result.buffers), ("Activities", result.table)], notes=list(result.notes))


def _cases_section(ws: Workspace) -> Section | None:
    from journeykit.schedule.ccpm.cases import case_events, case_status_by_kind
    from journeykit.schedule.from_log import plans_by_kind

    support = support_process(ws)
    if support is None:
        return None
    label, process = support
    try:
        templates = [t for t in plans_by_kind(ws.engine, process, unit="hours") if t.case_totals.size]
    except EmptyResultError:
        return None
    if not templates:
        return None
    slas = {t.start: float(np.ceil(np.quantile(t.case_totals, SLA_MET))) for t in templates}
    status = case_status_by_kind(templates, case_events(ws.engine, process), slas)
    if status.table.empty:
        return None
    likely = int((status.table["p_breach"] >= 0.5).sum())
    kinds = "; ".join(f"{slas[t.start]:g} hours for the cases that start at {t.start} (closed at "
                      f"{', '.join(t.closing)})" for t in templates)
    intro = (
        f"Every open '{label}' case as a small critical chain of the steps observed in the log for its kind "
        "(the cases that start at the same step), as of the last event. A case is closed once it reaches a step "
        f"where most cases of its kind end. No SLA is configured, so the due date of each kind is the time within "
        f"which {SLA_MET:.0%} of its past cases on its main path were done: {kinds} (set your own with "
        f"'journeykit ccpm cases --sla'). {len(status.table)} cases are open; {likely} will probably breach that "
        "SLA unless someone acts. The fever chart places each case by how much of its chain is done and how much "
        "of its buffer (SLA minus the median chain) is used."
    )
    return Section("Live cases against the SLA (CCPM)", intro=intro, figures=[status.figure()],
                   tables=[("Open cases, most likely breaches first", status.table)],
                   notes=[n for t in templates for n in t.notes[:1]] + list(status.notes))


__all__ = ["build"]
