"""Priority rules and (biased) random sampling of activity lists for the RCPSP.

A priority rule gives every activity a value; a schedule-generation scheme starts the eligible activity
with the best value first.  The rules here are those found best by Kolisch (1996): latest finish time
(LFT), latest start time (LST), most total successors (MTS) and greatest rank positional weight (GRPW).
Values are returned so that *lower is better* (rules that pick the largest value are negated).

Regret-based biased random sampling (RBRS) draws many different activity lists: each eligible activity is
picked with probability proportional to ``(regret + 1) ** alpha``, where its regret is how much better it
is than the worst eligible activity under the rule.

Reference: Kolisch, R. (1996) "Efficient priority rules for the resource-constrained project scheduling
problem", Journal of Operations Management 14(3), 179-192; Drexl, A. (1991) "Scheduling of project
networks by job assignment", Management Science 37(12), 1590-1602 (regret-based biased sampling).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence

from journeykit.schedule.rcpsp.bounds import time_windows
from journeykit.schedule.rcpsp.problem import Compiled, RcpspError, RcpspProblem


def _lft(problem: RcpspProblem) -> list[float]:
    w = time_windows(problem)
    return [float(ls + d) for ls, d in zip(w.latest, problem.durations)]


def _lst(problem: RcpspProblem) -> list[float]:
    return [float(ls) for ls in time_windows(problem).latest]


def _mts(problem: RcpspProblem) -> list[float]:
    c = problem.compiled
    below: list[set[int]] = [set() for _ in range(c.n)]
    for i in reversed(problem.topological_order):
        for j, _ in c.succs[i]:
            below[i].add(j)
            below[i] |= below[j]
    return [-float(len(s)) for s in below]


def _grpw(problem: RcpspProblem) -> list[float]:
    c = problem.compiled
    return [-float(c.dur[j] + sum(c.dur[s] for s, _ in c.succs[j])) for j in range(c.n)]


#: Priority rules by name: ``rule(problem) -> values`` (lower is scheduled first).
RULES: dict[str, Callable[[RcpspProblem], list[float]]] = {
    "LFT": _lft,
    "LST": _lst,
    "MTS": _mts,
    "GRPW": _grpw,
}


def priorities(problem: RcpspProblem, rule: str = "LFT") -> list[float]:
    """Priority value of every activity under ``rule`` (lower first).

    Raises
    ------
    RcpspError
        An unknown rule name.
    """
    try:
        return RULES[rule.upper()](problem)
    except KeyError:
        raise RcpspError(f"unknown priority rule {rule!r} (expected one of {', '.join(RULES)})") from None


def activity_list(c: Compiled, priority: Sequence[float]) -> list[int]:
    """The precedence-feasible activity list that always takes the eligible activity of lowest priority."""
    missing = [len(p) for p in c.preds]
    heap = [(priority[j], c.rank[j], j) for j in range(c.n) if missing[j] == 0]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        j = heapq.heappop(heap)[2]
        order.append(j)
        for s, _ in c.succs[j]:
            missing[s] -= 1
            if missing[s] == 0:
                heapq.heappush(heap, (priority[s], c.rank[s], s))
    return order


def sample_activity_list(c: Compiled, priority: Sequence[float], rng: random.Random, alpha: float = 1.0) -> list[int]:
    """A precedence-feasible activity list drawn by regret-based biased random sampling.

    Parameters
    ----------
    c : Compiled
    priority : sequence of float
        Lower is better.
    rng : random.Random
    alpha : float
        Bias: 0 draws uniformly among eligible activities; larger values follow the rule more closely.
    """
    missing = [len(p) for p in c.preds]
    eligible = [j for j in range(c.n) if missing[j] == 0]
    order: list[int] = []
    while eligible:
        worst = max(priority[j] for j in eligible)
        weights = [(worst - priority[j] + 1.0) ** alpha for j in eligible]
        pos = rng.choices(range(len(eligible)), weights)[0]
        j = eligible[pos]
        eligible[pos] = eligible[-1]
        eligible.pop()
        order.append(j)
        for s, _ in c.succs[j]:
            missing[s] -= 1
            if missing[s] == 0:
                eligible.append(s)
    return order


__all__ = ["RULES", "activity_list", "priorities", "sample_activity_list"]
