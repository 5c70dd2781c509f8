"""The per-customer experience matrix of the moments-of-truth analysis, aggregated on the engine.

One Ibis expression per source table, executed at the edge: per anchored customer, each experience flag,
the reach of its touchpoint (passed it / answered the survey in the window), the outcome and the
customer's revenue.  Durations are differences of epoch seconds; events are ordered by
``(timestamp, seq)``.  The result is small (one row per customer, one column per experience).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from journeykit.engine import Engine, Filters
from journeykit.engine.expr import epoch_seconds, neighbour, seconds_between
from journeykit.errors import EmptyResultError
from journeykit.insight.experiences import SURVEY_KINDS, Experience, Outcome
from journeykit.model import JourneyModel

DAY = 86_400.0


def purchase_touchpoints(engine: Engine, filters: Filters | None = None) -> list[str]:
    """Touchpoints whose events carry positive revenue (``value > 0``), most frequent first."""
    ev = filters.apply(engine.events) if filters is not None else engine.events
    df = engine.execute(
        ev.filter(ev.touchpoint.notnull() & (ev.value > 0)).group_by("touchpoint").aggregate(n=ibis._.count())
    )
    return df.sort_values(["n", "touchpoint"], ascending=[False, True])["touchpoint"].tolist()


def wait_experiences(
    engine: Engine,
    touchpoints: list[str],
    window_days: float,
    quantile: float = 0.9,
    min_median_seconds: float = 3600.0,
    min_loops: int = 30,
    filters: Filters | None = None,
) -> list[Experience]:
    """Data-driven bad-experience flags: ``slow:X>q`` at the ``quantile`` of the wait after each touchpoint
    whose median wait is at least ``min_median_seconds`` (rounded up to whole hours), and ``loop:X`` for
    touchpoints that directly repeat at least ``min_loops`` times.  Only waits shorter than the experience
    window count: a longer one is the gap before a return, which is the outcome itself."""
    ev = filters.apply(engine.events) if filters is not None else engine.events
    steps = ev.mutate(
        next_touchpoint=neighbour(ev, ev.touchpoint, ["customer_id"], 1),
        gap=seconds_between(ev.timestamp, neighbour(ev, ev.timestamp, ["customer_id"], 1)),
    )
    steps = steps.filter(steps.touchpoint.isin(touchpoints) & (steps.gap <= window_days * DAY))
    stats = engine.execute(
        steps.group_by("touchpoint").aggregate(
            median=steps.gap.median(), high=steps.gap.quantile(quantile),
            loops=(steps.next_touchpoint == steps.touchpoint).cast("int64").sum(),
        )
    ).set_index("touchpoint")
    out = []
    for name in touchpoints:
        if name not in stats.index:
            continue
        row = stats.loc[name]
        if pd.notna(row["median"]) and row["median"] >= min_median_seconds:
            out.append(Experience("slow", name, float(np.ceil(row["high"] / 3600.0) * 3600.0)))
        if row["loops"] >= min_loops:
            out.append(Experience("loop", name))
    return out


def _flag(condition: ir.BooleanValue) -> ir.IntegerScalar:
    return condition.cast("int64").max()


def customer_features(
    engine: Engine,
    model: JourneyModel,
    experiences: list[Experience],
    outcome: Outcome,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """One row per anchored customer.

    Columns: ``customer_id``; per experience ``i`` the flag ``x{i}`` (a score: the first answer in the
    window, NULL without one) and the reach flag ``reach{i}``;
    ``outcome`` (0/1, NULL for ``promoter`` without an NPS answer) and ``revenue`` (sum of event values).

    Raises
    ------
    EmptyResultError
        No customer has an event at an anchor touchpoint.
    """
    ev = filters.apply(engine.events) if filters is not None else engine.events
    anchored = ev.filter(ev.touchpoint.isin(list(outcome.anchor)))
    anchors = anchored.group_by("customer_id").aggregate(t0=epoch_seconds(anchored.timestamp).min())
    window = outcome.window_days * DAY
    steps = ev.mutate(
        t=epoch_seconds(ev.timestamp),
        next_touchpoint=neighbour(ev, ev.touchpoint, ["customer_id"], 1),
        gap=seconds_between(ev.timestamp, neighbour(ev, ev.timestamp, ["customer_id"], 1)),
    )
    j = steps.join(anchors, "customer_id")
    inside = (j.t >= j.t0) & (j.t <= j.t0 + window)
    after = j.t > j.t0 + window
    purchase = list(outcome.purchase or outcome.anchor)
    aggs: dict[str, ir.Scalar] = {
        "revenue": j.value.sum().fill_null(0.0),
        "retained": _flag(after),
        "repurchased": _flag(after & j.touchpoint.isin(purchase)),
    }
    for i, e in enumerate(experiences):
        if e.kind in SURVEY_KINDS:
            continue
        at = inside & (j.touchpoint == e.target)
        aggs[f"reach{i}"] = _flag(at)
        if e.kind == "visit":
            aggs[f"x{i}"] = _flag(at)
        elif e.kind == "slow":  # the next event must fall in the window too: a later one is a return
            aggs[f"x{i}"] = _flag(at & (j.gap > e.threshold) & (j.t + j.gap <= j.t0 + window))
        else:
            aggs[f"x{i}"] = _flag(at & (j.next_touchpoint == e.target))
    frame = engine.execute(j.group_by("customer_id").aggregate(**aggs))
    if frame.empty:
        raise EmptyResultError(f"no customer has an event at the anchor touchpoints {list(outcome.anchor)}")
    survey_frame = _survey_features(engine, model, experiences, outcome, anchors, filters)
    if survey_frame is not None:
        frame = frame.merge(survey_frame, on="customer_id", how="left")
    flags = [f"x{i}" for i, e in enumerate(experiences) if not e.numeric]
    frame = frame.fillna({c: 0 for c in frame.columns if c in flags or c.startswith("reach")})
    frame["outcome"] = _outcome_column(frame, outcome)
    return frame.sort_values("customer_id").reset_index(drop=True)


def _outcome_column(frame: pd.DataFrame, outcome: Outcome) -> pd.Series:
    if outcome.kind == "churned":
        return 1 - frame["retained"]
    if outcome.kind in ("retained", "repurchased"):
        return frame[outcome.kind]
    return frame["promoter"]


def _survey_features(
    engine: Engine,
    model: JourneyModel,
    experiences: list[Experience],
    outcome: Outcome,
    anchors: ir.Table,
    filters: Filters | None,
) -> pd.DataFrame | None:
    """Low-score flags (answers in the window) and the promoter outcome, per anchored customer."""
    lows = [(i, e) for i, e in enumerate(experiences) if e.kind in SURVEY_KINDS]
    if not lows and outcome.kind != "promoter":
        return None
    rs = filters.apply(engine.responses) if filters is not None else engine.responses
    j = rs.mutate(t=epoch_seconds(rs.timestamp)).join(anchors, "customer_id")
    since = j.t >= j.t0
    inside = since & (j.t <= j.t0 + outcome.window_days * DAY)
    aggs: dict[str, ir.Scalar] = {}
    for i, e in lows:
        answered = inside & (j.survey == e.target) & j.score.notnull()
        aggs[f"reach{i}"] = _flag(answered)
        if e.numeric:  # the first answer in the window; NULL for customers who did not answer
            aggs[f"x{i}"] = j.score.argmin(j.t, where=answered)
        else:
            aggs[f"x{i}"] = _flag(answered & (j.score <= e.threshold))
    if outcome.kind == "promoter":
        survey = outcome.nps_survey(model)
        high = model.survey_by_name[survey].scale[1]
        nps = since & (j.survey == survey) & j.score.notnull()
        first_score = j.score.argmin(j.t, where=nps)
        aggs["promoter"] = (first_score >= high - 1).cast("int64")
    return engine.execute(j.group_by("customer_id").aggregate(**aggs))
