"""Vectorised forward and backward passes of the critical path method, level by level.

The passes run on a matrix of durations ``D`` of shape ``(n, B)``: ``B`` independent scenarios (one for
deterministic CPM, a block of Monte Carlo iterations otherwise).  Activities are renumbered in order of
topological level (:mod:`journeykit.schedule.topology`), so each level is a contiguous block of rows,
and there is no Python loop over activities or scenarios.

With ``a = 1`` when a dependency reads the predecessor's finish (FS, FF) and ``b = 1`` when it binds the
successor's finish (FF, SF), every dependency ``i -> j`` with lag ``L`` is the inequality
``ES_i + a d_i + L <= ES_j + b d_j``, hence (Moder, Phillips and Davis 1983, ch. 5)

* forward:  ``ES_j = max(0, max_i (ES_i + a d_i + L - b d_j))``, ``EF_j = ES_j + d_j``;
* backward: ``LS_i = min(T - d_i, min_j (LS_j + b d_j - L - a d_i))``, ``LF_i = LS_i + d_i``,
  with ``T = max_j EF_j`` the project duration of each scenario.

Stacking ``[ES; EF]`` (and ``[LS; LF]``) as one ``(2n, B)`` array turns the choice between start and
finish into a row offset of ``n`` in a gather index.

The max (min) over each activity's dependencies is computed in *slots*, in the manner of the ELLPACK /
jagged-diagonal sparse-matrix layout (Saad, Y. (2003) *Iterative Methods for Sparse Linear Systems*,
2nd ed., SIAM, section 3.4): the activities of a level are ordered by decreasing number of dependencies;
slot ``k`` holds the ``k``-th dependency of every activity that has more than ``k``, which are the first
``c_k`` of them.  A level is then ``max_degree`` steps of one row gather and one in-place
``np.maximum`` on a contiguous prefix, all at memory speed (a segment reduction with
``np.maximum.reduceat`` along the rows is about ten times slower).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeykit.schedule.network import PRED_FINISH, SUCC_FINISH, PlanArrays


@dataclass(frozen=True)
class _Slot:
    """The ``k``-th dependency of the first ``count`` targets of a level."""

    count: int
    gather: np.ndarray  # row of the stacked [start; finish] array read by each dependency
    lag: np.ndarray | None  # (count, 1) lags, None when all zero
    dsel: np.ndarray | None  # positions (within the slot) whose target's duration is subtracted


@dataclass(frozen=True)
class _Level:
    rows: slice  # the level's rows
    targets: np.ndarray  # rows receiving the reduction, by decreasing degree
    slots: tuple[_Slot, ...]
    subtract_after: bool  # every dependency subtracts its target's duration: do it once, after reducing
    contiguous: bool  # the targets are the level's rows in order


def _any_per_segment(flags: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``flags[starts[k]:starts[k + 1]].any()`` for each segment (the last runs to the end)."""
    return np.logical_or.reduceat(flags, starts) if starts.size else np.zeros(0, dtype=bool)


def _all_per_segment(flags: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``flags[bounds[k]:bounds[k + 1]].all()`` for each segment; False for empty segments."""
    out = np.zeros(len(bounds) - 1, dtype=bool)
    nonempty = bounds[:-1] < bounds[1:]
    if nonempty.any():
        # consecutive non-empty segments tile the flags, so one reduceat over their starts suffices
        out[nonempty] = np.logical_and.reduceat(flags, bounds[:-1][nonempty])
    return out


def _levels(n: int, lvl_ptr: np.ndarray, owner: np.ndarray, read: np.ndarray, read_finish: np.ndarray,
            lag: np.ndarray, sub: np.ndarray, levels: np.ndarray, target_order: np.ndarray) -> list[_Level]:
    """Slot layout of the dependencies of each level, grouped by their owner (target) row.

    A dependency ``e`` of target ``owner[e]`` contributes ``S[read[e] + n read_finish[e]] + lag[e]
    - sub[e] D[owner[e]]``.  ``target_order`` ranks the rows within their level (targets are taken in
    increasing rank, which must be by decreasing degree).
    """
    n_levels = len(lvl_ptr) - 1
    degree = np.bincount(owner, minlength=n)
    row_level = np.repeat(np.arange(n_levels), np.diff(lvl_ptr))
    rows = np.flatnonzero(degree > 0)
    rows = rows[np.lexsort((target_order[rows], row_level[rows]))]
    level_first = np.searchsorted(row_level[rows], np.arange(n_levels + 1))
    pos_in_level = np.arange(rows.size) - level_first[row_level[rows]]
    position = np.zeros(n, dtype=np.int64)
    position[rows] = pos_in_level
    # slot number of each dependency: its position among the dependencies of its owner
    by_owner = np.argsort(owner, kind="stable")
    first = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=first[1:])
    slot = np.empty(len(owner), dtype=np.int64)
    slot[by_owner] = np.arange(len(owner)) - first[owner[by_owner]]
    edge_level = row_level[owner]
    order = np.lexsort((position[owner], slot, edge_level))
    gather = (read + n * read_finish)[order]
    lag, sub, edge_level, slot = lag[order], sub[order], edge_level[order], slot[order]
    m = len(order)
    # groups of equal (level, slot) are contiguous: their bounds and flags in a few vector operations
    new_group = np.ones(m, dtype=bool)
    new_group[1:] = (edge_level[1:] != edge_level[:-1]) | (slot[1:] != slot[:-1])
    starts = np.flatnonzero(new_group)
    ends = np.r_[starts[1:], m].astype(np.int64)
    group_lag = _any_per_segment(lag != 0, starts)
    group_sub = _any_per_segment(sub, starts)
    level_groups = np.searchsorted(edge_level[starts], np.arange(n_levels + 1))
    level_edges = np.r_[starts, m][level_groups]
    all_sub = _all_per_segment(sub, level_edges)
    # a level's targets are its rows in order when each row has a dependency and they come in row order
    in_place = rows == lvl_ptr[row_level[rows]] + pos_in_level
    contiguous = (np.diff(level_first) == np.diff(lvl_ptr)) & _all_per_segment(in_place, level_first)
    out = []
    for lv in levels:
        after = bool(all_sub[lv])
        slots = []
        for g in range(level_groups[lv], level_groups[lv + 1]):
            lo, hi = starts[g], ends[g]
            sb = np.flatnonzero(sub[lo:hi]) if group_sub[g] and not after else None
            slots.append(_Slot(int(hi - lo), gather[lo:hi], lag[lo:hi, None] if group_lag[g] else None, sb))
        span = slice(int(lvl_ptr[lv]), int(lvl_ptr[lv + 1]))
        targets = rows[level_first[lv]:level_first[lv + 1]]
        out.append(_Level(span, targets, tuple(slots), after, bool(contiguous[lv])))
    return out


def _reduce(level: _Level, S: np.ndarray, D: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc``-reduction over the dependencies of each target of a level (one row per target)."""
    red = None
    t = level.targets
    for slot in level.slots:
        cand = S[slot.gather]
        if slot.lag is not None:
            cand += slot.lag
        if slot.dsel is not None:
            cand[slot.dsel] -= D[t[slot.dsel]]
        if red is None:
            red = cand
        else:
            head = red[:slot.count]
            ufunc(head, cand, out=head)
    if level.subtract_after:
        red -= D[level.rows] if level.contiguous else D[t]
    return red


class LevelPasses:
    """Forward and backward CPM passes of one network on duration matrices ``(n, B)``.

    Parameters
    ----------
    arrays : PlanArrays
        The network (:meth:`journeykit.schedule.network.Plan.arrays`).

    Attributes
    ----------
    perm : int array (n,)
        ``perm[k]`` is the plan index of row ``k`` (rows are in level order, and by decreasing number of
        predecessors within a level).
    """

    def __init__(self, arrays: PlanArrays):
        n = arrays.n
        self.n = n
        indeg = np.diff(arrays.pred_ptr)
        outdeg = np.diff(arrays.succ_ptr)
        perm = np.lexsort((-indeg, arrays.level))
        self.perm = perm
        rank = np.empty(n, dtype=np.int64)
        rank[perm] = np.arange(n)
        level = arrays.level[perm]
        n_levels = int(level.max()) + 1
        lvl_ptr = np.searchsorted(level, np.arange(n_levels + 1))
        succ = rank[arrays.edge_succ]
        pred = rank[arrays.pred_idx]
        a = PRED_FINISH[arrays.pred_type]
        b = SUCC_FINISH[arrays.pred_type]
        lag = arrays.pred_lag
        self._fwd = _levels(n, lvl_ptr, succ, pred, a, lag, b, np.arange(1, n_levels), np.arange(n))
        out_rank = np.empty(n, dtype=np.int64)
        out_rank[np.lexsort((np.arange(n), -outdeg[perm]))] = np.arange(n)
        self._bwd = _levels(n, lvl_ptr, pred, succ, b, -lag, a, np.arange(n_levels - 2, -1, -1), out_rank)
        self._first = slice(0, int(lvl_ptr[1]))
        self._last = slice(int(lvl_ptr[-2]), n)
        # an activity can finish last unless a FS/FF dependency with lag >= 0 makes a successor finish
        # no earlier; with SS/SF links or leads, activities with successors may finish last
        covered = np.zeros(n, dtype=bool)
        covered[arrays.pred_idx[a & (lag >= 0)]] = True
        self.enders = np.flatnonzero(~covered[perm])

    def permute(self, values: np.ndarray) -> np.ndarray:
        """Rows of a plan-ordered ``(n, ...)`` array in the passes' row order."""
        return values[self.perm]

    def forward(self, D: np.ndarray) -> np.ndarray:
        """Stacked ``[ES; EF]`` of shape ``(2n, B)`` for durations ``D`` ``(n, B)`` in row order."""
        n = self.n
        X = np.empty((2 * n,) + D.shape[1:], dtype=D.dtype)
        first = self._first
        X[first] = 0
        X[n + first.start:n + first.stop] = D[first]
        for level in self._fwd:
            rows = level.rows
            np.maximum(_reduce(level, X, D, np.maximum), 0, out=X[rows])
            np.add(X[rows], D[rows], out=X[n + rows.start:n + rows.stop])
        return X

    def finish(self, X: np.ndarray) -> np.ndarray:
        """Project duration ``(B,)`` of each scenario: the max early finish (of the activities that can
        finish last)."""
        return X[self.n + self.enders].max(axis=0)

    def backward(self, D: np.ndarray, finish: np.ndarray) -> np.ndarray:
        """Stacked ``[LS; LF]`` of shape ``(2n, B)`` given the project finish ``(B,)`` of each scenario."""
        n = self.n
        Y = np.empty((2 * n,) + D.shape[1:], dtype=D.dtype)
        last = self._last
        Y[n + last.start:n + last.stop] = finish
        np.subtract(finish, D[last], out=Y[last])
        for level in self._bwd:
            rows = level.rows
            np.subtract(finish, D[rows], out=Y[rows])
            red = _reduce(level, Y, D, np.minimum)
            if level.contiguous:
                np.minimum(Y[rows], red, out=Y[rows])
            else:
                t = level.targets
                Y[t] = np.minimum(Y[t], red)
            np.add(Y[rows], D[rows], out=Y[n + rows.start:n + rows.stop])
        return Y
