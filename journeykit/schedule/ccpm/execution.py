"""Vectorised execution of a critical-chain plan under random durations.

Execution follows CCPM practice: activities of the critical chain run as relay runners (each starts as
soon as its predecessors and the holders of its resources are done), the others are released at their
planned start (the feeding buffers then absorb their delays).  Resource hand-overs of the plan
(:mod:`.flow`) are kept as precedence relations so the execution stays resource-feasible.  Every sampled
scenario is one column of a duration matrix; the pass over activities works on whole columns.
"""

from __future__ import annotations

import graphlib
from collections.abc import Sequence

import numpy as np

from journeykit.schedule.rcpsp.problem import RcpspProblem


class Execution:
    """Start and finish times of a plan's activities for many duration scenarios.

    Parameters
    ----------
    problem : RcpspProblem
        Relations (and their types and lags) of the plan.
    start : sequence of int
        Planned starts (release times of the gated activities).
    flow : sequence of (int, int)
        Resource hand-overs kept as finish-to-start links.
    relay : sequence of int
        Activities that start as soon as they can (the critical chain); all others wait for their
        planned start.
    """

    def __init__(self, problem: RcpspProblem, start: Sequence[int], flow: Sequence[tuple[int, int]],
                 relay: Sequence[int]):
        self.n = problem.n
        self.release = np.array(start, dtype=float)
        self.release[list(relay)] = 0.0
        self.inputs: list[list[tuple[int, str, float]]] = [[] for _ in range(self.n)]
        for r in problem.relations:
            self.inputs[r.succ].append((r.pred, r.kind, float(r.lag)))
        links = {(r.pred, r.succ) for r in problem.relations}
        for i, j in flow:
            if (i, j) not in links:
                self.inputs[j].append((i, "FS", 0.0))
        sorter = graphlib.TopologicalSorter({j: [i for i, _, _ in self.inputs[j]] for j in range(self.n)})
        self.order = list(sorter.static_order())

    def run(self, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Start and finish matrices ``(n, S)`` for a duration matrix ``(n, S)``."""
        start = np.empty_like(durations)
        finish = np.empty_like(durations)
        for j in self.order:
            s = np.full(durations.shape[1], self.release[j])
            d = durations[j]
            for i, kind, lag in self.inputs[j]:
                if kind == "FS":
                    np.maximum(s, finish[i] + lag, out=s)
                elif kind == "SS":
                    np.maximum(s, start[i] + lag, out=s)
                elif kind == "FF":
                    np.maximum(s, finish[i] + lag - d, out=s)
                else:
                    np.maximum(s, start[i] + lag - d, out=s)
            start[j] = s
            finish[j] = s + d
        return start, finish

    def makespan(self, durations: np.ndarray) -> np.ndarray:
        """Project finish per scenario."""
        return self.run(durations)[1].max(axis=0)


__all__ = ["Execution"]
