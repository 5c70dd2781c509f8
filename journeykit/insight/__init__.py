"""CX insight: moments of truth (key drivers), value chain analysis, benchmarking and feedback text.

Everything here is pure computation on the engine and numpy: no IO, no printing.  Driver importances are
associations in observational data, not proven causes.
"""

from journeykit.insight.experiences import Experience, Outcome, parse_experience
from journeykit.insight.logistic import LogisticFit, fit_logistic
from journeykit.insight.moments_of_truth import MomentsOfTruthResult, moments_of_truth

__all__ = [
    "Experience",
    "LogisticFit",
    "MomentsOfTruthResult",
    "Outcome",
    "fit_logistic",
    "moments_of_truth",
    "parse_experience",
]
