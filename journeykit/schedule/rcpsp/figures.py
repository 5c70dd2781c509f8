"""Plotly figures of resource-constrained schedules: Gantt chart and resource-load histogram."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: Bar colours by the ``kind`` column of a Gantt table (activities, chain, buffers).
COLOURS = {
    "activity": "#9fb3c8",
    "critical chain": "#d64545",
    "project buffer": "#f0b429",
    "feeding buffer": "#f7d070",
}


def gantt(table: pd.DataFrame, title: str = ""):
    """Horizontal bars from ``start`` to ``finish``, one row per ``activity``, coloured by ``kind``.

    Parameters
    ----------
    table : DataFrame
        Columns ``activity``, ``start``, ``finish`` and optionally ``kind`` (see :data:`COLOURS`).
    title : str
    """
    import plotly.graph_objects as go

    kinds = table["kind"] if "kind" in table else pd.Series("activity", index=table.index)
    fig = go.Figure()
    for kind in dict.fromkeys(kinds):
        rows = table[kinds == kind]
        fig.add_trace(go.Bar(
            y=rows["activity"], x=rows["finish"] - rows["start"], base=rows["start"], orientation="h",
            name=kind, marker_color=COLOURS.get(kind, "#829ab1"),
            hovertemplate="%{y}: %{base} to %{x}<extra>" + kind + "</extra>",
        ))
    fig.update_yaxes(autorange="reversed", title=None, type="category")
    fig.update_xaxes(title="period")
    fig.update_layout(title=title, barmode="overlay", height=max(300, 18 * len(table) + 120), legend_title=None)
    return fig


def resource_load(profile: pd.DataFrame, capacities: Mapping[str, float], title: str = "Resource load"):
    """One step histogram per resource: units in use per period, with the capacity as a dashed line."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(profile.columns)
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, subplot_titles=names)
    for row, name in enumerate(names, start=1):
        fig.add_trace(go.Bar(x=profile.index, y=profile[name], name=name, showlegend=False,
                             marker_color="#486581"), row=row, col=1)
        fig.add_hline(y=capacities[name], line_dash="dash", line_color="#d64545", row=row, col=1)
    fig.update_layout(title=title, height=160 * len(names) + 80, bargap=0)
    fig.update_xaxes(title="period", row=len(names), col=1)
    return fig


__all__ = ["COLOURS", "gantt", "resource_load"]
