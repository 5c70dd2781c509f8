"""Genetic algorithm on activity lists with forward-backward improvement for the RCPSP.

Individuals are precedence-feasible activity lists decoded by the serial schedule-generation scheme.  Each
decoded schedule is improved by double justification and written back into its individual as the list
of the improved schedule (the best published heuristics all combine a population search with
justification).  Parents are picked by binary tournament; children come from Hartmann's two-point
crossover, which keeps lists precedence-feasible, and an adjacent-swap mutation; the next generation
keeps the best distinct schedules of parents and children.  The first population holds the lists of four
priority rules (LFT, LST, MTS, GRPW) and draws of regret-based biased random sampling around each in turn,
for diversity; when the best schedule has not improved for a few generations, all but the best tenth of
the population is drawn afresh.

The search stops before it would exceed a number of generated schedules (each pass of a
schedule-generation scheme counts one, so one decoded and justified individual costs three; the first
individual is always evaluated), at a time limit, or as soon as it reaches a given lower bound.  It is
deterministic for a given seed.

References
----------
Hartmann, S. (1998) "A competitive genetic algorithm for resource-constrained project scheduling", Naval
Research Logistics 45(7), 733-750.
Valls, V., Ballestin, F. and Quintanilla, S. (2005) "Justification and RCPSP: a technique that pays",
European Journal of Operational Research 165(2), 375-386.
Kolisch, R. and Hartmann, S. (2006) "Experimental investigation of heuristics for resource-constrained
project scheduling: an update", European Journal of Operational Research 174(1), 23-37 (counting
schedules as the stopping criterion).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from journeykit.schedule.rcpsp.justification import forward_backward, list_by_start
from journeykit.schedule.rcpsp.priority import activity_list, priorities, sample_activity_list
from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem
from journeykit.schedule.rcpsp.sgs import makespan, serial_sgs

#: Schedule-generation passes per evaluated individual: decode, right- and left-justify.
COST = 3


@dataclass(frozen=True)
class SearchOutcome:
    """Best schedule found by a search and what it cost.

    Attributes
    ----------
    start : list of int
    makespan : int
    schedules : int
        Schedule-generation passes used.
    seconds : float
    """

    start: list[int]
    makespan: int
    schedules: int
    seconds: float


def _crossover(mother: list[int], father: list[int], rng: random.Random) -> list[int]:
    """Two-point crossover: mother's head, father's order for the middle, mother's order for the rest."""
    n = len(mother)
    q1 = rng.randrange(n)
    q2 = rng.randrange(q1, n + 1)
    child = mother[:q1]
    taken = bytearray(n)
    for j in child:
        taken[j] = 1
    for j in father:
        if len(child) >= q2:
            break
        if not taken[j]:
            taken[j] = 1
            child.append(j)
    child.extend(j for j in mother if not taken[j])
    return child


def _tournament(pool: list[tuple[int, list[int], list[int]]], rng: random.Random) -> list[int]:
    """The better of two random individuals' activity lists (binary tournament)."""
    a, b = rng.choice(pool), rng.choice(pool)
    return (a if a[0] <= b[0] else b)[1]


def _mutate(genome: list[int], linked: set[tuple[int, int]], rate: float, rng: random.Random) -> None:
    """Swap neighbours with probability ``rate`` each, when no relation links them."""
    for pos in range(len(genome) - 1):
        if rng.random() < rate:
            a, b = genome[pos], genome[pos + 1]
            if (a, b) not in linked:
                genome[pos], genome[pos + 1] = b, a


def genetic_algorithm(
    problem: RcpspProblem,
    schedules: int = 1000,
    *,
    population: int = 40,
    mutation: float = 0.3,
    restart: int = 6,
    seed: int | None = 0,
    time_limit: float | None = None,
    target: int | None = None,
) -> SearchOutcome:
    """Search for a short resource-feasible schedule.

    Parameters
    ----------
    problem : RcpspProblem
    schedules : int
        Budget of schedule-generation passes (checked after each individual, so the last one may
        overrun it by up to two passes).
    population : int
        Number of individuals kept from one generation to the next.
    mutation : float
        Probability of swapping each pair of neighbours in a child's list.
    restart : int
        Generations without a better schedule after which all but the best tenth of the population is
        drawn afresh.
    seed : int or None
        Random seed (None: not reproducible).
    time_limit : float, optional
        Stop after this many seconds.
    target : int, optional
        Stop as soon as a schedule this short is found (a lower bound proves it optimal).

    Returns
    -------
    SearchOutcome
    """
    if schedules < 1 or population < 2:
        raise RcpspError(f"the search needs schedules >= 1 and population >= 2, got {schedules} and {population}")
    clock = time.perf_counter()
    deadline = None if time_limit is None else clock + time_limit
    rng = random.Random(seed)
    forward = problem.compiled
    linked = {(r.pred, r.succ) for r in problem.relations}
    used, best = 0, None

    def evaluate(genome: list[int]) -> tuple[int, list[int], list[int]]:
        nonlocal used, best
        used += COST
        start = forward_backward(problem, serial_sgs(forward, genome))
        span = makespan(forward, start)
        if best is None or span < best:
            best = span
        return span, list_by_start(forward, start), start

    def done() -> bool:
        return (
            (used > 0 and used + COST > schedules)  # the next individual would exceed the budget
            or (target is not None and best <= target)
            or (deadline is not None and time.perf_counter() >= deadline)
        )

    rules = [priorities(problem, rule) for rule in ("LFT", "LST", "MTS", "GRPW")]
    lft = rules[0]
    pool: list[tuple[int, list[int], list[int]]] = []
    for rule in rules:
        if pool and done():
            break
        pool.append(evaluate(activity_list(forward, rule)))
    while len(pool) < population and not done():
        pool.append(evaluate(sample_activity_list(forward, rules[len(pool) % len(rules)], rng)))
    stale, record = 0, best
    while not done():
        if len(pool) < 2:  # every schedule alike: bring in a newcomer so there is something to cross
            pool.append(evaluate(sample_activity_list(forward, lft, rng)))
            continue
        if stale >= restart:  # converged: keep the best few, draw the rest afresh
            pool = sorted(pool, key=lambda ind: ind[0])[: max(1, population // 10)]
            while len(pool) < population and not done():
                pool.append(evaluate(sample_activity_list(forward, lft, rng)))
            stale = 0
            continue
        children = []
        for _ in range(len(pool)):
            mother, father = _tournament(pool, rng), _tournament(pool, rng)
            child = _crossover(mother, father, rng)
            _mutate(child, linked, mutation, rng)
            children.append(evaluate(child))
            if done():
                break
        seen: set[tuple[int, ...]] = set()
        survivors = []
        for ind in sorted(pool + children, key=lambda ind: ind[0]):
            key = tuple(ind[2])
            if key not in seen:
                seen.add(key)
                survivors.append(ind)
        pool = survivors[:population]
        stale = 0 if best < record else stale + 1
        record = best
    span, _, start = min(pool, key=lambda ind: ind[0])
    return SearchOutcome(start, span, used, time.perf_counter() - clock)


__all__ = ["SearchOutcome", "genetic_algorithm"]
