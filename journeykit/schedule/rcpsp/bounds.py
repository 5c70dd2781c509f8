"""Resource-free time windows and lower bounds on the makespan of an RCPSP.

``LB0`` is the critical-path length (precedence only).  ``LB1`` is the energy bound: no resource can do
more than its capacity per period, so the makespan is at least ``ceil(sum_j d_j r_jk / R_k)`` for every
resource ``k``.

Reference: Stinson, J. P., Davis, E. W. and Khumawala, B. M. (1978) "Multiple resource-constrained
scheduling using branch and bound", AIIE Transactions 10(3), 252-259 (critical-path and resource bounds);
Kolisch, R. and Hartmann, S. (2006) "Experimental investigation of heuristics for resource-constrained
project scheduling: an update", European Journal of Operational Research 174(1), 23-37 (deviation from the
critical-path bound as a benchmark measure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from journeykit.schedule.rcpsp.problem import RcpspProblem


@dataclass(frozen=True)
class TimeWindows:
    """Earliest and latest start of every activity without resource limits.

    Attributes
    ----------
    earliest : list of int
        Earliest start (forward pass from period 0).
    latest : list of int
        Latest start that keeps the critical-path length (backward pass from it).
    length : int
        The critical-path length.
    """

    earliest: list[int]
    latest: list[int]
    length: int

    def total_float(self) -> list[int]:
        return [ls - es for es, ls in zip(self.earliest, self.latest)]


def time_windows(problem: RcpspProblem) -> TimeWindows:
    """Forward and backward critical-path passes over the start-to-start minimum distances."""
    c = problem.compiled
    order = problem.topological_order
    earliest = [0] * c.n
    for j in order:
        earliest[j] = max([earliest[i] + d for i, d in c.preds[j]], default=0)
    length = max(e + d for e, d in zip(earliest, c.dur))
    latest = [length - d for d in c.dur]
    for i in reversed(order):
        for j, d in c.succs[i]:
            if latest[j] - d < latest[i]:
                latest[i] = latest[j] - d
    return TimeWindows(earliest, latest, length)


def critical_path_bound(problem: RcpspProblem) -> int:
    """``LB0``: the makespan without resource limits."""
    return time_windows(problem).length


def resource_bound(problem: RcpspProblem) -> int:
    """``LB1``: the largest total work of a resource divided by its capacity, rounded up."""
    best = 0
    for k, cap in enumerate(problem.capacities):
        work = sum(d * row[k] for d, row in zip(problem.durations, problem.demands))
        if work > 0:
            best = max(best, math.ceil(work / cap - 1e-9))
    return best


def lower_bound(problem: RcpspProblem) -> int:
    """``max(LB0, LB1)``."""
    return max(critical_path_bound(problem), resource_bound(problem))


__all__ = ["TimeWindows", "critical_path_bound", "lower_bound", "resource_bound", "time_windows"]
