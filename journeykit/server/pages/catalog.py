"""The dashboard's pages: one entry each; a page shows when the analyses it needs are served."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from journeykit.io.summary import workspace_summary
from journeykit.server.analyses import ANALYSES
from journeykit.workspace import Workspace


@dataclass(frozen=True)
class Page:
    """A dashboard page: its template renders panels of the named analyses."""

    path: str
    title: str
    template: str
    analyses: tuple[str, ...] = ()
    context: Callable[[Workspace], dict[str, Any]] | None = field(default=None, compare=False)

    @property
    def available(self) -> bool:
        return all(name in ANALYSES for name in self.analyses)


def _overview(ws: Workspace) -> dict[str, Any]:
    return {"summary": workspace_summary(ws)}


PAGES: list[Page] = [
    Page("/", "Overview", "overview.html", ("survey_kpis", "benchmark"), context=_overview),
    Page("/journey-map", "Journey map", "journey_map.html", ("transitions",)),
    Page("/funnels", "Funnel builder", "funnel.html", ("funnel",)),
    Page("/paths", "Paths and timing", "paths.html", ("variants", "bottlenecks", "stage_dwell")),
    Page("/retention", "Retention", "retention.html", ("cohorts", "churn")),
    Page("/moments-of-truth", "Moments of truth", "moments.html", ("moments_of_truth",)),
]


def visible_pages() -> list[Page]:
    return [p for p in PAGES if p.available]
