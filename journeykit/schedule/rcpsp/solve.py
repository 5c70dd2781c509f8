"""One entry point for resource-constrained scheduling: pick a method, get a checked schedule.

Methods
-------
``serial`` / ``parallel``
    One pass of the serial or parallel schedule-generation scheme with a priority rule (Kolisch 1996).
``sampling``
    Regret-based biased random sampling of activity lists decoded by the serial scheme.
``ga`` (default)
    Genetic algorithm with forward-backward improvement (:mod:`.genetic`).
``cpsat``
    OR-Tools CP-SAT, hinted with a short genetic-algorithm run (:mod:`.cpsat`); the time limit covers
    both.

``justify=True`` adds forward-backward improvement (Valls et al. 2005) to the single-pass and sampling
methods.  Every result carries the makespan, the critical-path bound and the best simple lower bound.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from journeykit.result import Result
from journeykit.schedule.rcpsp.bounds import critical_path_bound, lower_bound
from journeykit.schedule.rcpsp.cpsat import cpsat_schedule
from journeykit.schedule.rcpsp.genetic import genetic_algorithm
from journeykit.schedule.rcpsp.justification import forward_backward
from journeykit.schedule.rcpsp.priority import activity_list, priorities, sample_activity_list
from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem
from journeykit.schedule.rcpsp.profile import resource_profile
from journeykit.schedule.rcpsp.sgs import makespan, parallel_sgs, serial_sgs
from journeykit.schedule.rcpsp.validate import check_schedule

METHODS = ("serial", "parallel", "sampling", "ga", "cpsat")
#: Schedules and share of the time limit of the genetic algorithm that warm-starts CP-SAT.
WARM_START, WARM_SHARE = 500, 0.25


class RcpspSchedule(Result):
    """A resource-feasible schedule.

    ``table`` has one row per activity: ``activity``, ``start``, ``finish``, ``duration`` and one column
    per resource with its per-period demand.

    Attributes
    ----------
    problem : RcpspProblem
    start : list of int
    makespan : int
    critical_path_bound : int
        Makespan without resource limits (LB0).
    lower_bound : int
        ``max(LB0, energy bound)``, or CP-SAT's proven bound when larger.
    optimal : bool
        The makespan equals a proven lower bound.
    """

    title = "Resource-constrained schedule"

    def __init__(self, problem: RcpspProblem, start: Sequence[int], params: dict[str, Any],
                 notes: list[str] | None = None, proven_bound: int = 0):
        start = [int(s) for s in start]
        d = problem.durations
        table = pd.DataFrame({
            "activity": list(problem.names),
            "start": start,
            "finish": [s + dj for s, dj in zip(start, d)],
            "duration": list(d),
        })
        for k, name in enumerate(problem.resource_names):
            table[name] = [row[k] for row in problem.demands]
        super().__init__(table=table, params=params, notes=list(notes or []), title=type(self).title)
        self.problem = problem
        self.start = start
        self.makespan = max(s + dj for s, dj in zip(start, d))
        self.critical_path_bound = critical_path_bound(problem)
        self.lower_bound = max(lower_bound(problem), proven_bound)
        self.optimal = self.makespan <= self.lower_bound

    def resource_profile(self) -> pd.DataFrame:
        """Units of each resource in use per period (rows ``0..makespan-1``)."""
        return resource_profile(self.problem, self.start)

    def figure(self):
        """Gantt chart of the schedule."""
        from journeykit.schedule.rcpsp.figures import gantt

        return gantt(self.table, title=f"{self.problem.name}: makespan {self.makespan}")

    def load_figure(self):
        """Resource-load histogram: units in use per period against each capacity."""
        from journeykit.schedule.rcpsp.figures import resource_load

        return resource_load(self.resource_profile(), dict(zip(self.problem.resource_names, self.problem.capacities)))


def solve_rcpsp(
    problem: RcpspProblem,
    method: str = "ga",
    *,
    rule: str = "LFT",
    schedules: int = 1000,
    justify: bool = True,
    time_limit: float | None = None,
    seed: int | None = 0,
) -> RcpspSchedule:
    """Schedule the activities under precedence and resource limits.

    Parameters
    ----------
    problem : RcpspProblem
    method : {"serial", "parallel", "sampling", "ga", "cpsat"}
    rule : {"LFT", "LST", "MTS", "GRPW"}
        Priority rule of the single-pass and sampling methods.
    schedules : int
        Budget of schedule-generation passes of ``sampling`` and ``ga``.
    justify : bool
        Forward-backward improvement after ``serial``, ``parallel`` and each ``sampling`` draw.
    time_limit : float, optional
        Seconds for ``ga`` and ``sampling``; for ``cpsat`` (default 10 s) the warm start (at most a
        quarter of it, and ``min(schedules, 500)`` schedules) and the CP-SAT search together.
    seed : int or None

    Returns
    -------
    RcpspSchedule
        Checked by :func:`journeykit.schedule.rcpsp.validate.check_schedule`.

    Raises
    ------
    RcpspError
        An unknown method or rule; CP-SAT unavailable or without a schedule.
    """
    if method not in METHODS:
        raise RcpspError(f"unknown scheduling method {method!r} (expected one of {', '.join(METHODS)})")
    clock = time.perf_counter()
    c = problem.compiled
    bound = lower_bound(problem)
    params: dict[str, Any] = {"method": method}
    proven = 0
    used = 1
    if method in ("serial", "parallel"):
        prio = priorities(problem, rule)
        start = serial_sgs(c, activity_list(c, prio)) if method == "serial" else parallel_sgs(c, prio)
        if justify:
            start = forward_backward(problem, start)
            used += 2
        params.update(rule=rule, justify=justify)
    elif method == "sampling":
        start, used = _sampling(problem, rule, schedules, justify, time_limit, seed, bound)
        params.update(rule=rule, justify=justify, schedules=used, seed=seed)
    elif method == "ga":
        out = genetic_algorithm(problem, schedules, seed=seed, time_limit=time_limit, target=bound)
        start, used = out.start, out.schedules
        params.update(schedules=used, seed=seed)
    else:
        limit = 10.0 if time_limit is None else time_limit
        warm = genetic_algorithm(problem, min(schedules, WARM_START), seed=seed, target=bound,
                                 time_limit=limit * WARM_SHARE)
        out = cpsat_schedule(problem, max(0.1, limit - (time.perf_counter() - clock)), hint=warm.start,
                             seed=seed or 0)
        start, proven, used = out.start, out.bound, warm.schedules
        params.update(time_limit=limit, warm_start=warm.makespan, proven_optimal=out.optimal)
    check_schedule(problem, start)
    params["seconds"] = round(time.perf_counter() - clock, 3)
    return RcpspSchedule(problem, start, params, proven_bound=proven)


def _sampling(problem: RcpspProblem, rule: str, schedules: int, justify: bool, time_limit: float | None,
              seed: int | None, bound: int) -> tuple[list[int], int]:
    c = problem.compiled
    prio = priorities(problem, rule)
    rng = random.Random(seed)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    best, best_span, used = None, None, 0
    cost = 3 if justify else 1  # schedule-generation passes per sample: decode (and justify both ways)
    order = activity_list(c, prio)
    while (used == 0 or used + cost <= schedules) and (best_span is None or best_span > bound):
        start = serial_sgs(c, order)
        used += cost
        if justify:
            start = forward_backward(problem, start)
        span = makespan(c, start)
        if best_span is None or span < best_span:
            best, best_span = start, span
        if deadline is not None and time.perf_counter() >= deadline:
            break
        order = sample_activity_list(c, prio, rng)
    return best, used


__all__ = ["METHODS", "RcpspSchedule", "solve_rcpsp"]
