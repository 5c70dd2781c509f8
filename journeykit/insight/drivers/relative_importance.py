"""Relative importance of correlated drivers: the exact LMG / Shapley decomposition of R² and Johnson's
relative weights, with bootstrap percentile intervals and rank stability.

LMG (Lindeman, Merenda & Gold 1980; Grömping 2007, *The American Statistician* 61(2)) gives driver ``j``
the average increase in R² when it enters the regression, over all ``p!`` orders of entry:

    LMG_j = Σ_{S ⊆ P∖{j}}  |S|! (p − |S| − 1)! / p!  · [R²(S ∪ {j}) − R²(S)],

the Shapley value of the R² "game" (and Budescu's general dominance weight).  The shares add up to the
full-model R².  It needs R² of all ``2^p`` subsets; each comes from the correlation matrix alone,
``R²(S) = r_yS' R_SS⁻¹ r_yS``, computed here by sweeping the correlation matrix in Gray-code order (one
sweep or reverse sweep per subset; Goodnight 1979), vectorised over bootstrap replicates.

Johnson's relative weights (Johnson 2000, *Multivariate Behavioral Research* 35(1)) approximate LMG in
``O(p³)``: with ``R_XX = QΛQ'`` and ``Z = QΛ^{1/2}Q'``, ``β* = Z⁻¹ r_Xy`` and ``ε_j = Σ_k Z_jk² β*_k²``
(``Σ ε_j = R²``).

Both measure how much of the outcome's variance each driver *accounts for* in a linear-probability model:
associations, not causal effects.  A driver with no effect of its own that is correlated with a real one
receives a share of the common variance (and a bootstrap interval that may exclude zero); read it next to
the odds ratios of :mod:`journeykit.insight.logistic`, which adjust for the other drivers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import factorial

import numpy as np
import pandas as pd

from journeykit.errors import JourneykitError, check_at_least, check_confidence
from journeykit.insight.drivers.patterns import Patterns
from journeykit.result import Result

METHODS = ("auto", "lmg", "relative_weights")
#: With ``method="auto"`` LMG is exact up to this many drivers, Johnson's weights beyond.
MAX_EXACT = 12
#: Hard limit of the exact decomposition (2^p subsets per replicate; 15 drivers take about a minute for
#: 1 000 replicates).
MAX_LMG = 15
#: Bound on the all-subset R² values held at once (replicates per chunk × 2^p), about 64 MB.
_CELLS = 2**23


def _sweep(a: np.ndarray, k: int, reverse: bool) -> None:
    """(Reverse) sweep on pivot ``k`` of every matrix in the stack ``a`` (``(m, m, B)``), in place."""
    d = a[k, k].copy()
    col = a[:, k].copy()
    row = a[k, :].copy()
    a -= col[:, None, :] * (row / d)[None, :, :]
    sign = -1.0 if reverse else 1.0
    a[:, k] = sign * col / d
    a[k, :] = sign * row / d
    a[k, k] = -1.0 / d


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the regression of the last variable on every subset of the others.

    Parameters
    ----------
    corr : ndarray, shape (B, p+1, p+1)
        Correlation matrices with the outcome last.

    Returns
    -------
    ndarray, shape (2^p, B)
        Row ``mask`` holds R² of the subset whose drivers are the set bits of ``mask``.
    """
    a = np.moveaxis(np.asarray(corr, dtype=float), 0, -1).copy(order="C")
    m, _, b = a.shape
    p = m - 1
    r2 = np.zeros((2**p, b))
    mask = 0
    for step in range(1, 2**p):
        bit = (step & -step).bit_length() - 1
        removing = bool(mask >> bit & 1)
        _sweep(a, bit, reverse=removing)
        mask ^= 1 << bit
        r2[mask] = 1.0 - a[p, p]
    return r2


def lmg_weights(r2: np.ndarray) -> np.ndarray:
    """LMG / Shapley shares ``(B, p)`` from all-subset R² ``(2^p, B)`` (formula in the module docstring)."""
    subsets = r2.shape[0]
    p = subsets.bit_length() - 1
    masks = np.arange(subsets)
    size = np.array([bin(m).count("1") for m in masks])
    weight_of_size = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)])
    out = np.empty((r2.shape[1], p))
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        out[:, j] = weight_of_size[size[without]] @ (r2[without | 1 << j] - r2[without])
    return out


def relative_weights(corr: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights ``(B, p)`` from correlation matrices ``(B, p+1, p+1)``.

    ``R_XX = UΛU'`` comes from the SVD (equal to the eigendecomposition for a correlation matrix, and much
    faster than numpy's stacked ``eigh`` here); directions with ``λ ≈ 0`` get no weight.
    """
    rxx, rxy = corr[:, :-1, :-1], corr[:, :-1, -1]
    u, lam, _ = np.linalg.svd(rxx)
    root = np.sqrt(lam)
    z = (u * root[:, None, :]) @ np.swapaxes(u, 1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_root = np.where(lam > 1e-12 * lam[:, :1], 1.0 / root, 0.0)
    beta = np.einsum("bjk,bk->bj", u, inv_root * np.einsum("bjk,bj->bk", u, rxy))
    return np.einsum("bjk,bk->bj", z**2, beta**2)


def _decompose(corr: np.ndarray, method: str) -> np.ndarray:
    if method == "lmg":
        return lmg_weights(subset_r2(corr))
    return relative_weights(corr)


def resolve_method(method: str, p: int) -> str:
    """The decomposition actually used for ``p`` drivers (``"auto"``: LMG up to :data:`MAX_EXACT`)."""
    if method not in METHODS:
        raise JourneykitError(
            f"unknown relative-importance method {method!r} (expected one of {list(METHODS)})"
        )
    if method == "auto":
        return "lmg" if p <= MAX_EXACT else "relative_weights"
    if method == "lmg" and p > MAX_LMG:
        raise JourneykitError(
            f"exact LMG needs 2^p subsets: {p} drivers is more than the limit of {MAX_LMG}; "
            "use method='relative_weights' (Johnson 2000) or fewer drivers"
        )
    return method


@dataclass
class RelativeImportance(Result):
    """Relative importance of drivers (share of R²) with bootstrap intervals and rank stability.

    Attributes
    ----------
    table : DataFrame
        One row per driver, most important first: ``driver``, ``r2_part`` (the driver's part of R²),
        ``share`` (% of R²), ``share_low`` / ``share_high`` (bootstrap percentile interval, %), ``rank``
        (1 = most important), ``rank_low`` / ``rank_high`` (percentile interval of the rank) and
        ``rank_stability`` (share of replicates in which the driver holds its rank).
    r2 : float
        R² of the full linear-probability model.
    method : str
        ``"lmg"`` or ``"relative_weights"``.
    seconds : float
        Wall time of the decomposition and its bootstrap.
    """

    r2: float = float("nan")
    method: str = "lmg"
    seconds: float = 0.0
    title: str = "Relative importance (share of R²)"

    def figure(self):
        """Horizontal bars of the shares with their bootstrap intervals."""
        import plotly.graph_objects as go

        t = self.table.iloc[::-1]
        bar = go.Bar(
            x=t["share"], y=t["driver"], orientation="h", marker_color="#486581",
            error_x=dict(type="data", symmetric=False, array=t["share_high"] - t["share"],
                         arrayminus=t["share"] - t["share_low"]),
        )
        return go.Figure(bar).update_layout(
            title=f"{self.title}: {self.method}, R² = {self.r2:.3f}",
            xaxis_title="% of R² (association, not cause)",
        )


def relative_importance(
    patterns: Patterns,
    names: list[str],
    method: str = "auto",
    replicates: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> RelativeImportance:
    """Decompose the R² of the outcome on the drivers and bootstrap it.

    Parameters
    ----------
    patterns : Patterns
        The customer × driver matrix and outcome (:func:`journeykit.insight.drivers.patterns.compress`).
    names : list of str
        Driver names, in column order.
    method : {"auto", "lmg", "relative_weights"}
    replicates : int
        Bootstrap resamples of customers (0 for none).
    confidence : float
        Level of the percentile intervals.
    seed : int

    Raises
    ------
    OptionError
        ``replicates`` below 0, a confidence outside (0, 1).
    JourneykitError
        Unknown method, too many drivers for exact LMG, fewer than two drivers.
    """
    check_at_least("replicates", replicates, 0)
    check_confidence(confidence)
    started = time.perf_counter()
    p = patterns.x.shape[1]
    if p < 2 or len(names) != p:
        raise JourneykitError(
            f"relative importance needs two or more named drivers, got {p} columns and {len(names)} names"
        )
    used = resolve_method(method, p)
    point = _decompose(patterns.moments(), used)[0]
    rng = np.random.default_rng(seed)
    chunk = max(1, _CELLS >> p) if used == "lmg" else replicates
    boot = np.concatenate(
        [
            _decompose(patterns.moments(patterns.bootstrap_counts(min(chunk, replicates - done), rng)), used)
            for done in range(0, replicates, max(chunk, 1))
        ]
        or [np.empty((0, p))]
    )
    table = _table(names, point, boot, confidence)
    return RelativeImportance(
        table=table,
        params={"method": used, "replicates": replicates, "confidence": confidence, "seed": seed,
                "n": patterns.n},
        notes=[
            "Shares of R² say how much of the outcome's variation each driver accounts for, with correlated "
            "drivers sharing credit: associations, not proven causes."
        ],
        r2=float(point.sum()),
        method=used,
        seconds=time.perf_counter() - started,
    )


def _ranks(weights: np.ndarray) -> np.ndarray:
    """Rank of each driver (1 = largest) per row."""
    order = np.argsort(-weights, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, weights.shape[1] + 1)[None, :], axis=1)
    return ranks


def _table(names: list[str], point: np.ndarray, boot: np.ndarray, confidence: float) -> pd.DataFrame:
    total = point.sum()
    share = 100 * point / total if total > 0 else np.full_like(point, np.nan)
    rank = _ranks(point[None, :])[0]
    tail = 100 * (1 - confidence) / 2
    if len(boot):
        totals = boot.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            boot_share = 100 * boot / totals
        low, high = np.nanpercentile(boot_share, [tail, 100 - tail], axis=0)
        boot_rank = _ranks(boot)
        rank_low, rank_high = np.percentile(boot_rank, [tail, 100 - tail], axis=0)
        stability = (boot_rank == rank[None, :]).mean(axis=0)
    else:
        low = high = rank_low = rank_high = stability = np.full(point.shape, np.nan)
    table = pd.DataFrame(
        {
            "driver": names, "r2_part": point, "share": share, "share_low": low, "share_high": high,
            "rank": rank, "rank_low": rank_low, "rank_high": rank_high, "rank_stability": stability,
        }
    )
    return table.sort_values("rank").reset_index(drop=True)
