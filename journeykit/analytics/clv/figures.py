"""Population plots of fitted repeat-purchase models (Plotly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from journeykit.analytics.clv.clv import TransactionModel
from journeykit.errors import JourneykitError

QUANTITIES = ("p_alive", "expected_purchases")


def frequency_recency_matrix(
    model: TransactionModel,
    T: float,
    max_frequency: int,
    quantity: str = "p_alive",
    t: float = 1.0,
    grid: int = 40,
) -> pd.DataFrame:
    """P(alive) or expected purchases in the next ``t`` periods for a customer of age ``T``.

    Rows are frequencies ``0..max_frequency``, columns recencies on ``grid`` points of ``[0, T]``;
    impossible cells (recency > 0 without repeats) are NaN.
    """
    if quantity not in QUANTITIES:
        raise JourneykitError(f"quantity must be one of {QUANTITIES}, got {quantity!r}")
    x = np.arange(max_frequency + 1, dtype=float)[:, None]
    t_x = np.linspace(0.0, T, grid)[None, :]
    x_b, t_b = np.broadcast_arrays(x, t_x)
    if quantity == "p_alive":
        values = model.probability_alive(x_b, t_b, np.full_like(x_b, T))
    else:
        values = model.conditional_expected_purchases(t, x_b, t_b, np.full_like(x_b, T))
    values = np.where((x_b == 0) & (t_b > 0), np.nan, values)
    return pd.DataFrame(values, index=pd.Index(x.ravel().astype(int), name="frequency"), columns=t_x.ravel())


def frequency_recency_figure(
    model: TransactionModel, customers: pd.DataFrame, quantity: str = "p_alive", t: float = 1.0
) -> go.Figure:
    """Heatmap of :func:`frequency_recency_matrix` at the customers' largest age and frequency."""
    age = float(customers["T"].max())
    max_frequency = int(min(customers["frequency"].max(), 50))
    matrix = frequency_recency_matrix(model, age, max_frequency, quantity, t)
    label = "P(alive)" if quantity == "p_alive" else f"expected purchases in the next {t:g} periods"
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(), x=matrix.columns, y=matrix.index, colorscale="Viridis", colorbar_title=label
        )
    )
    return fig.update_layout(
        title=f"{label} by frequency and recency (customer age {age:.1f})",
        xaxis_title="recency (time of last purchase)",
        yaxis_title="repeat purchases (frequency)",
    )


def holdout_figure(comparison: pd.DataFrame) -> go.Figure:
    """Actual vs predicted mean holdout purchases by calibration frequency (from ``holdout_comparison``)."""
    x = comparison["calibration_frequency"]
    fig = go.Figure(
        [
            go.Scatter(x=x, y=comparison["actual"], mode="lines+markers", name="actual"),
            go.Scatter(x=x, y=comparison["predicted"], mode="lines+markers", name="model", line_dash="dash"),
        ]
    )
    return fig.update_layout(
        title="Purchases in the holdout period by purchases in the calibration period",
        xaxis_title="repeat purchases in calibration",
        yaxis_title="mean purchases in holdout",
    )
