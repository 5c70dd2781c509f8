"""Plotly figures of schedules: PERT chart, Gantt chart, finish-time distribution, tornado chart.

* PERT chart: activity-on-node, one column per topological level, each box showing ES/EF on top, LS/LF
  below and the total float; critical activities and driving dependencies in red.
* Gantt: a bar from early start to early finish per activity and a thin bar for its total float (how far
  it may slip); critical activities in red.
* Finish distribution: histogram of the simulated project duration with its S-curve (cumulative
  probability) on a second axis, P50/P80/P95 and the deadline marked.
* Tornado: the activities' rank correlations with the finish, largest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

if TYPE_CHECKING:
    from journeykit.schedule.cpm import CPMResult
    from journeykit.schedule.montecarlo import MonteCarloResult

CRITICAL = "#c0392b"
NORMAL = "#2f6f9f"
FLOAT = "rgba(47, 111, 159, 0.25)"
#: Above this many activities the PERT chart drops the box texts (hover still shows them).
LABEL_LIMIT = 80


def pert_chart(result: "CPMResult") -> go.Figure:
    """Activity-on-node PERT chart laid out by topological level (see the module docstring)."""
    plan = result.plan
    t = result.table.reset_index(drop=True)
    level = plan.level
    row = np.zeros(len(t), dtype=int)
    for lv in np.unique(level):
        members = np.flatnonzero(level == lv)
        row[members] = np.arange(members.size) - (members.size - 1) / 2
    pos = {aid: (float(level[i]), -float(row[i])) for i, aid in enumerate(t["id"])}
    fig = go.Figure()
    deps = result.dependencies
    crit = set(result.critical)
    hot = deps["driving"] & deps["pred"].isin(crit) & deps["succ"].isin(crit)
    for sel, color, width in ((deps[~hot], "#9aa5b1", 1), (deps[hot], CRITICAL, 2)):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for p, s in zip(sel["pred"], sel["succ"]):
            (x0, y0), (x1, y1) = pos[p], pos[s]
            xs += [x0 + 0.3, x1 - 0.3, None]
            ys += [y0, y1, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=color, width=width), hoverinfo="skip",
                                 showlegend=False))
    labels = [
        f"<b>{r.id}</b><br>{r.es:.4g} | {r.ef:.4g}<br>{r.ls:.4g} | {r.lf:.4g}<br>TF {r.total_float:.4g}"
        for r in t.itertuples()
    ]
    colors = [CRITICAL if c else NORMAL for c in t["critical"]]
    fig.add_trace(
        go.Scatter(
            x=[pos[a][0] for a in t["id"]],
            y=[pos[a][1] for a in t["id"]],
            mode="markers+text" if len(t) <= LABEL_LIMIT else "markers",
            marker=dict(symbol="square", size=58 if len(t) <= LABEL_LIMIT else 8, color="white",
                        line=dict(color=colors, width=2)),
            text=labels,
            textfont=dict(size=9),
            hovertext=[f"{r.name}: ES {r.es:.4g}, EF {r.ef:.4g}, LS {r.ls:.4g}, LF {r.lf:.4g}, "
                       f"total float {r.total_float:.4g}, free float {r.free_float:.4g}" for r in t.itertuples()],
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_layout(
        title=f"PERT chart: {plan.name} (duration {result.duration:.4g} {plan.unit}; critical in red)",
        xaxis=dict(title="topological level", showgrid=False, zeroline=False, dtick=1),
        yaxis=dict(visible=False),
        plot_bgcolor="white",
        height=max(350, 90 * int(np.bincount(level).max())),
    )
    return fig


def gantt(result: "CPMResult") -> go.Figure:
    """Gantt chart from ES to EF with total-float bars; critical activities in red.

    With a calendar and a start date the axis shows dates: a bar runs from the start of its first
    working day to the end of its last one, and the float bar to the end of its late finish day.
    """
    t = result.table.iloc[::-1]
    plan = result.plan
    unit = plan.unit if plan is not None else ""
    labels = [f"{i} {n}" if n != i else i for i, n in zip(t["id"], t["name"])]
    colors = [CRITICAL if c else NORMAL for c in t["critical"]]
    fig = go.Figure()
    if "start_date" in t:
        day = np.timedelta64(1, "D")
        start = t["start_date"].to_numpy(dtype="datetime64[D]")
        end = t["finish_date"].to_numpy(dtype="datetime64[D]") + day
        end = np.where(t["duration"].to_numpy() > 0, end, start)  # milestones have no length
        late = plan.calendar.finish_dates(plan.start, t["lf"], plan.unit) + day
        ms = np.timedelta64(1, "ms")
        fig.add_trace(go.Bar(y=labels, x=(end - start) / ms, base=start.astype(str), orientation="h",
                             name="activity", marker_color=colors,
                             customdata=np.c_[start.astype(str), (end - day).astype(str)],
                             hovertemplate="%{y}: %{customdata[0]} to %{customdata[1]}<extra></extra>"))
        fig.add_trace(go.Bar(y=labels, x=np.maximum(late - end, 0) / ms, base=end.astype(str), orientation="h",
                             name="total float", marker_color=FLOAT,
                             hovertemplate="%{y}: float to %{x}<extra></extra>"))
        fig.update_xaxes(type="date")
        axis = "date"
    else:
        fig.add_trace(go.Bar(y=labels, x=t["duration"], base=t["es"], orientation="h", name="activity",
                             marker_color=colors, hovertemplate="%{y}: %{base:.4g} to %{x:.4g} long<extra></extra>"))
        fig.add_trace(go.Bar(y=labels, x=t["total_float"], base=t["ef"], orientation="h", name="total float",
                             marker_color=FLOAT, hovertemplate="%{y}: float %{x:.4g}<extra></extra>"))
        axis = f"time ({unit})"
    fig.update_layout(
        title=f"Gantt chart (project duration {result.duration:.4g} {unit}; critical in red)",
        barmode="overlay",
        xaxis_title=axis,
        height=max(300, 22 * len(t) + 120),
        legend=dict(orientation="h"),
    )
    return fig


def finish_distribution(result: "MonteCarloResult") -> go.Figure:
    """Histogram and S-curve of the simulated finish with percentiles and the deadline."""
    f = np.sort(result.finish)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Histogram(x=f, histnorm="probability", nbinsx=60, name="finish", marker_color=NORMAL,
                               opacity=0.7), secondary_y=False)
    step = max(1, f.size // 2000)
    fig.add_trace(go.Scatter(x=f[::step], y=(np.arange(f.size)[::step] + 1) / f.size, name="P(finish <= x)",
                             line=dict(color="#243b53")), secondary_y=True)
    for q in (50, 80, 95):
        x = float(np.percentile(f, q))
        fig.add_vline(x=x, line=dict(color="#7b8794", dash="dot"), annotation_text=f"P{q} {x:.4g}")
    title = f"Simulated project duration ({f.size:,} iterations)"
    if result.deadline is not None:
        p = result.probability(result.deadline)
        fig.add_vline(x=result.deadline, line=dict(color=CRITICAL, width=2),
                      annotation_text=f"deadline {result.deadline:.4g}: P = {p:.2f}")
        title += f"; P(finish <= {result.deadline:.4g}) = {p:.2f}"
    fig.update_layout(title=title, xaxis_title=f"project duration ({result.unit})", bargap=0.02,
                      legend=dict(orientation="h"))
    fig.update_yaxes(title_text="share of iterations", secondary_y=False)
    fig.update_yaxes(title_text="cumulative probability", range=[0, 1], secondary_y=True)
    return fig


def tornado(result: "MonteCarloResult", top: int = 15) -> go.Figure:
    """Tornado chart of the activities' Spearman correlation with the finish (largest ``top``)."""
    t = result.table.dropna(subset=["sensitivity"])
    t = t.reindex(t["sensitivity"].abs().sort_values(ascending=False).index).head(top).iloc[::-1]
    fig = go.Figure(go.Bar(
        y=t["id"], x=t["sensitivity"], orientation="h",
        marker_color=[CRITICAL if c >= 0.5 else NORMAL for c in t["criticality"]],
        customdata=np.c_[t["criticality"]],
        hovertemplate="%{y}: rank correlation %{x:.2f}, critical in %{customdata[0]:.0%} of iterations<extra></extra>",
    ))
    fig.update_layout(title="Sensitivity: rank correlation of each activity's duration with the finish "
                            "(red: critical in at least half the iterations)",
                      xaxis=dict(title="Spearman correlation", range=[-1, 1]), height=max(300, 26 * len(t) + 120))
    return fig


__all__ = ["finish_distribution", "gantt", "pert_chart", "tornado"]
