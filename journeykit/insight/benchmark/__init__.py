"""Benchmarking: KPIs against published references (performance), across groups and periods (internal),
step timings of two journeys (process), and the distance-to-frontier benchmark index."""

from journeykit.insight.benchmark.index import FORMULA, composite_index, score_kpis
from journeykit.insight.benchmark.internal import InternalBenchmarkResult, compare_groups, internal_benchmark
from journeykit.insight.benchmark.kpis import KPIS, KpiDefinition
from journeykit.insight.benchmark.measure import measure_groups, measure_kpis
from journeykit.insight.benchmark.performance import BenchmarkResult, benchmark
from journeykit.insight.benchmark.process import ProcessBenchmarkResult, compare_process
from journeykit.insight.benchmark.reference import (
    DEFAULT_REFERENCE,
    BenchmarkReferenceError,
    ReferenceRow,
    ReferenceSet,
    load_reference,
    parse_reference,
)

__all__ = [
    "DEFAULT_REFERENCE",
    "FORMULA",
    "KPIS",
    "BenchmarkReferenceError",
    "BenchmarkResult",
    "InternalBenchmarkResult",
    "KpiDefinition",
    "ProcessBenchmarkResult",
    "ReferenceRow",
    "ReferenceSet",
    "benchmark",
    "compare_groups",
    "compare_process",
    "composite_index",
    "internal_benchmark",
    "load_reference",
    "measure_groups",
    "measure_kpis",
    "parse_reference",
    "score_kpis",
]
