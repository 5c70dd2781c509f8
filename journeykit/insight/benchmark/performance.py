"""Performance benchmarking: the workspace's KPIs against a reference set, as scores and a benchmark index.

:func:`benchmark` measures the KPIs (:mod:`~journeykit.insight.benchmark.measure`), scores each against the
reference frontier and combines the scores into journey and stage indices
(:mod:`~journeykit.insight.benchmark.index`, whose docstring gives the formula), overall, per group
(segment, channel) and per period (the trend of the index).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from journeykit.analytics._empty import why_no_events
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.errors import MODEL_EXAMPLE, EmptyResultError, check_kind
from journeykit.insight.benchmark.index import FORMULA, check_weight_keys, composite_index, score_kpis
from journeykit.insight.benchmark.measure import measure_groups, measure_kpis
from journeykit.insight.benchmark.reference import ReferenceSet, load_reference
from journeykit.model import JourneyModel
from journeykit.result import Result

MIN_N = 30

CAVEAT = (
    "Published benchmarks use other panels, questions and years than your surveys: read the scores as an "
    "order of magnitude, and compare indices over time only against the same reference version."
)


@dataclass
class BenchmarkResult(Result):
    """KPI scores against a reference set and the benchmark indices.

    Attributes
    ----------
    table : DataFrame
        One row per scored KPI and group (:data:`~journeykit.insight.benchmark.index.SCORE_COLUMNS`).
    index : DataFrame
        Journey and stage indices per group (:func:`~journeykit.insight.benchmark.index.composite_index`).
    trend : DataFrame
        The indices per period (empty without ``periods``).
    measured : DataFrame
        Every measured KPI, scored or not.
    references : DataFrame
        The reference rows of the set (KPI, figures, source, year, URL, evidence).
    """

    index: pd.DataFrame = field(default_factory=pd.DataFrame)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    measured: pd.DataFrame = field(default_factory=pd.DataFrame)
    references: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Benchmark"

    def figure(self, kind: str = "scores"):
        """``"scores"``: score per KPI (0-100, interval) of the overall group; ``"trend"``: the journey
        index per period with its interval."""
        import plotly.graph_objects as go

        if kind == "trend":
            t = self.trend[self.trend["scope"] == "journey"]
            fig = go.Figure(go.Scatter(
                x=t["group"], y=t["index"], mode="lines+markers", name="journey index",
                error_y=dict(type="data", symmetric=False, array=t["ci_high"] - t["index"],
                             arrayminus=t["index"] - t["ci_low"]),
            ))
            return fig.update_layout(title="Benchmark index per period",
                                     yaxis=dict(title="index (0-100)", range=[0, 100]))
        if kind != "scores":
            raise ValueError(f"kind must be 'scores' or 'trend', got {kind!r}")
        t = self.table[self.table["group"] == "all"].iloc[::-1]
        fig = go.Figure(go.Bar(
            x=t["score"], y=t["kpi_id"], orientation="h",
            marker_color=["#bcccdc" if s else "#486581" for s in t["small_sample"]],
            error_x=dict(type="data", symmetric=False, array=t["score_high"] - t["score"],
                         arrayminus=t["score"] - t["score_low"]),
        ))
        journey = self.index[(self.index["group"] == "all") & (self.index["scope"] == "journey")]
        title = "Distance to frontier per KPI (100 = at the best reference)"
        if not journey.empty:
            title += f" — journey index {journey['index'].iloc[0]:.1f}"
        return fig.update_layout(title=title, xaxis=dict(range=[0, 100], title="score"),
                                 height=max(300, 30 * len(t) + 120))


def _names(order: list[str], groups: pd.Series) -> str:
    """The groups in ``order`` that are among ``groups``: the first five by name, then how many more."""
    names = [g for g in order if g in set(groups)]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def benchmark(
    engine: Engine,
    model: JourneyModel,
    reference: ReferenceSet | None = None,
    by: str | None = None,
    periods: str | None = None,
    weights: dict[str, float] | None = None,
    industry: str | None = None,
    purchase: list[str] | None = None,
    support: list[str] | None = None,
    min_n: int = MIN_N,
    confidence: float = 0.95,
    filters: Filters | None = None,
) -> BenchmarkResult:
    """Benchmark the journey's KPIs against a reference set.

    Parameters
    ----------
    engine, model
    reference : ReferenceSet, optional
        From :func:`~journeykit.insight.benchmark.reference.load_reference`; default: the set shipped with
        journeykit (``journeykit/insight/references/default.yaml``).
    by : str, optional
        Also score each group: ``segment:<attribute>`` or ``channel``.
    periods : {"day", "week", "month"}, optional
        Also compute the index per period (``trend``).
    weights : dict, optional
        Weight per ``kpi_id`` or ``kpi`` in the indices (default 1 each).
    industry : str, optional
        Only reference rows whose industry contains this text.
    purchase : list of str, optional
        Purchase touchpoints (repeat purchase and churn KPIs).
    support : list of str, optional
        Touchpoints that open support cases (first response and resolution times).
    min_n : int
        KPIs on fewer answers or customers are flagged and every index using them is marked
        ``reliable = False`` with a warning, as is every index using a KPI whose sampling error cannot be
        estimated (its se and interval are then NaN).
    confidence : float
    filters : Filters, optional

    Raises
    ------
    EmptyResultError
        Nothing measurable, or no measured KPI has a reference.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
    ref = reference if reference is not None else load_reference()
    options = dict(purchase=purchase, support=support, confidence=confidence)
    measured = measure_kpis(engine, model, filters, **options)
    if measured.empty:
        if filters != Filters() and int(engine.execute(filters.apply(engine.events).count())) == 0:
            raise EmptyResultError(f"no KPI could be measured: {why_no_events(engine, engine.events, filters)}")
        raise EmptyResultError("no KPI could be measured: the workspace has no events or survey responses")
    referenced = {r.kpi for r in ref.rows}  # groups and periods measure only what can be scored
    if by is not None:
        groups = measure_groups(engine, model, by, filters, kpis=referenced, **options)
        measured = pd.concat([measured, groups], ignore_index=True)
    weight_notes = check_weight_keys(weights or {}, measured)
    scores, notes = score_kpis(measured, ref, weights, industry, min_n, confidence)
    notes = weight_notes + notes
    if scores.empty:
        raise EmptyResultError(
            f"none of the measured KPIs ({sorted(set(measured['kpi']))}) has a usable figure in the "
            f"reference set '{ref.name}' {ref.version}" + (f" for industry {industry!r}" if industry else "")
        )
    index = composite_index(scores, confidence)
    trend, period_scores = pd.DataFrame(), scores.iloc[:0]
    if periods is not None:
        per_period = measure_groups(engine, model, f"period:{periods}", filters, kpis=referenced, **options)
        period_scores, _ = score_kpis(per_period, ref, weights, industry, min_n, confidence)
        trend = composite_index(period_scores, confidence) if not period_scores.empty else pd.DataFrame()
    notes = [f"Formula: {FORMULA}.", CAVEAT, *dict.fromkeys(notes)]
    order = list(dict.fromkeys([*index["group"], *(trend["group"] if not trend.empty else [])]))
    used = pd.concat([scores, period_scores], ignore_index=True) if len(period_scores) else scores
    used = used[used["weight"] > 0]
    small = used[used["small_sample"]]
    if len(small):
        notes.append(
            f"Warning: the index of {_names(order, small['group'])} rests on a KPI measured on fewer than "
            f"{min_n} answers or customers (smallest n = {int(small['n'].min())}); such indices are marked "
            "reliable = False."
        )
    no_se = used[used["score_se"].isna()]
    if len(no_se):
        notes.append(
            f"Warning: the sampling error of {', '.join(dict.fromkeys(no_se['kpi_id']))} could not be "
            f"estimated in {_names(order, no_se['group'])} (a mean of fewer than 2 cases or answers, or of "
            "values that are all equal): the index there has no se or interval and is marked "
            "reliable = False."
        )
    return BenchmarkResult(
        table=scores, index=index, trend=trend, measured=measured,
        references=pd.DataFrame([r.model_dump() for r in ref.rows]),
        params={"reference": ref.name, "version": ref.version, "fingerprint": ref.fingerprint(), "by": by,
                "periods": periods, "industry": industry, "weights": weights or "equal", "min_n": min_n,
                "confidence": confidence, "filters": filters.describe()},
        notes=notes, title=f"Benchmark against {ref.name} {ref.version}",
    )
