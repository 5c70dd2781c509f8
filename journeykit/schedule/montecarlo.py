"""Monte Carlo schedule risk analysis, vectorised over iterations.

Iterations are processed in blocks of ``B`` columns: a block draws a duration matrix ``(n, B)``
(:class:`journeykit.schedule.sampling.DurationSampler`), runs the forward and backward passes on it
(:class:`journeykit.schedule.passes.LevelPasses`: one vector operation per topological level over all
``B`` iterations) and counts the critical activities.  Memory is bounded by the block size, not by the
number of iterations.

Outputs
-------
* the finish-time distribution and percentiles (P50/P80/P95), ``P(finish <= deadline)``;
* criticality index of each activity: the share of iterations in which its total float is zero
  (Van Slyke, R. M. (1963) "Monte Carlo methods and the PERT problem", Operations Research 11(5),
  839-860);
* sensitivity: Spearman rank correlation of each activity's duration with the project finish: the
  Pearson correlation of the activity's probability integral transform ``u = F(d)`` (its population
  rank) with the ranks of the finishes within each block, averaged over blocks (blocks hold at least
  :data:`MIN_BLOCK` iterations, so the bias is negligible);
* merge bias: simulated mean finish minus the analytic PERT mean (MacCrimmon, K. R. and Ryavec, C. A.
  (1964) "An analytical study of the PERT assumptions", Operations Research 12(1), 16-37).

Reproducibility: each block draws from its own child of ``numpy.random.SeedSequence(seed)``; the block
size depends only on the network size, so a seed gives the same result on every machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from journeykit.result import Result
from journeykit.schedule.errors import ScheduleError
from journeykit.schedule.network import Plan
from journeykit.schedule.passes import LevelPasses
from journeykit.schedule.pert import pert
from journeykit.schedule.sampling import DurationSampler

#: Elements of one ``(n, B)`` block matrix; bounds the memory of a simulation (~ 12 matrices of it).
BLOCK_ELEMENTS = 1 << 22
#: Smallest block (the within-block ranks of the sensitivity need a sample).
MIN_BLOCK = 64
#: Relative tolerance under which a simulated total float counts as zero.
CRITICAL_TOL = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-5}


@dataclass
class MonteCarloResult(Result):
    """Simulated schedule risk of a plan.

    Attributes
    ----------
    table : DataFrame
        One row per activity: ``id``, ``name``, ``mean`` (analytic), ``simulated_mean``,
        ``criticality`` (share of iterations critical), ``sensitivity`` (Spearman correlation with the
        finish; NaN for fixed durations).
    finish : ndarray
        Simulated project duration of every iteration.
    analytic_mean, analytic_std : float
        Analytic PERT mean and standard deviation (:mod:`journeykit.schedule.pert`).
    deadline : float or None
        The deadline asked for, if any (marked on the figures).
    unit : str
    plan : Plan
    """

    finish: np.ndarray = field(default_factory=lambda: np.zeros(0))
    analytic_mean: float = 0.0
    analytic_std: float = 0.0
    deadline: float | None = None
    unit: str = "days"
    plan: Plan | None = None
    title: str = "Monte Carlo schedule risk"

    @property
    def mean(self) -> float:
        return float(self.finish.mean())

    @property
    def std(self) -> float:
        return float(self.finish.std(ddof=1))

    @property
    def merge_bias(self) -> float:
        """Simulated mean finish minus the analytic PERT mean (> 0 when parallel paths merge)."""
        return self.mean - self.analytic_mean

    def percentile(self, q: float | Iterable[float]) -> float | np.ndarray:
        """Finish-time percentile(s), ``q`` in [0, 100]."""
        out = np.percentile(self.finish, q)
        return float(out) if np.ndim(out) == 0 else out

    def percentiles(self, qs: Iterable[float] = (50, 80, 95)) -> pd.DataFrame:
        """Table of finish-time percentiles (P50/P80/P95 by default), with the finish dates when the plan
        has a calendar and a start date."""
        qs = list(qs)
        out = pd.DataFrame({"percentile": [f"P{q:g}" for q in qs], "finish": np.percentile(self.finish, qs)})
        plan = self.plan
        if plan is not None and plan.calendar is not None and plan.start is not None:
            out["finish_date"] = plan.calendar.finish_dates(plan.start, out["finish"], plan.unit)
        return out

    def probability(self, deadline: float) -> float:
        """Share of iterations finishing by ``deadline``."""
        return float(np.mean(self.finish <= deadline))

    def deadline_for(self, probability: float) -> float:
        """The deadline met in the given share of iterations (the empirical quantile)."""
        if not 0 < probability < 1:
            raise ScheduleError(f"probability must be strictly between 0 and 1, got {probability!r}")
        return float(np.quantile(self.finish, probability))

    def summary(self) -> pd.DataFrame:
        """Key figures as a two-column table (what the CLI prints)."""
        rows: list[tuple[str, float]] = [
            ("iterations", float(self.finish.size)),
            ("analytic mean", self.analytic_mean),
            ("analytic std", self.analytic_std),
            ("simulated mean", self.mean),
            ("simulated std", self.std),
            ("merge bias", self.merge_bias),
        ]
        pct = self.percentiles()
        rows += [(p, float(v)) for p, v in zip(pct["percentile"], pct["finish"])]
        if self.deadline is not None:
            rows.append((f"P(finish <= {self.deadline:g})", self.probability(self.deadline)))
        return pd.DataFrame(rows, columns=["measure", "value"])

    def figure(self):
        """Histogram and S-curve of the simulated finish with the deadline marked."""
        from journeykit.schedule.figures import finish_distribution

        return finish_distribution(self)

    def tornado(self, top: int = 15):
        """Tornado chart of the sensitivities."""
        from journeykit.schedule.figures import tornado

        return tornado(self, top=top)


def block_size(n: int, iterations: int) -> int:
    """Iterations per block: about :data:`BLOCK_ELEMENTS` matrix elements, at least :data:`MIN_BLOCK`."""
    return min(iterations, max(MIN_BLOCK, BLOCK_ELEMENTS // max(n, 1)))


def simulate(
    plan: Plan,
    iterations: int = 10_000,
    seed: int | None = None,
    deadline: float | None = None,
    correlation: Mapping[tuple[str, str], float] | None = None,
    dtype: type = np.float32,
    block: int | None = None,
) -> MonteCarloResult:
    """Monte Carlo schedule risk analysis of a plan.

    Parameters
    ----------
    plan : Plan
    iterations : int
        Number of simulated projects.
    seed : int, optional
        Seed of the random generator (same seed, same result).
    deadline : float, optional
        A deadline (in the plan's unit) whose probability is reported.
    correlation : mapping of (id, id) to float, optional
        Correlations between activity durations (Gaussian copula on the normal scores); default the
        plan's own :attr:`Plan.correlations`.
    dtype : numpy float type
        ``np.float32`` (default: half the memory traffic, ~1e-6 relative precision, far below any
        estimate's uncertainty) or ``np.float64``.
    block : int, optional
        Iterations per block (default: :func:`block_size`).

    Returns
    -------
    MonteCarloResult
    """
    if not isinstance(iterations, (int, np.integer)) or iterations < 2:
        raise ScheduleError(f"iterations must be an integer >= 2, got {iterations!r}")
    arrays = plan.arrays()
    n = arrays.n
    passes = LevelPasses(arrays)
    durations = [plan.activities[i].duration for i in passes.perm]
    rank = np.empty(n, dtype=np.int64)
    rank[passes.perm] = np.arange(n)
    correlation = plan.correlations if correlation is None else correlation
    pairs = {(int(rank[plan.position(a)]), int(rank[plan.position(b)])): float(r)
             for (a, b), r in correlation.items()}
    sampler = DurationSampler(durations, pairs, dtype=dtype)
    B = block if block is not None else block_size(n, iterations)
    if B < 2:
        raise ScheduleError(f"block must be >= 2, got {B}")
    children = np.random.SeedSequence(seed).spawn(-(-iterations // B))
    sizes = [min(B, iterations - k * B) for k in range(len(children))]
    tol = CRITICAL_TOL[np.dtype(dtype)]
    finish = np.empty(iterations)
    critical = np.zeros(n, dtype=np.int64)
    dsum = np.zeros(n)
    sensitivity = np.zeros(sampler.n_random)
    pos = 0
    for child, size in zip(children, sizes):
        u = sampler.uniforms(np.random.default_rng(child), size)
        D = sampler.durations(u)
        X = passes.forward(D)
        T = passes.finish(X)
        Y = passes.backward(D, T)
        slack = np.subtract(Y[:n], X[:n], out=Y[:n])
        critical += np.count_nonzero(slack <= tol * np.maximum(T, 1.0), axis=1)
        dsum += D.sum(axis=1, dtype=np.float64)
        finish[pos:pos + size] = T
        pos += size
        if sampler.n_random and size > 1:
            # Spearman within the block: u is each duration's population rank F(d); rank the finishes
            r = stats.rankdata(T)
            r = (r - r.mean()) / r.std() if r.std() > 0 else np.zeros(size)
            sensitivity += (u @ r.astype(u.dtype)) / np.sqrt(1.0 / 12.0)
    spearman = np.full(n, np.nan)
    spearman[sampler.random_rows] = sensitivity / iterations
    analytic = pert(plan)
    table = pd.DataFrame(
        {
            "id": list(plan.ids),
            "name": [a.name for a in plan.activities],
            "mean": [a.duration.mean for a in plan.activities],
            "simulated_mean": (dsum / iterations)[rank],
            "criticality": (critical / iterations)[rank],
            "sensitivity": spearman[rank],
        }
    )
    params: dict[str, Any] = {"plan": plan.name, "iterations": iterations, "seed": seed, "unit": plan.unit}
    if correlation:
        params["correlated_pairs"] = len(correlation)
    return MonteCarloResult(
        table=table,
        params=params,
        finish=finish,
        analytic_mean=analytic.mean,
        analytic_std=analytic.std,
        deadline=deadline,
        unit=plan.unit,
        plan=plan,
    )


__all__ = ["MonteCarloResult", "block_size", "simulate"]
