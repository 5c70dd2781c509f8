"""Critical chain section: the buffered plan of ``plan.yaml``, or the live support cases against an SLA.

With a ``plan.yaml`` that declares resources, the section shows its critical-chain plan (Gantt with chain
and buffers, resource load, buffer table).  Otherwise, for the support stage of the journey model, every
open case is read as a small critical chain (:mod:`journeykit.schedule.ccpm.cases`) with the SLA the
process has met: the time within which 90 % of the cases that followed the main path were done.
"""

from __future__ import annotations

import numpy as np

from journeykit.errors import EmptyResultError
from journeykit.report.document import Section
from journeykit.report.sections.pert import PLAN_FILE, _support_stage
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
    from journeykit.schedule.ccpm.cases import case_events, case_status
    from journeykit.schedule.from_log import plan_from_log

    stage = _support_stage(ws)
    if stage is None:
        return None
    try:
        template = plan_from_log(ws.engine, stage, unit="hours")
    except EmptyResultError:
        return None
    totals = template.case_totals
    if totals is None or totals.size == 0:
        return None
    sla = float(np.ceil(np.quantile(totals, SLA_MET)))
    status = case_status(template.plan, case_events(ws.engine, stage), sla)
    if status.table.empty:
        return None
    likely = int((status.table["p_breach"] >= 0.5).sum())
    intro = (
        f"Every open '{stage}' case as a small critical chain of the support steps observed in the log, as of "
        f"the last event. No SLA is configured, so the due date is the time within which {SLA_MET:.0%} of the "
        f"past cases on the main path were done: {sla:g} hours (set your own with 'journeykit ccpm cases --sla'). "
        f"{len(status.table)} cases are open; {likely} will probably breach that SLA unless someone acts. The "
        "fever chart places each case by how much of its chain is done and how much of its buffer (SLA minus "
        "the median chain) is used."
    )
    return Section("Live cases against the SLA (CCPM)", intro=intro, figures=[status.figure()],
                   tables=[("Open cases, most likely breaches first", status.table)],
                   notes=list(template.notes) + list(status.notes))


__all__ = ["build"]
