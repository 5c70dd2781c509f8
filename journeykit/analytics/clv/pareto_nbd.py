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
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln, hyp2f1

from journeykit.analytics.clv._fit import (
    MIN_CUSTOMERS,
    BaseFitter,
    distinct_histories,
    maximise_log_likelihood,
    rfm_arrays,
)


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
    """``log A₀ = log(F(t_x) − F(T))`` (``−inf`` when ``t_x = T``)."""
    upper = _log_f(r, alpha, s, beta, x, t_x)
    diff = np.minimum(_log_f(r, alpha, s, beta, x, T) - upper, 0.0)
    with np.errstate(divide="ignore"):
        return upper + np.log1p(-np.exp(diff))


def pareto_nbd_log_likelihood(
    r: float, alpha: float, s: float, beta: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer log-likelihood of the Pareto/NBD model (see the module docstring)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    died = np.log(s) - np.log(r + s + x) + _log_a0(r, alpha, s, beta, x, t_x, T)
    return head + np.logaddexp(alive, died)


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
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        log_odds = (
            np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + big_t) + s * np.log(beta + big_t)
            + _log_a0(r, alpha, s, beta, x, t_x, big_t)
        )
        return 1.0 / (1.0 + np.exp(log_odds))

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
