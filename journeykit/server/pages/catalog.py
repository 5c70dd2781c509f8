"""The dashboard's pages: one entry each; a page shows when the analyses its panels need are served."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from journeykit.io.summary import workspace_summary
from journeykit.report.document import Section
from journeykit.report.sections import BUILDERS
from journeykit.server.analyses import ANALYSES
from journeykit.server.plans import PLAN_VIEWS, PlanStore
from journeykit.workspace import Workspace


#: Report section builders by module name (``journeykit.report.sections.<name>``).
SECTIONS: dict[str, Callable[[Workspace], Section | None]] = {b.__module__.rsplit(".", 1)[-1]: b for b in BUILDERS}


@dataclass(frozen=True)
class Page:
    """A dashboard page: its template loads ``panels`` (analysis names, or ``plans/<view>``)."""

    path: str
    title: str
    template: str
    panels: tuple[str, ...] = ()
    context: Callable[[Workspace], dict[str, Any]] | None = field(default=None, compare=False)
    filtered: bool = True  # the page has a form ``#filters`` whose fields its panels take

    @property
    def available(self) -> bool:
        return all(
            name in ANALYSES or name.removeprefix("plans/") in PLAN_VIEWS or name.removeprefix("sections/") in SECTIONS
            for name in self.panels
        )


def _overview(ws: Workspace) -> dict[str, Any]:
    return {"summary": workspace_summary(ws)}


def _plans(ws: Workspace) -> dict[str, Any]:
    return {"plans": PlanStore(ws.path).names()}


PAGES: list[Page] = [
    Page("/", "Overview", "overview.html", ("survey_kpis", "benchmark"), context=_overview),
    Page("/journey-map", "Journey map", "journey_map.html", ("transitions",)),
    Page("/funnels", "Funnel builder", "funnel.html", ("funnel",)),
    Page("/paths", "Paths and timing", "paths.html", ("variants", "bottlenecks", "stage_dwell")),
    Page("/retention", "Retention", "retention.html", ("cohorts", "churn")),
    Page("/moments-of-truth", "Moments of truth", "moments.html", ("moments_of_truth",)),
    Page("/plans", "Plans", "plans.html", tuple(f"plans/{v}" for v in PLAN_VIEWS), context=_plans),
    Page("/value-chain", "Value chain", "section.html", ("sections/value_chain",), filtered=False),
    Page("/live-cases", "Live cases", "section.html", ("sections/ccpm",), filtered=False),
]


def visible_pages() -> list[Page]:
    return [p for p in PAGES if p.available]
