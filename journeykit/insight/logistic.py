"""Multivariable logistic regression by Newton-Raphson / IRLS, with odds ratios and Wald intervals.

With design matrix ``X`` (a leading column of ones), outcome ``y ∈ {0, 1}`` and frequency weights ``w``,
the log-likelihood ``ℓ(β) = Σ w_i [y_i x_i'β − log(1 + exp(x_i'β))]`` is maximised by Newton steps

    β ← β + (X'WX)⁻¹ X'w(y − μ),   μ = 1 / (1 + exp(−Xβ)),   W = diag(w μ(1 − μ)),

(iteratively reweighted least squares; McCullagh & Nelder 1989, §4.4).  Standard errors are the square
roots of the diagonal of ``(X'WX)⁻¹`` at the maximum; the odds ratio of driver ``j`` is ``exp(β_j)`` with
the Wald interval ``exp(β_j ± z·se_j)`` and the two-sided p-value of ``z = β_j / se_j``.  Each odds ratio
is adjusted for the other drivers in the model: it is still an association in observational data, not a
proven causal effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from journeykit.analytics.intervals import z_value
from journeykit.errors import JourneykitError


class ConvergenceError(JourneykitError):
    """The logistic model did not converge (typically complete separation: a driver predicts perfectly)."""


@dataclass(frozen=True)
class LogisticFit:
    """A fitted logistic model.

    Attributes
    ----------
    table : DataFrame
        One row per driver: ``driver``, ``coef``, ``se``, ``odds_ratio``, ``or_low``, ``or_high``, ``z``,
        ``p_value``, ``significant`` (the interval excludes 1).
    intercept : float
    log_likelihood : float
    iterations : int
    """

    table: pd.DataFrame
    intercept: float
    log_likelihood: float
    iterations: int


def _loglik(eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(w * (y * eta - np.logaddexp(0.0, eta))))


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    weights: np.ndarray | None = None,
    confidence: float = 0.95,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> LogisticFit:
    """Fit ``logit P(y = 1) = β₀ + x'β`` by IRLS (see the module docstring).

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Drivers (no intercept column: it is added).
    y : ndarray, shape (n,)
        0/1 outcome.
    names : list of str
        Driver names.
    weights : ndarray, optional
        Frequency weights (counts of identical rows); default 1.
    confidence : float
        Level of the odds-ratio intervals.
    tol, max_iter : float, int
        Stop when the largest Newton step is below ``tol``; fail after ``max_iter`` iterations.

    Raises
    ------
    ConvergenceError
        No convergence or a singular information matrix (separation, a constant or duplicated driver).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    design = np.column_stack([np.ones(len(y)), x])
    mean = np.clip(np.sum(w * y) / np.sum(w), 1e-6, 1 - 1e-6)
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(mean / (1 - mean))
    for iteration in range(1, max_iter + 1):
        eta = design @ beta
        mu = 1.0 / (1.0 + np.exp(-eta))
        info = design.T @ (design * (w * mu * (1 - mu))[:, None])
        try:
            step = np.linalg.solve(info, design.T @ (w * (y - mu)))
        except np.linalg.LinAlgError:
            raise ConvergenceError(_singular_message(names)) from None
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            break
    else:
        raise ConvergenceError(
            f"the logistic model did not converge in {max_iter} iterations: a driver may separate the "
            f"outcome completely (drivers: {names})"
        )
    eta = design @ beta
    mu = 1.0 / (1.0 + np.exp(-eta))
    info = design.T @ (design * (w * mu * (1 - mu))[:, None])
    cov = np.linalg.pinv(info)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    if not np.all(np.isfinite(se)) or np.any(se[1:] > 1e3):
        raise ConvergenceError(_singular_message(names))
    crit = z_value(confidence)
    coef, coef_se = beta[1:], se[1:]
    z = coef / coef_se
    low, high = np.exp(coef - crit * coef_se), np.exp(coef + crit * coef_se)
    table = pd.DataFrame(
        {
            "driver": names, "coef": coef, "se": coef_se, "odds_ratio": np.exp(coef), "or_low": low,
            "or_high": high, "z": z, "p_value": 2 * stats.norm.sf(np.abs(z)),
            "significant": (low > 1) | (high < 1),
        }
    )
    return LogisticFit(table, float(beta[0]), _loglik(eta, y, w), iteration)


def _singular_message(names: list[str]) -> str:
    return (
        "the logistic model's information matrix is singular: a driver is constant, duplicates another or "
        f"separates the outcome completely (drivers: {names})"
    )
