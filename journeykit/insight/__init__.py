"""CX insight: moments of truth (key drivers), value chain analysis, benchmarking and feedback text.

Everything here is pure computation on the engine and numpy: no IO, no printing.  Driver importances are
associations in observational data, not proven causes.
"""

from journeykit.insight.benchmark import (
    BenchmarkReferenceError,
    BenchmarkResult,
    InternalBenchmarkResult,
    ProcessBenchmarkResult,
    ReferenceSet,
    benchmark,
    compare_process,
    internal_benchmark,
    load_reference,
)
from journeykit.insight.experiences import DriverSpecError, Experience, Outcome, parse_experience
from journeykit.insight.feedback import FeedbackResult, feedback
from journeykit.insight.logistic import LogisticFit, fit_logistic
from journeykit.insight.moments_of_truth import MomentsOfTruthResult, moments_of_truth
from journeykit.insight.value_chain import ValueChainResult, value_chain

__all__ = [
    "BenchmarkReferenceError",
    "BenchmarkResult",
    "DriverSpecError",
    "Experience",
    "FeedbackResult",
    "InternalBenchmarkResult",
    "LogisticFit",
    "MomentsOfTruthResult",
    "Outcome",
    "ProcessBenchmarkResult",
    "ReferenceSet",
    "ValueChainResult",
    "benchmark",
    "compare_process",
    "feedback",
    "fit_logistic",
    "internal_benchmark",
    "load_reference",
    "moments_of_truth",
    "parse_experience",
    "value_chain",
]
