"""Serial and parallel schedule-generation schemes (SGS) for the RCPSP.

The serial scheme takes the activities one by one in the order of a precedence-feasible *activity list*
and starts each at the earliest period at which its predecessors allow it and its resources are free for
its whole duration (activity-incrementation).  The parallel scheme advances time from decision point to
decision point and starts, in priority order, every eligible activity that fits (time-incrementation).
The serial scheme can reach every active schedule (and so an optimal one); the parallel scheme builds
non-delay schedules, often better for single passes with priority rules on large or tight problems.

Both run on :class:`journeykit.schedule.rcpsp.problem.Compiled` lists; applied to the mirrored problem
(``problem.reversed``) they build backward, right-justified schedules.

Reference: Kolisch, R. (1996) "Serial and parallel resource-constrained project scheduling methods
revisited: theory and computation", European Journal of Operational Research 90(2), 320-333.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from journeykit.schedule.rcpsp.problem import Compiled


def _earliest(c: Compiled, start: list[int], j: int) -> int:
    """Earliest start of ``j`` allowed by its (already scheduled) predecessors."""
    t = 0
    for i, delay in c.preds[j]:
        v = start[i] + delay
        if v > t:
            t = v
    return t


def serial_sgs(c: Compiled, order: Sequence[int]) -> list[int]:
    """Start times built by the serial scheme from a precedence-feasible activity list.

    Parameters
    ----------
    c : Compiled
        The problem (``problem.compiled``, or ``problem.reversed`` for a backward pass).
    order : sequence of int
        Every activity once; each after all its predecessors.

    Returns
    -------
    list of int
        Start period of each activity.
    """
    start = [0] * c.n
    dur, demand = c.dur, c.demand
    avail = [[cap] * c.horizon for cap in c.capacity]
    for j in order:
        t = _earliest(c, start, j)
        need = demand[j]
        if need:
            d = dur[j]
            fits = False
            while not fits:
                end = t + d
                fits = True
                for k, r in need:
                    a = avail[k]
                    if min(a[t:end]) < r:
                        tau = end - 1  # jump past the latest period that lacks the resource
                        while a[tau] >= r:
                            tau -= 1
                        t = tau + 1
                        fits = False
                        break
            end = t + d
            for k, r in need:
                a = avail[k]
                a[t:end] = [x - r for x in a[t:end]]
        start[j] = t
    return start


def parallel_sgs(c: Compiled, priority: Sequence[float]) -> list[int]:
    """Start times built by the parallel scheme.

    At each decision point ``t`` the eligible activities (all predecessors scheduled and their relations
    satisfied at ``t``) are started in increasing ``priority`` while their resources are free from ``t``
    for their whole duration; then ``t`` moves to the next finish or release time.

    Parameters
    ----------
    c : Compiled
    priority : sequence of float
        Lower is scheduled first (ties by topological rank).

    Returns
    -------
    list of int
        Start period of each activity.
    """
    n, dur, demand = c.n, c.dur, c.demand
    start = [0] * n
    missing = [len(p) for p in c.preds]
    avail = [[cap] * c.horizon for cap in c.capacity]
    key = [(priority[j], c.rank[j], j) for j in range(n)]
    waiting = [key[j] for j in range(n) if missing[j] == 0]  # all predecessors scheduled
    ready: list[tuple[float, int, int]] = []  # heap of waiting activities whose relations allow t
    release: list[tuple[int, int]] = []  # (earliest start, activity) of waiting activities not yet ready
    for item in waiting:
        heapq.heappush(ready, item)
    events: list[int] = []
    t, left = 0, n
    while left:
        blocked = []
        while ready:
            item = heapq.heappop(ready)
            j = item[2]
            need, d = demand[j], dur[j]
            end = t + d
            if any(min(avail[k][t:end]) < r for k, r in need):
                blocked.append(item)
                continue
            for k, r in need:
                a = avail[k]
                a[t:end] = [x - r for x in a[t:end]]
            start[j] = t
            left -= 1
            if d:
                heapq.heappush(events, end)
            for s, _ in c.succs[j]:
                missing[s] -= 1
                if missing[s] == 0:
                    es = _earliest(c, start, s)
                    if es <= t:
                        heapq.heappush(ready, key[s])
                    else:
                        heapq.heappush(release, (es, s))
        for item in blocked:
            heapq.heappush(ready, item)
        if not left:
            break
        while events and events[0] <= t:
            heapq.heappop(events)
        candidates = [events[0]] if events else []
        if release:
            candidates.append(release[0][0])
        t = min(candidates)
        while release and release[0][0] <= t:
            heapq.heappush(ready, key[heapq.heappop(release)[1]])
    return start


def makespan(c: Compiled, start: Sequence[int]) -> int:
    """Latest finish time of a schedule."""
    dur = c.dur
    return max(s + d for s, d in zip(start, dur))


def mirror(c: Compiled, start: Sequence[int]) -> list[int]:
    """Start times of a schedule read backwards (``T - start - d``): the map between a problem and its
    mirror, which is its own inverse and keeps the makespan ``T``."""
    total = makespan(c, start)
    return [total - s - d for s, d in zip(start, c.dur)]


__all__ = ["makespan", "mirror", "parallel_sgs", "serial_sgs"]
