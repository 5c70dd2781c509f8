"""The shifted-beta-geometric (sBG) model of contractual retention.

Fader, P. S. and Hardie, B. G. S. (2007), "How to Project Customer Retention", *Journal of Interactive
Marketing* 21(1), 76-90; discounted expected lifetime from Fader, P. S. and Hardie, B. G. S. (2010),
"Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring Heterogeneity", *Marketing
Science* 29(1), 85-93.

At the end of each period a customer churns with probability ``θ ~ Beta(α, β)``, constant over time for
that customer.  With ``B`` the beta function,

    P(T = t) = B(α+1, β+t−1) / B(α, β),      S(t) = B(α, β+t) / B(α, β),   t = 1, 2, ...

and the retention rate ``r_t = S(t)/S(t−1) = (β+t−1)/(α+β+t−1)`` rises with ``t`` (the survivors are
the loyal ones).  From a cohort's counts ``n_0 ≥ n_1 ≥ ... ≥ n_k`` still active after each period,

    ℓ(α, β) = Σ_{t=1..k} (n_{t−1} − n_t) log P(T = t) + n_k log S(k).

The discounted expected lifetime of a new customer (periods, counting the current one) is
``DEL(d) = Σ_{t≥0} S(t)/(1+d)^t = ₂F₁(1, β; α+β; 1/(1+d))``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, hyp2f1

from journeykit.analytics.clv._fit import BaseFitter, FitError, as_arrays, maximise_log_likelihood


def sbg_log_likelihood(alpha: float, beta: float, survivors: np.ndarray) -> float:
    """Log-likelihood of survivor counts ``n_0, ..., n_k`` (see the module docstring)."""
    n = np.asarray(survivors, dtype=float)
    t = np.arange(1, n.size)
    churned = n[:-1] - n[1:]
    log_p = betaln(alpha + 1, beta + t - 1) - betaln(alpha, beta)
    log_s = betaln(alpha, beta + t[-1]) - betaln(alpha, beta)
    return float(np.dot(churned, log_p) + n[-1] * log_s)


class ShiftedBetaGeometricFitter(BaseFitter):
    """sBG retention model fitted by maximum likelihood to one cohort's survivor counts."""

    param_names = ("alpha", "beta")

    def fit(self, survivors) -> "ShiftedBetaGeometricFitter":
        """Fit to active counts ``n_0, n_1, ..., n_k`` (start of the cohort, then after each period).

        Raises
        ------
        FitError
            Fewer than three counts, counts that rise, or no churn at all.
        ConvergenceError
            When the optimiser does not converge.
        """
        n = as_arrays(3, "survivor counts", survivors=survivors)["survivors"]
        if (np.diff(n) > 0).any() or (n < 0).any() or (n != np.round(n)).any():
            raise FitError(f"survivors must be non-negative whole numbers that never rise, got {n.tolist()}")
        if n[-1] == n[0] or n[-1] == 0:
            raise FitError(
                "the cohort must lose some but not all customers to estimate churn "
                f"(from {n[0]:.0f} to {n[-1]:.0f})"
            )
        estimate = maximise_log_likelihood(
            lambda th: sbg_log_likelihood(*th, n), np.array([1.0, 1.0]), self.param_names
        )
        self._store(estimate, int(n[0]))
        return self

    def survival(self, t) -> np.ndarray:
        """``S(t) = B(α, β+t)/B(α, β)``: share of a new cohort still active after ``t`` periods."""
        alpha, beta = self._theta()
        return np.exp(betaln(alpha, beta + np.asarray(t, dtype=float)) - betaln(alpha, beta))

    def retention_rate(self, t) -> np.ndarray:
        """``r_t = (β+t−1)/(α+β+t−1)``: share of those active after ``t−1`` periods still active at ``t``."""
        alpha, beta = self._theta()
        t = np.asarray(t, dtype=float)
        return (beta + t - 1) / (alpha + beta + t - 1)

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """``DEL(d) = ₂F₁(1, β; α+β; 1/(1+d))`` periods; CLV of a new customer = value per period × DEL."""
        if discount_rate <= 0:
            raise FitError(f"the discount rate must be > 0 for a finite lifetime value, got {discount_rate}")
        alpha, beta = self._theta()
        return float(hyp2f1(1.0, beta, alpha + beta, 1.0 / (1.0 + discount_rate)))
