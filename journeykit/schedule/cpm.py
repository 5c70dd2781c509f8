"""Critical path method with FS/SS/FF/SF dependencies and lags.

Early and late start/finish come from the level-vectorised passes of :mod:`journeykit.schedule.passes`.
Then, for every activity ``i``,

* total float ``TF_i = LS_i - ES_i`` (how far it can slip before the project finish moves);
* free float ``FF_i = min(T - EF_i, min_j s_ij)`` with the slack of each outgoing dependency
  ``s_ij = (ES_j + b d_j) - (ES_i + a d_i + L_ij)`` (how far it can slip before any successor's early
  dates move);

and an activity is critical when its total float is zero.  A dependency *drives* its successor when its
slack is zero: the successor's early start is set by it.  Critical paths are the maximal chains of
driving dependencies between critical activities from the project start to the project finish; with
ties there are several and all are listed.

Reference: Moder, J. J., Phillips, C. R. and Davis, E. W. (1983) *Project Management with CPM, PERT and
Precedence Diagramming*, 3rd ed., ch. 4-5; PMI (2019) *Practice Standard for Scheduling*, 3rd ed.,
section 6.2 (total and free float).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from journeykit.result import Result
from journeykit.schedule.network import PRED_FINISH, SUCC_FINISH, TYPE_NAMES, Plan, PlanArrays
from journeykit.schedule.passes import LevelPasses

#: Relative tolerance under which a float counts as zero.
ZERO_FLOAT = 1e-9


@dataclass
class CPMResult(Result):
    """Early/late dates, floats and critical paths of a plan.

    Attributes
    ----------
    table : DataFrame
        One row per activity (plan order): ``id``, ``name``, ``duration``, ``es``, ``ef``, ``ls``,
        ``lf``, ``total_float``, ``free_float``, ``critical`` and, with a calendar and a start date,
        ``start_date``/``finish_date``.
    duration : float
        Project duration ``T`` (the length of the critical path).
    dependencies : DataFrame
        One row per dependency: ``pred``, ``succ``, ``type``, ``lag``, ``slack`` (forward slack),
        ``late_slack`` (from the late dates), ``driving`` (built on first access).
    arrays : PlanArrays
        The network scheduled.
    slack, late_slack : ndarray
        The dependencies' slacks, aligned with ``arrays.pred_idx``.
    """

    duration: float = 0.0
    plan: Plan | None = None
    arrays: PlanArrays | None = None
    slack: np.ndarray = field(default_factory=lambda: np.zeros(0))
    late_slack: np.ndarray = field(default_factory=lambda: np.zeros(0))
    title: str = "Critical path"

    @cached_property
    def dependencies(self) -> pd.DataFrame:
        ar = self.arrays
        ids = np.array(ar.ids, dtype=object)
        return pd.DataFrame(
            {
                "pred": ids[ar.pred_idx],
                "succ": ids[ar.edge_succ],
                "type": np.array(TYPE_NAMES)[ar.pred_type],
                "lag": ar.pred_lag,
                "slack": self.slack,
                "late_slack": self.late_slack,
                "driving": self.slack <= self._tol(),
            }
        )

    # ------------------------------------------------------------------------------- helpers
    @property
    def critical(self) -> list[str]:
        """Ids of the critical activities (plan order)."""
        return self.table.loc[self.table["critical"], "id"].tolist()

    def _tol(self) -> float:
        return ZERO_FLOAT * max(1.0, abs(self.duration))

    def _adjacency(self, slack: np.ndarray) -> dict[str, list[str]]:
        """Predecessor id -> successor ids over the dependencies with zero ``slack``."""
        ar = self.arrays
        tight = np.flatnonzero(slack <= self._tol())
        adj: dict[str, list[str]] = {}
        for x, y in zip(ar.pred_idx[tight].tolist(), ar.edge_succ[tight].tolist()):
            adj.setdefault(ar.ids[x], []).append(ar.ids[y])
        return adj

    # ---------------------------------------------------------------------------- paths
    def critical_paths(self, max_paths: int = 1000) -> list[list[str]]:
        """Every critical path (ties included) as a list of activity ids from start to finish.

        Paths follow driving dependencies between critical activities, from a critical activity with no
        driving critical predecessor to one with no driving critical successor.  At most ``max_paths``
        are returned (a note is added when there are more).
        """
        t = self.table[self.table["critical"]]
        crit = set(t["id"])
        nxt = {k: [v for v in vs if v in crit] for k, vs in self._adjacency(self.slack).items() if k in crit}
        has_pred = {v for vs in nxt.values() for v in vs}
        at_start = t["id"][t["es"] <= self._tol()]
        starts = [i for i in at_start if i not in has_pred]
        ends = set(t["id"][(t["ef"] - self.duration).abs() <= self._tol()])
        paths, complete = _walks(starts, nxt, max_paths, ends)
        if not complete:
            self.notes.append(f"more than {max_paths} critical paths; only the first {max_paths} are listed")
        return paths

    def path_to(self, activity_id: str, max_paths: int = 1000) -> list[list[str]]:
        """The driving chains ending at an activity: the longest paths from the project start to it.

        Each chain follows dependencies with zero slack backwards to an activity nothing drives.
        """
        self._check(activity_id)
        back = self._adjacency(self.slack)
        prev: dict[str, list[str]] = {}
        for p, ss in back.items():
            for s in ss:
                prev.setdefault(s, []).append(p)
        return [walk[::-1] for walk in _walks([activity_id], prev, max_paths)[0]]

    def path_from(self, activity_id: str, max_paths: int = 1000) -> list[list[str]]:
        """The chains that set an activity's late finish: successors whose late dates bind it, to the end."""
        self._check(activity_id)
        nxt = self._adjacency(self.late_slack)
        return _walks([activity_id], nxt, max_paths)[0]

    def _check(self, activity_id: str) -> None:
        if self.plan is not None:
            self.plan.position(activity_id)

    def explain(self, activity_id: str) -> str:
        """Why an activity is or is not critical: its floats and the chains that drive and bind it."""
        self._check(activity_id)
        row = self.table.set_index("id").loc[activity_id]
        unit = self.plan.unit if self.plan is not None else "units"
        before, after = self.path_to(activity_id)[0], self.path_from(activity_id)[0]
        driving = " -> ".join(before) if len(before) > 1 else "nothing (it can start at the project start)"
        binding = " -> ".join(after) if len(after) > 1 else "the project finish only"
        dates = (f"early start {row.es:g}, early finish {row.ef:g}, late start {row.ls:g}, "
                 f"late finish {row.lf:g} (project duration {self.duration:g} {unit})")
        if row.critical:
            return (f"'{activity_id}' is critical: total float 0, so any delay of it delays the project. "
                    f"Its early start is driven by {driving}; its late finish is bound by {binding}. {dates}.")
        return (f"'{activity_id}' is not critical: total float {row.total_float:g} {unit} (it can slip that "
                f"much before the project finish moves), free float {row.free_float:g} {unit} (slip before "
                f"any successor moves). Its early start is driven by {driving}; its late finish is bound by "
                f"{binding}. {dates}.")

    def figure(self):
        """Gantt chart with float bars and the critical path highlighted."""
        from journeykit.schedule.figures import gantt

        return gantt(self)

    def pert_chart(self):
        """Activity-on-node PERT chart (see :func:`journeykit.schedule.figures.pert_chart`)."""
        from journeykit.schedule.figures import pert_chart

        return pert_chart(self)


def _walks(starts: list[str], step: dict[str, list[str]], max_paths: int,
           ends: set[str] | None = None) -> tuple[list[list[str]], bool]:
    """Maximal walks along ``step`` from each start (depth first, in order), kept when they stop in
    ``ends`` (any node when ``None``); and whether all were found within ``max_paths``.

    Walks share their prefixes through parent pointers, so a long walk costs its length, not its
    length squared.
    """
    nodes: list[str] = []
    parent: list[int] = []
    out: list[list[str]] = []
    stack = [(s, -1) for s in reversed(starts)]
    while stack and len(out) < max_paths:
        node, up = stack.pop()
        k = len(nodes)
        nodes.append(node)
        parent.append(up)
        nxt = step.get(node, [])
        if nxt:
            stack.extend((s, k) for s in reversed(nxt))
        elif ends is None or node in ends:
            walk = []
            while k >= 0:
                walk.append(nodes[k])
                k = parent[k]
            out.append(walk[::-1])
    return out, not stack


def dependency_slacks(arrays: PlanArrays, es: np.ndarray, ls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward slack (from early dates) and backward slack (from late dates) of every dependency.

    ``s = (S_j + b d_j) - (S_i + a d_i + L)`` with ``S`` the early (resp. late) starts; arrays aligned
    with ``arrays.pred_idx``.
    """
    d = arrays.durations
    i, j = arrays.pred_idx, arrays.edge_succ
    a, b = PRED_FINISH[arrays.pred_type], SUCC_FINISH[arrays.pred_type]
    fwd = (es[j] + b * d[j]) - (es[i] + a * d[i] + arrays.pred_lag)
    bwd = (ls[j] + b * d[j]) - (ls[i] + a * d[i] + arrays.pred_lag)
    return fwd, bwd


def cpm(plan: Plan, durations: Literal["mean", "most_likely", "optimistic", "pessimistic"] = "mean") -> CPMResult:
    """Critical path method on a plan's deterministic durations.

    Parameters
    ----------
    plan : Plan
    durations : {"mean", "most_likely", "optimistic", "pessimistic"}
        Which deterministic duration to schedule: the PERT mean ``te`` (default) or a point of the
        three-point estimate.

    Returns
    -------
    CPMResult
    """
    arrays = plan.arrays(durations)
    n = arrays.n
    passes = LevelPasses(arrays)
    D = passes.permute(arrays.durations)[:, None]
    X = passes.forward(D)
    finish = passes.finish(X)
    Y = passes.backward(D, finish)
    es, ef, ls, lf = (np.empty(n) for _ in range(4))
    for out, block in zip((es, ef, ls, lf), (X[:n], X[n:], Y[:n], Y[n:])):
        out[passes.perm] = block[:, 0]
    T = float(finish[0])
    tol = ZERO_FLOAT * max(1.0, abs(T))
    for dates in (es, ef, ls, lf):  # floating-point residue of the passes (9.4e-16 for a start at 0)
        dates[np.abs(dates) <= tol] = 0.0
    total = ls - es
    total[np.abs(total) <= tol] = 0.0
    fwd, bwd = dependency_slacks(arrays, es, ls)
    free = T - ef
    np.minimum.at(free, arrays.pred_idx, fwd)
    free[np.abs(free) <= tol] = 0.0
    table = pd.DataFrame(
        {
            "id": list(arrays.ids),
            "name": [a.name for a in plan.activities],
            "duration": arrays.durations,
            "es": es,
            "ef": ef,
            "ls": ls,
            "lf": lf,
            "total_float": total,
            "free_float": free,
            "critical": total <= tol,
        }
    )
    if plan.calendar is not None and plan.start is not None:
        starts = plan.calendar.start_dates(plan.start, es, plan.unit)
        finishes = plan.calendar.finish_dates(plan.start, ef, plan.unit)
        # a milestone (zero duration) is shown on the day its predecessors finish, as MS Project does
        table["start_date"] = np.where(arrays.durations > 0, starts, finishes)
        table["finish_date"] = finishes
    params: dict[str, Any] = {"plan": plan.name, "durations": durations, "unit": plan.unit}
    return CPMResult(table=table, params=params, duration=T, plan=plan, arrays=arrays, slack=fwd, late_slack=bwd)


__all__ = ["CPMResult", "cpm", "dependency_slacks"]
