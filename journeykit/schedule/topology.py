"""Topological levels of a precedence network (vectorised Kahn algorithm) and cycle extraction.

Level 0 holds the activities without predecessors; an activity's level is one more than the highest
level of its predecessors (the length of the longest chain of dependencies ending at it).  All
activities of one level can be scheduled together once the lower levels are done, which is what lets
the CPM and Monte Carlo passes work level by level with whole-array operations.

Reference: Kahn, A. B. (1962) "Topological sorting of large networks", Communications of the ACM 5(11),
558-562.
"""

from __future__ import annotations

import numpy as np


def topological_levels(n: int, pred: np.ndarray, succ: np.ndarray) -> np.ndarray:
    """Level of every node, or -1 for nodes on or behind a cycle.

    Parameters
    ----------
    n : int
        Number of nodes ``0..n-1``.
    pred, succ : int arrays of equal length
        The edges ``pred[e] -> succ[e]``.

    Returns
    -------
    numpy.ndarray of int64
        ``level[v]``; every edge satisfies ``level[pred] < level[succ]`` on the acyclic part.
    """
    pred = np.asarray(pred, dtype=np.int64)
    succ = np.asarray(succ, dtype=np.int64)
    order = np.argsort(pred, kind="stable")
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pred, minlength=n), out=out_ptr[1:])
    out_succ = succ[order]
    indeg = np.bincount(succ, minlength=n)
    level = np.full(n, -1, dtype=np.int64)
    frontier = np.flatnonzero(indeg == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        starts, ends = out_ptr[frontier], out_ptr[frontier + 1]
        counts = ends - starts
        if counts.sum() == 0:
            break
        # edge positions of all out-edges of the frontier, without a Python loop over nodes
        pos = np.repeat(ends - counts.cumsum(), counts) + np.arange(counts.sum())
        targets = out_succ[pos]
        np.subtract.at(indeg, targets, 1)
        frontier = np.unique(targets[indeg[targets] == 0])
        depth += 1
    return level


def find_cycle(n: int, pred: np.ndarray, succ: np.ndarray, candidates: np.ndarray) -> list[int]:
    """One directed cycle among ``candidates`` (nodes left unlevelled by :func:`topological_levels`).

    Returns the cycle's nodes in edge order with the first node repeated at the end.  Every unlevelled
    node has an unlevelled predecessor, so walking predecessors from any of them must revisit a node.
    """
    inside = np.zeros(n, dtype=bool)
    inside[candidates] = True
    back: dict[int, int] = {}
    for p, s in zip(pred.tolist(), succ.tolist()):
        if inside[p] and inside[s]:
            back.setdefault(s, p)
    node = int(candidates[0])
    seen: dict[int, int] = {}
    walk: list[int] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = back[node]
    cycle = walk[seen[node]:]
    cycle.reverse()  # walked backwards along predecessors
    return cycle + [cycle[0]]
