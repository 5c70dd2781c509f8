"""Survey and operational KPIs with confidence intervals.

Survey KPIs (from ``responses``; the survey's ``kind`` and scale ``[lo, hi]`` come from the journey model):

``nps``
    Net Promoter Score in points (−100..100): promoters answer ``hi−1..hi`` (9-10 on 0-10), detractors
    ``lo..hi−4`` (0-6); Wald or adjusted-Wald interval (:func:`journeykit.analytics.intervals.nps_interval`).
``csat``
    Top-two-box share in percent: answers in ``hi−1..hi`` (4-5 on 1-5); Wilson interval.
``ces`` and ``custom``
    Mean score on the survey's scale with a Student-t interval.

Rows are grouped per touchpoint (the response's own touchpoint, else the survey's), per stage (of that
touchpoint in the model), per segment (a free attribute, ``"segment:<attribute>"``) or per calendar
period (``"period:day|week|month"``, from epoch arithmetic and month indices).  Operational KPIs (from
``events``): the share of customers reaching each stage and, given the purchase touchpoints, the
repeat-purchase and inactive ("churned") shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis import _

from journeykit.analytics._periods import DAY, PERIODS, period_index, period_start
from journeykit.analytics.clv.summary import transactions
from journeykit.analytics.durations import distinct_count
from journeykit.analytics.intervals import (
    NPS_METHODS,
    nps_difference_test,
    nps_interval,
    t_interval,
    wilson_interval,
)
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.engine.expr import attribute, attribute_keys, epoch_seconds
from journeykit.errors import (
    MODEL_EXAMPLE,
    EmptyResultError,
    JourneykitError,
    as_list,
    check_at_least,
    check_choice,
    check_confidence,
    check_kind,
)
from journeykit.model import JourneyModel
from journeykit.options import MIN_N
from journeykit.result import Result

#: Label of rows whose group value is missing (no touchpoint, attribute absent, ...).
NO_GROUP = "(none)"

COLUMNS = [
    "group_by", "group", "survey", "kind", "kpi", "unit", "scale", "n", "value", "ci_low", "ci_high", "se",
    "promoters", "detractors", "small_sample",
]


@dataclass
class KpiResult(Result):
    """KPIs per group.

    Attributes
    ----------
    table : DataFrame
        One row per (group, survey or KPI): ``group_by``, ``group``, ``survey``, ``kind``, ``kpi``,
        ``unit``, ``scale``, ``n``, ``value``, ``ci_low``, ``ci_high``, ``se``, ``promoters`` and
        ``detractors`` (NPS counts, else NaN), ``small_sample`` (``n`` below the minimum).
    """

    title: str = "KPIs"

    def figure(self):
        """One panel per survey / KPI: values with their confidence intervals across groups."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        # operational KPIs have no survey: group with dropna=False so they get their panels too
        panels = list(self.table.groupby(["survey", "kpi"], dropna=False, sort=False))
        titles = [kpi if pd.isna(survey) else f"{survey} — {kpi}" for (survey, kpi), _ in panels]
        fig = make_subplots(rows=len(panels), cols=1, subplot_titles=titles)
        for i, (((survey, kpi), t), title) in enumerate(zip(panels, titles), start=1):
            fig.add_trace(
                go.Bar(
                    x=t["group"], y=t["value"], name=title, showlegend=False,
                    error_y=dict(type="data", symmetric=False, array=t["ci_high"] - t["value"],
                                 arrayminus=t["value"] - t["ci_low"]),
                    marker_color=np.where(t["small_sample"], "#bcccdc", "#486581"),
                ),
                row=i, col=1,
            )
            fig.update_yaxes(title_text=t["unit"].iloc[0], row=i, col=1)
        return fig.update_layout(title=self.title, height=260 * len(panels) + 80)

    def compare(
        self, group_a: str, group_b: str, survey: str | None = None, confidence: float = 0.95
    ) -> pd.DataFrame:
        """NPS difference ``b − a`` between two groups (or periods) of this result, in points.

        Returns one row per NPS survey: ``survey``, ``group_a``, ``group_b``, ``nps_a``, ``nps_b``,
        ``difference``, ``ci_low``, ``ci_high``, ``z``, ``p_value``
        (:func:`journeykit.analytics.intervals.nps_difference_test`, with the result's ``nps_method``).
        """
        t = self.table[self.table["kpi"] == "nps"]
        if survey is not None:
            t = t[t["survey"] == survey]
        rows = []
        for name, rows_of in t.groupby("survey", sort=False):
            by_group = rows_of.set_index("group")
            missing = [g for g in (group_a, group_b) if g not in by_group.index]
            if missing:
                groups = sorted(map(str, by_group.index))
                raise JourneykitError(f"survey {name!r} has no group {missing[0]!r} (groups: {groups})")
            a, b = by_group.loc[group_a], by_group.loc[group_b]
            test = nps_difference_test(
                a.promoters, a.detractors, a.n, b.promoters, b.detractors, b.n, confidence,
                self.params.get("nps_method", "wald"),
            )
            rows.append(
                {
                    "survey": name, "group_a": group_a, "group_b": group_b,
                    "nps_a": a.value, "nps_b": b.value, "difference": 100 * float(test.difference),
                    "ci_low": 100 * float(test.low), "ci_high": 100 * float(test.high),
                    "z": float(test.z), "p_value": float(test.p_value),
                }
            )
        if not rows:
            raise JourneykitError("no NPS rows to compare in this result")
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------- grouping
def _group_expr(t: ir.Table, by: str | None, model: JourneyModel) -> tuple[str, ir.Value]:
    """``(group_by label, group expression)`` for a ``by`` specification (see :func:`survey_kpis`)."""
    if by is None:
        return "all", ibis.literal("all")
    kind, _sep, arg = by.partition(":")
    if kind in ("touchpoint", "stage") and not arg:
        survey_tp = {s.name: s.touchpoint for s in model.surveys if s.touchpoint}
        touchpoint = t.touchpoint.coalesce(t.survey.substitute(survey_tp, else_=ibis.null("string")))
        if kind == "touchpoint":
            return "touchpoint", touchpoint
        stages = {tp.name: tp.stage for tp in model.touchpoints}
        return "stage", touchpoint.substitute(stages, else_=ibis.null("string"))
    if kind == "segment" and arg:
        return f"segment:{arg}", attribute(t, arg)
    if kind == "period" and arg in PERIODS:
        return f"period:{arg}", period_index(t.timestamp, arg).cast("int64")
    periods = "|".join(PERIODS)
    raise JourneykitError(
        f"unknown grouping {by!r} (expected touchpoint, stage, segment:<attribute> or period:{periods})"
    )


def _label_groups(values: pd.Series, group_by: str) -> tuple[pd.Series, pd.Series]:
    """``(display labels, sort keys)`` of executed group values."""
    if group_by.startswith("period:"):
        period = group_by.split(":", 1)[1]
        known = values.notna()
        labels = pd.Series(NO_GROUP, index=values.index, dtype=object)
        if known.any():
            start = period_start(values[known], period)
            labels[known] = start.dt.strftime("%Y-%m" if period == "month" else "%Y-%m-%d").to_numpy()
        return labels, values.astype(float).fillna(np.inf)
    labels = values.astype(object).where(values.notna(), NO_GROUP)
    return labels, labels


def _order(labels: pd.Series, group_by: str, model: JourneyModel, keys: pd.Series) -> pd.Series:
    if group_by == "stage":
        return labels.map(model.stage_order).fillna(len(model.stages))
    if group_by == "touchpoint":
        order = {tp.name: i for i, tp in enumerate(model.touchpoints)}
        return labels.map(order).fillna(len(order))
    return keys


# ------------------------------------------------------------------------------------- survey KPIs
def survey_kpis(
    engine: Engine,
    model: JourneyModel,
    by: str | None = None,
    surveys: str | list[str] | None = None,
    filters: Filters | None = None,
    min_n: int = MIN_N,
    confidence: float = 0.95,
    nps_method: str = "wald",
) -> KpiResult:
    """NPS, CSAT (top-2-box) and CES / custom means with confidence intervals, per group.

    Parameters
    ----------
    engine : Engine
    model : JourneyModel
        Gives each survey's kind and scale, and the touchpoint -> stage mapping.
    by : str, optional
        ``None`` (all responses), ``"touchpoint"``, ``"stage"``, ``"segment:<attribute>"`` or
        ``"period:day"`` / ``"period:week"`` (Monday-based, UTC) / ``"period:month"``.
    surveys : list of str, optional
        Only these surveys (default: every survey of the model); one name alone is a list of one.
    filters : Filters, optional
        Applied to the responses.
    min_n : int
        Rows with fewer answers are flagged ``small_sample`` and noted.
    confidence : float
        Confidence level of the intervals.
    nps_method : {"wald", "adjusted_wald"}
        NPS interval (Rocks 2016 for the adjusted Wald).

    Raises
    ------
    OptionError
        An unknown NPS method, ``min_n`` below 0, a confidence outside (0, 1), an engine, model or filters
        of the wrong kind.
    JourneykitError
        A survey not in the model, an unknown grouping.
    EmptyResultError
        No responses to the chosen surveys (after filters).
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
    check_choice("nps_method", nps_method, NPS_METHODS)
    check_at_least("min_n", min_n, 0)
    check_confidence(confidence)
    known = model.survey_by_name
    chosen = as_list("surveys", surveys)
    names = list(known) if chosen is None else chosen
    unknown = [s for s in names if s not in known]
    if unknown:
        raise JourneykitError(f"survey {unknown[0]!r} is not in the journey model (surveys: {sorted(known)})")
    if not names:
        raise EmptyResultError("no surveys chosen" if chosen is not None else "the journey model defines no surveys")
    t = filters.apply(engine.responses)
    t = t.filter(t.survey.isin(names))
    group_by, group = _group_expr(t, by, model)
    no_scale = ibis.null("float64")
    low = t.survey.substitute({s: float(known[s].scale[0]) for s in names}, else_=no_scale)
    high = t.survey.substitute({s: float(known[s].scale[1]) for s in names}, else_=no_scale)
    t = t.mutate(group=group, low=low, high=high)
    valid = t.score.notnull() & (t.score >= t.low) & (t.score <= t.high)
    counts = engine.execute(
        t.group_by(["survey", "group"]).aggregate(
            n=valid.cast("int64").sum(),
            outside=(t.score.notnull() & ~valid).cast("int64").sum(),
            top2=(valid & (t.score >= t.high - 1)).cast("int64").sum(),
            detractors=(valid & (t.score <= t.high - 4)).cast("int64").sum(),
            mean=t.score.mean(where=valid),
            sd=t.score.std(where=valid),
        )
    )
    scope = filters.describe()
    if counts.empty or counts["n"].sum() == 0:
        raise EmptyResultError(f"no responses to the surveys {names} ({scope})")
    if group_by.startswith("segment:") and counts["group"].isna().all():
        key = group_by.partition(":")[2]
        present = ", ".join(engine.execute(attribute_keys(engine.responses))["key"]) or "none"
        raise EmptyResultError(f"no survey response has the attribute '{key}' (attributes of the responses: {present})")
    notes = _out_of_scale_notes(counts, known)
    counts = counts[counts["n"] > 0].copy()
    labels, keys = _label_groups(counts["group"], group_by)
    counts["group"] = labels
    counts["_order"] = _order(labels, group_by, model, keys)
    counts["_survey"] = counts["survey"].map({s: i for i, s in enumerate(names)})
    counts = counts.sort_values(["_survey", "_order"]).reset_index(drop=True)
    table = pd.concat(
        [
            _survey_rows(rows, known[name], confidence, nps_method)
            for name, rows in counts.groupby("survey", sort=False)
        ],
        ignore_index=True,
    )
    table.insert(0, "group_by", group_by)
    table["small_sample"] = table["n"] < min_n
    small = int(table["small_sample"].sum())
    if small:
        notes.append(
            f"{small} of {len(table)} rows rest on fewer than {min_n} answers: "
            "read their intervals, not the value."
        )
    return KpiResult(
        table=table[COLUMNS],
        params={
            "by": by or "all", "surveys": names, "filters": scope, "min_n": min_n, "confidence": confidence,
            "nps_method": nps_method,
        },
        notes=notes,
        title="Survey KPIs" + (f" by {group_by}" if by else ""),
    )


def _out_of_scale_notes(counts: pd.DataFrame, surveys: dict) -> list[str]:
    outside = counts.groupby("survey")["outside"].sum()
    return [
        f"{int(k)} responses to {name!r} lie outside its scale {_scale_label(surveys[name])} "
        "and were left out."
        for name, k in outside.items()
        if k > 0
    ]


def _scale_label(survey) -> str:
    lo, hi = survey.scale
    return f"{lo:g}-{hi:g}"


def _survey_rows(rows: pd.DataFrame, survey, confidence: float, nps_method: str) -> pd.DataFrame:
    """KPI rows of one survey from its per-group counts."""
    lo, hi = survey.scale
    n = rows["n"].to_numpy(dtype=float)
    nan = np.full(n.size, np.nan)
    promoters, detractors = nan, nan
    if survey.kind == "nps":
        promoters, detractors = rows["top2"].to_numpy(dtype=float), rows["detractors"].to_numpy(dtype=float)
        iv = nps_interval(promoters, detractors, n, confidence, nps_method)
        scale, kpi, unit = 100.0, "nps", "points"
    elif survey.kind == "csat":
        iv = wilson_interval(rows["top2"], n, confidence)
        scale, kpi, unit = 100.0, "top2_box", "%"
    else:
        iv = t_interval(rows["mean"], rows["sd"], n, confidence)
        scale, kpi, unit = 1.0, "mean", f"mean on {lo:g}-{hi:g}"
    return pd.DataFrame(
        {
            "group": rows["group"].to_numpy(), "survey": survey.name, "kind": survey.kind, "kpi": kpi,
            "unit": unit, "scale": _scale_label(survey), "n": n.astype("int64"), "value": scale * iv.estimate,
            "ci_low": scale * iv.low, "ci_high": scale * iv.high, "se": scale * iv.se,
            "promoters": promoters, "detractors": detractors,
        }
    )


# -------------------------------------------------------------------------------- operational KPIs
def operational_kpis(
    engine: Engine,
    model: JourneyModel,
    purchase: str | list[str] | None = None,
    inactive_days: float = 90,
    filters: Filters | None = None,
    min_n: int = MIN_N,
    confidence: float = 0.95,
    exact: bool = True,
) -> KpiResult:
    """Headline KPIs from events, as shares of customers with Wilson intervals.

    ``reached_stage``
        Per stage (model order): customers with at least one event in the stage / all customers.
    ``repeat_purchase_rate``
        Given ``purchase`` touchpoints: customers with purchases on two or more days / purchasing customers.
    ``inactive``
        Purchasing customers whose last event of any kind is more than ``inactive_days`` before the last
        event in the data / purchasing customers (a churn headline; see the cohort analyses for retention
        curves).

    ``purchase`` is a touchpoint name or a list of them.

    Raises
    ------
    OptionError
        ``min_n`` below 0, a confidence outside (0, 1), an engine, model or filters of the wrong kind.
    EmptyResultError
        No events (after filters).
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
    purchase = as_list("purchase", purchase)
    check_at_least("min_n", min_n, 0)
    check_confidence(confidence)
    ev = filters.apply(engine.events)
    scope = filters.describe()
    total = int(engine.execute(distinct_count(ev.customer_id, exact)))
    if total == 0:
        raise EmptyResultError(f"no events ({scope})")
    staged = ev.filter(ev.stage.notnull())
    reached = engine.execute(
        staged.group_by("stage").aggregate(customers=distinct_count(staged.customer_id, exact))
    ).set_index("stage")["customers"]
    stages = [s.name for s in model.stages]
    counts = [int(reached.get(s, 0)) for s in stages]
    frames = [_share_rows("stage", stages, "reached_stage", counts, [total] * len(stages), confidence)]
    if purchase is not None:
        frames.append(_retention_rows(engine, ev, purchase, inactive_days, filters, confidence))
    table = pd.concat(frames, ignore_index=True)
    table["small_sample"] = table["n"] < min_n
    notes = []
    if table["small_sample"].any():
        notes.append(f"Some shares rest on fewer than {min_n} customers.")
    return KpiResult(
        table=table[COLUMNS],
        params={"purchase": purchase, "inactive_days": inactive_days, "filters": scope, "exact": exact},
        notes=notes,
        title="Operational KPIs",
    )


def _share_rows(
    group_by: str, groups: list[str], kpi: str | list[str], k: list[int], n: list[int], confidence: float
) -> pd.DataFrame:
    """KPI rows of shares ``k/n`` (in %) with Wilson intervals."""
    iv = wilson_interval(k, n, confidence)
    return pd.DataFrame(
        {
            "group_by": group_by, "group": groups, "survey": None, "kind": "events", "kpi": kpi, "unit": "%",
            "scale": None, "n": np.asarray(n, dtype="int64"), "value": 100 * iv.estimate,
            "ci_low": 100 * iv.low, "ci_high": 100 * iv.high, "se": 100 * iv.se,
            "promoters": np.nan, "detractors": np.nan,
        }
    )


def _retention_rows(
    engine: Engine, ev: ir.Table, purchase: list[str], inactive_days: float, filters: Filters,
    confidence: float,
) -> pd.DataFrame:
    txn = transactions(engine, purchase, filters=filters)
    buyers = txn.group_by("customer_id").aggregate(days=_.day.count())
    seconds = epoch_seconds(ev.timestamp)
    last_seen = ev.group_by("customer_id").aggregate(last=seconds.max())
    data_end = ev.aggregate(data_end=seconds.max())
    joined = buyers.join(last_seen, "customer_id").cross_join(data_end)
    row = engine.execute(
        joined.aggregate(
            buyers=_.customer_id.count(),
            repeaters=(_.days >= 2).cast("int64").sum(),
            inactive=(_.last < _.data_end - inactive_days * DAY).cast("int64").sum(),
        )
    ).iloc[0]
    buyers_n = int(row["buyers"])
    if buyers_n == 0:
        raise EmptyResultError(f"no purchases (touchpoint in {purchase!r}) in the events")
    return _share_rows(
        "customers",
        [
            f"purchasers ({', '.join(purchase)}): purchases on 2+ days",
            f"purchasers ({', '.join(purchase)}): no event in {inactive_days:g} days",
        ],
        ["repeat_purchase_rate", "inactive"],
        [int(row["repeaters"]), int(row["inactive"])],
        [buyers_n] * 2,
        confidence,
    )
