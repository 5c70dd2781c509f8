"""Confidence intervals and tests for survey KPIs (NPS, top-box shares, mean scores).

All functions are vectorised: arguments may be scalars or equal-length arrays, and empty samples
(``n = 0``) give NaN.  Each returns an :class:`Interval` (estimate, standard error, limits).

NPS
    Each answer is +1 (promoter), 0 (passive) or −1 (detractor), so with shares ``p_P`` and ``p_D``
    ``NPS = p_P − p_D`` (here on the −1..1 scale) and the trinomial variance of the estimate is

        Var(NPS) = [p_P + p_D − (p_P − p_D)²] / n.

    The Wald interval is ``NPS ± z·√Var``.  The adjusted-Wald interval of Rocks (2016, "Interval
    Estimation for the 'Net Promoter Score'", *The American Statistician* 70(4), 365-372) adds ¾ to the
    promoters and the detractors and 3 to ``n`` before applying the same formula, which keeps the coverage
    near nominal for small samples and extreme scores.  Limits are clipped to [−1, 1].
Proportions
    Wilson score interval (Wilson 1927): with ``p̂ = k/n``,

        (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n).
Means
    Student-t interval ``x̄ ± t_{n−1}·s/√n``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from journeykit.errors import check_choice

NPS_METHODS = ("wald", "adjusted_wald")


class Interval(NamedTuple):
    """A point estimate with its standard error and two-sided confidence limits."""

    estimate: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray


class DifferenceTest(NamedTuple):
    """``difference = b − a`` with its confidence interval, z statistic and two-sided p-value."""

    difference: np.ndarray
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    z: np.ndarray
    p_value: np.ndarray


def z_value(confidence: float) -> float:
    """Two-sided standard-normal critical value, e.g. 1.96 for 0.95."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _floats(*values) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(v, dtype=float) for v in values)


def _nps_moments(promoters, detractors, n) -> tuple[np.ndarray, np.ndarray]:
    """``(p_P − p_D, [p_P + p_D − (p_P − p_D)²] / n)``; NaN where ``n = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_p, p_d = promoters / n, detractors / n
        nps = p_p - p_d
        return nps, (p_p + p_d - nps**2) / n


def nps_interval(promoters, detractors, n, confidence: float = 0.95, method: str = "wald") -> Interval:
    """NPS (−1..1) with a Wald or adjusted-Wald (Rocks 2016) interval.

    The estimate is always the observed ``p_P − p_D``; ``method="adjusted_wald"`` changes the centre and
    the variance of the interval (and the reported ``se``) as described in the module docstring.
    """
    check_choice("method", method, NPS_METHODS)
    promoters, detractors, n = _floats(promoters, detractors, n)
    estimate, _ = _nps_moments(promoters, detractors, n)
    if method == "adjusted_wald":
        centre, var = _nps_moments(*_adjusted(promoters, detractors, n))
    else:
        centre, var = estimate, _nps_moments(promoters, detractors, n)[1]
    se = np.sqrt(var)
    z = z_value(confidence)
    return Interval(estimate, se, np.clip(centre - z * se, -1, 1), np.clip(centre + z * se, -1, 1))


def nps_difference_test(
    promoters_a, detractors_a, n_a, promoters_b, detractors_b, n_b, confidence: float = 0.95,
    method: str = "wald",
) -> DifferenceTest:
    """Test ``NPS_b − NPS_a = 0`` for independent samples (two groups or two periods).

    ``z = (c_b − c_a) / √(Var_a + Var_b)`` and the interval ``c_b − c_a ± z_{1−α/2}·√(Var_a + Var_b)``,
    with the trinomial variances.  For ``method="wald"`` the centres ``c`` are the observed NPS; for
    ``"adjusted_wald"`` each sample is adjusted as in :func:`nps_interval` (¾ added to its promoters and
    detractors, 3 to its ``n``; Rocks 2016) before the centres and variances are taken, so the comparison
    uses the method of the intervals it compares.  ``difference`` is always the observed ``NPS_b −
    NPS_a``; the test and the interval share their centre, so ``p < 1 − confidence`` exactly when the
    interval excludes 0.
    """
    check_choice("method", method, NPS_METHODS)
    counts_a, counts_b = _floats(promoters_a, detractors_a, n_a), _floats(promoters_b, detractors_b, n_b)
    diff = _nps_moments(*counts_b)[0] - _nps_moments(*counts_a)[0]
    if method == "adjusted_wald":
        counts_a, counts_b = _adjusted(*counts_a), _adjusted(*counts_b)
    centre_a, var_a = _nps_moments(*counts_a)
    centre_b, var_b = _nps_moments(*counts_b)
    centre, se = centre_b - centre_a, np.sqrt(var_a + var_b)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, centre / se, np.nan)
    crit = z_value(confidence)
    return DifferenceTest(diff, se, centre - crit * se, centre + crit * se, z, 2 * stats.norm.sf(np.abs(z)))


def _adjusted(promoters, detractors, n):
    """Rocks's (2016) adjusted counts: ¾ more promoters and detractors, 3 more answers (NaN when empty)."""
    return promoters + 0.75, detractors + 0.75, np.where(n > 0, n + 3, np.nan)


def wilson_interval(successes, n, confidence: float = 0.95) -> Interval:
    """Share ``k/n`` with its Wilson score interval; ``se`` is the binomial ``√(p̂(1−p̂)/n)``."""
    k, n = _floats(successes, n)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        se = np.sqrt(p * (1 - p) / n)
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return Interval(p, se, np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1))


def t_interval(mean, sd, n, confidence: float = 0.95) -> Interval:
    """Mean with the Student-t interval ``x̄ ± t_{n−1, 1−α/2}·s/√n`` (NaN limits for ``n < 2``)."""
    mean, sd, n = _floats(mean, sd, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(n >= 2, sd / np.sqrt(n), np.nan)
        crit = stats.t.ppf(0.5 + confidence / 2, np.where(n >= 2, n - 1, np.nan))
    return Interval(mean, se, mean - crit * se, mean + crit * se)
