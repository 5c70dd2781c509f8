"""``journeykit analyze funnel | cohorts | lifecycle | churn | repeat-purchase``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

import typer

from journeykit.cli.app import analyze_app
from journeykit.cli.common import (
    ApproxOpt,
    ChannelOpt,
    EndOpt,
    OutOpt,
    SegmentOpt,
    StartOpt,
    WorkspaceOpt,
    emit,
    filters_from,
    open_workspace,
    parse_date,
    show_table,
)

#: Columns printed for a funnel (``--out`` writes them all).
FUNNEL_COLUMNS = ["group", "step", "name", "customers", "attempts", "conversion_from_start",
                  "conversion_from_previous", "dropoff", "median_seconds_to_convert"]

COMPARE_COLUMNS = ["step", "name", "rate_a", "rate_b", "difference", "ci_low", "ci_high", "p_value", "significant"]


Order = Literal["ordered", "strict", "any"]
Count = Literal["uniques", "totals"]
Period = Literal["day", "week", "month"]
FunnelView = Literal["steps", "trend", "time"]

PeriodOpt = Annotated[Period, typer.Option("--period", help="Calendar period: day, week (Monday) or month (UTC).")]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Break down by an event column (channel, ...) or attribute, at entry.")
]


@analyze_app.command("funnel")
def funnel_cmd(
    steps: Annotated[
        list[str], typer.Option("--steps", "-s", help="Comma-separated steps (or -s repeated, in order); 'a|b' "
                                "alternatives, 'x?' optional, 'stage:NAME' / 'touchpoint:NAME' / 'event:NAME' to "
                                "pick the column.")
    ],
    workspace: WorkspaceOpt = Path("."),
    window: Annotated[str, typer.Option("--window", help="Conversion window from step 1: 30m, 12h, 7d, 2w.")] = "14d",
    order: Annotated[Order, typer.Option("--order", help="ordered, strict (nothing between) or any.")] = "ordered",
    count: Annotated[Count, typer.Option("--count", help="uniques (one attempt per customer) or totals.")] = "uniques",
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Exclusion step NAME or NAME@FROM-TO (repeatable).")
    ] = None,
    by: ByOpt = None,
    view: Annotated[FunnelView, typer.Option("--view", help="Print the steps, the trend by entry period or "
                                             "the time-to-convert histogram.")] = "steps",
    period: PeriodOpt = "week",
    customers_at: Annotated[
        int | None, typer.Option("--customers-at", help="List the customers who reached step N instead.")
    ] = None,
    dropped: Annotated[bool, typer.Option("--dropped", help="With --customers-at: those who dropped at step N.")] = False,
    compare: Annotated[
        str | None, typer.Option("--compare", help="Compare two breakdown groups A,B (needs --by).")
    ] = None,
    split: Annotated[
        str | None, typer.Option("--split", help="Compare entries before and after this date (interval and test per step).")
    ] = None,
    approx: ApproxOpt = False,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Conversion funnel: per-step counts, conversion, drop-off and time to convert."""
    from journeykit.analytics.funnels import Funnel, compare_funnels
    from journeykit.engine import Filters
    from journeykit.result import Result

    filters = filters_from(start, end, segment, channel)
    definition = Funnel.define(
        [s for item in steps for s in item.split(",") if s.strip()], window=window, order=order, count=count,
        exclusions=exclude or [],
    )
    with open_workspace(workspace) as ws:
        if split is not None:
            split = parse_date(split, "--split")
            before = Filters(filters.start, split, filters.segment, filters.channel)
            after = Filters(split, filters.end, filters.segment, filters.channel)
            runs = [definition.run(ws.engine, f, exact=not approx) for f in (before, after)]
            emit(compare_funnels(*runs, labels=(f"before {split}", f"from {split}")), out, COMPARE_COLUMNS)
            return
        result = definition.run(ws.engine, filters, by=by, period=period, exact=not approx)
        if customers_at is not None:
            ids = ws.engine.execute(result.customers(customers_at, dropped=dropped).order_by("customer_id"))
            emit(Result(table=ids, title=f"Customers {'dropped' if dropped else 'reaching'} at step {customers_at}"), out)
            return
    if compare is not None:
        group_a, _, group_b = compare.partition(",")
        emit(result.compare(group_a, group_b), out, COMPARE_COLUMNS)
    elif view == "steps":
        emit(result, out, FUNNEL_COLUMNS)
    else:
        table = result.trend if view == "trend" else result.time_histogram
        emit(Result(table=table, notes=result.notes, title=f"Funnel {view}"), out)


@analyze_app.command("cohorts")
def cohorts_cmd(
    entry: Annotated[str, typer.Option("--entry", "-e", help="Event that starts a cohort (first occurrence).")],
    workspace: WorkspaceOpt = Path("."),
    returning: Annotated[
        str | None, typer.Option("--returning", "-r", help="Event that counts as coming back (default: any).")
    ] = None,
    period: PeriodOpt = "month",
    recurring: Annotated[bool, typer.Option("--recurring", help="Enter a cohort at every occurrence.")] = False,
    unbounded: Annotated[bool, typer.Option("--unbounded", help="Retained = returned in the period or later.")] = False,
    rolling: Annotated[bool, typer.Option("--rolling", help="24-hour periods from each customer's entry.")] = False,
    periods: Annotated[int | None, typer.Option("--periods", min=0, help="Show periods 0..N only.")] = None,
    by: ByOpt = None,
    matrix: Annotated[bool, typer.Option("--matrix", help="Print the cohort × period matrix of rates.")] = False,
    approx: ApproxOpt = False,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Cohort retention by entry period; incomplete periods are marked and left out of averages."""
    import pandas as pd

    from journeykit.analytics.cohorts import cohorts
    from journeykit.result import Result

    filters = filters_from(start, end, segment, channel)
    with open_workspace(workspace) as ws:
        result = cohorts(
            ws.engine, entry, returning, period=period, recurring=recurring, unbounded=unbounded,
            rolling=rolling, periods=periods, by=by, filters=filters, exact=not approx,
        )
    if matrix:
        pivot = result.matrix().reset_index()
        complete = result.matrix("complete").to_numpy(dtype=object)
        pivot.columns = [str(c) for c in pivot.columns]
        pivot["cohort"] = pd.to_datetime(pivot["cohort"]).dt.date.astype(str)
        rates = [c for c in pivot.columns if c not in ("group", "cohort", "size")]
        percent = pivot.assign(**{
            c: [_percent(v, done) for v, done in zip(pivot[c], complete[:, k])] for k, c in enumerate(rates)
        })
        emit(Result(table=pivot, notes=[*result.notes, "* period not complete"], title="Retention rate by cohort "
                    "and period"), out, shown=percent, title="Retention (%) by cohort and period (* not complete)")
    else:
        emit(result, out)
        show_table(result.average, title="Average over complete cohorts")


def _percent(rate: float, complete: object) -> str:
    """A retention rate in percent for the matrix, starred when its period is not complete."""
    return "" if math.isnan(rate) else f"{100 * rate:.1f}" + ("" if complete is True else "*")


@analyze_app.command("lifecycle")
def lifecycle_cmd(
    workspace: WorkspaceOpt = Path("."),
    activity: Annotated[str | None, typer.Option("--activity", help="What counts as active (default: any).")] = None,
    period: PeriodOpt = "week",
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """New, returning, resurrecting and dormant customers per period."""
    from journeykit.analytics.cohorts import lifecycle

    filters = filters_from(start, end, segment, channel)
    with open_workspace(workspace) as ws:
        result = lifecycle(ws.engine, activity, period=period, filters=filters)
    emit(result, out)


@analyze_app.command("churn")
def churn_cmd(
    workspace: WorkspaceOpt = Path("."),
    days: Annotated[float, typer.Option("--days", min=0.001, help="Churned after this many days without activity.")] = 30,
    activity: Annotated[str | None, typer.Option("--activity", help="What counts as active (default: any).")] = None,
    period: PeriodOpt = "month",
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Churn rate per period (no activity for --days)."""
    from journeykit.analytics.cohorts import churn

    filters = filters_from(start, end, segment, channel)
    with open_workspace(workspace) as ws:
        result = churn(ws.engine, days, activity=activity, period=period, filters=filters)
    emit(result, out)


@analyze_app.command("repeat-purchase")
def repeat_purchase_cmd(
    workspace: WorkspaceOpt = Path("."),
    purchase: Annotated[
        str, typer.Option("--purchase", help="Purchase events ('a|b' alternatives).")
    ] = "payment|repeat_purchase",
    by: ByOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    segment: SegmentOpt = None,
    channel: ChannelOpt = None,
    out: OutOpt = None,
) -> None:
    """Share of buyers who bought at least twice."""
    from journeykit.analytics.cohorts import repeat_purchase_rate

    filters = filters_from(start, end, segment, channel)
    with open_workspace(workspace) as ws:
        result = repeat_purchase_rate(ws.engine, purchase, by=by, filters=filters)
    emit(result, out)
