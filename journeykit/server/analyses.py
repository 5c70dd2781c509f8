"""The analyses the server exposes: one registry entry (query model + library function) each.

An entry names a function of :mod:`journeykit.analytics`; it is served at ``/api/v1/analyses/<name>``
and usable on dashboard pages as soon as that function is exported there.  Entries whose function is not
(yet) exported are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator

from journeykit import analytics
from journeykit.engine import Engine
from journeykit.result import Result
from journeykit.server.query import AnalysisQuery, By, Level


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
    period: Literal["day", "week", "month"] = "week"
    exact: bool = True


@dataclass(frozen=True)
class Analysis:
    """One served analysis: ``function(engine, filters=..., **options)`` with options from ``query``."""

    name: str
    title: str
    query: type[AnalysisQuery]
    function: Callable[..., Result]

    def run(self, engine: Engine, query: AnalysisQuery) -> Result:
        return self.function(engine, filters=query.filters(), **query.options())


_ENTRIES: list[tuple[str, str, type[AnalysisQuery]]] = [
    ("transitions", "Journey map (transitions)", TransitionsQuery),
    ("variants", "Journey variants", VariantsQuery),
    ("paths", "Paths from a step", PathsQuery),
    ("stage_dwell", "Time spent in each stage", ExactQuery),
    ("time_between", "Time between two steps", TimeBetweenQuery),
    ("bottlenecks", "Bottlenecks", BottlenecksQuery),
    ("case_throughput", "Case throughput time", ExactQuery),
    ("funnel", "Conversion funnel", FunnelQuery),
]

#: name -> Analysis, for every entry whose function :mod:`journeykit.analytics` exports.
ANALYSES: dict[str, Analysis] = {
    name: Analysis(name, title, query, getattr(analytics, name))
    for name, title, query in _ENTRIES
    if hasattr(analytics, name)
}
