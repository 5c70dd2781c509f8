"""Cohorts, retention, lifecycle, churn and repeat purchase.

Retention (:func:`cohorts`)
    A customer enters the cohort of the period of their first entry event (``recurring=True``: of every
    period in which they do it, starting from the first entry in that period).  They are retained in
    period *p* when they do a returning event after their entry event (by ``(timestamp, seq)``) in the
    *p*-th period after the cohort's (``unbounded=True``: in period *p* or later).  Periods are calendar
    periods (UTC days, Monday weeks, months) or, with ``rolling=True``, consecutive blocks of 24 hours ×
    1 / 7 / 30 measured from each customer's own entry time.  The last observed timestamp (the latest
    filtered event) bounds what can be seen: periods after it are left out, the period containing it is
    marked incomplete, and incomplete cells are left out of the averages.
Lifecycle (:func:`lifecycle`, PostHog semantics)
    In each period, an active customer is *new* (first activity ever seen), *returning* (also active in
    the previous period) or *resurrecting* (active before, but not in the previous period); a customer
    active in the previous period but not in this one is *dormant*.
Churn (:func:`churn`)
    A customer churns ``N`` days after an event that no further event follows within those ``N`` days
    (when that instant is observed).  Per period: customers active at some instant of it (from their
    first event of a spell to its churn instant, inclusive), those who churned in it, and the ratio.
Repeat purchase (:func:`repeat_purchase_rate`)
    Customers with at least two purchase events over customers with at least one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from journeykit.analytics._empty import why_no_events
from journeykit.analytics._funnel_attempts import NO_VALUE, breakdown_value
from journeykit.analytics._periods import DAY, ROLLING_SECONDS, check_period, period_index, period_start
from journeykit.analytics._steps import Step, any_step
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.engine.expr import (
    CUSTOMER_RANK,
    ORDER_BY,
    customer_key,
    epoch_seconds,
    has_customer_rank,
    ordered_window,
)
from journeykit.errors import EmptyResultError, JourneykitError, check_at_least
from journeykit.result import Result

StepLike = str | Sequence[str] | Step


def _events(
    engine: Engine, filters: Filters | None, what: str, required: tuple[Step, str] | None = None
) -> tuple[ir.Table, pd.Timestamp, Filters]:
    """Filtered events and the last observed timestamp, in one scan.

    Raises ``EmptyResultError`` when there are no events, or when ``required`` (a step and its role,
    e.g. ``"entry event"``) matches none of them.
    """
    filters = filters or Filters()
    ev = filters.apply(engine.events)
    aggs = {"last": ev.timestamp.max(), "n": ev.count()}
    if required is not None:
        aggs["hits"] = required[0].predicate(ev).cast("int64").sum()
    row = engine.execute(ev.aggregate(**aggs)).iloc[0]
    if row["n"] == 0:
        raise EmptyResultError(f"{what}: {why_no_events(engine, engine.events, filters)}")
    if required is not None and not row["hits"]:
        step, role = required
        raise EmptyResultError(
            f"{what}: the {role} '{step.name}' matches none of the {int(row['n'])} events ({filters.describe()}); "
            "a step matches a touchpoint, stage or raw event name"
        )
    return ev, pd.Timestamp(row["last"]), filters


def _selected(ev: ir.Table, step: Step | None) -> ir.Table:
    return ev if step is None else ev.filter(any_step(ev, [step]))


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)


# ---------------------------------------------------------------------------------------- retention
def cohorts(
    engine: Engine,
    entry: StepLike,
    returning: StepLike | None = None,
    *,
    period: str = "month",
    recurring: bool = False,
    unbounded: bool = False,
    rolling: bool = False,
    periods: int | None = None,
    by: str | None = None,
    filters: Filters | None = None,
    exact: bool = True,
) -> "CohortResult":
    """Cohort retention table (see the module docstring for the definitions).

    Parameters
    ----------
    engine : Engine
    entry : step
        The event that puts a customer in a cohort (touchpoint, stage or event name; alternatives).
    returning : step, optional
        The event that counts as coming back; default any event.
    period : {"day", "week", "month"}
    recurring : bool
        Enter a cohort in every period with an entry event, not only the first.
    unbounded : bool
        Retained in period *p* when returning in *p* or any later period ("on or after").
    rolling : bool
        Periods of 24 h × 1 / 7 / 30 from each customer's entry instead of calendar periods.
    periods : int, optional
        Report periods 0 … ``periods``; default every observable period.
    by : str, optional
        Breakdown by an event column or free attribute, taken at the customer's entry event.
    filters : Filters, optional
    exact : bool
        Exact distinct counts (``False``: the backend's approximate distinct count; exact-period only).

    Returns
    -------
    CohortResult
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_period(period)
    if periods is not None:
        check_at_least("periods", periods, 0)
    entry_step = Step.of(entry)
    ret_step = Step.of(returning) if returning is not None else None
    key = ("cohorts", entry_step, ret_step, period, recurring, unbounded, rolling, by, filters.key(), exact)
    query = engine.expression(key, lambda: _cells_query(
        engine.events, filters, entry_step, ret_step, period, recurring, unbounded, rolling, by, exact))
    cells = engine.execute(query)
    if cells.empty:  # no events, or no entry event: say which
        _events(engine, filters, "cohorts", (entry_step, "entry event"))
    last = pd.Timestamp(cells["_last"].iloc[0])
    table = _grid(cells, period, rolling, unbounded, periods, last)
    notes = []
    if filters.start is not None and not recurring:
        notes.append(f"with a start date, customers whose first {entry_step.name} came before it enter a cohort "
                     "at their first one after it (first-time within the analysed data)")
    if by is not None and set(table["group"]) == {NO_VALUE}:
        notes.append(f"breakdown '{by}': no entry event carries this attribute; all are in '{NO_VALUE}'")
    if not table["complete"].all():
        notes.append(f"cells not complete at the last observed event ({last}) are marked and left out of averages")
    if by is None:
        table = table.drop(columns="group")
    return CohortResult(
        table=table,
        params={
            "entry": entry_step.name, "returning": ret_step.name if ret_step else "any event", "period": period,
            "recurring": recurring, "unbounded": unbounded, "rolling": rolling, "by": by,
            "filters": filters.describe(), "exact": exact, "last_observed": str(last),
        },
        notes=notes,
        average=_average(table),
    )


def _cells_query(
    events: ir.Table, filters: Filters, entry_step: Step, ret_step: Step | None, period: str, recurring: bool,
    unbounded: bool, rolling: bool, by: str | None, exact: bool,
) -> ir.Table:
    """The one query of :func:`cohorts`: :func:`_cells_expr` with ``_last``, the last observed timestamp."""
    ev = filters.apply(events)
    ranked = has_customer_rank(ev)
    members = _members(_selected(ev, entry_step), period, recurring, by, ranked)
    ret = _selected(ev, ret_step)
    ret = ret.select(_cid=customer_key(ret), _ts=ret.timestamp, _seq=ret.seq, _t=epoch_seconds(ret.timestamp),
                     _p=period_index(ret.timestamp, period), **({"_rank": ret[CUSTOMER_RANK]} if ranked else {}))
    if ranked:  # the same customer's events: later in journey order
        after = ret._rank > members.rank
    else:
        after = (ret._ts > members.ts) | ((ret._ts == members.ts) & (ret._seq > members.seq))
    joined = members.join(ret, [members.customer_id == ret._cid, after])
    if rolling:
        offset = ((joined._t - joined.t) / ROLLING_SECONDS[period]).floor()
    else:
        offset = joined._p - joined.cohort
    hits = joined.select("customer_id", "group", "cohort", offset=offset, t=joined.t)
    bounds = ev.aggregate(_last=ev.timestamp.max())
    return _cells_expr(members, hits, unbounded, exact).cross_join(bounds)


def _members(ent: ir.Table, period: str, recurring: bool, by: str | None, ranked: bool) -> ir.Table:
    """One row per (customer, cohort): the customer's first entry event of that cohort period.

    ``customer_id`` is the :func:`~journeykit.engine.expr.customer_key`.  With the stored journey order
    (``ranked``) the first event is the one of least rank, found by one hash aggregate (``rank``, and
    ``arg_min`` of the rest); else a ``row_number`` window over ``(timestamp, seq)``, through which only the
    needed columns go (it holds every row it numbers).
    """
    rows = ent.select(
        "timestamp", "seq", customer_id=customer_key(ent), cohort=period_index(ent.timestamp, period),
        group=breakdown_value(ent, by), **({"rank": ent[CUSTOMER_RANK]} if ranked else {}),
    )
    keys = ["customer_id", "cohort"] if recurring else ["customer_id"]
    if ranked:
        first = {c: rows[c].argmin(rows["rank"]) for c in ("timestamp", "seq", "cohort", "group") if c not in keys}
        rows = rows.group_by(keys).aggregate(rank=rows["rank"].min(), **first)
    else:
        rows = rows.mutate(_n=ibis.row_number().over(group_by=keys, order_by=list(ORDER_BY)))
        rows = rows.filter(rows._n == 0)
    kept = ["customer_id", "cohort", "group", "seq", *(["rank"] if ranked else [])]
    return rows.select(*kept, ts=rows.timestamp, t=epoch_seconds(rows.timestamp))


def _cells_expr(members: ir.Table, hits: ir.Table, unbounded: bool, exact: bool) -> ir.Table:
    """Customers per (group, cohort, offset) in one query.

    Offset -1 holds the cohort members themselves (size, earliest and latest entry time ``first`` /
    ``last``); offsets 0, 1, … the customers retained exactly there or, when ``unbounded``, whose
    furthest return is there (the caller sums them from the top).

    A member is one row per (customer, group, cohort) and ``t`` is its entry time, so the exact count of
    distinct customers in a cell is the row count once repeated returns are deduplicated: a plain
    ``DISTINCT`` and ``COUNT(*)``, cheaper than ``COUNT(DISTINCT)`` next to other aggregates.
    """
    marks = members.select("customer_id", "group", "cohort", offset=ibis.literal(-1, type="int64"), t=members.t)
    hits = hits.mutate(offset=hits.offset.cast("int64"))
    keys = ["group", "cohort"]
    if unbounded:
        rows = marks.union(hits)
        rows = rows.group_by(["customer_id", *keys]).aggregate(offset=rows.offset.max(), t=rows.t.min())
        customers = rows.count()
    elif exact:
        rows = marks.union(hits.distinct())
        customers = rows.count()
    else:
        rows = marks.union(hits)
        customers = rows.customer_id.approx_nunique()
    return rows.group_by([*keys, "offset"]).aggregate(customers=customers, first=rows.t.min(), last=rows.t.max())


def _grid(
    cells: pd.DataFrame, period: str, rolling: bool, unbounded: bool, periods: int | None, last: pd.Timestamp
) -> pd.DataFrame:
    """Every observable (cohort, period) cell with its count, rate and completeness, from the cells of
    :func:`_cells_expr` (in plain Python: a few hundred cells, where pandas operations cost more than the
    arithmetic)."""
    last_t = last.timestamp()
    last_p = _period_of(last, period)
    sizes: dict[tuple, list] = {}  # (group, cohort) -> [size, earliest entry, latest entry]
    found: dict[tuple, dict[int, int]] = {}  # (group, cohort) -> {offset: customers}
    for g, c, o, n, first, latest in zip(*_columns(cells, "group", "cohort", "offset", "customers", "first", "last")):
        if o >= 0:
            found.setdefault((g, c), {})[int(o)] = int(n)
        if o == -1 or unbounded:  # unbounded: each member is counted once, at its furthest return
            acc = sizes.setdefault((g, c), [0, first, latest])
            acc[0], acc[1], acc[2] = acc[0] + int(n), min(acc[1], first), max(acc[2], latest)
    rows = []
    for (g, c), (size, first, latest) in sorted(sizes.items()):
        if rolling:
            length = ROLLING_SECONDS[period]
            top = int((last_t - first) // length)
            complete = [latest + (p + 1) * length <= last_t for p in range(top + 1)]
        else:
            top = last_p - c
            complete = [c + p < last_p for p in range(top + 1)]
        hits = found.get((g, c), {})
        counts = np.array([hits.get(p, 0) for p in range(max([top, *hits]) + 1)])
        if unbounded:  # the furthest period a customer returned in is p or later
            counts = np.cumsum(counts[::-1])[::-1]
        shown = top if periods is None else min(top, periods)
        rows += [(g, c, size, p, int(counts[p]), complete[p]) for p in range(shown + 1)]
    df = pd.DataFrame(rows, columns=["group", "cohort_index", "size", "period", "retained", "complete"])
    df.insert(1, "cohort", period_start(df["cohort_index"], period))
    df["rate"] = _ratio(df["retained"], df["size"])
    return df[["group", "cohort", "cohort_index", "size", "period", "retained", "rate", "complete"]]


def _columns(df: pd.DataFrame, *names: str) -> list[list]:
    """``df``'s columns as Python lists (iterating them beats ``itertuples`` on Arrow-backed frames)."""
    return [df[n].tolist() for n in names]


def _period_of(ts: pd.Timestamp, period: str) -> int:
    if period == "month":
        return ts.year * 12 + ts.month - 1
    seconds = ts.timestamp()
    return int(seconds // DAY) if period == "day" else int((seconds + 3 * DAY) // (7 * DAY))


def _average(table: pd.DataFrame) -> pd.DataFrame:
    """Size-weighted retention per period over the complete cells."""
    keyed = "group" in table.columns
    sums: dict[tuple, list[int]] = {}
    done = table[table["complete"]]
    groups = done["group"] if keyed else [None] * len(done)
    for g, p, size, kept in zip(groups, done["period"], done["size"], done["retained"]):
        acc = sums.setdefault((g, p), [0, 0, 0])
        acc[0], acc[1], acc[2] = acc[0] + 1, acc[1] + size, acc[2] + kept
    keys = ["group", "period"] if keyed else ["period"]
    ordered = sorted(sums.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))
    rows = [(*((g, p) if keyed else (p,)), *acc) for (g, p), acc in ordered]
    avg = pd.DataFrame(rows, columns=[*keys, "cohorts", "customers", "retained"])
    avg["rate"] = _ratio(avg["retained"], avg["customers"])
    return avg


@dataclass
class CohortResult(Result):
    """A cohort retention table.

    Attributes
    ----------
    table : DataFrame
        One row per observable cell: (``group``), ``cohort`` (period start), ``cohort_index``, ``size``,
        ``period`` (0, 1, …), ``retained``, ``rate``, ``complete``.
    average : DataFrame
        Size-weighted retention per period over complete cells: ``period``, ``cohorts``, ``customers``,
        ``retained``, ``rate``.
    """

    average: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Cohort retention"

    def matrix(self, value: str = "rate", group: str | None = None) -> pd.DataFrame:
        """Cohorts × periods pivot of ``value`` (``rate``, ``retained`` or ``complete``); unobservable cells
        are NaN.  With a breakdown the rows are (``group``, ``cohort``, ``size``), unless one ``group`` is
        chosen."""
        t = self.table
        if group is not None:
            t = t[t["group"] == group]
        index = ["group", "cohort", "size"] if "group" in t.columns and group is None else ["cohort", "size"]
        return t.pivot_table(index=index, columns="period", values=value, aggfunc="first")

    def figure(self, group: str | None = None):
        import plotly.graph_objects as go

        t = self.table if group is None else self.table[self.table["group"] == group]
        rate = t.pivot_table(index="cohort", columns="period", values="rate", aggfunc="first")
        done = t.pivot_table(index="cohort", columns="period", values="complete", aggfunc="first")
        labels = [str(c.date()) for c in rate.index]
        text = [
            [("" if np.isnan(v) else f"{v:.0%}" + ("" if ok is True else "*")) for v, ok in zip(r, d)]
            for r, d in zip(rate.to_numpy(dtype=float), done.to_numpy(dtype=object))
        ]
        fig = go.Figure(go.Heatmap(z=rate.to_numpy(dtype=float), x=list(rate.columns), y=labels, text=text,
                                   texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1))
        fig.update_layout(title=f"{self.title} (* period not complete)", xaxis_title="period",
                          yaxis_title="cohort", yaxis_autorange="reversed")
        return fig


# ---------------------------------------------------------------------------------------- lifecycle
def lifecycle(
    engine: Engine, activity: StepLike | None = None, *, period: str = "week", filters: Filters | None = None
) -> "LifecycleResult":
    """New / returning / resurrecting / dormant customers per period (PostHog's lifecycle).

    Parameters
    ----------
    activity : step, optional
        What counts as activity; default any event.
    period : {"day", "week", "month"}
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_period(period)
    ev, last, filters = _events(engine, filters, "lifecycle")
    act = _selected(ev, Step.of(activity) if activity is not None else None)
    active = act.select("customer_id", p=period_index(act.timestamp, period)).distinct()
    w = ibis.window(group_by="customer_id", order_by="p")
    active = active.mutate(prev=active.p.lag().over(w), nxt=active.p.lead().over(w))
    status = ibis.cases(
        (active.prev.isnull(), "new"), (active.prev == active.p - 1, "returning"), else_="resurrecting"
    )
    states = active.group_by(p=active.p, status=status).aggregate(customers=active.count())
    gone = active.filter(active.nxt.isnull() | (active.nxt > active.p + 1))
    dormant = gone.group_by(p=gone.p + 1, status=ibis.literal("dormant")).aggregate(customers=gone.count())
    long = engine.execute(ibis.union(states, dormant))
    last_p = _period_of(last, period)
    wide = long[long["p"] <= last_p].pivot_table(index="p", columns="status", values="customers", aggfunc="sum")
    wide = wide.reindex(columns=["new", "returning", "resurrecting", "dormant"], fill_value=0).fillna(0)
    wide = wide.astype("int64").reset_index().rename(columns={"p": "period_index"}).rename_axis(columns=None)
    wide.insert(1, "period_start", period_start(wide["period_index"], period))
    wide["active"] = wide[["new", "returning", "resurrecting"]].sum(axis=1)
    wide["complete"] = wide["period_index"] < last_p
    notes = ["'new' means first activity within the analysed data"]
    if filters.start is not None:
        notes.append("with a start date, customers active before it appear as new in the first periods")
    return LifecycleResult(
        table=wide, params={"activity": str(activity or "any event"), "period": period,
                            "filters": filters.describe()}, notes=notes,
    )


@dataclass
class LifecycleResult(Result):
    """Lifecycle counts per period: ``period_index``, ``period_start``, ``new``, ``returning``,
    ``resurrecting``, ``dormant``, ``active``, ``complete``."""

    title: str = "Lifecycle"

    def figure(self):
        import plotly.graph_objects as go

        t = self.table
        colours = {"new": "#2f9e44", "returning": "#1c7ed6", "resurrecting": "#f59f00", "dormant": "#e03131"}
        fig = go.Figure([go.Bar(name=s, x=t["period_start"], y=-t[s] if s == "dormant" else t[s],
                                marker_color=c) for s, c in colours.items()])
        fig.update_layout(barmode="relative", title=self.title, yaxis_title="customers (dormant below zero)")
        return fig


# -------------------------------------------------------------------------------------------- churn
def churn(
    engine: Engine,
    inactivity_days: float = 30,
    *,
    activity: StepLike | None = None,
    period: str = "month",
    filters: Filters | None = None,
) -> "ChurnResult":
    """Churn defined as no activity for ``inactivity_days``; churn rate per calendar period.

    Returns
    -------
    ChurnResult
        ``table``: ``period_index``, ``period_start``, ``active`` (customers active at some instant of
        the period), ``churned`` (customers whose churn instant falls in it), ``churn_rate``,
        ``complete``.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_period(period)
    if inactivity_days <= 0:
        raise JourneykitError(f"inactivity_days must be positive, got {inactivity_days}")
    gap = inactivity_days * DAY
    ev, last, filters = _events(engine, filters, "churn")
    act = _selected(ev, Step.of(activity) if activity is not None else None)
    rows = act.select("customer_id", "timestamp", "seq", t=epoch_seconds(act.timestamp))
    w = ordered_window("customer_id")
    prev = rows.t.lag().over(w)
    rows = rows.mutate(brk=(prev.isnull() | (rows.t - prev > gap)).cast("int64"))
    rows = rows.mutate(spell=rows.brk.sum().over(ibis.window(group_by="customer_id", order_by=list(ORDER_BY),
                                                             rows=(None, 0))))
    spells = rows.group_by("customer_id", "spell").aggregate(
        start=rows.timestamp.min(), end=rows.timestamp.max(), end_t=rows.t.max()
    )
    last_t, last_p = last.timestamp(), _period_of(last, period)
    churned = spells.end_t + gap <= last_t
    churn_at = spells.end + ibis.interval(seconds=int(round(gap)))
    spells = spells.select(
        "customer_id", churned=churned, sp=period_index(spells.start, period),
        ep=ibis.ifelse(churned, period_index(churn_at, period), last_p),
    )
    first_p = int(engine.execute(spells.sp.min()))
    grid = ibis.memtable({"q": np.arange(first_p, last_p + 1, dtype="int64")})
    alive = spells.join(grid, (spells.sp <= grid.q) & (grid.q <= spells.ep))
    per = alive.group_by("q").aggregate(
        active=alive.customer_id.nunique(),
        churned=ibis.ifelse(alive.churned & (alive.ep == alive.q), alive.customer_id, ibis.null()).nunique(),
    )
    df = engine.execute(per.order_by("q")).rename(columns={"q": "period_index"})
    df.insert(1, "period_start", period_start(df["period_index"], period))
    df["churn_rate"] = _ratio(df["churned"], df["active"])
    df["complete"] = df["period_index"] < last_p
    return ChurnResult(
        table=df,
        params={"inactivity_days": inactivity_days, "activity": str(activity or "any event"), "period": period,
                "filters": filters.describe(), "last_observed": str(last)},
        notes=[f"a churn is only counted once {inactivity_days:g} days of silence are observed (data end {last})"],
    )


@dataclass
class ChurnResult(Result):
    """Churn per period (see :func:`churn`)."""

    title: str = "Churn"

    def figure(self):
        import plotly.graph_objects as go

        t = self.table
        fig = go.Figure(go.Scatter(x=t["period_start"], y=t["churn_rate"], mode="lines+markers", name="churn rate"))
        fig.update_layout(title=self.title, yaxis_tickformat=".0%", yaxis_title="churned / active")
        return fig


# ---------------------------------------------------------------------------------- repeat purchase
def repeat_purchase_rate(
    engine: Engine, purchase: StepLike, *, by: str | None = None, filters: Filters | None = None
) -> Result:
    """Customers with ≥ 2 purchase events / customers with ≥ 1 (breakdown at the first purchase).

    Returns
    -------
    Result
        ``table``: (``group``), ``buyers``, ``repeat_buyers``, ``repeat_rate``.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    step = Step.of(purchase)
    ev, _, filters = _events(engine, filters, "repeat purchase", (step, "purchase event"))
    buys = _selected(ev, step)
    buys = buys.mutate(_n=ibis.row_number().over(ordered_window("customer_id")), group=breakdown_value(buys, by))
    per = buys.group_by("customer_id").aggregate(
        n=buys.count(), group=ibis.ifelse(buys._n == 0, buys.group, ibis.null()).max()
    )
    df = engine.execute(
        per.group_by("group").aggregate(buyers=per.count(), repeat_buyers=(per.n >= 2).cast("int64").sum())
        .order_by("group")
    )
    df["repeat_rate"] = _ratio(df["repeat_buyers"], df["buyers"])
    if by is None:
        df = df.drop(columns="group")
    return Result(table=df, params={"purchase": step.name, "by": by, "filters": filters.describe()},
                  title=f"Repeat purchase rate: buyers with 2+ '{step.name}' events")
