"""Maximum-likelihood machinery shared by the CLV models.

Every model here has strictly positive parameters ``θ``.  They are estimated on the log scale,
``φ = log θ``, kept within ``[log 1e-8, log 1e8]`` (limiting cases of the models lie at infinity, where
log-gamma differences lose all precision):

    φ̂ = argmax_φ  ℓ(exp φ),

first with Nelder-Mead (robust far from the optimum) and then polished with L-BFGS-B.  Standard errors come
from the observed information: the Hessian ``H`` of ``ℓ`` with respect to ``φ`` at ``φ̂`` is computed by
central finite differences, ``Cov(φ̂) = (-H)⁻¹``, and the delta method gives the natural scale,

    SE(θ̂ᵢ) = θ̂ᵢ · SE(φ̂ᵢ),

while the confidence limits ``exp(φ̂ᵢ ± z·SE(φ̂ᵢ))`` stay positive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from journeykit.display import number_text
from journeykit.errors import JourneykitError


class FitError(JourneykitError):
    """The data cannot be fitted: too few customers, no repeat purchases, inconsistent inputs."""


class ConvergenceError(FitError):
    """The optimiser did not reach a maximum of the likelihood; the message carries its own report."""


#: Central-difference step on the log-parameters for the Hessian.
HESSIAN_STEP = 1e-3
#: Largest absolute gradient of ℓ (per log-parameter) accepted as a stationary point.
GRADIENT_TOLERANCE = 1e-2
#: The optimiser keeps ``log θ`` within these bounds (beyond them log-gamma differences lose all precision).
LOG_BOUNDS = (float(np.log(1e-8)), float(np.log(1e8)))
#: Parameters outside this range are reported as at the edge of the parameter space (no standard errors).
EDGE = (1e-6, 1e6)
#: Nelder-Mead's evaluation budget per parameter before L-BFGS-B polishes.  The published CDNOW fits take
#: 330-690 evaluations in all; a likelihood that keeps rising towards the edge of the parameter space (no
#: heterogeneity in the data) would otherwise use the whole ``max_iter``, and Pareto/NBD's hypergeometric
#: function is slow there (20,000 evaluations took minutes).
SIMPLEX_EVALUATIONS_PER_PARAMETER = 500


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = HESSIAN_STEP
) -> np.ndarray:
    """Central-difference gradient ``(f(x + h eᵢ) − f(x − h eᵢ)) / 2h``."""
    x = np.asarray(x, dtype=float)
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def numerical_hessian(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = HESSIAN_STEP
) -> np.ndarray:
    """Central-difference Hessian of a scalar function.

    ``H_ij ≈ [f(x+hᵢ+hⱼ) − f(x+hᵢ−hⱼ) − f(x−hᵢ+hⱼ) + f(x−hᵢ−hⱼ)] / 4h²`` (and the usual
    second difference on the diagonal); the error is ``O(h²)``.
    """
    x = np.asarray(x, dtype=float)
    k = x.size
    f0 = f(x)
    hess = np.empty((k, k))
    eye = np.eye(k) * h
    for i in range(k):
        hess[i, i] = (f(x + eye[i]) - 2 * f0 + f(x - eye[i])) / h**2
        for j in range(i + 1, k):
            up, down = x + eye[i], x - eye[i]
            hess[i, j] = hess[j, i] = (
                f(up + eye[j]) - f(up - eye[j]) - f(down + eye[j]) + f(down - eye[j])
            ) / (4 * h**2)
    return hess


@dataclass(frozen=True)
class MLEstimate:
    """A fitted maximum-likelihood estimate.

    Attributes
    ----------
    params : pandas.Series
        ``θ̂`` on the natural scale, indexed by parameter name.
    standard_errors : pandas.Series
        Delta-method standard errors ``θ̂ · SE(log θ̂)`` (NaN where the Hessian is singular).
    cov_log : numpy.ndarray
        Covariance of ``log θ̂``.
    log_likelihood : float
        ``ℓ(θ̂)``.
    message : str
        The optimiser's final report.
    notes : tuple of str
        Caveats, e.g. parameters at the edge of the parameter space.
    """

    params: pd.Series
    standard_errors: pd.Series
    cov_log: np.ndarray
    log_likelihood: float
    message: str
    notes: tuple[str, ...] = ()

    def summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """Estimate, standard error and the log-scale confidence limits of each parameter."""
        z = stats.norm.ppf(0.5 + confidence / 2)
        se_log = np.sqrt(np.diag(self.cov_log))
        log_theta = np.log(self.params.to_numpy())
        pct = f"{confidence:.0%}"
        return pd.DataFrame(
            {
                "coef": self.params,
                "se": self.standard_errors,
                f"lower {pct}": np.exp(log_theta - z * se_log),
                f"upper {pct}": np.exp(log_theta + z * se_log),
            }
        )


def maximise_log_likelihood(
    log_likelihood: Callable[[np.ndarray], float],
    initial: np.ndarray,
    names: tuple[str, ...],
    max_iter: int = 20_000,
) -> MLEstimate:
    """Maximise ``log_likelihood(θ)`` over ``θ > 0`` (see the module docstring).

    Parameters
    ----------
    log_likelihood : callable
        ``θ -> ℓ(θ)`` (total log-likelihood, may return ``-inf`` or NaN outside its domain).
    initial : array
        Starting ``θ`` (all positive).
    names : tuple of str
        Parameter names, in the order of ``θ``.

    Raises
    ------
    ConvergenceError
        When the optimiser stops away from a stationary point or at a non-finite likelihood.
    """

    def objective(phi: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            value = log_likelihood(np.exp(phi))
        return -value if np.isfinite(value) else np.inf

    phi0 = np.clip(np.log(np.asarray(initial, dtype=float)), *LOG_BOUNDS)
    bounds = [LOG_BOUNDS] * phi0.size
    with np.errstate(invalid="ignore"):  # finite differences across an infinite objective
        simplex = optimize.minimize(
            objective, phi0, method="Nelder-Mead", bounds=bounds,
            options={"maxiter": max_iter, "maxfev": min(max_iter, SIMPLEX_EVALUATIONS_PER_PARAMETER * phi0.size),
                     "xatol": 1e-8, "fatol": 1e-10},
        )
        polish = optimize.minimize(
            objective, simplex.x, method="L-BFGS-B", bounds=bounds,
            options={"ftol": 1e-14, "gtol": 1e-8, "maxiter": max_iter},
        )
    best = polish if np.isfinite(polish.fun) and polish.fun <= simplex.fun else simplex
    message = f"Nelder-Mead: {simplex.message}; L-BFGS-B: {polish.message}"
    if not np.isfinite(best.fun):
        raise ConvergenceError(f"the likelihood is not finite at any point tried ({message})")
    grad = numerical_gradient(objective, best.x)
    # at a bound the maximum may lie beyond it: only an inward-pointing gradient counts there
    at_lower = (best.x <= LOG_BOUNDS[0] + 1e-6) & (grad > 0)
    at_upper = (best.x >= LOG_BOUNDS[1] - 1e-6) & (grad < 0)
    inner = np.where(at_lower | at_upper, 0.0, grad)
    tolerance = GRADIENT_TOLERANCE * max(1.0, abs(best.fun)) ** 0.5
    if not np.all(np.isfinite(inner)) or np.max(np.abs(inner)) > tolerance:
        raise ConvergenceError(
            f"the optimiser stopped away from a maximum (largest gradient {np.max(np.abs(inner)):.3g} "
            f"at {dict(zip(names, np.round(np.exp(best.x), 6)))}): {message}"
        )
    theta = np.exp(best.x)
    edge = {name: value for name, value in zip(names, theta) if not EDGE[0] < value < EDGE[1]}
    cov = np.full((theta.size, theta.size), np.nan)
    if not edge:
        hess = numerical_hessian(objective, best.x)
        try:
            inverse = np.linalg.inv(hess)
            if np.all(np.diag(inverse) > 0) and np.all(np.isfinite(inverse)):
                cov = inverse
        except np.linalg.LinAlgError:
            pass
    notes: tuple[str, ...] = ()
    if edge:
        shown = ", ".join(f"{k}={number_text(float(v))}" for k, v in edge.items())
        notes += (
            f"{shown} ran to the edge of the parameter space: the data cannot tell this heterogeneity "
            "apart from a constant (a limiting case of the model); predictions are usable, standard errors "
            "are not available.",
        )
    elif np.isnan(cov).any():
        notes += (
            "The likelihood is flat in some direction at the optimum (singular Hessian): the parameters "
            "are not all identified by these data and have no standard errors.",
        )
    return MLEstimate(
        params=pd.Series(theta, index=list(names), name="coef"),
        standard_errors=pd.Series(theta * np.sqrt(np.diag(cov)), index=list(names), name="se"),
        cov_log=cov,
        log_likelihood=float(-best.fun),
        message=message,
        notes=notes,
    )


class BaseFitter:
    """Common state of a fitted model, in the manner of lifelines / scikit-learn estimators.

    Subclasses define ``param_names`` and call :meth:`_store` with the :class:`MLEstimate` of their
    ``fit``.  After fitting: ``params_`` and ``standard_errors_`` (pandas Series), ``log_likelihood_``,
    ``n_`` (number of observations), ``message_`` (optimiser report), ``notes_`` (caveats) and
    :attr:`summary`.
    """

    param_names: tuple[str, ...] = ()

    params_: pd.Series
    standard_errors_: pd.Series
    log_likelihood_: float
    n_: int
    message_: str
    notes_: tuple[str, ...]
    _estimate: MLEstimate | None = None

    def _store(self, estimate: MLEstimate, n: int) -> None:
        self._estimate = estimate
        self.params_ = estimate.params
        self.standard_errors_ = estimate.standard_errors
        self.log_likelihood_ = estimate.log_likelihood
        self.n_ = n
        self.message_ = estimate.message
        self.notes_ = estimate.notes

    @classmethod
    def from_params(cls, **params: float):
        """A model with given parameter values (e.g. published ones), for prediction only.

        Standard errors and the log-likelihood are NaN; ``n_`` is 0.
        """
        if set(params) != set(cls.param_names) or any(not v > 0 for v in params.values()):
            raise FitError(
                f"{cls.__name__} needs positive values for exactly {list(cls.param_names)}, got {params}"
            )
        names = list(cls.param_names)
        model = cls()
        model._store(
            MLEstimate(
                params=pd.Series([float(params[k]) for k in names], index=names, name="coef"),
                standard_errors=pd.Series(np.nan, index=names, name="se"),
                cov_log=np.full((len(names), len(names)), np.nan),
                log_likelihood=float("nan"),
                message="parameters given, not fitted",
            ),
            n=0,
        )
        return model

    def _theta(self) -> tuple[float, ...]:
        if self._estimate is None:
            raise FitError(f"{type(self).__name__} is not fitted yet: call fit(...) first")
        return tuple(float(v) for v in self.params_)

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors and 95% confidence limits (log-scale, so positive)."""
        self._theta()
        assert self._estimate is not None
        return self._estimate.summary()

    def __repr__(self) -> str:
        if self._estimate is None:
            return f"{type(self).__name__}()"
        est = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({est}, log_likelihood={self.log_likelihood_:.2f}, n={self.n_})"


def as_arrays(min_rows: int, rows: str = "customers", **columns: object) -> dict[str, np.ndarray]:
    """The named inputs as float arrays of equal length, with at least ``min_rows`` ``rows``.

    Raises
    ------
    FitError
        On different lengths, non-finite values or too few rows.
    """
    arrays = {name: np.asarray(col, dtype=float).ravel() for name, col in columns.items()}
    lengths = {name: a.size for name, a in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise FitError(f"inputs have different lengths: {lengths}")
    for name, a in arrays.items():
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise FitError(f"{name} has {bad.size} missing or infinite values (first at position {bad[0]})")
    n = next(iter(lengths.values()))
    if n < min_rows:
        raise FitError(f"too few {rows} to fit: {n} (at least {min_rows} are needed)")
    return arrays


#: Fewest customers a transaction model is fitted to.
MIN_CUSTOMERS = 30


def rfm_arrays(
    frequency: object, recency: object, T: object, min_customers: int = MIN_CUSTOMERS
) -> dict[str, np.ndarray]:
    """Validated ``x`` (repeat purchases), ``t_x`` (recency) and ``T`` (age) arrays.

    Requires integer ``x ≥ 0``, ``0 ≤ t_x ≤ T``, ``t_x = 0`` when ``x = 0`` and at least one repeat
    purchase (without any, the purchase process is not identified).  ``T = 0`` (first purchase at the end
    of calibration) is allowed: such a customer adds nothing to the likelihood.

    Raises
    ------
    FitError
        Naming the first offending customer position of each violated condition.
    """
    a = as_arrays(min_customers, frequency=frequency, recency=recency, T=T)
    x, t_x, big_t = a["frequency"], a["recency"], a["T"]
    checks = {
        "frequency must be a whole number >= 0": (x < 0) | (x != np.round(x)),
        "recency must lie in [0, T]": (t_x < 0) | (t_x > big_t * (1 + 1e-12)),
        "T must be >= 0": big_t < 0,
        "recency must be 0 when frequency is 0": (x == 0) & (t_x != 0),
    }
    for message, bad in checks.items():
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise FitError(f"{message}: {int(bad.sum())} customers violate it (first at position {first})")
    if not (x > 0).any():
        raise FitError("no customer made a repeat purchase: the purchase rate cannot be estimated")
    return {"x": x, "t_x": t_x, "T": big_t}


def distinct_histories(data: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(x, t_x, T)`` rows and how many customers share each.

    With purchase days, many customers share a history (all one-time buyers acquired on the same day), so
    the log-likelihood ``Σ_rows count · log L(row)`` costs far fewer evaluations than one per customer.
    """
    rows, counts = np.unique(np.column_stack([data["x"], data["t_x"], data["T"]]), axis=0, return_counts=True)
    return rows[:, 0], rows[:, 1], rows[:, 2], counts.astype(float)
