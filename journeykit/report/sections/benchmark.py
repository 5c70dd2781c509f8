"""Benchmark section: KPI scores against the shipped reference set, the journey index and its trend."""

from __future__ import annotations

from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.benchmark import benchmark
from journeykit.report.document import Section
from journeykit.workspace import Workspace

COLUMNS = ["kpi_id", "n", "value", "ci_low", "ci_high", "frontier", "worst", "score", "score_low",
           "score_high", "gap", "small_sample", "sources"]
REFERENCE_COLUMNS = ["kpi", "unit", "value", "worst", "best", "industry", "year", "source", "evidence"]


def build(ws: Workspace) -> Section | None:
    """Distance-to-frontier scores and index per month (``None`` when nothing can be scored)."""
    title = "Benchmark"
    try:
        result = benchmark(ws.engine, ws.model, periods="month")
    except EmptyResultError:
        return None
    except JourneykitError as exc:
        return Section(title, notes=[f"Could not be computed: {exc}"])
    p = result.params
    intro = (
        f"Each KPI against the reference set '{p['reference']}' version {p['version']} (fingerprint "
        f"{p['fingerprint']}): score = 100 · clip((x − worst) / (frontier − worst), 0, 1), the "
        "distance-to-frontier formula of the OECD/JRC composite-indicator handbook; the journey index is "
        "their weighted mean with an interval from each KPI's sampling error (NPS adjusted-Wald, CSAT "
        "Wilson)."
    )
    figures = [result.figure("scores")]
    if not result.trend.empty:
        figures.append(result.figure("trend"))
    return Section(
        title, intro=intro, figures=figures,
        tables=[("Benchmark index", result.index),
                ("KPI scores", result.table[result.table["group"] == "all"][COLUMNS]),
                ("Reference figures", result.references[REFERENCE_COLUMNS])],
        notes=result.notes,
    )
