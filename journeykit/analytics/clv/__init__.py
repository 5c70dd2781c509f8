"""Customer lifetime value: repeat-purchase, spend and retention models fitted by maximum likelihood.

Non-contractual purchasing: :class:`BetaGeoFitter` (BG/NBD) and :class:`ParetoNBDFitter` (Pareto/NBD);
spend per transaction: :class:`GammaGammaFitter`; contractual retention:
:class:`ShiftedBetaGeometricFitter` (sBG).
"""

from journeykit.analytics.clv._fit import ConvergenceError, FitError
from journeykit.analytics.clv.bgnbd import BetaGeoFitter
from journeykit.analytics.clv.gamma_gamma import GammaGammaFitter
from journeykit.analytics.clv.pareto_nbd import ParetoNBDFitter
from journeykit.analytics.clv.sbg import ShiftedBetaGeometricFitter

__all__ = [
    "BetaGeoFitter",
    "ConvergenceError",
    "FitError",
    "GammaGammaFitter",
    "ParetoNBDFitter",
    "ShiftedBetaGeometricFitter",
]
