"""Resource-free time windows and lower bounds on the makespan of an RCPSP.

``LB0`` is the critical-path length (precedence only).  ``LB1`` is the energy bound: no resource can do
more than its capacity per period, so the makespan is at least ``ceil(sum_j d_j r_jk / R_k)`` for every
resource ``k``.

Precedence-aware energy bounds combine both: everything that must finish before an activity starts has
to fit, resource by resource, between the project start and that start, so the start is at least
``ceil(sum_{i in P*(j)} d_i r_ik / R_k)`` (``P*(j)``: all transitive finish-to-start predecessors); in the
same way the work of all transitive successors follows an activity's finish (a *tail*), and the work of
everything strictly between two linked activities separates them (a *gap*).  Heads and tails propagate
along the relations, and ``max_j head_j + d_j + tail_j`` is a makespan bound at least as strong as LB0
and, on networks with a dummy source, LB1.

References: Stinson, J. P., Davis, E. W. and Khumawala, B. M. (1978) "Multiple resource-constrained
scheduling using branch and bound", AIIE Transactions 10(3), 252-259 (critical-path and resource bounds);
Klein, R. and Scholl, A. (1999) "Computing lower bounds by destructive improvement: an application to
resource-constrained project scheduling", European Journal of Operational Research 112(2), 322-346
(energy-based heads, tails and distances);
Kolisch, R. and Hartmann, S. (2006) "Experimental investigation of heuristics for resource-constrained
project scheduling: an update", European Journal of Operational Research 174(1), 23-37 (deviation from the
critical-path bound as a benchmark measure).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from journeykit.schedule.rcpsp.problem import Compiled, RcpspProblem


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


@dataclass(frozen=True)
class EnergyBounds:
    """Precedence-aware energy bounds of every activity.

    Attributes
    ----------
    head : list of int
        Earliest start of each activity: its predecessors' work and the relations' distances.
    tail : list of int
        Least time from each activity's finish to the project end: its successors' work and distances.
    gap : dict of (int, int) -> int
        ``start[j] - finish[i] >= gap[i, j]`` for activities ``i`` before ``j`` (finish-to-start chains),
        only where the work in between demands more than the longest path does.
    bound : int
        ``max(LB1, max_j head_j + d_j + tail_j)``.
    """

    head: list[int]
    tail: list[int]
    gap: dict[tuple[int, int], int]
    bound: int


def _ceil(x: np.ndarray) -> np.ndarray:
    return np.ceil(x - 1e-9).astype(np.int64)


def energy_bounds(problem: RcpspProblem, gaps: bool = True) -> EnergyBounds:
    """Heads, tails, gaps and the makespan bound from precedence and resource energy.

    Only finish-to-start relations with non-negative lags order whole activities, so only they enter the
    transitive predecessor sets whose work is counted; every relation enters the distances.

    Parameters
    ----------
    problem : RcpspProblem
    gaps : bool
        Compute the pairwise gaps too (``O(n^3 K)``; heads and tails are ``O(n^2 K)``).
    """
    c = problem.compiled
    n, dur = c.n, c.dur
    order = problem.topological_order
    work = np.zeros((n, problem.n_resources))
    for k, cap in enumerate(problem.capacities):
        if cap > 0:
            work[:, k] = [d * row[k] / cap for d, row in zip(dur, problem.demands)]
    whole: list[list[int]] = [[] for _ in range(n)]  # predecessors that finish before the start
    for r in problem.relations:
        if r.kind == "FS" and r.lag >= 0:
            whole[r.succ].append(r.pred)
    before = np.zeros((n, n), dtype=bool)  # before[j, i]: i finishes before j starts
    for j in order:
        for i in whole[j]:
            before[j] |= before[i]
            before[j, i] = True
    head = _ceil((before @ work).max(axis=1, initial=0.0)).tolist()
    for j in order:
        for i, delay in c.preds[j]:
            head[j] = max(head[j], head[i] + delay)
    tail = _ceil((before.T @ work).max(axis=1, initial=0.0)).tolist()
    for i in reversed(order):
        for j, delay in c.succs[i]:
            tail[i] = max(tail[i], delay + dur[j] + tail[j] - dur[i])
    bound = max([h + d + t for h, d, t in zip(head, dur, tail)] + [resource_bound(problem)])
    gap: dict[tuple[int, int], int] = {}
    if gaps:
        for i in range(n):
            after = before[:, i]
            if not after.any():
                continue
            between = _ceil(((before & after[None, :]) @ work).max(axis=1, initial=0.0))
            longest = _distances_from(c, order, i)
            for j in np.flatnonzero(after):
                if between[j] > longest[j] - dur[i]:
                    gap[(i, int(j))] = int(between[j])
    return EnergyBounds(head, tail, gap, bound)


def _distances_from(c: Compiled, order: tuple[int, ...], i: int) -> list[float]:
    """Longest start-to-start distance from ``i`` to every activity (``-inf`` where no path)."""
    dist = [-math.inf] * c.n
    dist[i] = 0
    for a in order:
        if dist[a] > -math.inf:
            for b, delay in c.succs[a]:
                dist[b] = max(dist[b], dist[a] + delay)
    return dist


def lower_bound(problem: RcpspProblem) -> int:
    """The precedence-aware energy bound (:func:`energy_bounds`): at least ``max(LB0, LB1)``."""
    return energy_bounds(problem, gaps=False).bound


__all__ = [
    "EnergyBounds",
    "TimeWindows",
    "critical_path_bound",
    "energy_bounds",
    "lower_bound",
    "resource_bound",
    "time_windows",
]
