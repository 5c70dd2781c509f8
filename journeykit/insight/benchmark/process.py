"""Process benchmarking: the step timings of two journeys (periods, segments, channels) side by side.

Both sides are the directly-follows transitions of :func:`journeykit.analytics.transitions.transitions`
under their own filters.  For each transition present on both sides the median time is compared
(``ratio = median_b / median_a``); ``slower`` names the side whose median is more than ``tolerance`` longer,
on transitions observed at least ``min_count`` times on both sides.  The most frequent variants
(:func:`journeykit.analytics.paths.variants`) are compared by their share of journeys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from journeykit.analytics.paths import variants
from journeykit.analytics.transitions import transitions
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.result import Result

HOUR = 3600.0


@dataclass
class ProcessBenchmarkResult(Result):
    """Transition times of journeys ``a`` and ``b``.

    Attributes
    ----------
    table : DataFrame
        ``source, target, count_a, count_b, probability_a, probability_b, median_hours_a, median_hours_b,
        p90_hours_a, p90_hours_b, difference_hours (b − a), ratio, slower ("a", "b" or "")``: transitions
        with ``min_count`` occurrences on both sides first, largest differences first.
    variants : DataFrame
        ``variant, share_a, share_b, difference`` of the most frequent variants.
    """

    variants: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Process benchmark"

    def figure(self):
        """Dumbbell chart: median hours per transition on both sides."""
        import plotly.graph_objects as go

        t = self.table.head(20).iloc[::-1]
        labels = t["source"] + " → " + t["target"]
        a, b = self.params.get("label_a", "a"), self.params.get("label_b", "b")
        fig = go.Figure()
        for side, name in (("a", a), ("b", b)):
            fig.add_trace(go.Scatter(x=t[f"median_hours_{side}"], y=labels, mode="markers", name=name,
                                     marker=dict(size=9)))
        for _, row in t.iterrows():
            fig.add_shape(type="line", x0=row["median_hours_a"], x1=row["median_hours_b"],
                          y0=f"{row['source']} → {row['target']}", y1=f"{row['source']} → {row['target']}",
                          line=dict(color="#9fb3c8"))
        return fig.update_layout(title=f"{self.title}: median time per transition", xaxis_title="hours",
                                 height=max(320, 28 * len(t) + 120))


def compare_process(
    engine: Engine,
    a: Filters,
    b: Filters,
    label_a: str = "a",
    label_b: str = "b",
    level: str = "touchpoint",
    by: str = "customer",
    min_count: int = 30,
    tolerance: float = 0.2,
    top_variants: int = 10,
) -> ProcessBenchmarkResult:
    """Compare the transition times (and variants) of the journeys selected by filters ``a`` and ``b``.

    Parameters
    ----------
    engine : Engine
    a, b : Filters
        The two journeys: periods (``start``/``end``), segments or channels.
    label_a, label_b : str
        Names shown in the table and figure.
    level, by : str
        As in :func:`~journeykit.analytics.transitions.transitions`.
    min_count : int
        Transitions seen fewer times on either side are never called slower.
    tolerance : float
        Relative difference of medians above which a side is called slower (0.2 = 20 %).
    top_variants : int
        Variants compared.
    """
    engine, a, b = as_engine(engine), as_filters(a, "a"), as_filters(b, "b")
    ta = transitions(engine, by=by, level=level, filters=a).table
    tb = transitions(engine, by=by, level=level, filters=b).table
    keep = ["source", "target", "count", "probability", "median_seconds", "p90_seconds"]
    merged = ta[keep].merge(tb[keep], on=["source", "target"], how="outer", suffixes=("_a", "_b"))
    out = pd.DataFrame({"source": merged["source"], "target": merged["target"]})
    for side in ("a", "b"):
        out[f"count_{side}"] = merged[f"count_{side}"].fillna(0).astype("int64")
        out[f"probability_{side}"] = merged[f"probability_{side}"]
        out[f"median_hours_{side}"] = merged[f"median_seconds_{side}"] / HOUR
        out[f"p90_hours_{side}"] = merged[f"p90_seconds_{side}"] / HOUR
    out["difference_hours"] = out["median_hours_b"] - out["median_hours_a"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["median_hours_b"] / out["median_hours_a"]
    enough = (out["count_a"] >= min_count) & (out["count_b"] >= min_count)
    out["slower"] = np.select(
        [enough & (out["ratio"] > 1 + tolerance), enough & (out["ratio"] < 1 / (1 + tolerance))],
        ["b", "a"], "",
    )
    out = (
        out.assign(_rare=~enough, _size=-out["difference_hours"].abs())
        .sort_values(["_rare", "_size"], na_position="last")
        .drop(columns=["_rare", "_size"])
        .reset_index(drop=True)
    )
    va = variants(engine, by=by, level=level, filters=a).table
    vb = variants(engine, by=by, level=level, filters=b).table
    var = va[["variant", "share"]].merge(vb[["variant", "share"]], on="variant", how="outer",
                                         suffixes=("_a", "_b"))
    var = var.fillna({"share_a": 0.0, "share_b": 0.0})
    var["difference"] = var["share_b"] - var["share_a"]
    var = var.assign(_top=var[["share_a", "share_b"]].max(axis=1))
    var = var.nlargest(top_variants, "_top").drop(columns="_top")
    slower_b = int((out["slower"] == "b").sum())
    slower_a = int((out["slower"] == "a").sum())
    notes = [f"{label_b} is slower on {slower_b} and {label_a} on {slower_a} transitions "
             f"(median more than {tolerance:.0%} longer, {min_count}+ occurrences on both sides)."]
    return ProcessBenchmarkResult(
        table=out, variants=var.reset_index(drop=True), notes=notes,
        params={"label_a": label_a, "label_b": label_b, "a": a.describe(), "b": b.describe(), "level": level,
                "by": by, "min_count": min_count, "tolerance": tolerance},
        title=f"Process benchmark: {label_a} vs {label_b}",
    )
