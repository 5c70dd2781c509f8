"""Cumulative repeat transactions over calendar time, actual vs model (Fader, Hardie & Lee 2005, Fig. 2-3).

Customers are acquired on different days ``d₀``.  A fitted model's expected cumulative repeat transactions
of the whole population at calendar time ``τ`` is

    E[R(τ)] = Σ_{d₀ < τ} n(d₀) · E[X(τ − d₀)],

with ``n(d₀)`` the customers whose first purchase was on day ``d₀`` and ``E[X(t)]`` the model's expected
purchases of a new customer (``expected_purchases``).  Plotted against the actual cumulative count across
a calibration and a holdout period, it shows whether the model tracks the purchasing of the cohort.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from ibis import _

from journeykit.analytics.clv.clv import TransactionModel
from journeykit.analytics.clv.summary import check_unit, transactions
from journeykit.engine import Engine, Filters
from journeykit.errors import EmptyResultError


def cumulative_tracking(
    engine: Engine,
    model: TransactionModel,
    purchase: str | list[str],
    unit: str = "week",
    column: str = "touchpoint",
    per_day: bool = True,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Actual and expected cumulative repeat transactions at the end of each period since the first purchase.

    Parameters
    ----------
    model : TransactionModel
        A fitted repeat-purchase model (its ``expected_purchases(t)`` is in ``unit`` periods).
    purchase, column, per_day, filters
        As in :func:`journeykit.analytics.clv.summary.calibration_holdout`.

    Returns
    -------
    DataFrame with ``period`` (1, 2, ...), ``day`` (days since the epoch where the period ends),
    ``actual`` and ``expected``.
    """
    unit_days = check_unit(unit)
    txn = transactions(engine, purchase, column, per_day, filters)
    starts = engine.execute(txn.filter(txn.first).group_by("day").aggregate(customers=_.count()))
    repeats = engine.execute(txn.filter(~txn.first).group_by("day").aggregate(transactions=_.count()))
    if starts.empty:
        raise EmptyResultError(f"no purchases ({column} in {purchase!r})")
    origin = int(starts["day"].min())
    last = int(max(starts["day"].max(), repeats["day"].max() if len(repeats) else origin))
    ends = origin + unit_days * np.arange(1, (last - origin) // unit_days + 2)
    counts, _edges = np.histogram(repeats["day"], bins=np.r_[origin, ends], weights=repeats["transactions"])
    actual = np.cumsum(counts)
    elapsed = (ends[:, None] - starts["day"].to_numpy()[None, :]) / unit_days
    expected = np.where(elapsed > 0, model.expected_purchases(np.clip(elapsed, 0, None)), 0.0)
    return pd.DataFrame(
        {
            "period": np.arange(1, ends.size + 1),
            "day": ends,
            "actual": actual,
            "expected": expected @ starts["customers"].to_numpy(dtype=float),
        }
    )


def tracking_figure(
    tracking: pd.DataFrame, calibration_end: date | None = None, unit: str = "week"
) -> go.Figure:
    """Line chart of :func:`cumulative_tracking`, with the end of the calibration day marked."""
    x = tracking["period"]
    fig = go.Figure(
        [
            go.Scatter(x=x, y=tracking["actual"], name="actual", mode="lines"),
            go.Scatter(x=x, y=tracking["expected"], name="model", mode="lines", line_dash="dash"),
        ]
    )
    if calibration_end is not None:
        end_day = (calibration_end - date(1970, 1, 1)).days + 1
        fig.add_vline(x=float(np.interp(end_day, tracking["day"], tracking["period"])), line_dash="dot",
                      annotation_text="end of calibration")
    return fig.update_layout(
        title="Cumulative repeat transactions",
        xaxis_title=f"{unit}s since the first purchase",
        yaxis_title="repeat transactions",
    )
