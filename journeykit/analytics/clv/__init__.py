"""Customer lifetime value: repeat-purchase, spend and retention models fitted by maximum likelihood.

Non-contractual purchasing: :class:`BetaGeoFitter` (BG/NBD) and :class:`ParetoNBDFitter` (Pareto/NBD);
spend per transaction: :class:`GammaGammaFitter`; contractual retention:
:class:`ShiftedBetaGeometricFitter` (sBG).  :func:`calibration_holdout` builds the RFM summary from the
engine's events and :func:`customer_lifetime_value` puts it all together.
"""

from journeykit.analytics.clv._fit import ConvergenceError, FitError
from journeykit.analytics.clv.bgnbd import BetaGeoFitter
from journeykit.analytics.clv.clv import (
    ClvResult,
    annual_discount_rate,
    customer_lifetime_value,
    discounted_purchases,
    holdout_comparison,
    period_discount_rate,
)
from journeykit.analytics.clv.gamma_gamma import GammaGammaFitter
from journeykit.analytics.clv.pareto_nbd import ParetoNBDFitter
from journeykit.analytics.clv.sbg import ShiftedBetaGeometricFitter
from journeykit.analytics.clv.summary import calibration_holdout
from journeykit.analytics.clv.tracking import cumulative_tracking

__all__ = [
    "BetaGeoFitter",
    "ClvResult",
    "ConvergenceError",
    "FitError",
    "GammaGammaFitter",
    "ParetoNBDFitter",
    "ShiftedBetaGeometricFitter",
    "annual_discount_rate",
    "calibration_holdout",
    "cumulative_tracking",
    "customer_lifetime_value",
    "discounted_purchases",
    "holdout_comparison",
    "period_discount_rate",
]
