"""Plotly figures of flows: Sankey diagrams and the process map of a directly-follows graph."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Sequence

import pandas as pd

#: Most edges drawn on a process map (the most frequent ones); more are unreadable.
MAX_MAP_EDGES = 60


def sankey_figure(
    sources: Sequence[Hashable],
    targets: Sequence[Hashable],
    values: Sequence[float],
    label: dict[Hashable, str],
    title: str = "",
):
    """A Sankey diagram of links between node keys (``label`` gives the text shown for each key)."""
    import plotly.graph_objects as go

    keys = list(dict.fromkeys([*sources, *targets]))
    index = {k: i for i, k in enumerate(keys)}
    fig = go.Figure(
        go.Sankey(
            node=dict(label=[label[k] for k in keys], pad=14, thickness=14),
            link=dict(
                source=[index[s] for s in sources],
                target=[index[t] for t in targets],
                value=list(values),
            ),
        )
    )
    fig.update_layout(title=title, font_size=11)
    return fig


def sankey(table: pd.DataFrame, title: str = ""):
    """Sankey of a transitions table: sources on the left flow into targets on the right.

    Sources and targets are separate nodes so that loops (``A -> B -> A``) stay readable.
    """
    src = [("from", s) for s in table["source"]]
    tgt = [("to", t) for t in table["target"]]
    label = {k: str(k[1]) for k in [*src, *tgt]}
    return sankey_figure(src, tgt, table["count"].tolist(), label, title)


def _layers(table: pd.DataFrame, starts: pd.DataFrame) -> dict[str, int]:
    """Breadth-first depth of each node from the start steps (unreached nodes go last)."""
    out: dict[str, list[str]] = {}
    for s, t in zip(table["source"], table["target"]):
        out.setdefault(s, []).append(t)
    nodes = list(dict.fromkeys([*starts["step"], *table["source"], *table["target"]]))
    depth = {s: 0 for s in starts["step"] if s in nodes}
    queue = deque(depth)
    while queue:
        node = queue.popleft()
        for nxt in out.get(node, []):
            if nxt not in depth:
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    last = max(depth.values(), default=-1) + 1
    return {n: depth.get(n, last) for n in nodes}


def process_map(table: pd.DataFrame, starts: pd.DataFrame, ends: pd.DataFrame, title: str = ""):
    """Process map: nodes in layers by distance from the start, arrows sized by transition count.

    Arrow labels give the count and median time; self-loops are written next to their node.
    """
    import plotly.graph_objects as go

    edges = table.head(MAX_MAP_EDGES)
    layer = _layers(edges, starts)
    volume = edges.groupby("target")["count"].sum().add(starts.set_index("step")["count"], fill_value=0)
    by_layer: dict[int, list[str]] = {}
    for node in sorted(layer, key=lambda n: (layer[n], -volume.get(n, 0), n)):
        by_layer.setdefault(layer[node], []).append(node)
    pos = {n: (x, -i + (len(ns) - 1) / 2) for x, ns in by_layer.items() for i, n in enumerate(ns)}
    top = max(edges["count"].max() if len(edges) else 1, 1)
    loops: dict[str, int] = {}
    annotations = []
    for row in edges.itertuples(index=False):
        if row.source == row.target:
            loops[row.source] = int(row.count)
            continue
        (x0, y0), (x1, y1) = pos[row.source], pos[row.target]
        annotations.append(
            dict(
                x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                arrowhead=2, arrowwidth=1 + 5 * row.count / top, opacity=0.55, arrowcolor="#486581", text="",
            )
        )
        annotations.append(
            dict(
                x=(x0 + x1) / 2, y=(y0 + y1) / 2, showarrow=False, font=dict(size=9, color="#334e68"),
                text=f"{int(row.count):,} · {_duration(row.median_seconds)}",
            )
        )
    ends_by = ends.set_index("step")["count"] if len(ends) else pd.Series(dtype="int64")
    names = list(pos)
    fig = go.Figure(
        go.Scatter(
            x=[pos[n][0] for n in names],
            y=[pos[n][1] for n in names],
            mode="markers+text",
            text=[n + (f" ↻{loops[n]:,}" if n in loops else "") for n in names],
            textposition="top center",
            marker=dict(size=[12 + 28 * (volume.get(n, 0) / max(volume.max(), 1)) for n in names], color="#829ab1"),
            hovertext=[
                f"{n}<br>in: {int(volume.get(n, 0)):,}<br>ends here: {int(ends_by.get(n, 0)):,}" for n in names
            ],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        annotations=annotations, title=title, showlegend=False, plot_bgcolor="white",
        xaxis=dict(visible=False), yaxis=dict(visible=False),
    )
    return fig


def _duration(seconds: float) -> str:
    """A duration in the largest fitting unit (``"3.2 h"``)."""
    if seconds != seconds:  # NaN
        return "–"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"
