"""The dashboard's pages: one entry each; a page shows when the analyses its panels need are served."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from journeykit.io.summary import workspace_summary
from journeykit.report.document import Section
from journeykit.report.sections import BUILDERS
from journeykit.server.analyses import ANALYSES
from journeykit.server.pages.progress_form import progress_form
from journeykit.server.plans import PLAN_VIEWS, PlanStore
from journeykit.workspace import Workspace

#: Report section builders by module name (``journeykit.report.sections.<name>``).
SECTIONS: dict[str, Callable[[Workspace], Section | None]] = {b.__module__.rsplit(".", 1)[-1]: b for b in BUILDERS}

#: The query parameters of a page request: name -> values.
Values = Mapping[str, list[str]]


@dataclass(frozen=True)
class Page:
    """A dashboard page: its template loads ``panels`` (analysis names, ``plans/<view>`` or ``sections/<name>``)
    with the fields of its form ``#filters``.

    ``context`` adds template variables from the workspace seen through the page's filters and the query
    parameters; ``filters`` says what the date-range, segment and channel filters do on the page, or why
    they do not apply (``takes_filters`` false: the page has no such fields).
    """

    path: str
    title: str
    template: str
    panels: tuple[str, ...] = ()
    context: Callable[[Workspace, Values], dict[str, Any]] | None = field(default=None, compare=False)
    filters: str = "Date range, segment and channel select the events (and survey responses) analysed."
    takes_filters: bool = True

    @property
    def available(self) -> bool:
        return all(
            name in ANALYSES or name.removeprefix("plans/") in PLAN_VIEWS or name.removeprefix("sections/") in SECTIONS
            for name in self.panels
        )


def _overview(ws: Workspace, _: Values) -> dict[str, Any]:
    return {"summary": workspace_summary(ws)}


def _plans(ws: Workspace, values: Values) -> dict[str, Any]:
    """The stored plans and the progress form of the one selected (default: the first)."""
    store = PlanStore(ws.path)
    names = store.names()
    chosen = [p for p in values.get("plan", []) if p in names][-1:] or names[:1]
    return {"plans": names, "form": progress_form(store, chosen[0]) if chosen else None}


PAGES: list[Page] = [
    Page("/", "Overview", "overview.html", ("survey_kpis", "benchmark"), context=_overview),
    Page("/journey-map", "Journey map", "journey_map.html", ("transitions",)),
    Page("/funnels", "Funnel builder", "funnel.html", ("funnel",)),
    Page("/paths", "Paths and timing", "paths.html", ("variants", "bottlenecks", "stage_dwell")),
    Page("/retention", "Retention", "retention.html", ("cohorts", "churn")),
    Page("/moments-of-truth", "Moments of truth", "moments.html", ("moments_of_truth",)),
    Page(
        "/plans", "Plans", "plans.html", tuple(f"plans/{v}" for v in PLAN_VIEWS), context=_plans,
        filters="Date range, segment and channel filters do not apply to plans: they are computed from the "
        "stored plan and its progress reports, not from the events.", takes_filters=False,
    ),
    Page(
        "/value-chain", "Value chain", "section.html", ("sections/value_chain",),
        filters="Costs and value of the events in the date range, segment and channel: interactions per period "
        "are counted over the filtered span, and the revenue at stake comes from the same events.",
    ),
    Page(
        "/live-cases", "Live cases", "section.html", ("sections/ccpm",),
        filters="The cases are read from the filtered events: the status is as of the last event before 'To', "
        "a case's events before 'From' are not seen, and segment and channel select the cases' events. A "
        "critical-chain plan (plan.yaml with resources) is not computed from events: filters do not apply to it.",
    ),
    Page(
        "/upload", "Upload", "upload.html",
        filters="Filters do not apply to uploads: every accepted row is added to the workspace.", takes_filters=False,
    ),
]


def visible_pages() -> list[Page]:
    return [p for p in PAGES if p.available]


def page_at(path: str) -> Page:
    """The page served at ``path``."""
    return next(p for p in PAGES if p.path == path)
