"""Build a PERT plan from an event log: the main path of a case process with observed step durations.

The events of a process (by stage, or by a list of touchpoints / raw event names) are grouped into cases
(``case_id``, falling back to ``customer_id``) and ordered by ``(timestamp, seq)``.  A step is the
event's touchpoint (its raw name when unmapped).  From the directly-follows graph (DFG: how often step
``b`` directly follows step ``a`` in a case; van der Aalst, W. M. P. (2016) *Process Mining*, 2nd ed.,
Springer, section 6.2) the *main path* is read greedily: start at the most frequent first step, then
repeatedly follow the most frequent transition to a step not yet on the path, and stop where more cases
end than go on.  Each transition ``a -> b`` of the main path becomes one activity (``b``) whose duration
is estimated (:mod:`journeykit.schedule.estimates`) from the times between ``a`` and a directly following
``b`` in all cases where that happens; the activities form a finish-to-start chain.

The chain treats consecutive steps as independent; the result lists how many cases of its kind follow the
main path exactly, so the simulated ``P(done within 48 h)`` can be compared with the observed share.

*Case kinds.*  One stage often mixes processes: on the simulated shop the post-purchase stage holds orders
(shipping -> delivery -> feedback survey) and support tickets (support contact -> troubleshooting -> issue
resolved).  A case's *kind* is its first step (its start activity); ``plan_from_log(..., start=step)``
estimates the template of one kind from its cases alone, :func:`plans_by_kind` one template per kind that
starts at least ``min_share`` of the cases.  Without ``start`` the main path starts at the most frequent
first step, and the share of cases following it counts only the cases of that kind.

*Closing steps.*  A step is *closing* when at least ``closing_share`` (half, by default) of its
occurrences are the last event of their case: finished cases of the kind stop there rather than go on
(on the shop: the feedback survey and the refund for orders, the resolved issue for tickets; the delivery
is not, since 88 % of delivered orders go on).  The main path's last step is always closing.  A live case
that has reached a closing step of its kind is closed (:mod:`journeykit.schedule.ccpm.cases`).  Cases
still open at the end of the log count as ending where they are; in a log covering much more time than a
case takes they are few.

All queries are Ibis expressions on :class:`journeykit.engine.Engine` (durations from ``seconds_between``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from journeykit.engine import Engine, Filters
from journeykit.engine.expr import ORDER_BY, neighbour, seconds_between
from journeykit.errors import EmptyResultError
from journeykit.options import KIND_SHARE
from journeykit.result import Result
from journeykit.schedule.errors import ScheduleError
from journeykit.schedule.estimates import Fit, estimate_duration
from journeykit.schedule.network import Activity, Plan

#: Seconds per plan unit.
UNIT_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0}
#: Share of a step's occurrences that end their case from which the step closes cases of its kind.
CLOSING_SHARE = 0.5


@dataclass
class PlanFromLog(Result):
    """A plan discovered from an event log.

    Attributes
    ----------
    table : DataFrame
        One row per activity of the plan: ``id``, ``from_step``, ``observations``, ``mean``, ``median``,
        ``o``, ``p`` (the 5th and 95th percentiles), ``m`` (the mode of the beta-PERT on ``[o, p]`` whose
        mean is the observed one, not the most frequent value: see ``median``), ``fitted`` (the
        distribution the plan uses).
    plan : Plan
    dfg : DataFrame
        The directly-follows graph: ``from_step``, ``to_step``, ``cases`` (``None`` marks start / end).
        Only the cases of the plan's kind when it was built with ``start``.
    case_totals : ndarray
        Total duration (plan unit) of every case that follows the main path exactly.
    cases : int
        Number of cases of the process (of the kind, with ``start``).
    start : str
        The kind the main path describes: the first step of its cases (``plan_from_log``'s ``start``, else
        the most frequent first step).
    kind_cases : int
        Number of cases that start at ``start``: the denominator of the share following the main path.
    closing : list of str
        The closing steps of the kind (see the module docstring), the main path's last step first.
    """

    plan: Plan | None = None
    dfg: pd.DataFrame | None = None
    case_totals: np.ndarray | None = None
    cases: int = 0
    start: str = ""
    kind_cases: int = 0
    closing: list[str] | None = None
    title: str = "Plan from the event log"

    def observed_probability(self, deadline: float) -> float:
        """Share of the main-path cases done within ``deadline`` (plan unit), to compare with the plan's."""
        if self.case_totals is None or self.case_totals.size == 0:
            raise EmptyResultError("no case follows the main path exactly")
        return float(np.mean(self.case_totals <= deadline))


def select_process(events: ir.Table, process: str | Sequence[str], stages: Sequence[str]) -> ir.Table:
    """Events of a process: ``process`` is a stage name, or touchpoints / event names (a list, or a
    comma-separated string)."""
    names = process_names(process, stages)
    if names is None:
        return events.filter(events.stage == process)
    return events.filter(events.touchpoint.isin(names) | events.event.isin(names))


def process_names(process: str | Sequence[str], stages: Sequence[str]) -> list[str] | None:
    """The touchpoint / event names a process lists, or None when it is a stage name."""
    if isinstance(process, str) and process in stages:
        return None
    names = [s.strip() for s in (process.split(",") if isinstance(process, str) else process) if s.strip()]
    if not names:
        raise ScheduleError("the process needs a stage name or at least one touchpoint or event name")
    return names


def _steps(engine: Engine, process: str | Sequence[str], filters: Filters | None) -> tuple[ir.Table, list[str]]:
    """The process's events with their step, previous/next step and wait; and the stages in the log."""
    ev = (filters or Filters()).apply(engine.events)
    stages = sorted(engine.execute(ev.select("stage").distinct().filter(ev.stage.notnull()))["stage"].tolist())
    ev = select_process(ev, process, stages)
    ev = ev.mutate(case=ibis.coalesce(ev.case_id, ev.customer_id), step=ibis.coalesce(ev.touchpoint, ev.event))
    steps = ev.mutate(
        prev_step=neighbour(ev, ev.step, ["case"], -1),
        next_step=neighbour(ev, ev.step, ["case"], 1),
        wait=seconds_between(neighbour(ev, ev.timestamp, ["case"], -1), ev.timestamp),
    )
    return steps, stages


def main_path(dfg: pd.DataFrame) -> list[str]:
    """The greedy main path of a directly-follows graph (``None`` marks a case's start or end)."""
    starts = dfg[dfg.from_step.isna()].sort_values(["cases", "to_step"], ascending=[False, True])
    if starts.empty:
        raise EmptyResultError("the process has no cases")
    path = [starts.iloc[0].to_step]
    while True:
        out = dfg[dfg.from_step == path[-1]]
        ends = out[out.to_step.isna()].cases.sum()
        nxt = out[out.to_step.notna() & ~out.to_step.isin(path)]
        nxt = nxt.sort_values(["cases", "to_step"], ascending=[False, True])
        if nxt.empty or nxt.iloc[0].cases < ends:
            return path
        path.append(nxt.iloc[0].to_step)


def closing_steps(dfg: pd.DataFrame, share: float = CLOSING_SHARE) -> list[str]:
    """Steps at least ``share`` of whose occurrences end their case, most ending cases first.

    ``dfg`` is a directly-follows graph with ends (``to_step`` ``None``), as ``PlanFromLog.dfg``.
    """
    if not 0 < share <= 1:
        raise ScheduleError(f"the closing share must be in (0, 1], got {share}")
    out = dfg[dfg.from_step.notna()]
    per_step = out.assign(ends=out.cases.where(out.to_step.isna(), 0)).groupby("from_step")[["ends", "cases"]].sum()
    closing = per_step[(per_step.ends > 0) & (per_step.ends >= share * per_step.cases)]
    return closing.sort_values("ends", ascending=False, kind="stable").index.tolist()


def _of_kind(t: ir.Table, start: str) -> ir.Table:
    """The events of the cases whose first step is ``start``."""
    first = t.filter(t.prev_step.isnull() & (t.step == start))
    return t.filter(t.case.isin(first.select(kind_case=first.case).kind_case))


def _dfg(engine: Engine, t: ir.Table, process: str | Sequence[str], stages: Sequence[str],
         start: str | None = None) -> pd.DataFrame:
    """The directly-follows graph of the cases of ``t`` with their ends (``to_step`` ``None``)."""
    dfg = engine.execute(
        t.group_by([t.prev_step.name("from_step"), t.step.name("to_step")]).aggregate(cases=t.count())
    )
    last = t.filter(t.next_step.isnull())
    ends = engine.execute(last.group_by(last.step.name("from_step")).aggregate(cases=last.count()))
    ends["to_step"] = None
    dfg = pd.concat([dfg, ends[["from_step", "to_step", "cases"]]], ignore_index=True)
    if dfg.empty and start is not None:
        raise EmptyResultError(f"no case of the process {process!r} starts at {start!r}")
    if dfg.empty:
        raise EmptyResultError(
            f"no event of the log matches the process {process!r} (give a stage, one of {list(stages)}, "
            "or touchpoint / event names)"
        )
    return dfg


def plan_from_log(
    engine: Engine,
    process: str | Sequence[str],
    unit: str = "hours",
    fit: Fit = "empirical",
    filters: Filters | None = None,
    name: str | None = None,
    start: str | None = None,
    closing_share: float = CLOSING_SHARE,
) -> PlanFromLog:
    """A PERT plan of a case process from the event log (see the module docstring).

    Parameters
    ----------
    engine : Engine
    process : str or list of str
        A stage name, or touchpoints / raw event names.
    unit : {"seconds", "minutes", "hours", "days"}
        Unit of the plan's durations (elapsed time).
    fit : {"empirical", "auto", "lognormal", "beta_pert", "triangular"}
        Distribution of each activity (:func:`journeykit.schedule.estimates.estimate_duration`).
    filters : Filters, optional
    name : str, optional
        Plan name (default: the process).
    start : str, optional
        Only the cases whose first step is ``start`` (one kind of case).
    closing_share : float
        Share of a step's occurrences that must end their case for the step to be closing.

    Raises
    ------
    EmptyResultError
        No event matches the process (or no case starts at ``start``), or the main path has a single step.
    """
    if unit not in UNIT_SECONDS:
        raise ScheduleError(f"unknown unit {unit!r} (expected one of {sorted(UNIT_SECONDS)})")
    t, stages = _steps(engine, process, filters)
    if start is not None:
        t = _of_kind(t, start)
    dfg = _dfg(engine, t, process, stages, start)
    firsts = dfg[dfg.from_step.isna()].set_index("to_step").cases
    cases = int(firsts.sum())
    names = process_names(process, stages)
    seen = set(dfg["to_step"].dropna())
    absent = [n for n in names or [] if n not in seen]
    never = f"; never in the log: {', '.join(absent)}" if absent else ""
    path = main_path(dfg)
    if len(path) < 2:
        raise EmptyResultError(
            f"the main path of {process!r} has a single step ({path[0]}): nothing to plan{never}"
        )
    pairs = list(zip(path, path[1:]))
    cond = ibis.or_(*[(t.prev_step == a) & (t.step == b) for a, b in pairs])
    waits = engine.execute(t.filter(cond).select("case", "prev_step", "step", "wait"))
    scale = UNIT_SECONDS[unit]
    rows, acts = [], []
    for a, b in pairs:
        obs = waits.loc[(waits.prev_step == a) & (waits.step == b), "wait"].to_numpy(dtype=float) / scale
        est = estimate_duration(obs, fit=fit)
        r = est.table.iloc[0]
        rows.append({"id": b, "from_step": a, "observations": int(r.n), "mean": r["mean"], "median": r["median"],
                     "o": r.o, "m": r.m, "p": r.p, "fitted": r.fitted})
        acts.append(Activity(b, est.fitted, name=f"{a} -> {b}"))
    plan = Plan(acts, [(x.id, y.id) for x, y in zip(acts, acts[1:])], name=name or str(process), unit=unit)
    totals = _main_path_totals(engine, t, path) / scale
    kind_cases = int(firsts[path[0]])
    closing = [path[-1]] + [s for s in closing_steps(dfg, closing_share) if s != path[-1]]
    of_all = f" of {cases}" if kind_cases < cases else ""
    notes = [
        f"{kind_cases} cases{of_all} start at {path[0]}; {totals.size} ({totals.size / kind_cases:.0%}) follow the "
        f"main path {' -> '.join(path)} exactly; closing steps: {', '.join(closing)}",
        "the plan treats consecutive steps as independent",
    ]
    if absent:
        notes.append(f"never in the log (left out of the plan): {', '.join(absent)}")
    return PlanFromLog(
        table=pd.DataFrame(rows),
        params={"process": process if isinstance(process, str) else list(process), "unit": unit, "fit": fit},
        notes=notes,
        plan=plan,
        dfg=dfg,
        case_totals=totals,
        cases=cases,
        start=path[0],
        kind_cases=kind_cases,
        closing=closing,
    )


def plans_by_kind(
    engine: Engine,
    process: str | Sequence[str],
    unit: str = "hours",
    fit: Fit = "empirical",
    filters: Filters | None = None,
    min_share: float = KIND_SHARE,
    closing_share: float = CLOSING_SHARE,
) -> list[PlanFromLog]:
    """One plan per kind of case (first step) that starts at least ``min_share`` of the process's cases.

    Kinds whose main path has a single step are left out (nothing to plan); the plans come most cases
    first.  Parameters as :func:`plan_from_log`.

    Raises
    ------
    EmptyResultError
        No event matches the process, or no kind has a main path of two steps or more.
    """
    if not 0 < min_share <= 1:
        raise ScheduleError(f"the kind share must be in (0, 1], got {min_share}")
    t, stages = _steps(engine, process, filters)
    firsts = _dfg(engine, t, process, stages).loc[lambda d: d.from_step.isna()]
    firsts = firsts.sort_values(["cases", "to_step"], ascending=[False, True])
    kinds = firsts.loc[firsts.cases >= min_share * firsts.cases.sum(), "to_step"]
    plans = []
    for kind in kinds:
        try:
            plans.append(plan_from_log(engine, process, unit, fit, filters, name=f"{process}: {kind}", start=kind,
                                       closing_share=closing_share))
        except EmptyResultError:
            continue
    if not plans:
        raise EmptyResultError(f"no kind of case of {process!r} has a main path of two steps or more")
    return plans


def step_durations(
    engine: Engine,
    start: str,
    end: str,
    unit: str = "hours",
    filters: Filters | None = None,
) -> np.ndarray:
    """Observed time from a step to a later step, one value per case that has both.

    A step is a touchpoint or a raw event name.  For each case (``case_id``, else ``customer_id``) the
    duration runs from the first ``start`` event to the first ``end`` event at or after it; feed it to
    :func:`journeykit.schedule.estimates.estimate_duration` for a three-point estimate.

    Raises
    ------
    EmptyResultError
        No case has both steps.
    """
    if unit not in UNIT_SECONDS:
        raise ScheduleError(f"unknown unit {unit!r} (expected one of {sorted(UNIT_SECONDS)})")
    ev = (filters or Filters()).apply(engine.events)
    ev = ev.mutate(case=ibis.coalesce(ev.case_id, ev.customer_id))
    is_step = {name: (ev.touchpoint == name) | (ev.event == name) for name in (start, end)}
    first = ev.filter(is_step[start]).group_by("case").aggregate(t0=ev.timestamp.min())
    ends = ev.filter(is_step[end]).select(end_case=ev.case, t1=ev.timestamp)
    pairs = first.join(ends, (first.case == ends.end_case) & (ends.t1 >= first.t0))
    per_case = pairs.group_by("case").aggregate(t0=pairs.t0.min(), t1=pairs.t1.min())
    df = engine.execute(per_case.select(wait=seconds_between(per_case.t0, per_case.t1)))
    if df.empty:
        raise EmptyResultError(f"no case has '{start}' followed by '{end}'")
    return df["wait"].to_numpy(dtype=float) / UNIT_SECONDS[unit]


def _main_path_totals(engine: Engine, t: ir.Table, path: list[str]) -> np.ndarray:
    """Elapsed seconds from first to last event of every case whose step sequence is exactly ``path``."""
    w = ibis.window(group_by="case", order_by=list(ORDER_BY))
    pos = t.mutate(k=ibis.row_number().over(w))
    on_path = ibis.or_(*[(pos.k == i) & (pos.step == s) for i, s in enumerate(path)])
    per_case = pos.group_by("case").aggregate(
        n=pos.count(),
        matching=on_path.cast("int64").sum(),
        first=pos.timestamp.min(),
        last=pos.timestamp.max(),
    )
    exact = per_case.filter((per_case.n == len(path)) & (per_case.matching == len(path)))
    df = engine.execute(exact.select(total=seconds_between(exact["first"], exact["last"])))
    return df["total"].to_numpy(dtype=float)


__all__ = ["PlanFromLog", "closing_steps", "main_path", "plan_from_log", "plans_by_kind", "select_process",
           "step_durations"]
