"""Customer lifetime value section: BG/NBD × gamma-gamma, checked on a holdout period."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

from journeykit.analytics.clv import BetaGeoFitter, FitError
from journeykit.analytics.clv.clv import ClvResult, customer_lifetime_value, holdout_comparison
from journeykit.analytics.clv.figures import holdout_figure
from journeykit.analytics.clv.summary import calibration_holdout
from journeykit.analytics.clv.tracking import cumulative_tracking, tracking_figure
from journeykit.errors import EmptyResultError
from journeykit.model import JourneyModel
from journeykit.report.document import Section
from journeykit.workspace import Workspace

#: Touchpoints treated as purchases in the report, when the model has them.
PURCHASES = ("payment", "repeat_purchase", "purchase")
#: Share of the observed days used for calibration in the holdout check.
CALIBRATION_SHARE = 2 / 3
HORIZON_WEEKS = 52
WEEKLY_DISCOUNT = 0.0019  # ≈ 10% a year
TOP = 20


def purchase_touchpoints(model: JourneyModel) -> list[str]:
    """The model's purchase touchpoints among :data:`PURCHASES`."""
    return [name for name in PURCHASES if name in model.touchpoint_by_name]


@lru_cache(maxsize=4)
def lifetime_values(ws: Workspace) -> ClvResult | None:
    """The report's lifetime value of every customer (computed once per report; ``None`` without purchase
    touchpoints or purchases).

    Raises
    ------
    FitError
        No lifetime-value model could be fitted.
    """
    purchases = purchase_touchpoints(ws.model)
    if not purchases:
        return None
    try:
        return customer_lifetime_value(
            ws.engine, purchases, horizon=HORIZON_WEEKS, unit="week", discount_rate=WEEKLY_DISCOUNT
        )
    except EmptyResultError:
        return None


def build(ws: Workspace) -> Section | None:
    """CLV per customer and the holdout check (``None`` without purchase touchpoints or purchases)."""
    try:
        result = lifetime_values(ws)
    except FitError as exc:
        return Section("Customer lifetime value", notes=[f"No lifetime-value model could be fitted: {exc}"])
    if result is None:
        return None
    purchases = purchase_touchpoints(ws.model)
    figures, tables = [result.figure()], [("Fitted models", result.model_summary)]
    notes = list(result.notes)
    try:
        holdout, tracking = _holdout_check(ws, purchases)
    except (FitError, EmptyResultError) as exc:
        notes.append(f"No holdout check: {exc}")
    else:
        figures += [tracking, holdout_figure(holdout)]
        tables.append(("Holdout check: mean purchases by calibration frequency", holdout))
    columns = ["customer_id", "frequency", "p_alive", "expected_purchases", "expected_spend", "clv"]
    top = result.table.head(TOP)[columns]
    tables.append((f"Top {TOP} customers by lifetime value", top))
    intro = (
        f"Purchases ({', '.join(purchases)}; one transaction per customer and day) follow the BG/NBD model "
        "(Fader, Hardie & Lee 2005), spend per transaction the gamma-gamma model. CLV is the expected spend "
        f"over the next {HORIZON_WEEKS} weeks discounted at {WEEKLY_DISCOUNT:.2%} a week. The heatmap shows "
        "the probability that a customer is still active given their number of repeat purchases and the time "
        "of the last one; the holdout check refits on the first two thirds of the data and predicts the "
        "rest, for the whole cohort over time and by the customers' number of purchases."
    )
    return Section("Customer lifetime value", intro=intro, figures=figures, tables=tables, notes=notes)


def _holdout_check(ws: Workspace, purchases: list[str]) -> tuple[pd.DataFrame, go.Figure]:
    """Refit on the first :data:`CALIBRATION_SHARE` of the days; holdout table and tracking figure."""
    ev = ws.engine.events
    span = ws.engine.execute(ev.aggregate(first=ev.timestamp.min(), last=ev.timestamp.max())).iloc[0]
    first, last = pd.Timestamp(span["first"]), pd.Timestamp(span["last"])
    calibration_end = (first + timedelta(days=int((last - first).days * CALIBRATION_SHARE))).date()
    summary = calibration_holdout(ws.engine, purchases, calibration_end, last.date(), unit="week")
    model = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    tracking = tracking_figure(cumulative_tracking(ws.engine, model, purchases), calibration_end)
    return holdout_comparison(model, summary), tracking
