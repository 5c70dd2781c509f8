"""The analyses the server exposes: one registry entry (query model + library function) each.

An entry names a function of :mod:`journeykit.analytics` or :mod:`journeykit.insight`; it is served at
``/api/v1/analyses/<name>`` and usable on dashboard pages as soon as that function is exported there.
Entries whose function is not (yet) exported are left out.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from journeykit.insight.benchmark.measure import normalise_grouping
from journeykit.options import By, ClvUnit, Level
from journeykit.result import Result
from journeykit.server.db import Database
from journeykit.server.query import AnalysisQuery
from journeykit.workspace import Workspace

Period = Literal["day", "week", "month"]
Selector = Annotated[str, Field(min_length=1)]


class TransitionsQuery(AnalysisQuery):
    by: By = "customer"
    level: Level = "touchpoint"
    min_count: int = Field(1, ge=1, le=10**9)
    exact: bool = True


class VariantsQuery(AnalysisQuery):
    by: By = "customer"
    level: Level = "touchpoint"
    top: int = Field(20, ge=1, le=1000)


class PathsQuery(AnalysisQuery):
    anchor: str = Field(..., min_length=1, description="The step the paths start or end at.")
    direction: Literal["after", "before", "between"] = "after"
    until: str | None = Field(None, min_length=1)
    steps: int = Field(3, ge=1, le=10)
    by: By = "customer"
    level: Level = "touchpoint"
    top_per_step: int = Field(8, ge=1, le=100)
    top_paths: int = Field(25, ge=1, le=1000)

    @model_validator(mode="after")
    def _until_with_between(self) -> "PathsQuery":
        if (self.direction == "between") != (self.until is not None):
            raise ValueError("'until' is required with direction=between and only allowed with it")
        return self


class ExactQuery(AnalysisQuery):
    exact: bool = True


class TimeBetweenQuery(AnalysisQuery):
    source: str = Field(..., min_length=1)
    target: str = Field(..., min_length=1)
    by: By = "customer"
    level: Level = "touchpoint"
    exact: bool = True


class BottlenecksQuery(TransitionsQuery):
    pass


class FunnelQuery(AnalysisQuery):
    steps: list[Annotated[str, Field(min_length=1)]] = Field(
        ..., min_length=2, max_length=20,
        description="Steps in order (repeat the parameter): touchpoint, stage or event; 'a|b' alternatives, "
        "trailing '?' optional.",
    )
    window: str = Field("14d", pattern=r"^\s*\d+(\.\d+)?\s*[smhdw]?\s*$", description="e.g. 30m, 12h, 7d, 2w")
    order: Literal["ordered", "strict", "any"] = "ordered"
    exclusions: list[str] = Field(default_factory=list, description="'name' or 'name@FROM-TO'.")
    count: Literal["uniques", "totals"] = "uniques"
    by: str | None = Field(None, min_length=1, description="Break down by an event column or attribute.")
    period: Period = "week"
    exact: bool = True


class OperationalKpisQuery(AnalysisQuery):
    purchase: list[Selector] | None = Field(None, description="Purchase touchpoints (default: from the model).")
    inactive_days: float = Field(90, gt=0, le=3650)
    min_n: int = Field(30, ge=1)
    confidence: float = Field(0.95, gt=0.5, lt=1)


class SurveyKpisQuery(AnalysisQuery):
    by: str | None = Field(None, min_length=1, description="Break down: touchpoint, channel, period:<p>, segment:<a>.")
    surveys: list[Selector] | None = None
    min_n: int = Field(30, ge=1)
    confidence: float = Field(0.95, gt=0.5, lt=1)


class CohortsQuery(AnalysisQuery):
    entry: Selector = Field(..., description="The step that makes a customer join a cohort.")
    returning: Selector | None = Field(None, description="The step counted as a return (default: any event).")
    period: Period = "month"
    periods: int | None = Field(None, ge=1, le=120)


class ChurnQuery(AnalysisQuery):
    inactivity_days: float = Field(30, gt=0, le=3650)
    period: Period = "month"


class LifecycleQuery(AnalysisQuery):
    period: Period = "week"


class ClvQuery(AnalysisQuery):
    purchase: list[Selector] = Field(..., min_length=1, description="Purchase touchpoints.")
    model: Literal["bgnbd", "pareto_nbd"] = "bgnbd"
    horizon: int = Field(52, ge=1, le=520)
    unit: ClvUnit = "week"
    discount_rate: float = Field(0.01, ge=0, lt=1)


class MomentsOfTruthQuery(AnalysisQuery):
    outcome: Literal["churned", "retained", "repurchased", "promoter"] = "churned"
    window_days: float = Field(30, gt=0, le=3650)
    replicates: int = Field(200, ge=10, le=2000, description="Bootstrap replicates (1000 recommended).")
    min_exposed: int = Field(30, ge=1)


class BenchmarkQuery(AnalysisQuery):
    industry: str | None = Field(None, min_length=1, description="Reference industry (default: all).")
    by: str | None = Field(
        None, min_length=1,
        description="Also score each group: 'channel' or a free attribute ('segment', 'region'; "
        "'segment:<attribute>' also accepted).",
    )
    periods: Period | None = Field(None, description="Also compute the index per period.")
    min_n: int = Field(30, ge=1)

    @field_validator("by")
    @classmethod
    def _grouping(cls, by: str | None) -> str | None:
        """``benchmark()`` groups by ``channel`` or ``segment:<attribute>``: a bare name is an attribute."""
        return normalise_grouping(by)


class InternalBenchmarkQuery(AnalysisQuery):
    by: str = Field(..., min_length=1, description="segment:<attribute>, channel or period:<day|week|month>.")
    baseline: str = Field("best", min_length=1)
    min_n: int = Field(30, ge=1)


@dataclass(frozen=True)
class Analysis:
    """One served analysis: ``function(engine, [model,] filters=..., **options)``, options from ``query``."""

    name: str
    title: str
    query: type[AnalysisQuery]
    function: Callable[..., Result]
    needs_model: bool = False

    def run(self, ws: Workspace, query: AnalysisQuery) -> Result:
        model = (ws.model,) if self.needs_model else ()
        return self.function(ws.engine, *model, filters=query.filters(), **query.options())

    def cached(self, db: Database, ws: Workspace, query: AnalysisQuery) -> Result:
        """:meth:`run`'s result, computed once per query and data version (``ws`` is a cursor of ``db``)."""
        return db.cached((self.name, query.key()), lambda: self.run(ws, query))


#: (module, function name, title, query model, whether the function takes the journey model).
_ENTRIES: list[tuple[str, str, str, type[AnalysisQuery], bool]] = [
    ("analytics", "transitions", "Journey map (transitions)", TransitionsQuery, False),
    ("analytics", "variants", "Journey variants", VariantsQuery, False),
    ("analytics", "paths", "Paths from a step", PathsQuery, False),
    ("analytics", "stage_dwell", "Time spent in each stage", ExactQuery, False),
    ("analytics", "time_between", "Time between two steps", TimeBetweenQuery, False),
    ("analytics", "bottlenecks", "Bottlenecks", BottlenecksQuery, False),
    ("analytics", "case_throughput", "Case throughput time", ExactQuery, False),
    ("analytics", "funnel", "Conversion funnel", FunnelQuery, False),
    ("analytics", "operational_kpis", "Operational KPIs", OperationalKpisQuery, True),
    ("analytics", "survey_kpis", "Survey KPIs (NPS, CSAT, CES)", SurveyKpisQuery, True),
    ("analytics", "cohorts", "Retention cohorts", CohortsQuery, False),
    ("analytics", "churn", "Churn", ChurnQuery, False),
    ("analytics", "lifecycle", "Customer lifecycle", LifecycleQuery, False),
    ("analytics", "customer_lifetime_value", "Customer lifetime value", ClvQuery, False),
    ("insight", "moments_of_truth", "Moments of truth", MomentsOfTruthQuery, True),
    ("insight", "benchmark", "Benchmark index", BenchmarkQuery, True),
    ("insight", "internal_benchmark", "Internal benchmark", InternalBenchmarkQuery, True),
]


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"journeykit.{name}")


#: name -> Analysis, for every entry whose function its module exports.
ANALYSES: dict[str, Analysis] = {
    name: Analysis(name, title, query, getattr(_module(module), name), needs_model)
    for module, name, title, query, needs_model in _ENTRIES
    if hasattr(_module(module), name)
}
