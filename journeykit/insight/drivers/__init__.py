"""Driver statistics on a customer × driver matrix: pattern compression and relative importance."""

from journeykit.insight.drivers.patterns import Patterns, compress
from journeykit.insight.drivers.relative_importance import (
    RelativeImportance,
    lmg_weights,
    relative_importance,
    relative_weights,
    subset_r2,
)

__all__ = [
    "Patterns",
    "RelativeImportance",
    "compress",
    "lmg_weights",
    "relative_importance",
    "relative_weights",
    "subset_r2",
]
