"""The Pareto/NBD model of repeat purchasing (non-contractual, continuous time).

Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987), "Counting Your Customers: Who Are They and
What Will They Do Next?", *Management Science* 33(1), 1-24; likelihood and expressions as derived in
Fader, P. S. and Hardie, B. G. S. (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions", http://brucehardie.com/notes/009/.

While alive a customer buys as a Poisson process with rate ``λ ~ Gamma(r, α)``; the lifetime is
exponential with rate ``μ ~ Gamma(s, β)``.  For ``x`` repeat purchases, the last at ``t_x``, and age
``T`` (FH 2005 note, eq. 22):

    L = Γ(r+x) αʳ βˢ / Γ(r) · { 1 / ((α+T)^{r+x} (β+T)ˢ) + s/(r+s+x) · A₀ },

    A₀ = F(t_x) − F(T),   F(t) = ₂F₁(r+s+x, B; r+s+x+1; |α−β|/(m+t)) / (m+t)^{r+s+x},

with ``m = max(α, β)`` and ``B = s+1`` if ``α ≥ β``, else ``B = r+x``.  ``₂F₁`` near ``z → 1``
diverges (``c−a−b < 0``) and overflows for large ``x``, so it is evaluated through Euler's
transformation ``₂F₁(a,b;c;z) = (1−z)^{c−a−b} ₂F₁(c−a, c−b; c; z)``, which here gives
``₂F₁(1, c−B; c; z)``: a series with positive terms bounded by ``1/(1−z)``.  Everything is summed in
log space, and ``log A₀ = log F(t_x) + log1p(−exp(log F(T) − log F(t_x)))``.

Large parameters (little heterogeneity: ``r, α`` or ``s, β`` large with their ratio fixed, the limit of a
constant purchase or dropout rate) defeat that route: SciPy's ``₂F₁`` becomes slow and returns NaN, and
``F(t_x) − F(T)`` cancels.  There ``A₀`` is computed from its integral form instead,

    s/(r+s+x) · A₀ = s ∫_{t_x}^{T} (α+τ)^{−(r+x)} (β+τ)^{−(s+1)} dτ,

the probability of dying at ``τ`` after the last purchase (FH note, eq. 15 before integration), by
``QUADRATURE_NODES``-point Gauss-Legendre quadrature with every factor scaled by ``α^r β^s`` in log space
(``−(r+x)·log1p(τ/α)``: no cancellation however large ``r`` and ``α``).  The rule is used where it is
exact to double precision: the integrand changes by at most ``e^{MAX_DECAY}`` over the interval and its
poles at ``−α`` and ``−β`` lie at least ``POLE_DISTANCE`` half-lengths from it (a Bernstein ellipse of
parameter ``ρ ≥ 2``, error ``O(ρ^{−2n})``; measured against a 256-point rule on random parameters, the
32-point rule agrees to 1e-13 in ``log A₀``) and where ``z = |α−β|/(m+t_x) ≥ HYPERGEOMETRIC_Z``.  Below
that the ₂F₁ series converges in a few terms and is 2-5x faster (the CDNOW estimates have α ≈ β, z ≈ 0.1);
above it ₂F₁ slows down (90 ms against 1.7 ms for 1,000 customers at z = 0.997) and fails.  Elsewhere
(small ``α`` or ``β`` against a long interval) the hypergeometric route is accurate.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.legendre import leggauss
from scipy.special import gammaln, hyp2f1

from journeykit.analytics.clv._fit import (
    MIN_CUSTOMERS,
    BaseFitter,
    distinct_histories,
    maximise_log_likelihood,
    rfm_arrays,
)

#: Gauss-Legendre nodes of the integral form of ``A₀``.
QUADRATURE_NODES = 32
#: Largest ``|d log g / dτ| · (T − t_x)`` (``g`` the integrand) for which the quadrature is used.
MAX_DECAY = 40.0
#: Smallest distance of the poles ``−α``, ``−β`` from ``t_x``, in half-lengths of ``[t_x, T]``.
POLE_DISTANCE = 0.25
#: Below this argument of ₂F₁ at ``t_x`` the hypergeometric route is kept (fast and accurate there).
HYPERGEOMETRIC_Z = 0.5

_NODES, _WEIGHTS = leggauss(QUADRATURE_NODES)


def _log_f(r: float, alpha: float, s: float, beta: float, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``log F(t)`` of the module docstring, via Euler's transformation."""
    a_ = r + s + x
    m, low = max(alpha, beta), min(alpha, beta)
    b_ = s + 1 if alpha >= beta else r + x
    z = abs(alpha - beta) / (m + t)
    log_one_minus_z = np.log(low + t) - np.log(m + t)
    # (1 − z)^{c−a−b} ₂F₁(1, c−b; c; z) with c = a+1
    log_hyp = (1 - b_) * log_one_minus_z + np.log(hyp2f1(1.0, a_ + 1 - b_, a_ + 1, z))
    return log_hyp - a_ * np.log(m + t)


def _log_a0(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """``log A₀ = log(F(t_x) − F(T))`` through ``₂F₁`` (``−inf`` when ``t_x = T``)."""
    upper = _log_f(r, alpha, s, beta, x, t_x)
    diff = np.minimum(_log_f(r, alpha, s, beta, x, T) - upper, 0.0)
    with np.errstate(divide="ignore"):
        return upper + np.log1p(-np.exp(diff))


def _flat(*arrays: object) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The broadcast shape of ``arrays`` and each of them broadcast to it and flattened (float)."""
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    return shape, [np.broadcast_to(np.asarray(a, dtype=float), shape).ravel() for a in arrays]


def _quadrature_is_exact(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Where the Gauss-Legendre rule is exact to double precision (see the module docstring)."""
    length = T - t_x
    decay = ((r + x) / (alpha + t_x) + (s + 1) / (beta + t_x)) * length
    return (decay <= MAX_DECAY) & (min(alpha, beta) + t_x >= POLE_DISTANCE * length / 2)


def _by_quadrature(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Where the quadrature is exact and ₂F₁ is slow (its argument at ``t_x`` at least ``HYPERGEOMETRIC_Z``)."""
    slow = abs(alpha - beta) / (max(alpha, beta) + t_x) >= HYPERGEOMETRIC_Z
    return _quadrature_is_exact(r, alpha, s, beta, x, t_x, T) & slow


def _log_died_by_quadrature(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """``log(s ∫_{t_x}^{T} α^r (α+τ)^{−(r+x)} β^s (β+τ)^{−(s+1)} dτ)`` by Gauss-Legendre quadrature.

    The integrand is ``exp(−(r+x)·log1p(τ/α) − (s+1)·log1p(τ/β)) / (αˣ β)``; its nodes are summed after
    subtracting their largest log (a log-sum-exp).
    """
    half = (T - t_x) / 2
    tau = t_x[:, None] + half[:, None] * (1 + _NODES)
    log_g = -(r + x)[:, None] * np.log1p(tau / alpha) - (s + 1) * np.log1p(tau / beta)
    top = log_g.max(axis=1)
    with np.errstate(divide="ignore"):
        total = np.log(np.exp(log_g - top[:, None]) @ _WEIGHTS) + top + np.log(half)
    return np.log(s) - x * np.log(alpha) - np.log(beta) + total


def _log_died_by_hypergeometric(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """The same ``log(αʳ βˢ s/(r+s+x) A₀)`` through ``₂F₁`` (:func:`_log_a0`)."""
    return (r * np.log(alpha) + s * np.log(beta) + np.log(s) - np.log(r + s + x)
            + _log_a0(r, alpha, s, beta, x, t_x, T))


def _log_alive_died(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The two terms of ``L / (Γ(r+x)/Γ(r))``, in logs: alive at ``T``, and died in ``(t_x, T]``.

    ``alive = log(αʳ βˢ / ((α+T)^{r+x} (β+T)ˢ))`` and ``died = log(αʳ βˢ s/(r+s+x) A₀)``.
    """
    alive = -r * np.log1p(T / alpha) - x * np.log(alpha + T) - s * np.log1p(T / beta)
    died = np.empty_like(alive)
    quad = _by_quadrature(r, alpha, s, beta, x, t_x, T)
    died[quad] = _log_died_by_quadrature(r, alpha, s, beta, x[quad], t_x[quad], T[quad])
    rest = ~quad
    died[rest] = _log_died_by_hypergeometric(r, alpha, s, beta, x[rest], t_x[rest], T[rest])
    return alive, died


def pareto_nbd_log_likelihood(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer log-likelihood of the Pareto/NBD model (see the module docstring)."""
    shape, (x, t_x, T) = _flat(x, t_x, T)
    alive, died = _log_alive_died(r, alpha, s, beta, x, t_x, T)
    return (gammaln(r + x) - gammaln(r) + np.logaddexp(alive, died)).reshape(shape)


class ParetoNBDFitter(BaseFitter):
    """Pareto/NBD model fitted by maximum likelihood."""

    param_names = ("r", "alpha", "s", "beta")

    def fit(self, frequency, recency, T, min_customers: int = MIN_CUSTOMERS) -> "ParetoNBDFitter":
        """Fit to one row per customer: repeat purchases ``x``, recency ``t_x`` and age ``T``.

        Raises
        ------
        FitError
            Too few customers, inconsistent inputs or no repeat purchases.
        ConvergenceError
            When the optimiser does not converge.
        """
        data = rfm_arrays(frequency, recency, T, min_customers)
        scale = data["T"].mean()
        initial = np.array([1.0, scale / max(data["x"].mean(), 0.1), 1.0, scale])
        x, t_x, big_t, counts = distinct_histories(data)
        estimate = maximise_log_likelihood(
            lambda th: float(counts @ pareto_nbd_log_likelihood(*th, x, t_x, big_t)),
            initial=initial,
            names=self.param_names,
        )
        self._store(estimate, data["x"].size)
        return self

    def expected_purchases(self, t) -> np.ndarray:
        """Expected purchases in ``(0, t]`` of a customer just acquired (FH note, eq. 27).

        ``E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^{s−1}]``.
        """
        r, alpha, s, beta = self._theta()
        t = np.asarray(t, dtype=float)
        return r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """``P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) · (α+T)^{r+x} (β+T)ˢ A₀)`` (FH note, eq. 18)."""
        r, alpha, s, beta = self._theta()
        shape, (x, t_x, big_t) = _flat(frequency, recency, T)
        alive, died = _log_alive_died(r, alpha, s, beta, x, t_x, big_t)
        return (1.0 / (1.0 + np.exp(died - alive))).reshape(shape)

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in the next ``t`` periods given ``(x, t_x, T)`` (FH note, eq. 41).

        ``E[Y(t)|x,t_x,T] = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}] · P(alive)``.
        """
        r, alpha, s, beta = self._theta()
        x, big_t = np.asarray(frequency, dtype=float), np.asarray(T, dtype=float)
        t = np.asarray(t, dtype=float)
        rate = (r + x) * (beta + big_t) / ((alpha + big_t) * (s - 1))
        alive = self.probability_alive(x, recency, big_t)
        return rate * (1 - ((beta + big_t) / (beta + big_t + t)) ** (s - 1)) * alive
