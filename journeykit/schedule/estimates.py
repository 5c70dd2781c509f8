"""Duration estimates from history: a three-point estimate and a fitted distribution from observed durations.

Three-point estimate (mean-matching): the optimistic and pessimistic values are the ``low`` and ``high``
quantiles of the observations (5 % and 95 % by default, the usual reading of "optimistic" and
"pessimistic" in practice, as in Moder, Phillips and Davis 1983, ch. 9), and the most likely value is
chosen so that the PERT mean equals the observed mean::

    m = (6 * mean - o - p) / 4,    clipped to [o, p]

so ``te = (o + 4m + p) / 6`` reproduces the history.  When clipping is needed the observations are more
skewed than any beta-PERT on ``[o, p]`` can be, and a note says so.

Fitted distribution: ``lognormal`` (maximum likelihood on the logarithms of the positive observations),
``empirical`` (the observations themselves), ``beta_pert`` / ``triangular`` (the three-point estimate)
or ``auto``: the lognormal when a Kolmogorov-Smirnov test does not reject it at 5 %, else the empirical
distribution.  (The KS p-value is optimistic when the parameters are estimated from the same data;
Lilliefors, H. W. (1967) J. Amer. Statist. Assoc. 62, 399-402; it is reported, not relied on.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from journeykit.result import Result
from journeykit.schedule.durations import BetaPert, Duration, Empirical, Lognormal, Triangular
from journeykit.schedule.errors import DurationError

Fit = Literal["auto", "lognormal", "empirical", "beta_pert", "triangular"]


@dataclass
class DurationEstimate(Result):
    """A three-point estimate and a fitted distribution from observed durations.

    Attributes
    ----------
    table : DataFrame
        One row: ``n``, ``mean``, ``median``, ``std``, ``o``, ``m``, ``p``, ``te``, ``fitted``,
        ``ks_statistic``, ``ks_pvalue`` (of the lognormal fit).
    three_point : BetaPert
    fitted : Duration
    """

    three_point: BetaPert | None = None
    fitted: Duration | None = None
    title: str = "Duration estimate"


def estimate_duration(
    observations: np.ndarray | list[float],
    fit: Fit = "auto",
    low: float = 0.05,
    high: float = 0.95,
) -> DurationEstimate:
    """Estimate an activity's duration from observed durations.

    Parameters
    ----------
    observations : array-like of float
        Observed durations (>= 0, at least 2).
    fit : {"auto", "lognormal", "empirical", "beta_pert", "triangular"}
        The distribution to return as ``fitted`` (see the module docstring).
    low, high : float
        Quantiles taken as optimistic and pessimistic values.

    Raises
    ------
    DurationError
        Fewer than 2 observations, negative or non-finite values, or ``low >= high``.
    """
    x = np.asarray(observations, dtype=float).ravel()
    if x.size < 2:
        raise DurationError(f"at least 2 observed durations are needed, got {x.size}")
    if not np.isfinite(x).all() or (x < 0).any():
        raise DurationError("observed durations must be finite and >= 0")
    if not 0 <= low < high <= 1:
        raise DurationError(f"need 0 <= low < high <= 1, got low={low}, high={high}")
    o, p = (float(v) for v in np.quantile(x, [low, high]))
    mean = float(x.mean())
    raw_m = (6 * mean - o - p) / 4
    m = min(max(raw_m, o), p)
    notes = []
    if raw_m != m:
        notes.append(
            f"the observations are too skewed for a beta-PERT on [{o:.4g}, {p:.4g}] to match their mean "
            f"{mean:.4g}; the most likely value was clipped to {m:.4g}"
        )
    three = BetaPert(o, m, p)
    positive = x[x > 0]
    ks_stat, ks_p, logn = np.nan, np.nan, None
    if positive.size >= 2 and np.ptp(np.log(positive)) > 0:
        logs = np.log(positive)
        logn = Lognormal(float(logs.mean()), float(logs.std()))
        ks = stats.kstest(positive, stats.lognorm(logn.sigma, scale=np.exp(logn.mu)).cdf)
        ks_stat, ks_p = float(ks.statistic), float(ks.pvalue)
        if positive.size < x.size:
            notes.append(f"{x.size - positive.size} zero durations left out of the lognormal fit")
    fitted: Duration
    if fit == "auto":
        fitted = logn if logn is not None and ks_p >= 0.05 else Empirical(x)
    elif fit == "lognormal":
        if logn is None:
            raise DurationError("a lognormal needs at least 2 distinct positive durations")
        fitted = logn
    elif fit == "empirical":
        fitted = Empirical(x)
    elif fit == "beta_pert":
        fitted = three
    elif fit == "triangular":
        fitted = Triangular(o, m, p)
    else:
        raise DurationError(f"unknown fit {fit!r} (expected auto, lognormal, empirical, beta_pert or triangular)")
    table = pd.DataFrame(
        [{
            "n": int(x.size), "mean": mean, "median": float(np.median(x)), "std": float(x.std(ddof=1)),
            "o": o, "m": m, "p": p, "te": three.mean, "fitted": fitted.kind,
            "ks_statistic": ks_stat, "ks_pvalue": ks_p,
        }]
    )
    return DurationEstimate(
        table=table, params={"fit": fit, "low": low, "high": high}, notes=notes, three_point=three, fitted=fitted
    )


__all__ = ["DurationEstimate", "estimate_duration"]
