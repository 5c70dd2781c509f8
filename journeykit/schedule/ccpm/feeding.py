"""Insert feeding buffers without moving the critical chain.

A feeding buffer is a gap between the last activity of a feeding chain and the chain activity it joins.
Inserting it must push the *feeding* chain earlier, never the critical chain later (Goldratt 1997;
Leach 2000, ch. 7): the critical chain and the project buffer fix the due date.  So the critical-chain
activities keep their places in the levelled, as-late-as-possible schedule and every other activity is
placed again, in decreasing order of its planned finish, as late as its successors (with the buffers as
lags) and the resources left by the activities already placed allow.  A resource conflict created by a
buffer therefore moves the feeding activities earlier, never the chain.

A buffer fits when no activity has to start before the project start or before a critical-chain
predecessor's relation allows.  All buffers are tried at once first; when they do not all fit, they are
inserted one by one in the order of the chain, each as large as fits (bisection on its size), keeping the
buffers already inserted.  A buffer of size 0 always fits: placing the activities again in decreasing
order of finish never moves one earlier than the schedule it starts from (Valls et al. 2005, right
justification), so the previous schedule remains reachable.

References
----------
Goldratt, E. M. (1997) *Critical Chain*, North River Press.
Leach, L. P. (2000) *Critical Chain Project Management*, Artech House, ch. 7 (feeding buffers; resolving
the resource conflicts they create by moving the feeding chains earlier).
Valls, V., Ballestin, F. and Quintanilla, S. (2005) "Justification and RCPSP: a technique that pays",
European Journal of Operational Research 165(2), 375-386.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeykit.schedule.ccpm.chain import Chain, FeedingChain
from journeykit.schedule.rcpsp.priority import activity_list
from journeykit.schedule.rcpsp.problem import RcpspProblem, Relation
from journeykit.schedule.rcpsp.sgs import mirror


def buffered(problem: RcpspProblem, feeding: Sequence[tuple[FeedingChain, int]]) -> RcpspProblem:
    """The problem with every non-zero feeding buffer as a lag on its merge relation."""
    return problem.with_relations([Relation(fc.activities[-1], fc.joins, "FS", size) for fc, size in feeding if size])


def place_around_chain(problem: RcpspProblem, reference: Sequence[int], chain: Chain) -> list[int] | None:
    """Keep the chain where ``reference`` has it and place every other activity as late as possible.

    Parameters
    ----------
    problem : RcpspProblem
        With the feeding buffers as lags.
    reference : sequence of int
        A feasible schedule (of the problem without the newest lags); its chain activities are kept and
        it gives the order of placement (decreasing finish).
    chain : Chain

    Returns
    -------
    list of int or None
        The schedule, or None when some activity would have to start before period 0 or before a
        chain predecessor allows.
    """
    c = problem.compiled
    dur, fixed = c.dur, set(chain.activities)
    end = max(s + d for s, d in zip(reference, dur))
    avail = [[cap] * end for cap in c.capacity]
    start = list(reference)
    for j in fixed:
        for k, r in c.demand[j]:
            avail[k][start[j]:start[j] + dur[j]] = [x - r for x in avail[k][start[j]:start[j] + dur[j]]]
    back = problem.reversed
    for j in activity_list(back, mirror(back, reference)):
        if j in fixed:
            continue
        t = min([start[s] - delay for s, delay in c.succs[j]] + [end - dur[j]])
        while t >= 0:
            short = [p for k, r in c.demand[j] for p in range(t, t + dur[j]) if avail[k][p] < r]
            if not short:
                break
            t = min(short) - dur[j]  # the window must end before the earliest short period
        if t < 0 or any(t < start[i] + delay for i, delay in c.preds[j] if i in fixed):
            return None
        start[j] = t
        for k, r in c.demand[j]:
            avail[k][t:t + dur[j]] = [x - r for x in avail[k][t:t + dur[j]]]
    return start


def insert_feeding_buffers(problem: RcpspProblem, late: Sequence[int], chain: Chain,
                           wanted: Sequence[tuple[FeedingChain, int]]) -> tuple[list[int], list[tuple[FeedingChain, int]]]:
    """Insert the feeding buffers, each as large as fits without moving the critical chain.

    Parameters
    ----------
    problem : RcpspProblem
        Without buffers.
    late : sequence of int
        The levelled, as-late-as-possible schedule the chain was traced on.
    chain : Chain
    wanted : sequence of (FeedingChain, int)
        Each feeding chain with the buffer its sizing method asks for.

    Returns
    -------
    start : list of int
        Feasible for ``buffered(problem, inserted)``, with the chain activities at their places in
        ``late``.
    inserted : list of (FeedingChain, int)
        Each feeding chain with the buffer that fits (at most the wanted size).
    """
    everything = place_around_chain(buffered(problem, wanted), late, chain)
    if everything is not None:
        return everything, list(wanted)
    start, sizes = list(late), [0] * len(wanted)
    for pos, (_, size) in enumerate(wanted):
        low, high = 0, size
        while low < high:
            mid = (low + high + 1) // 2
            sizes[pos] = mid
            trial = place_around_chain(buffered(problem, list(zip((fc for fc, _ in wanted), sizes))), start, chain)
            if trial is None:
                high = mid - 1
            else:
                low, start = mid, trial
        sizes[pos] = low
    return start, [(fc, size) for (fc, _), size in zip(wanted, sizes)]


__all__ = ["buffered", "insert_feeding_buffers", "place_around_chain"]
