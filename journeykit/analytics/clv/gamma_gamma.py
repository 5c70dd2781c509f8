"""The gamma-gamma model of spend per transaction.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "RFM and CLV: Using Iso-Value Curves for Customer
Base Analysis", *Journal of Marketing Research* 42(4), 415-430; notation of Fader, P. S. and Hardie,
B. G. S. (2013), "The Gamma-Gamma Model of Monetary Value", http://brucehardie.com/notes/025/.

Each transaction value is ``Gamma(p, ν)``; across customers ``ν ~ Gamma(q, γ)``.  Spend is assumed
independent of the purchase process.  The density of a customer's mean spend ``m̄`` over ``x``
transactions is

    f(m̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m̄^{px−1} x^{px} / (γ + x m̄)^{px+q},

and the expected spend per transaction given ``(m̄, x)`` is the credibility-weighted mean

    E[M | m̄, x] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m̄ = p(γ + x m̄) / (px+q−1).
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from journeykit.analytics.clv._fit import (
    MIN_CUSTOMERS,
    BaseFitter,
    FitError,
    as_arrays,
    maximise_log_likelihood,
)


def gamma_gamma_log_likelihood(p: float, q: float, gamma: float, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer log-density of the mean spend ``m`` over ``x`` transactions."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    px = p * x
    return (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
        + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + x * m)
    )


class GammaGammaFitter(BaseFitter):
    """Gamma-gamma spend model fitted by maximum likelihood.

    Fit it to the customers with at least one repeat purchase: ``frequency`` (number of repeat
    transactions, ``x > 0``) and ``monetary_value`` (their mean value, ``> 0``).
    """

    param_names = ("p", "q", "gamma")

    def fit(self, frequency, monetary_value, min_customers: int = MIN_CUSTOMERS) -> "GammaGammaFitter":
        """Fit to repeat customers.

        Raises
        ------
        FitError
            Non-positive frequencies or spends, or too few customers.
        ConvergenceError
            When the optimiser does not converge.
        """
        data = as_arrays(min_customers, frequency=frequency, monetary_value=monetary_value)
        x, m = data["frequency"], data["monetary_value"]
        for name, values in data.items():
            if (values <= 0).any():
                raise FitError(
                    f"{name} must be > 0 for the gamma-gamma model: {int((values <= 0).sum())} customers "
                    "are not (fit it to the customers with repeat purchases and positive spend)"
                )
        estimate = maximise_log_likelihood(
            lambda th: float(gamma_gamma_log_likelihood(*th, x, m).sum()),
            initial=np.array([1.0, 2.0, m.mean()]),
            names=self.param_names,
        )
        self._store(estimate, x.size)
        return self

    def population_mean_spend(self) -> float:
        """``E[M] = pγ/(q−1)`` (infinite when ``q ≤ 1``)."""
        p, q, gamma = self._theta()
        return p * gamma / (q - 1) if q > 1 else float("inf")

    def conditional_expected_spend(self, frequency, monetary_value) -> np.ndarray:
        """``E[M | m̄, x] = p(γ + x m̄)/(px+q−1)``; customers without repeat purchases get ``pγ/(q−1)``."""
        p, q, gamma = self._theta()
        x = np.asarray(frequency, dtype=float)
        m = np.where(x > 0, np.nan_to_num(np.asarray(monetary_value, dtype=float)), 0.0)
        return p * (gamma + x * m) / (p * x + q - 1)
