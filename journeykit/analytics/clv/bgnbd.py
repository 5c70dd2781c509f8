"""The BG/NBD model of repeat purchasing (non-contractual, continuous time).

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "'Counting Your Customers' the Easy Way: An
Alternative to the Pareto/NBD Model", *Marketing Science* 24(2), 275-284.

While active, a customer buys as a Poisson process with rate ``λ ~ Gamma(r, α)``; after each purchase
they drop out with probability ``p ~ Beta(a, b)``.  For a customer with ``x`` repeat purchases, the last
at ``t_x``, observed for ``T`` (time since the first purchase), the likelihood is (FHL 2005, eq. 6)

    L = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^{r+x})
        + δ_{x>0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+t_x)^{r+x}),

computed here in log space:

    log L = log Γ(r+x) − log Γ(r) + r log α + log B(a, b+x) − log B(a, b)
            + logaddexp(−(r+x) log(α+T),  log(a/(b+x−1)) − (r+x) log(α+t_x))   [second term only if x>0].
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, gammaln, hyp2f1

from journeykit.analytics.clv._fit import (
    MIN_CUSTOMERS,
    BaseFitter,
    distinct_histories,
    maximise_log_likelihood,
    rfm_arrays,
)


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD model (see the module docstring)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    survived = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        dropped = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(survived, dropped)


class BetaGeoFitter(BaseFitter):
    """BG/NBD model fitted by maximum likelihood.

    Examples
    --------
    >>> model = BetaGeoFitter().fit(rfm.frequency, rfm.recency, rfm.T)   # doctest: +SKIP
    >>> model.summary                                                     # doctest: +SKIP
    """

    param_names = ("r", "alpha", "a", "b")

    def fit(self, frequency, recency, T, min_customers: int = MIN_CUSTOMERS) -> "BetaGeoFitter":
        """Fit to one row per customer: repeat purchases ``x``, recency ``t_x`` and age ``T``.

        Raises
        ------
        FitError
            Too few customers (fewer than ``min_customers``, default 30), inconsistent inputs or no
            repeat purchases.
        ConvergenceError
            When the optimiser does not converge.
        """
        data = rfm_arrays(frequency, recency, T, min_customers)
        rate = max(data["x"].mean(), 0.1) / data["T"].mean()
        x, t_x, big_t, counts = distinct_histories(data)
        estimate = maximise_log_likelihood(
            lambda th: float(counts @ bgnbd_log_likelihood(*th, x, t_x, big_t)),
            initial=np.array([1.0, 1.0 / rate, 1.0, 1.0]),
            names=self.param_names,
        )
        self._store(estimate, data["x"].size)
        return self

    def expected_purchases(self, t) -> np.ndarray:
        """Expected purchases in ``(0, t]`` of a customer just acquired (FHL 2005, eq. 7).

        ``E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))ʳ ₂F₁(r, b; a+b−1; t/(α+t))]``.
        """
        r, alpha, a, b = self._theta()
        t = np.asarray(t, dtype=float)
        hyp = hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)

    def _odds_dropped(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        """``δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^{r+x}``: odds of having dropped out vs being alive."""
        r, alpha, a, b = self._theta()
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        return np.where(x > 0, np.exp(log_odds), 0.0)

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """``P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x−1) ((α+T)/(α+t_x))^{r+x})`` (FHL 2005, eq. 11)."""
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        return 1.0 / (1.0 + self._odds_dropped(x, t_x, big_t))

    def conditional_expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in the next ``t`` periods of customers with history ``(x, t_x, T)`` (eq. 10).

        ``E[Y(t)|x,t_x,T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
        · P(alive)``.
        """
        r, alpha, a, b = self._theta()
        x, t_x, big_t = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
        t = np.asarray(t, dtype=float)
        z = t / (alpha + big_t + t)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
        bracket = 1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyp
        return (a + b + x - 1) / (a - 1) * bracket / (1.0 + self._odds_dropped(x, t_x, big_t))
