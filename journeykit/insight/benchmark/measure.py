"""Measure the benchmarkable KPIs of a workspace, overall or per group (segment value, channel, period).

Survey KPIs come from :func:`journeykit.analytics.kpis.survey_kpis` (NPS with the adjusted-Wald interval of
Rocks 2016, CSAT top-2-box with the Wilson interval, CES means with a t interval and the survey's scale kept),
shares of customers from :func:`journeykit.analytics.kpis.operational_kpis` (stage conversion, repeat
purchase, inactivity as churn) and, given the support touchpoints, the mean first-response and resolution
time of the support cases opened there (t interval).  Each group is measured by the same functions with an
extra filter, so groups and periods are measured exactly as the whole.

``se`` is each KPI's standard error as reported and as the internal comparisons of NPS and means use it (the
scores use the intervals, shares are compared with Newcombe's interval); it carries the sampling uncertainty
even where the plug-in formula has none, and NaN marks a KPI whose sampling error cannot be estimated:

* shares (CSAT, conversion, repeat purchase, churn): the Wilson-based ``se = (ci_high − ci_low) / (2z)``,
  the half-width of the Wilson interval over ``z``.  The binomial ``√(p̂(1−p̂)/n)`` is 0 at a share of 0 or
  100 %, whatever ``n`` (one answer of 5 on a CSAT gave se 0); the Wilson interval of 1/1 is 20.7-100 %,
  so its se is 20.2 points.  At large ``n`` the two agree.
* NPS: the adjusted-Wald se (Rocks 2016), which is never 0.
* means (CES, response and resolution times): ``s/√n``, NaN where it cannot be estimated — fewer than 2
  observations, or observations that are all equal (a sample with no spread says nothing about its
  sampling error).  Scores and indices built on such a KPI get no interval and are flagged.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import ibis
import numpy as np
import pandas as pd

from journeykit.analytics._periods import check_period
from journeykit.analytics.intervals import t_interval, z_value
from journeykit.analytics.kpis import NO_GROUP, operational_kpis, survey_kpis
from journeykit.engine import Engine, Filters
from journeykit.engine.expr import attribute, epoch_seconds, ordered_window
from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.model import JourneyModel

COLUMNS = ["group", "kpi_id", "kpi", "survey", "stage", "unit", "scale", "n", "value", "se", "ci_low",
           "ci_high"]
_SURVEY_KPI = {"nps": "nps", "csat": "csat", "ces": "ces"}
_SHARE_KPI = {
    "reached_stage": "conversion", "repeat_purchase_rate": "repeat_purchase_rate", "inactive": "churn_rate"
}


#: Reference KPIs measured from events rather than survey answers.
SHARE_KPIS = frozenset(_SHARE_KPI.values())
SUPPORT_KPIS = frozenset({"first_response_time", "resolution_time"})
#: KPIs that are shares of answers or customers (Wilson intervals) and means (t intervals).
PROPORTION_KPIS = SHARE_KPIS | {"csat"}
MEAN_KPIS = SUPPORT_KPIS | {"ces"}


def sampling_se(rows: pd.DataFrame, confidence: float) -> pd.Series:
    """The ``se`` of measured KPI rows as the module docstring defines it (Wilson-based for shares, NaN for
    means without an estimable sampling error, the KPI's own otherwise)."""
    kpi, se = rows["kpi"], rows["se"].astype(float)
    wilson = (rows["ci_high"].astype(float) - rows["ci_low"].astype(float)) / (2 * z_value(confidence))
    se = se.where(~kpi.isin(PROPORTION_KPIS), wilson)
    return se.where(~kpi.isin(MEAN_KPIS) | (se > 0), np.nan)


def _survey_rows(
    engine: Engine, model: JourneyModel, filters: Filters, confidence: float, by: str | None = None
) -> pd.DataFrame:
    """Survey KPI rows; with ``by`` (``segment:<attribute>`` or ``period:<unit>``) one grouped query."""
    if not model.surveys:
        return pd.DataFrame(columns=COLUMNS)
    try:
        t = survey_kpis(engine, model, by=by, filters=filters, confidence=confidence,
                        nps_method="adjusted_wald").table
    except EmptyResultError:
        return pd.DataFrame(columns=COLUMNS)
    t = t[t["kind"].isin(list(_SURVEY_KPI)) & (t["group"] != NO_GROUP)]
    stage_of = {s.name: model.touchpoint_by_name[s.touchpoint].stage for s in model.surveys if s.touchpoint}
    kpi = t["kind"].map(_SURVEY_KPI)
    group = t["group"].astype(str)
    if by is not None and by.startswith("segment:"):
        group = by.split(":", 1)[1] + "=" + group
    rows = pd.DataFrame(
        {
            "group": group if by is not None else "all", "kpi_id": kpi + ":" + t["survey"], "kpi": kpi,
            "survey": t["survey"], "stage": t["survey"].map(stage_of),
            "unit": t["unit"].where(kpi != "ces", "mean"), "scale": t["scale"], "n": t["n"],
            "value": t["value"],
            "se": t["se"], "ci_low": t["ci_low"], "ci_high": t["ci_high"],
        }
    )
    return rows.assign(se=sampling_se(rows, confidence))


def _share_rows(
    engine: Engine, model: JourneyModel, filters: Filters, purchase: list[str] | None, inactive_days: float,
    confidence: float,
) -> pd.DataFrame:
    try:
        t = operational_kpis(engine, model, purchase=purchase or None, inactive_days=inactive_days,
                             filters=filters, confidence=confidence).table
    except EmptyResultError:
        return pd.DataFrame(columns=COLUMNS)
    kpi = t["kpi"].map(_SHARE_KPI)
    stage = t["group"].where(t["kpi"] == "reached_stage")
    rows = pd.DataFrame(
        {
            "kpi_id": np.where(stage.notna(), kpi + ":" + stage.fillna(""), kpi), "kpi": kpi, "survey": None,
            "stage": stage, "unit": "%", "scale": None, "n": t["n"], "value": t["value"], "se": t["se"],
            "ci_low": t["ci_low"], "ci_high": t["ci_high"],
        }
    )
    return rows.assign(se=sampling_se(rows, confidence))


def _support_rows(
    engine: Engine, model: JourneyModel, support: list[str], filters: Filters, confidence: float
) -> pd.DataFrame:
    """Mean first-response and resolution time (hours) of cases whose first event is at a support
    touchpoint."""
    ev = filters.apply(engine.events)
    ev = ev.filter(ev.case_id.notnull())
    w = ordered_window("case_id")
    ranked = ev.mutate(pos=ibis.row_number().over(w), t=epoch_seconds(ev.timestamp))
    cases = ranked.group_by("case_id").aggregate(
        opened_at=ranked.touchpoint.max(where=ranked.pos == 0),
        first=ranked.t.min(),
        second=ranked.t.max(where=ranked.pos == 1),
        last=ranked.t.max(),
        events=ranked.count(),
    )
    cases = cases.filter(cases.opened_at.isin(support) & (cases.events > 1))
    rows = []
    stage = model.touchpoint_by_name[support[0]].stage
    for kpi, hours in (("first_response_time", (cases.second - cases.first) / 3600),
                       ("resolution_time", (cases["last"] - cases.first) / 3600)):
        stats = engine.execute(cases.aggregate(n=cases.count(), mean=hours.mean(), sd=hours.std())).iloc[0]
        if int(stats["n"]) == 0:
            continue
        iv = t_interval(stats["mean"], stats["sd"], stats["n"], confidence)
        rows.append({"kpi_id": kpi, "kpi": kpi, "survey": None, "stage": stage, "unit": "hours",
                     "scale": None,
                     "n": int(stats["n"]), "value": float(iv.estimate), "se": float(iv.se),
                     "ci_low": float(iv.low), "ci_high": float(iv.high)})
    rows = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "group"])
    return rows.assign(se=sampling_se(rows, confidence)) if len(rows) else rows


def measure_kpis(
    engine: Engine,
    model: JourneyModel,
    filters: Filters | None = None,
    purchase: list[str] | None = None,
    support: list[str] | None = None,
    inactive_days: float = 90,
    confidence: float = 0.95,
    group: str = "all",
    kpis: set[str] | None = None,
) -> pd.DataFrame:
    """Every benchmarkable KPI of the workspace (after ``filters``) as one table.

    ``kpis`` restricts the measurement to these reference KPIs (``None``: all).

    Returns
    -------
    DataFrame
        ``group, kpi_id, kpi, survey, stage, unit, scale, n, value, se, ci_low, ci_high``; ``kpi_id`` names
        the measurement (``csat:delivery_csat``, ``conversion:purchase``), ``kpi`` the reference KPI;
        ``se`` as the module docstring defines it (never 0 for a share; NaN where not estimable).

    Raises
    ------
    JourneykitError
        A support touchpoint not in the model.
    """
    filters = filters or Filters()
    frames = [_survey_rows(engine, model, filters, confidence)]
    frames += _event_rows(engine, model, filters, purchase, support, inactive_days, confidence, kpis)
    return _stack(frames, group, kpis)


def _event_rows(
    engine: Engine, model: JourneyModel, filters: Filters, purchase: list[str] | None,
    support: list[str] | None, inactive_days: float, confidence: float, kpis: set[str] | None,
) -> list[pd.DataFrame]:
    for name in support or []:
        if name not in model.touchpoint_by_name:
            raise JourneykitError(f"support touchpoint {name!r} is not in the journey model")
    frames = []
    if kpis is None or kpis & SHARE_KPIS:
        frames.append(_share_rows(engine, model, filters, purchase, inactive_days, confidence))
    if support and (kpis is None or kpis & SUPPORT_KPIS):
        frames.append(_support_rows(engine, model, list(support), filters, confidence))
    return frames


def _stack(frames: list[pd.DataFrame], group: str | None, kpis: set[str] | None) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    if group is not None:
        table["group"] = group
    if kpis is not None:
        table = table[table["kpi"].isin(kpis)]
    return table[COLUMNS].reset_index(drop=True)


def normalise_grouping(by: str | None) -> str | None:
    """A user's grouping as :func:`group_filters` takes it: ``channel`` and ``kind:arg`` stay, any other
    name is an event attribute (``segment`` -> ``segment:segment``, ``region`` -> ``segment:region``)."""
    if by is None or by == "channel" or ":" in by:
        return by
    return f"segment:{by}"


def group_filters(engine: Engine, by: str, filters: Filters | None = None) -> list[tuple[str, Filters]]:
    """``(label, filters)`` per group of ``by``: ``segment:<attribute>``, ``channel`` or
    ``period:<day|week|month>``.

    Raises
    ------
    JourneykitError
        An unknown grouping, or a grouping with no values in the data.
    """
    base = filters or Filters()
    ev = base.apply(engine.events)
    kind, _sep, arg = by.partition(":")
    if kind == "segment" and arg:
        values = engine.execute(ev.select(v=attribute(ev, arg)).distinct())["v"].dropna()
        groups = [(f"{arg}={v}", replace(base, segment={**base.segment, arg: v})) for v in sorted(values)]
    elif kind == "channel" and not arg:
        values = engine.execute(ev.select("channel").distinct())["channel"].dropna()
        groups = [(f"channel={v}", replace(base, channel=v)) for v in sorted(values)]
    elif kind == "period" and arg:
        periods = _periods(engine, ev, check_period(arg))
        groups = [(label, replace(base, start=start, end=end)) for label, start, end in periods]
    else:
        raise JourneykitError(
            f"unknown grouping {by!r} (expected segment:<attribute>, channel or period:day|week|month)"
        )
    if not groups:
        raise JourneykitError(f"the grouping {by!r} has no values in the data")
    return groups


def _periods(engine: Engine, ev: ibis.Table, period: str) -> list[tuple[str, datetime, datetime]]:
    """Consecutive calendar periods (UTC; weeks start on Monday) covering the events."""
    bounds = engine.execute(ev.aggregate(first=ev.timestamp.min(), last=ev.timestamp.max())).iloc[0]
    if pd.isna(bounds["first"]):
        return []
    first, last = (pd.Timestamp(bounds[k]).tz_convert(timezone.utc) for k in ("first", "last"))
    start = first.normalize()
    if period == "month":
        start, step, fmt = start.replace(day=1), pd.DateOffset(months=1), "%Y-%m"
    elif period == "week":
        start, step, fmt = start - pd.Timedelta(days=start.weekday()), pd.Timedelta(days=7), "%Y-%m-%d"
    else:
        step, fmt = pd.Timedelta(days=1), "%Y-%m-%d"
    out = []
    while start <= last:
        end = start + step
        out.append((start.strftime(fmt), start.to_pydatetime(), end.to_pydatetime()))
        start = end
    return out


def measure_groups(
    engine: Engine,
    model: JourneyModel,
    by: str,
    filters: Filters | None = None,
    purchase: list[str] | None = None,
    support: list[str] | None = None,
    inactive_days: float = 90,
    confidence: float = 0.95,
    kpis: set[str] | None = None,
) -> pd.DataFrame:
    """The KPIs of every group of ``by`` (see :func:`group_filters`), stacked.

    Survey KPIs of segments and periods come from one grouped query (responses carry no channel, so a
    ``channel`` grouping has event KPIs only); event KPIs are measured group by group with the group's
    filter, and only when ``kpis`` asks for them.
    """
    base = filters or Filters()
    groups = group_filters(engine, by, base)
    frames = [] if by == "channel" else [_survey_rows(engine, model, base, confidence, by)]
    for label, f in groups:
        rows = _event_rows(engine, model, f, purchase, support, inactive_days, confidence, kpis)
        frames.append(_stack(rows, label, None))
    return _stack(frames, None, kpis)
