"""Critical-chain plan: aggressive estimates, resource levelling as late as possible, chain, buffers.

Steps (Goldratt 1997; Leach 2000, ch. 6-7):

1. Durations are cut to aggressive estimates (in whole periods, rounded up).
2. A short resource-feasible schedule is searched (:func:`journeykit.schedule.rcpsp.solve_rcpsp`) and
   right-justified, so every activity starts as late as possible under the resources.
3. The critical chain is traced (:mod:`.chain`), with the resource hand-overs of the schedule.
4. A feeding buffer is sized for every feeding chain and inserted as a lag on its merge relation
   (:mod:`.feeding`): the critical chain stays where it is and the feeding chains move earlier, which
   also resolves the resource conflicts the buffers create; a buffer that cannot fit whole (its chain
   would have to start before the project or before a chain predecessor) is shortened, and the plan
   notes it.
5. The project buffer is sized on the critical chain and placed after it; its end is the due date, so
   the critical chain and the project buffer alone fix it.

Buffer methods are those of :mod:`.buffers`; ``calibrated`` simulates the levelled plan
(:mod:`.execution`) with the activities' distributions and sizes each buffer so that its chain finishes
in time with the ``target`` probability (0.9 by default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from journeykit.result import Result
from journeykit.schedule.ccpm.buffers import METHODS, chain_buffer
from journeykit.schedule.ccpm.chain import Chain, FeedingChain, critical_chain, feeding_chains
from journeykit.schedule.ccpm.execution import Execution
from journeykit.schedule.ccpm.feeding import buffered, insert_feeding_buffers
from journeykit.schedule.ccpm.flow import resource_flow
from journeykit.schedule.ccpm.uncertainty import Scenarios, model_durations, scenarios_from
from journeykit.schedule.rcpsp.bounds import critical_path_bound
from journeykit.schedule.rcpsp.justification import right_justify
from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem
from journeykit.schedule.rcpsp.sgs import makespan
from journeykit.schedule.rcpsp.solve import solve_rcpsp
from journeykit.schedule.rcpsp.validate import check_schedule


class CcpmPlan(Result):
    """A buffered critical-chain plan.

    ``table``: one row per activity: ``activity``, ``start``, ``finish`` (periods from the project start),
    ``aggressive``, ``safe``, ``on_chain`` and ``feeds`` (the chain activity its feeding chain joins).
    :attr:`buffers` has one row per buffer: ``buffer``, ``kind``, ``size``, ``wanted`` (the size its method
    asked for; a feeding buffer that did not fit whole is smaller), ``start``, ``finish`` and ``protects``.

    Attributes
    ----------
    problem : RcpspProblem
        The levelled problem: aggressive durations and the feeding buffers as lags.
    base : RcpspProblem
        The same without the buffer lags: what execution must respect (a buffer is a cushion, not a wait).
    start : list of int
        Planned starts (as late as possible).
    chain : Chain
    feeding : list of (FeedingChain, int)
        Each feeding chain with its inserted buffer size.
    project_buffer : int
    chain_end, due : int
        End of the critical chain; due date ``chain_end + project_buffer``.
    flow : list of (int, int)
        Resource hand-overs of the levelled schedule.
    safe, aggressive : list of float
        Estimates in periods.
    scenarios : Scenarios
        Duration sampler used by calibration and :meth:`on_time_probability`.
    """

    title = "Critical chain plan"

    def __init__(self, problem: RcpspProblem, base: RcpspProblem, start: list[int], chain: Chain,
                 feeding: list[tuple[FeedingChain, int]], project_buffer: int, safe: list[float],
                 aggressive: list[float], scenarios: Scenarios, params: dict[str, Any], notes: list[str],
                 wanted: Sequence[int]):
        self.problem, self.base, self.start, self.chain, self.feeding = problem, base, start, chain, feeding
        self.project_buffer, self.safe, self.aggressive, self.scenarios = project_buffer, safe, aggressive, scenarios
        dur = problem.durations
        finish = [s + d for s, d in zip(start, dur)]
        self.chain_end = max(finish[j] for j in chain.activities) if chain.activities else max(finish)
        self.due = self.chain_end + project_buffer
        self.flow = resource_flow(problem, start)
        on_chain = set(chain.activities)
        feeds = {}
        for fc, _ in feeding:
            for j in fc.activities:
                feeds.setdefault(j, problem.names[fc.joins])
        table = pd.DataFrame({
            "activity": list(problem.names),
            "start": start,
            "finish": finish,
            "aggressive": list(dur),
            "safe": [float(s) for s in safe],
            "on_chain": [j in on_chain for j in range(problem.n)],
            "feeds": [feeds.get(j, "") for j in range(problem.n)],
        })
        super().__init__(table=table, params=params, notes=notes, title=type(self).title)
        rows = [("project buffer", "project", project_buffer, project_buffer, self.chain_end, self.due, "project end")]
        for (fc, size), want in zip(feeding, wanted):
            last = fc.activities[-1]
            rows.append((f"feeding buffer {problem.names[last]} -> {problem.names[fc.joins]}", "feeding", size, want,
                         finish[last], finish[last] + size, problem.names[fc.joins]))
        self.buffers = pd.DataFrame(rows, columns=["buffer", "kind", "size", "wanted", "start", "finish", "protects"])

    @property
    def chain_names(self) -> list[str]:
        """Names of the critical-chain activities in order."""
        return [self.problem.names[j] for j in self.chain.activities]

    def execution(self) -> Execution:
        """The plan's execution model (chain as relay runners, others released at their planned start)."""
        return Execution(self.base, self.start, self.flow, self.chain.activities)

    def on_time_probability(self, scenarios: Scenarios | None = None, size: int = 2000, seed: int | None = 0) -> float:
        """Share of simulated executions that finish by the due date."""
        draw = scenarios or self.scenarios
        finish = self.execution().makespan(draw(np.random.default_rng(seed), size))
        return float(np.mean(finish <= self.due + 1e-9))

    def gantt_table(self) -> pd.DataFrame:
        """Activities and buffers as Gantt rows with a ``kind`` column."""
        acts = self.table[["activity", "start", "finish"]].assign(
            kind=np.where(self.table["on_chain"], "critical chain", "activity"))
        bufs = self.buffers.rename(columns={"buffer": "activity"})[["activity", "start", "finish"]].assign(
            kind=np.where(self.buffers["kind"] == "project", "project buffer", "feeding buffer"))
        return pd.concat([acts, bufs], ignore_index=True).sort_values(["start", "finish"], kind="stable")

    def load_figure(self):
        """Resource-load histogram of the planned schedule."""
        from journeykit.schedule.rcpsp.figures import resource_load
        from journeykit.schedule.rcpsp.profile import resource_profile

        p = self.problem
        return resource_load(resource_profile(p, self.start), dict(zip(p.resource_names, p.capacities)))

    def figure(self):
        """Gantt chart: critical chain in red, buffers in amber."""
        from journeykit.schedule.rcpsp.figures import gantt

        return gantt(self.gantt_table(), title=f"{self.problem.name}: critical chain, due {self.due}")


def critical_chain_plan(
    problem: RcpspProblem,
    safe: Sequence[float],
    aggressive: Sequence[float],
    *,
    buffer: str = "root_square_error",
    feeding_buffer: str | None = None,
    fraction: float = 0.5,
    target: float = 0.9,
    scenarios: Scenarios | None = None,
    model: str = "lognormal",
    samples: int = 2000,
    method: str = "ga",
    schedules: int = 1000,
    seed: int | None = 0,
) -> CcpmPlan:
    """Build a critical-chain plan.

    Parameters
    ----------
    problem : RcpspProblem
        Activities, relations and resources (its durations are replaced).
    safe, aggressive : sequences of float
        Estimates per activity in periods (aggressive ones are rounded up for scheduling).
    buffer : str
        Project-buffer method: one of :data:`journeykit.schedule.ccpm.buffers.METHODS`.
    feeding_buffer : str, optional
        Feeding-buffer method (default: as ``buffer``).
    fraction : float
        Cut-and-paste share of the chain.
    target : float
        On-time probability the ``calibrated`` method aims at.
    scenarios : Scenarios, optional
        Duration sampler in periods; default: ``model`` fitted around the safe and aggressive estimates.
    model : {"lognormal", "beta_pert"}
    samples : int
        Monte Carlo scenarios of the ``calibrated`` method.
    method, schedules, seed
        Resource levelling: see :func:`journeykit.schedule.rcpsp.solve_rcpsp`.

    Raises
    ------
    RcpspError
        Unknown buffer method, estimates of the wrong length or with safe < aggressive, a target outside
        (0, 1).
    """
    feeding_buffer = feeding_buffer or buffer
    for name in (buffer, feeding_buffer):
        if name not in METHODS:
            raise RcpspError(f"unknown buffer method {name!r} (expected one of {', '.join(METHODS)})")
    if len(safe) != problem.n or len(aggressive) != problem.n:
        raise RcpspError(f"{problem.name}: {len(safe)} safe and {len(aggressive)} aggressive estimates for {problem.n} activities")
    bad = [problem.names[j] for j in range(problem.n) if not 0 <= aggressive[j] <= safe[j]]
    if bad:
        raise RcpspError(f"{problem.name}: aggressive estimates must be between 0 and the safe estimate: {', '.join(bad[:5])}")
    if not 0 < target < 1:
        raise RcpspError(f"on-time target must be between 0 and 1, got {target}")
    safe, aggressive = [float(s) for s in safe], [float(a) for a in aggressive]
    base = problem.with_durations([math.ceil(a - 1e-9) for a in aggressive])
    draw = scenarios or scenarios_from(model_durations(safe, aggressive, model))
    rng = np.random.default_rng(seed)
    levelled = solve_rcpsp(base, method, schedules=schedules, seed=seed)
    late = right_justify(base, levelled.start)
    chain = critical_chain(base, late)

    matrix = draw(rng, samples) if "calibrated" in (buffer, feeding_buffer) else None
    wanted = []
    for fc in feeding_chains(base, chain):
        if feeding_buffer == "calibrated":
            total = matrix[list(fc.activities)].sum(axis=0)
            size = float(np.quantile(total, target)) - sum(base.durations[j] for j in fc.activities)
        else:
            size = chain_buffer(feeding_buffer, base, fc.activities, safe, aggressive, fraction)
        wanted.append((fc, max(0, math.ceil(size - 1e-9))))
    start, feeding = insert_feeding_buffers(base, late, chain, wanted)
    problem_buffered = buffered(base, feeding)
    check_schedule(problem_buffered, start)
    chain_end = max((start[j] + base.durations[j] for j in chain.activities), default=0)
    if buffer == "calibrated":
        run = Execution(base, start, resource_flow(problem_buffered, start), chain.activities)
        project = float(np.quantile(run.makespan(matrix), target)) - chain_end
    else:
        project = chain_buffer(buffer, base, chain.activities, safe, aggressive, fraction)
    notes = [
        f"feeding buffer {base.names[fc.activities[-1]]} -> {base.names[fc.joins]} shortened from {want} to {size} "
        f"periods: its chain cannot start earlier (project start, a chain predecessor or resources)"
        for (fc, want), (_, size) in zip(wanted, feeding) if size < want
    ]
    # right-justification may shorten the search's schedule: the plan's levelled length is that of ``late``
    params = {"buffer": buffer, "feeding_buffer": feeding_buffer, "levelled_makespan": makespan(base.compiled, late),
              "critical_path_bound": critical_path_bound(base), "schedules": levelled.params.get("schedules", 1)}
    if "calibrated" in (buffer, feeding_buffer):
        params.update(target=target, samples=samples)
    return CcpmPlan(problem_buffered, base, start, chain, feeding, max(0, math.ceil(project - 1e-9)), safe,
                    aggressive, draw, params, notes, [size for _, size in wanted])


__all__ = ["CcpmPlan", "critical_chain_plan"]
