"""Two-proportion z-test with a confidence interval for the difference (used to compare funnels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def two_proportion_test(
    x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray, confidence: float = 0.95
) -> pd.DataFrame:
    """Compare proportions ``x1/n1`` and ``x2/n2`` elementwise.

    The z statistic uses the pooled proportion (the null hypothesis of no difference); the interval for
    ``p2 - p1`` is the unpooled Wald interval.  Where a sample is empty or the pooled variance is zero the
    statistic, p-value and interval are NaN.

    Returns
    -------
    DataFrame with columns ``rate_a``, ``rate_b``, ``difference`` (b - a), ``ci_low``, ``ci_high``, ``z``,
    ``p_value`` (two-sided).
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se0 > 0, (p2 - p1) / se0, np.nan)
        se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    crit = stats.norm.ppf(0.5 + confidence / 2)
    diff = p2 - p1
    return pd.DataFrame(
        {
            "rate_a": p1,
            "rate_b": p2,
            "difference": diff,
            "ci_low": diff - crit * se,
            "ci_high": diff + crit * se,
            "z": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
        }
    )
