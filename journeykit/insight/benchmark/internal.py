"""Internal benchmarking: the same KPIs across segments, channels, regions or periods, against a baseline.

Each group's KPI is compared with the baseline group's (the best group, or a named one such as the previous
period) by the difference ``d = x_group − x_baseline`` of independent samples:

* shares (CSAT, conversion, repeat purchase, churn: ``k`` of ``n``): Newcombe's (1998) hybrid score interval
  from the two Wilson intervals and the p-value of the test that inverts it
  (:mod:`journeykit.analytics._proportions`), so the verdict agrees with the interval and a share of 0 or
  100 % on a few answers is not declared better or worse than a large group on the strength of a zero
  standard error;
* NPS and means: ``se(d) = √(se_group² + se_baseline²)``, the interval ``d ± z·se(d)`` and the two-sided
  p-value of ``z = d / se(d)``, with the standard errors of the KPI's own interval (adjusted-Wald for NPS,
  Rocks 2016: ¾ added to promoters and detractors, 3 to n; Student-t for means, NaN where not estimable,
  which gives no verdict).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from journeykit.analytics._proportions import two_proportion_test
from journeykit.analytics.intervals import z_value
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.errors import MODEL_EXAMPLE, EmptyResultError, JourneykitError, check_kind
from journeykit.insight.benchmark.kpis import KPIS
from journeykit.insight.benchmark.measure import PROPORTION_KPIS, measure_groups
from journeykit.model import JourneyModel
from journeykit.result import Result

BEST = "best"


@dataclass
class InternalBenchmarkResult(Result):
    """KPIs per group against a baseline group.

    ``table``: ``kpi_id, kpi, unit, group, n, value, ci_low, ci_high, baseline, baseline_value, difference,
    diff_low, diff_high, p_value, better`` (the group is significantly better / worse than the baseline, or
    ``"same"``; ``"baseline"``, with no interval or p-value, on the baseline group's own row), ``small_sample``.
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
        if rows["kpi"].iloc[0] in PROPORTION_KPIS:  # shares in %: k of n answers or customers
            n, n_base = rows["n"].to_numpy(dtype=float), float(base["n"])
            k = np.round(rows["value"].to_numpy(dtype=float) * n / 100)
            k_base = round(float(base["value"]) * n_base / 100)
            test = two_proportion_test(np.full_like(n, k_base), np.full_like(n, n_base), k, n, confidence)
            low, high = 100 * test["ci_low"].to_numpy(), 100 * test["ci_high"].to_numpy()
            p, significant = test["p_value"].to_numpy(), test["significant"].to_numpy()
        else:
            se = np.sqrt(rows["se"] ** 2 + base["se"] ** 2)
            with np.errstate(divide="ignore", invalid="ignore"):
                zs = np.where(se > 0, diff / se, np.nan)
            p = 2 * stats.norm.sf(np.abs(zs))
            low, high = diff - z * se, diff + z * se
            significant = p < 1 - confidence
        sign = np.sign(diff) * (1 if higher else -1)
        verdict = np.select([significant & (sign > 0), significant & (sign < 0)], ["better", "worse"], "same")
        # the baseline is not an independent sample of itself: no interval, no test
        own = (rows["group"] == base["group"]).to_numpy()
        low, high, p = (np.where(own, np.nan, np.asarray(v, dtype=float)) for v in (low, high, p))
        verdict = np.where(own, "baseline", verdict)
        frames.append(pd.DataFrame({
            "kpi_id": kpi_id, "kpi": rows["kpi"], "unit": rows["unit"], "group": rows["group"],
            "n": rows["n"], "value": rows["value"], "ci_low": rows["ci_low"], "ci_high": rows["ci_high"],
            "baseline": base["group"], "baseline_value": base["value"], "difference": diff,
            "diff_low": low, "diff_high": high, "p_value": p, "better": verdict,
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
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
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
                             "filters": filters.describe()},
        notes=notes, title=f"Internal benchmark by {by} (baseline: {baseline})",
    )
