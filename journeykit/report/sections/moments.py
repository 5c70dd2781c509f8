"""Moments-of-truth section: which touchpoint experiences go with churn, in both views (importance, odds)."""

from __future__ import annotations

from functools import lru_cache

from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.moments_of_truth import MomentsOfTruthResult, moments_of_truth
from journeykit.report.document import Section
from journeykit.workspace import Workspace

COLUMNS = ["driver", "stage", "reach", "exposed", "rate_with", "rate_without", "difference", "phi",
           "odds_ratio", "or_low", "or_high", "p_holm", "significant", "share", "share_low", "share_high",
           "rank", "rank_stability", "priority", "revenue_at_stake", "revenue_rank"]


@lru_cache(maxsize=4)
def churn_drivers(ws: Workspace) -> MomentsOfTruthResult | None:
    """The default churn analysis of a workspace (computed once per report; ``None`` without the data)."""
    try:
        return moments_of_truth(ws.engine, ws.model, "churned")
    except EmptyResultError:
        return None


def build(ws: Workspace) -> Section | None:
    """Drivers of churn after the first purchase (``None`` without purchases)."""
    title = "Moments of truth"
    try:
        result = churn_drivers(ws)
    except JourneykitError as exc:
        return Section(title, notes=[f"Could not be computed: {exc}"])
    if result is None:
        return None
    p = result.params
    intro = (
        f"How each experience in the {p['window_days']:g} days after a customer's first purchase "
        f"({', '.join(p['anchor'])}) relates to churn (no event afterwards): {p['customers']:,} customers, "
        f"churn rate {100 * p['outcome_rate']:.1f} %. Left: share of the explained variance (R², "
        f"{p['method']}) with bootstrap intervals; right: odds ratios adjusted for the other experiences. "
        "Both are associations, not proven causes; a driver that only rides along with a real one gets an "
        "importance share but an odds ratio near 1."
    )
    return Section(
        title, intro=intro, figures=[result.figure()],
        tables=[("Experiences by priority (importance × gap × reach)", result.table[COLUMNS]),
                ("Importance per stage", result.stages)],
        notes=result.notes,
    )
