"""Internal benchmarking: the same KPIs across segments, channels, regions or periods, against a baseline.

Each group's KPI is compared with the baseline group's (the best group, or a named one such as the previous
period) by the difference ``d = x_group − x_baseline`` with ``se(d) = √(se_group² + se_baseline²)``
(independent samples), the interval ``d ± z·se(d)`` and the two-sided p-value of ``z = d / se(d)``.  The
standard errors are those of the KPI's own interval: adjusted-Wald for NPS (Rocks 2016: ¾ added to promoters
and detractors, 3 to n), binomial for shares (Wilson intervals), Student-t for means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from journeykit.analytics.intervals import z_value
from journeykit.engine import Engine, Filters
from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.insight.benchmark.kpis import KPIS
from journeykit.insight.benchmark.measure import measure_groups
from journeykit.model import JourneyModel
from journeykit.result import Result

BEST = "best"


@dataclass
class InternalBenchmarkResult(Result):
    """KPIs per group against a baseline group.

    ``table``: ``kpi_id, kpi, unit, group, n, value, ci_low, ci_high, baseline, baseline_value, difference,
    diff_low, diff_high, p_value, better`` (the group is significantly better / worse than the baseline, or
    ``"same"``), ``small_sample``.
    """

    title: str = "Internal benchmark"

    def figure(self):
        """One panel per KPI: the value of each group with its interval."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        ids = list(dict.fromkeys(self.table["kpi_id"]))
        fig = make_subplots(rows=len(ids), cols=1, subplot_titles=ids)
        for i, kpi_id in enumerate(ids, start=1):
            t = self.table[self.table["kpi_id"] == kpi_id]
            fig.add_trace(go.Scatter(
                x=t["group"], y=t["value"], mode="markers", showlegend=False,
                error_y=dict(type="data", symmetric=False, array=t["ci_high"] - t["value"],
                             arrayminus=t["value"] - t["ci_low"]),
            ), row=i, col=1)
        return fig.update_layout(title=self.title, height=220 * len(ids) + 80)


def compare_groups(
    measured: pd.DataFrame, baseline: str = BEST, confidence: float = 0.95, min_n: int = 30
) -> pd.DataFrame:
    """Compare every group's KPIs with the baseline group (formula in the module docstring).

    Raises
    ------
    JourneykitError
        A named baseline that is not one of the groups.
    """
    groups = set(measured["group"])
    if baseline != BEST and baseline not in groups:
        raise JourneykitError(f"baseline group {baseline!r} is not among the groups {sorted(groups)}")
    z = z_value(confidence)
    frames = []
    for kpi_id, rows in measured.groupby("kpi_id", sort=False):
        rows = rows.reset_index(drop=True)
        higher = KPIS[rows["kpi"].iloc[0]].higher_is_better
        if baseline == BEST:
            base = rows.loc[rows["value"].idxmax() if higher else rows["value"].idxmin()]
        elif baseline in set(rows["group"]):
            base = rows[rows["group"] == baseline].iloc[0]
        else:
            continue
        diff = rows["value"] - base["value"]
        se = np.sqrt(rows["se"] ** 2 + base["se"] ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            zs = np.where(se > 0, diff / se, np.nan)
        p = 2 * stats.norm.sf(np.abs(zs))
        sign = np.sign(diff) * (1 if higher else -1)
        significant = p < 1 - confidence
        verdict = np.select([significant & (sign > 0), significant & (sign < 0)], ["better", "worse"], "same")
        frames.append(pd.DataFrame({
            "kpi_id": kpi_id, "kpi": rows["kpi"], "unit": rows["unit"], "group": rows["group"],
            "n": rows["n"], "value": rows["value"], "ci_low": rows["ci_low"], "ci_high": rows["ci_high"],
            "baseline": base["group"], "baseline_value": base["value"], "difference": diff,
            "diff_low": diff - z * se, "diff_high": diff + z * se, "p_value": p, "better": verdict,
            "small_sample": rows["n"] < min_n,
        }))
    if not frames:
        raise EmptyResultError(f"no KPI is measured in the baseline group {baseline!r}")
    return pd.concat(frames, ignore_index=True)


def internal_benchmark(
    engine: Engine,
    model: JourneyModel,
    by: str,
    baseline: str = BEST,
    purchase: list[str] | None = None,
    support: list[str] | None = None,
    min_n: int = 30,
    confidence: float = 0.95,
    filters: Filters | None = None,
) -> InternalBenchmarkResult:
    """KPIs across ``by`` groups (``segment:<attribute>``, ``channel``, ``period:<day|week|month>``) against
    the best group or a named one (``baseline="2025-06"`` for a past period).

    Raises
    ------
    EmptyResultError
        No KPI could be measured in any group.
    """
    measured = measure_groups(engine, model, by, filters, purchase=purchase, support=support,
                              confidence=confidence)
    if measured.empty:
        raise EmptyResultError(f"no KPI could be measured in any group of {by!r}")
    table = compare_groups(measured, baseline, confidence, min_n)
    notes = []
    if table["small_sample"].any():
        notes.append(f"{int(table['small_sample'].sum())} group KPIs rest on fewer than {min_n} answers or "
                     "customers: read their intervals, not the value.")
    return InternalBenchmarkResult(
        table=table, params={"by": by, "baseline": baseline, "min_n": min_n, "confidence": confidence,
                             "filters": (filters or Filters()).describe()},
        notes=notes, title=f"Internal benchmark by {by} (baseline: {baseline})",
    )
