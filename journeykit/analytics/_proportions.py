"""Difference of two independent proportions: Newcombe's hybrid score interval and the test it implies.

Interval (Newcombe 1998, "Interval estimation for the difference between independent proportions:
comparison of eleven methods", *Statistics in Medicine* 17, 873-890, method 10).  With ``p̂ᵢ = xᵢ/nᵢ`` and
the Wilson (1927) score limits ``[lᵢ, uᵢ]`` of each proportion at the same ``z``,

    Wilson:  (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)

the interval for ``δ = p₂ − p₁`` (b − a) is

    L = δ̂ − √((p̂₂ − l₂)² + (u₁ − p̂₁)²),    U = δ̂ + √((u₂ − p̂₂)² + (p̂₁ − l₁)²).

Unlike the Wald interval it never has zero width (a rate of 0 or 1 keeps the width of its Wilson
interval), never leaves [−1, 1], and keeps close to nominal coverage at small samples.

Test.  ``p_value`` is the p-value of the test that inverts this interval: the smallest ``α`` at which the
``1 − α`` interval excludes 0.  Each Wilson interval widens monotonically with ``z``, so the limit nearer to
0 moves monotonically towards it and crosses it at exactly one ``z* ≥ 0`` (the interval's limit tends to
``δ̂ ∓ √(p̂₂² + (1 − p̂₁)²)`` or its mirror as ``z → ∞``, which is on the other side of 0); it is found by
bisection and ``p = 2·(1 − Φ(z*))``, ``z = sign(δ̂)·z*``.  Hence, at any confidence, ``significant``
(the interval excludes 0) holds exactly when ``p_value < 1 − confidence``: the interval and the test cannot
contradict each other, as the pooled z-test and the unpooled Wald interval could (13/13 against 284/315:
Wald interval −0.131 … −0.066, pooled p = 0.23).  Values within rounding of the boundary are put on the
side the interval decides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: Bisection bracket for z* (p = 2·(1 − Φ(z)) is 0 in double precision well before it).
_Z_MAX = 1e3
_ITERATIONS = 80


def wilson_limits(x: np.ndarray, n: np.ndarray, z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits of ``x/n`` at the normal deviate ``z`` (scalar or array); NaN where ``n = 0``.

    The limits always contain ``x/n`` (guarded against rounding) and lie in [0, 1].
    """
    x, n, z = (np.asarray(v, dtype=float) for v in (x, n, z))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
        low = np.clip(np.minimum(centre - half, p), 0, 1)
        high = np.clip(np.maximum(centre + half, p), 0, 1)
    return low, high


def newcombe_interval(x1, n1, x2, n2, z) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score limits (method 10) for ``x2/n2 − x1/n1`` at the normal deviate ``z``."""
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_limits(x1, n1, z)
    l2, u2 = wilson_limits(x2, n2, z)
    diff = p2 - p1
    return diff - np.hypot(p2 - l2, u1 - p1), diff + np.hypot(u2 - p2, p1 - l1)


def _inverted_z(x1, n1, x2, n2, diff: np.ndarray) -> np.ndarray:
    """``z* ≥ 0`` at which the Newcombe limit nearer to 0 reaches 0 (0 where ``δ̂ = 0``; NaN if undefined)."""
    positive = diff > 0

    def gap(z: np.ndarray) -> np.ndarray:  # > 0 while the interval at z still excludes 0
        low, high = newcombe_interval(x1, n1, x2, n2, z)
        return np.where(positive, low, -high)

    lo = np.zeros_like(diff)
    hi = np.full_like(diff, _Z_MAX)
    for _ in range(_ITERATIONS):
        mid = (lo + hi) / 2
        excludes = gap(mid) > 0
        lo, hi = np.where(excludes, mid, lo), np.where(excludes, hi, mid)
    z = (lo + hi) / 2
    return np.where(np.isnan(diff), np.nan, np.where(diff == 0, 0.0, z))


def two_proportion_test(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, confidence: float = 0.95
) -> pd.DataFrame:
    """Compare proportions ``x1/n1`` (a) and ``x2/n2`` (b) elementwise, as independent binomial samples.

    The interval for ``p_b − p_a`` is Newcombe's (1998) hybrid score interval (method 10, from the two
    Wilson intervals); ``p_value`` is the p-value of the test that inverts it, so ``significant`` (the
    interval excludes 0) is exactly ``p_value < 1 − confidence`` (formulas and argument in the module
    docstring).  Where a sample is empty every statistic is NaN and ``significant`` is False.

    Returns
    -------
    DataFrame with columns ``rate_a``, ``rate_b``, ``difference`` (b − a), ``ci_low``, ``ci_high``, ``z``
    (signed normal deviate of the test: ``p_value = 2·(1 − Φ(|z|))``), ``p_value`` (two-sided) and
    ``significant``.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    x1, n1, x2, n2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x1, n1, x2, n2)))
    crit = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    undefined = ~((n1 > 0) & (n2 > 0) & (x1 >= 0) & (x2 >= 0) & (x1 <= n1) & (x2 <= n2))
    p1, p2 = np.where(undefined, np.nan, p1), np.where(undefined, np.nan, p2)
    diff = p2 - p1
    low, high = newcombe_interval(x1, n1, x2, n2, crit)
    low, high = np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)
    significant = (low > 0) | (high < 0)
    z_star = _inverted_z(x1, n1, x2, n2, diff)
    p_value = 2 * stats.norm.sf(z_star)
    alpha = 1 - confidence
    # bisection and rounding can leave p a hair on the wrong side of alpha: the interval decides
    p_value = np.where(significant, np.minimum(p_value, np.nextafter(alpha, 0)),
                       np.where(np.isnan(p_value), np.nan, np.maximum(p_value, alpha)))
    return pd.DataFrame(
        {
            "rate_a": p1,
            "rate_b": p2,
            "difference": diff,
            "ci_low": low,
            "ci_high": high,
            "z": np.sign(diff) * z_star,
            "p_value": p_value,
            "significant": significant,
        }
    )
