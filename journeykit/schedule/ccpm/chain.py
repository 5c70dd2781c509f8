"""The critical chain of a resource-feasible schedule and the feeding chains that join it.

The critical chain is the longest sequence of activities, each linked to the next by a precedence
relation or a resource hand-over (:mod:`.flow`) without any slack, that runs from the project start to
the project end: it, not the critical path, fixes the length of a resource-levelled project.  Feeding
chains are the longest sequences of non-chain activities that end in a relation into a chain activity;
they are where feeding buffers go.

Reference: Goldratt, E. M. (1997) *Critical Chain*, North River Press; Leach, L. P. (2000) *Critical
Chain Project Management*, Artech House, ch. 6 (identifying the critical chain after resource levelling).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeykit.schedule.ccpm.flow import resource_flow
from journeykit.schedule.rcpsp.problem import RcpspProblem


@dataclass(frozen=True)
class Chain:
    """A sequence of activities.

    Attributes
    ----------
    activities : tuple of int
        In execution order; zero-duration activities (milestones, dummies) are left out.
    links : tuple of str
        ``"precedence"`` or ``"resource"``: how each activity is tied to the previous one (first: ``""``).
    """

    activities: tuple[int, ...]
    links: tuple[str, ...]


@dataclass(frozen=True)
class FeedingChain(Chain):
    """A chain of non-critical activities whose last one precedes ``joins`` (a critical-chain activity)."""

    joins: int = -1


def critical_chain(problem: RcpspProblem, start: Sequence[int], flow: Sequence[tuple[int, int]] | None = None) -> Chain:
    """The longest slack-free sequence of linked activities from the project start to its end.

    Parameters
    ----------
    problem : RcpspProblem
    start : sequence of int
        A resource-feasible schedule (usually as late as possible).
    flow : sequence of (int, int), optional
        Resource hand-overs; computed by :func:`.flow.resource_flow` when omitted.

    Returns
    -------
    Chain
        Among all tight sequences from the earliest start to the latest finish, the one with the largest
        total duration, preferring precedence links on ties.  Should no sequence reach back to the
        start, the longest tight sequence that ends at the project end.
    """
    dur = problem.durations
    finish = [s + d for s, d in zip(start, dur)]
    begin, end = min(start), max(finish)
    links: list[list[tuple[int, str]]] = [[] for _ in range(problem.n)]
    for i, j, delay in problem.delays():
        if start[j] == start[i] + delay:
            links[j].append((i, "precedence"))
    for i, j in resource_flow(problem, start) if flow is None else flow:
        if finish[i] == start[j]:
            links[j].append((i, "resource"))
    # best[j] = (reaches the start, total duration, precedence links) of the best tight chain ending at j
    best: dict[int, tuple[bool, int, int]] = {}
    back: dict[int, tuple[int, str] | None] = {}
    for j in sorted(range(problem.n), key=lambda j: (start[j], finish[j], problem.compiled.rank[j])):
        choice: tuple[tuple[bool, int, int], tuple[int, str] | None] = ((start[j] == begin, dur[j], 0), None)
        for i, kind in links[j]:
            if i in best:
                rooted, total, prec = best[i]
                value = (rooted, total + dur[j], prec + (kind == "precedence"))
                if value > choice[0]:
                    choice = (value, (i, kind))
        best[j], back[j] = choice
    last = max((j for j in range(problem.n) if finish[j] == end), key=lambda j: best[j])
    sequence: list[tuple[int, str]] = []
    step: tuple[int, str] | None = (last, "")
    while step is not None:
        j, kind = step
        sequence.append((j, kind))
        step = back[j]
    sequence.reverse()
    # each entry holds the kind of its link to the next activity; shift it onto that next activity
    kinds = [""] + [kind for _, kind in sequence[:-1]]
    kept = [(j, kinds[pos]) for pos, (j, _) in enumerate(sequence) if dur[j] > 0]
    return Chain(tuple(j for j, _ in kept), tuple("" if pos == 0 else kind for pos, (_, kind) in enumerate(kept)))


def feeding_chains(problem: RcpspProblem, chain: Chain) -> list[FeedingChain]:
    """For every relation from a non-chain activity into a chain activity, the longest precedence path of
    non-chain activities ending there (by total duration).

    Returns
    -------
    list of FeedingChain
        One per merge point ``(last feeding activity, chain activity)``, zero-duration-only chains left
        out, in order of the chain activity joined.
    """
    on_chain = set(chain.activities)
    dur = problem.durations
    length = [0] * problem.n
    prev: list[int | None] = [None] * problem.n
    preds: list[list[int]] = [[] for _ in range(problem.n)]
    for r in problem.relations:
        preds[r.succ].append(r.pred)
    for j in problem.topological_order:
        if j in on_chain:
            continue
        feeders = [i for i in preds[j] if i not in on_chain]
        if feeders:
            i = max(feeders, key=lambda i: length[i])
            length[j], prev[j] = length[i] + dur[j], i
        else:
            length[j] = dur[j]
    result = []
    position = {j: pos for pos, j in enumerate(chain.activities)}
    merges = sorted(
        {(r.pred, r.succ) for r in problem.relations if r.succ in on_chain and r.pred not in on_chain},
        key=lambda m: (position[m[1]], m[0]),
    )
    for last, joins in merges:
        path: list[int] = []
        step: int | None = last
        while step is not None:
            path.append(step)
            step = prev[step]
        acts = tuple(j for j in reversed(path) if dur[j] > 0)
        if acts:
            result.append(FeedingChain(acts, ("",) + ("precedence",) * (len(acts) - 1), joins))
    return result


__all__ = ["Chain", "FeedingChain", "critical_chain", "feeding_chains"]
