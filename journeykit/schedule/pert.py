"""Analytic PERT: expected durations, the critical path's mean and variance, deadline probabilities.

Each activity has ``te = (o + 4m + p) / 6`` and ``sigma = (p - o) / 6`` (other distributions: their
exact mean and variance).  The project duration is taken as normal (central limit theorem along the
path) with mean ``T`` = the CPM length on ``te`` and variance the sum of the variances of the durations the
critical path's length is made of; with tied critical paths the one with the largest variance is used
(the conservative choice).  With precedence-diagram dependencies not every duration on a path counts:
walking the path from the start of its first activity, each activity is entered at its start (after FS
or SS) or its finish (after FF or SF) and left from its start (SS, SF) or its finish (FS, FF, and the
project end), so its duration enters the length with coefficient ``left - entered`` in {-1, 0, 1}.  An
activity linked start-to-start to its successor adds only the lag, never its own duration or variance.  Then ``P(finish <= D) = Phi((D - T) / sigma_T)`` and the deadline met with
probability ``q`` is ``T + sigma_T * Phi^-1(q)``.  This ignores merge bias (other paths that may become
critical), which the Monte Carlo simulation measures.

References
----------
Malcolm, D. G. et al. (1959) Operations Research 7(5), 646-669.
Hillier, F. S. and Lieberman, G. J. *Introduction to Operations Research*, McGraw-Hill, chapter "Project
Management with PERT/CPM" (the Reliable Construction Co. example: mean 44 weeks, variance 9,
P(T <= 47) = 0.84).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from journeykit.result import Result
from journeykit.schedule.cpm import CPMResult, cpm
from journeykit.schedule.errors import ScheduleError
from journeykit.schedule.network import PRED_FINISH, SUCC_FINISH, Plan


@dataclass
class PertResult(Result):
    """Analytic PERT of a plan.

    Attributes
    ----------
    table : DataFrame
        One row per activity: ``id``, ``name``, ``te``, ``sigma``, ``variance``, ``critical``,
        ``on_path`` (on the path whose variance is used).
    mean, std : float
        Mean and standard deviation of the project duration.
    path : list of str
        The critical path whose variance is used.
    cpm : CPMResult
        The CPM schedule on ``te``.
    """

    mean: float = 0.0
    std: float = 0.0
    path: list[str] = field(default_factory=list)
    cpm: CPMResult | None = None
    title: str = "Analytic PERT"

    def summary(self, deadline: float | None = None, confidence: float = 0.9) -> pd.DataFrame:
        """Key figures as a two-column table: mean, std, the deadline met with ``confidence`` and, given a
        ``deadline``, the probability of meeting it."""
        rows: list[tuple[str, float]] = [
            ("mean", self.mean), ("std", self.std), (f"deadline met with probability {confidence:g}",
                                                      self.deadline(confidence)),
        ]
        if deadline is not None:
            rows.append((f"P(finish <= {deadline:g})", self.probability(deadline)))
        return pd.DataFrame(rows, columns=["measure", "value"])

    def probability(self, deadline: float) -> float:
        """``P(finish <= deadline) = Phi((deadline - mean) / std)`` (a step function when ``std == 0``)."""
        if self.std == 0:
            return float(deadline >= self.mean)
        return float(special.ndtr((deadline - self.mean) / self.std))

    def deadline(self, probability: float) -> float:
        """The deadline met with the given probability: ``mean + std * Phi^-1(probability)``."""
        if not 0 < probability < 1:
            raise ScheduleError(f"probability must be strictly between 0 and 1, got {probability!r}")
        return float(self.mean + self.std * special.ndtri(probability))


def pert(plan: Plan, max_paths: int = 1000) -> PertResult:
    """Analytic PERT of a plan (see the module docstring).

    Parameters
    ----------
    plan : Plan
    max_paths : int
        At most this many tied critical paths are compared for the largest variance.
    """
    sched = cpm(plan, durations="mean")
    var = np.array([a.duration.var for a in plan.activities])
    ids = list(plan.ids)
    paths = sched.critical_paths(max_paths=max_paths)
    links = _driving_links(sched)
    path_var = [_path_variance(p, links, var, plan.index) for p in paths]
    best = int(np.argmax(path_var))
    path = paths[best]
    on_path = set(path)
    table = pd.DataFrame(
        {
            "id": ids,
            "name": [a.name for a in plan.activities],
            "te": sched.table["duration"].to_numpy(),
            "sigma": np.sqrt(var),
            "variance": var,
            "critical": sched.table["critical"].to_numpy(),
            "on_path": [i in on_path for i in ids],
        }
    )
    notes = []
    if len(paths) > 1:
        notes.append(f"{len(paths)} tied critical paths; the variance of the largest-variance one is used")
    return PertResult(
        table=table,
        params={"plan": plan.name, "unit": plan.unit},
        notes=notes,
        mean=sched.duration,
        std=math.sqrt(path_var[best]),
        path=path,
        cpm=sched,
    )


def _driving_links(sched: CPMResult) -> dict[tuple[str, str], set[tuple[int, int]]]:
    """``(pred, succ)`` -> the ``(pred point, succ point)`` of each driving dependency between them, where a
    point is 0 for the start and 1 for the finish (FS = (1, 0), SS = (0, 0), FF = (1, 1), SF = (0, 1))."""
    ar = sched.arrays
    links: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for e in np.flatnonzero(sched.slack <= sched._tol()).tolist():
        kind = int(ar.pred_type[e])
        key = (ar.ids[int(ar.pred_idx[e])], ar.ids[int(ar.edge_succ[e])])
        links.setdefault(key, set()).add((int(PRED_FINISH[kind]), int(SUCC_FINISH[kind])))
    return links


def _path_variance(
    path: list[str], links: dict[tuple[str, str], set[tuple[int, int]]], var: np.ndarray, index: dict[str, int]
) -> float:
    """Variance of a path's length: the durations with a nonzero coefficient (see the module docstring).

    Between two activities several dependencies may drive at once (an SS and an FF pair, say); the
    largest variance over those choices is taken, by dynamic programming over the point each activity
    is entered at.
    """
    best = {0: 0.0}  # entry point of the current activity -> largest variance so far
    for here, succ in zip(path, path[1:]):
        nxt: dict[int, float] = {}
        for entered, total in best.items():
            for left, arrives in links[(here, succ)]:
                value = total + (var[index[here]] if left != entered else 0.0)
                nxt[arrives] = max(nxt.get(arrives, -1.0), value)
        best = nxt
    last = var[index[path[-1]]]
    return float(max(total + (last if entered == 0 else 0.0) for entered, total in best.items()))


__all__ = ["PertResult", "pert"]
