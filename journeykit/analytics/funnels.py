"""Conversion funnels with the semantics of PostHog, Amplitude and Mixpanel.

A funnel is a list of steps (touchpoints, stages or raw event names; a step may list alternatives and
may be optional).  An attempt starts at a step-1 event; the conversion window is measured from that
event and is inclusive.  Step order:

``ordered``
    each step comes after the previous one; other events may occur in between.
``strict``
    each step is the customer's very next event after the previous step (nothing in between).
``any``
    the steps may be done in any order: row *k* of the funnel counts attempts that did at least *k*
    distinct steps within the window from the attempt's first step event (every step event starts an
    attempt; an event matching several steps counts for each).

Counting ``uniques`` keeps one attempt per customer: the one reaching the furthest step, the earliest
among those (by ``(timestamp, seq)`` of its first event).  ``totals`` counts every attempt: each step-1
event starts one, so overlapping attempts may share later events.  An exclusion voids an attempt when
its event occurs after step ``from_step`` and before the event matched for ``to_step`` (when
``to_step`` is never reached: anywhere in the window after ``from_step``); a customer whose every
attempt is void is not counted.  A breakdown uses the attribute value at the attempt's first event
(first-touch attribution).

Everything is computed on the engine; the counted attempts are computed once into a scratch table and
every summary (counts, times, trend, histogram) is an aggregate of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from journeykit.analytics._empty import why_no_events
from journeykit.analytics._funnel_attempts import NO_VALUE, any_order_attempts, sequential_attempts
from journeykit.analytics._materialize import scratch
from journeykit.analytics._periods import check_period, period_index, period_start
from journeykit.analytics._proportions import two_proportion_test
from journeykit.analytics._steps import Exclusion, Step, StepSpecError, parse_duration
from journeykit.display import duration_text
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.result import Result

ORDERS = ("ordered", "strict", "any")
COUNTS = ("uniques", "totals")

StepLike = str | Sequence[str] | Step


@dataclass(frozen=True)
class Funnel:
    """A funnel definition (build it with :meth:`define`).

    Attributes
    ----------
    steps : tuple of Step
    window : float
        Conversion window in seconds, measured from step 1 (inclusive).
    order : {"ordered", "strict", "any"}
    exclusions : tuple of Exclusion
    count : {"uniques", "totals"}
    """

    steps: tuple[Step, ...]
    window: float
    order: str = "ordered"
    exclusions: tuple[Exclusion, ...] = ()
    count: str = "uniques"

    @classmethod
    def define(
        cls,
        steps: Sequence[StepLike],
        *,
        window: str | float = "14d",
        order: str = "ordered",
        exclusions: Sequence[str | tuple | Exclusion] = (),
        count: str = "uniques",
    ) -> "Funnel":
        """Validate and build a funnel.

        Parameters
        ----------
        steps : list
            At least two steps; each a selector (``"cart_add"``, ``"stage:purchase"``), a list of
            alternatives, a string such as ``"cart_add|wishlist_add?"`` (``?``: optional) or a
            :class:`Step`.
        window : str or float
            Conversion window: seconds or ``"30m"``, ``"12h"``, ``"7d"``, ``"2w"``.
        order : {"ordered", "strict", "any"}
        exclusions : list
            ``"name"`` (between the first and last step), ``"name@2-4"``, ``(name, 2, 4)`` or
            :class:`Exclusion`; the bounds must be required steps.
        count : {"uniques", "totals"}

        Raises
        ------
        StepSpecError
            On an invalid definition (with what is wrong).
        """
        if isinstance(steps, str):
            raise StepSpecError(f"steps must be a list of at least 2 steps, got the single string {steps!r}")
        parsed = tuple(Step.of(s) for s in steps)
        if len(parsed) < 2:
            raise StepSpecError(f"a funnel needs at least 2 steps, got {len(parsed)}")
        if order not in ORDERS:
            raise StepSpecError(f"unknown funnel order {order!r} (expected one of {list(ORDERS)})")
        if count not in COUNTS:
            raise StepSpecError(f"unknown count {count!r} (expected one of {list(COUNTS)})")
        if parsed[0].optional:
            raise StepSpecError(f"step 1 '{parsed[0].name}' cannot be optional")
        if order != "ordered" and any(s.optional for s in parsed):
            raise StepSpecError(f"optional steps need order='ordered', not {order!r}")
        excl = tuple(Exclusion.of(x, len(parsed)) for x in exclusions)
        if excl and order == "any":
            raise StepSpecError("exclusion steps need order='ordered' or 'strict'")
        for x in excl:
            for k in (x.from_step, x.to_step):
                if parsed[k - 1].optional:
                    raise StepSpecError(f"exclusion '{x.step.name}': step {k} is optional; bounds must be required")
        return cls(parsed, parse_duration(window), order, excl, count)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.steps]

    def previous(self, k: int) -> int | None:
        """The step that step ``k``'s conversion is measured from (the previous required step)."""
        if k == 1:
            return None
        if self.order == "any":
            return k - 1
        return max(j for j in range(1, k) if not self.steps[j - 1].optional)

    @property
    def last_required(self) -> int:
        return max(k for k, s in enumerate(self.steps, 1) if not s.optional)

    def attempts(self, events: ir.Table, by: str | None = None) -> ir.Table:
        """The counted attempts (unexecuted): one per customer for ``uniques``, all for ``totals``.

        Columns: ``customer_id``, ``group``, ``entry``, ``entry_seq``, ``t1`` … ``tN`` (epoch seconds
        when each step was reached, NULL if not) and ``reached``.
        """
        if self.order == "any":
            raw = any_order_attempts(events, self.steps, self.window, by)
        else:
            raw = sequential_attempts(events, self.steps, self.window, self.order == "strict", self.exclusions, by)
        valid = raw.filter(~raw.excluded).drop("excluded")
        if self.count == "totals":
            return valid
        # DuckDB's arg_min over a struct of the columns, keyed by (-reached, entry, entry_seq), measured no
        # faster than this window on the 10.1M-event benchmark (whole funnel 4.6 s / 8.0 CPU-s both)
        best = ibis.row_number().over(
            group_by="customer_id", order_by=[ibis.desc("reached"), "entry", "entry_seq"]
        )
        return valid.mutate(_best=best).filter(lambda t: t._best == 0).drop("_best")

    def run(
        self,
        engine: Engine,
        filters: Filters | None = None,
        by: str | None = None,
        period: str = "week",
        bins: int = 20,
        exact: bool = True,
    ) -> "FunnelResult":
        """Compute the funnel on ``engine``'s events; see :func:`funnel` for the parameters."""
        check_period(period)
        filters = filters or Filters()
        events = filters.apply(engine.events)
        expr = self.attempts(events, by)
        attempts = scratch(engine, f"_jk_funnel_attempts_{len(self.steps)}", expr)
        summary = engine.execute(_summary_expr(attempts, self, exact))
        reached = summary[[f"c{k}" for k in range(1, len(self.steps) + 1)]].sum()
        notes = [] if not summary.empty and (reached > 0).all() else _check_steps(engine, events, self, filters)
        if summary.empty:
            raise EmptyResultError(f"funnel: every attempt was voided by the exclusion steps ({filters.describe()})")
        table = _step_table(summary, self)
        if by is not None and set(table["group"]) == {NO_VALUE}:
            notes.append(f"breakdown '{by}': no step-1 event carries this attribute; all are in '{NO_VALUE}'")
        last = engine.execute(events.timestamp.max())
        trend = _trend(engine, attempts, self, period, last)
        if not trend["complete"].all():
            notes.append(
                f"entry periods whose {duration_text(self.window)} conversion window had not ended at the last "
                f"observed event ({pd.Timestamp(last):%Y-%m-%d %H:%M}) are marked complete=False: their "
                "conversion can still grow"
            )
        if by is None:
            table, trend = table.drop(columns="group"), trend.drop(columns="group")
        return FunnelResult(
            table=table,
            params={
                "steps": self.names, "window_seconds": self.window, "order": self.order, "count": self.count,
                "exclusions": [f"{x.step.name}@{x.from_step}-{x.to_step}" for x in self.exclusions],
                "by": by, "period": period, "filters": filters.describe(), "exact": exact,
            },
            notes=notes,
            trend=trend,
            time_histogram=_histogram(engine, attempts, self, bins),
            definition=self,
            attempts=expr,
        )


def funnel(
    engine: Engine,
    steps: Sequence[StepLike],
    *,
    window: str | float = "14d",
    order: str = "ordered",
    exclusions: Sequence[str | tuple | Exclusion] = (),
    count: str = "uniques",
    by: str | None = None,
    filters: Filters | None = None,
    period: str = "week",
    bins: int = 20,
    exact: bool = True,
) -> "FunnelResult":
    """Compute a conversion funnel.

    Parameters
    ----------
    engine : Engine
    steps, window, order, exclusions, count
        The funnel definition, see :meth:`Funnel.define`.
    by : str, optional
        Break down by an event column (``channel``, ``touchpoint``, ...) or a free attribute, taken at
        each attempt's first event.
    filters : Filters, optional
        Date range / segment / channel filters applied to the events first.
    period : {"day", "week", "month"}
        Entry period of the conversion trend.
    bins : int
        Number of bins of the time-to-convert histograms.
    exact : bool
        Exact quantiles of the time to convert (``False``: the backend's approximate quantiles).

    Returns
    -------
    FunnelResult

    Raises
    ------
    EmptyResultError
        When there are no events, or no event matches step 1.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    definition = Funnel.define(steps, window=window, order=order, exclusions=exclusions, count=count)
    return definition.run(engine, filters=filters, by=by, period=period, bins=bins, exact=exact)


# ------------------------------------------------------------------------------------- computation
def _check_steps(engine: Engine, events: ir.Table, f: Funnel, filters: Filters) -> list[str]:
    """Raise when nothing can enter the funnel; notes for steps that never occur.

    Run only when some step has nobody: it scans the events once more to say why.
    """
    counts = engine.execute(
        events.aggregate(
            _n=events.count(), **{f"s{k}": s.predicate(events).cast("int64").sum() for k, s in enumerate(f.steps, 1)}
        )
    ).iloc[0]
    if counts["_n"] == 0:
        raise EmptyResultError(f"funnel: {why_no_events(engine, engine.events, filters)}")
    missing = [k for k in range(1, len(f.steps) + 1) if not counts[f"s{k}"]]
    hint = "(a step matches a touchpoint, stage or raw event name)"
    entry_missing = missing[:1] == [1] if f.order != "any" else len(missing) == len(f.steps)
    if entry_missing:
        raise EmptyResultError(
            f"funnel: no customer entered: step 1 '{f.steps[0].name}' matches none of the "
            f"{int(counts['_n'])} events ({filters.describe()}) {hint}"
        )
    return [f"step {k} '{f.steps[k - 1].name}' never occurs in the data {hint}" for k in missing]


def _quantile(x: ir.NumericValue, q: float, exact: bool) -> ir.FloatingValue:
    return x.quantile(q) if exact else x.approx_quantile(q)


def _summary_expr(a: ir.Table, f: Funnel, exact: bool) -> ir.Table:
    aggs: dict[str, ir.Value] = {}
    for k in range(1, len(f.steps) + 1):
        aggs[f"c{k}"] = a[f"t{k}"].count()
        prev = f.previous(k)
        if prev is None:
            continue
        step_time = a[f"t{k}"] - a[f"t{prev}"]
        aggs[f"mean{k}"] = step_time.mean()
        aggs[f"median{k}"] = _quantile(step_time, 0.5, exact)
        aggs[f"p90{k}"] = _quantile(step_time, 0.9, exact)
        aggs[f"start{k}"] = _quantile(a[f"t{k}"] - a.t1, 0.5, exact)
    return a.group_by("group").aggregate(**aggs).order_by("group")


def _step_table(summary: pd.DataFrame, f: Funnel) -> pd.DataFrame:
    col = "customers" if f.count == "uniques" else "attempts"
    frames = []
    for _, row in summary.iterrows():  # one row per breakdown group: a handful
        ks = range(1, len(f.steps) + 1)
        counts = np.array([row[f"c{k}"] for k in ks], dtype="int64")
        prev = np.array([counts[f.previous(k) - 1] if k > 1 else counts[0] for k in ks])
        frames.append(
            pd.DataFrame(
                {
                    "group": row["group"],
                    "step": list(ks),
                    "name": f.names,
                    "optional": [s.optional for s in f.steps],
                    col: counts,
                    "conversion_from_start": _ratio(counts, np.full_like(counts, counts[0])),
                    "conversion_from_previous": _ratio(counts, prev),
                    "dropoff": prev - counts,
                    **{
                        name: [row.get(f"{key}{k}", np.nan) if k > 1 else np.nan for k in ks]
                        for name, key in (
                            ("mean_seconds_to_convert", "mean"),
                            ("median_seconds_to_convert", "median"),
                            ("p90_seconds_to_convert", "p90"),
                            ("median_seconds_from_start", "start"),
                        )
                    },
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    time_cols = [c for c in table.columns if "seconds" in c]
    table[time_cols] = table[time_cols].astype("float64")
    return table


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where the denominator is 0 (nobody to convert)."""
    return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)


def _trend(engine: Engine, a: ir.Table, f: Funnel, period: str, last_event: pd.Timestamp) -> pd.DataFrame:
    """Entries and conversions per entry period; a period is ``complete`` when the conversion window of its
    last possible entry ended by ``last_event`` (the last observed event), so its conversion is final."""
    last = f.last_required
    expr = (
        a.group_by("group", period_index=period_index(a.entry, period))
        .aggregate(entered=a.count(), converted=a[f"t{last}"].count())
        .order_by(["group", "period_index"])
    )
    df = engine.execute(expr)
    df.insert(2, "period_start", period_start(df["period_index"], period))
    df["conversion"] = _ratio(df["converted"].to_numpy(), df["entered"].to_numpy())
    ends = period_start(df["period_index"] + 1, period) + pd.Timedelta(seconds=f.window)
    df["complete"] = (ends <= pd.Timestamp(last_event)).to_numpy()
    return df


def _histogram(engine: Engine, a: ir.Table, f: Funnel, bins: int) -> pd.DataFrame:
    """Histogram of the seconds from step 1 to each later step (``bins`` equal bins up to the maximum)."""
    if bins < 1:
        raise JourneykitError(f"bins must be at least 1, got {bins}")
    parts = [
        a.filter(a[f"t{k}"].notnull()).select(step=ibis.literal(k), seconds=a[f"t{k}"] - a.t1)
        for k in range(2, len(f.steps) + 1)
    ]
    long = ibis.union(*parts) if len(parts) > 1 else parts[0]
    top = long.seconds.max().over(group_by="step")
    raw_bin = (long.seconds / top * bins).floor()
    binned = long.mutate(top=top, bin=ibis.ifelse(top > 0, ibis.least(raw_bin, bins - 1), 0))
    df = engine.execute(binned.group_by("step", "top", "bin").aggregate(count=binned.count()).order_by(["step", "bin"]))
    width = df["top"] / bins
    return pd.DataFrame(
        {
            "step": df["step"],
            "name": [f.names[k - 1] for k in df["step"]],
            "bin_start_seconds": df["bin"] * width,
            "bin_end_seconds": (df["bin"] + 1) * width,
            "count": df["count"],
        }
    )


# ----------------------------------------------------------------------------------------- results
@dataclass
class FunnelResult(Result):
    """A computed funnel.

    Attributes
    ----------
    table : DataFrame
        One row per step (per breakdown group): ``step``, ``name``, ``optional``, ``customers`` (or
        ``attempts`` when counting totals), ``conversion_from_start``, ``conversion_from_previous``
        (from the previous required step), ``dropoff``, ``mean/median/p90_seconds_to_convert`` (from the
        previous required step) and ``median_seconds_from_start``.
    trend : DataFrame
        Conversion (first to last required step) by entry period: ``period_index``, ``period_start``,
        ``entered``, ``converted``, ``conversion``, ``complete`` (False while the conversion window of the
        period's entries had not ended at the last observed event: that conversion can still grow).
    time_histogram : DataFrame
        Seconds from step 1 to each later step: ``step``, ``name``, ``bin_start_seconds``,
        ``bin_end_seconds``, ``count``.
    definition : Funnel
    attempts : ibis.Table
        The counted attempts (an unexecuted expression), for :meth:`customers`.
    """

    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    time_histogram: pd.DataFrame = field(default_factory=pd.DataFrame)
    definition: Funnel | None = None
    attempts: ir.Table | None = field(default=None, repr=False)
    title: str = "Funnel"

    @property
    def count_column(self) -> str:
        return "customers" if "customers" in self.table.columns else "attempts"

    def customers(self, step: int, dropped: bool = False, group: str | None = None) -> ir.Table:
        """Customers who reached ``step`` (or, with ``dropped``, reached the previous step but not it).

        Returns an unexecuted Ibis table with one column ``customer_id`` (distinct); execute it with
        ``engine.execute``.
        """
        f = self.definition
        if not 1 <= step <= len(f.steps):
            raise JourneykitError(f"step must be between 1 and {len(f.steps)}, got {step}")
        a = self.attempts
        if group is not None:
            a = a.filter(a.group == group)
        if dropped:
            prev = f.previous(step)
            if prev is None:
                raise JourneykitError("nobody drops at step 1: it is where the funnel starts")
            a = a.filter(a[f"t{prev}"].notnull() & a[f"t{step}"].isnull())
        else:
            a = a.filter(a[f"t{step}"].notnull())
        return a.select("customer_id").distinct()

    def compare(self, group_a: str, group_b: str, confidence: float = 0.95) -> "FunnelComparison":
        """Compare two breakdown groups step by step (Newcombe interval and test on conversion from start)."""
        if "group" not in self.table.columns:
            raise JourneykitError("compare needs a funnel with a breakdown (by=...)")
        groups = set(self.table["group"])
        for g in (group_a, group_b):
            if g not in groups:
                raise JourneykitError(f"breakdown group {g!r} not in the funnel (groups: {sorted(groups)})")
        t = self.table
        return _comparison(t[t.group == group_a], t[t.group == group_b], self.count_column, (group_a, group_b), confidence)

    def figure(self):
        import plotly.graph_objects as go

        fig = go.Figure()
        t = self.table
        groups = [(None, t)] if "group" not in t.columns else list(t.groupby("group", sort=True))
        for g, part in groups:
            fig.add_trace(
                go.Funnel(
                    name=g or self.count_column, y=part["name"], x=part[self.count_column],
                    textinfo="value+percent initial",
                )
            )
        fig.update_layout(title=self.title)
        return fig


@dataclass
class FunnelComparison(Result):
    """Step-by-step comparison of two funnels (periods, segments or breakdown groups).

    ``table`` columns: ``step``, ``name``, ``entered_a``/``entered_b`` (step-1 counts), ``count_a``,
    ``count_b``, ``rate_a``, ``rate_b`` (conversion from start), ``difference`` (b − a), ``ci_low``,
    ``ci_high`` (Newcombe's hybrid score interval of the difference, from the two Wilson intervals),
    ``z`` and ``p_value`` (the test that inverts that interval) and ``significant`` (the interval excludes
    0, which is exactly ``p_value < 1 - confidence``); formulas in :mod:`journeykit.analytics._proportions`.
    Step 1 is the base of every rate: its difference is 0 by construction, with no interval or test.
    """

    title: str = "Funnel comparison"

    def figure(self):
        import plotly.graph_objects as go

        t = self.table
        a, b = self.params["labels"]
        fig = go.Figure(
            [
                go.Bar(name=str(a), x=t["name"], y=t["rate_a"]),
                go.Bar(
                    name=str(b), x=t["name"], y=t["rate_b"],
                    error_y=dict(type="data", symmetric=False, array=t["ci_high"] - t["difference"],
                                 arrayminus=t["difference"] - t["ci_low"]),
                ),
            ]
        )
        fig.update_layout(barmode="group", title=self.title, yaxis_title="conversion from start",
                          yaxis_tickformat=".0%")
        return fig


def compare_funnels(
    a: FunnelResult, b: FunnelResult, labels: tuple[str, str] = ("a", "b"), confidence: float = 0.95
) -> FunnelComparison:
    """Compare two funnels over the same steps (two periods, or two segments via filters).

    Each step's conversion from start is compared as two independent binomial proportions: Newcombe's
    (1998) hybrid score interval of the difference and the p-value of the test that inverts it, so the
    interval and ``significant`` always agree.  The samples are taken as independent: customers present in
    both are counted in each.
    """
    if a.params.get("steps") != b.params.get("steps"):
        raise JourneykitError(f"funnels have different steps: {a.params.get('steps')} vs {b.params.get('steps')}")
    if "group" in a.table.columns or "group" in b.table.columns:
        raise JourneykitError("compare funnels without a breakdown, or use FunnelResult.compare(group_a, group_b)")
    if a.count_column != b.count_column:
        raise JourneykitError("cannot compare a uniques funnel with a totals funnel")
    return _comparison(a.table, b.table, a.count_column, labels, confidence)


def _comparison(ta: pd.DataFrame, tb: pd.DataFrame, col: str, labels: tuple[str, str], confidence: float):
    if not 0 < confidence < 1:
        raise JourneykitError(f"confidence must be between 0 and 1, got {confidence}")
    xa, xb = ta[col].to_numpy(), tb[col].to_numpy()
    na, nb = np.full_like(xa, xa[0]), np.full_like(xb, xb[0])
    stats = two_proportion_test(xa, na, xb, nb, confidence)
    if xa[0] > 0 and xb[0] > 0:  # step 1: both rates are 1 by construction, nothing was estimated
        stats.loc[0, ["ci_low", "ci_high"]] = 0.0
        stats.loc[0, ["z", "p_value"]] = np.nan
        stats.loc[0, "significant"] = False
    table = pd.concat(
        [
            pd.DataFrame({"step": ta["step"].to_numpy(), "name": ta["name"].to_numpy(), "entered_a": na,
                          "entered_b": nb, "count_a": xa, "count_b": xb}),
            stats,
        ],
        axis=1,
    )
    notes = ["step 1 is the base of every rate (its z and p-value are undefined)"]
    if xa[0] == 0 or xb[0] == 0:
        notes.append("one side has nobody at step 1: nothing to compare")
    return FunnelComparison(
        table=table, params={"labels": labels, "confidence": confidence, "count": col}, notes=notes,
        title=f"Funnel: {labels[1]} vs {labels[0]}",
    )
