"""Timing and bottlenecks: dwell time per stage, time between two steps, slow transitions, case throughput.

All durations are differences of epoch seconds between steps ordered by ``(timestamp, seq)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from journeykit.analytics.durations import duration_stats, split_quantiles
from journeykit.analytics.label_codes import decode_codes
from journeykit.analytics.sequences import By, Level, Steps, prepare_steps, require_label, with_positions
from journeykit.analytics.transitions import transitions
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.engine.expr import seconds_between
from journeykit.errors import as_list
from journeykit.result import Result

STATS = ["mean_seconds", "median_seconds", "p90_seconds"]


def _bars(table: pd.DataFrame, label: str, title: str):
    """Grouped bars of the mean, median and p90 (in hours) per row label."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [go.Bar(name=s.split("_")[0], x=table[label], y=table[s] / 3600) for s in STATS if s in table]
    )
    fig.update_layout(title=title, barmode="group", yaxis_title="hours")
    return fig


# -------------------------------------------------------------------------------------- stage dwell
@dataclass
class StageDwellResult(Result):
    """Dwell time per stage.

    ``table``: ``stage, visits, customers, completed, mean_seconds, median_seconds, p90_seconds`` where a
    visit is a run of consecutive events in the stage; ``completed`` visits were followed by another stage
    (the others are still open and have no dwell time).
    """

    title: str = "Dwell time per stage"

    def figure(self):
        return _bars(self.table, "stage", self.title)


def stage_dwell(
    engine: Engine,
    *,
    stage_order: str | Sequence[str] | None = None,
    filters: Filters | None = None,
    exact: bool = True,
) -> StageDwellResult:
    """Time from the first event of a stage to the first event of the next stage, per customer.

    A customer's events are cut into runs of consecutive events in the same stage; the dwell time of a
    run is the time from its first event to the first event of the following run.

    Parameters
    ----------
    engine : Engine
    stage_order : sequence of str, optional
        Order of the rows (the journey model's stages); stages not in it come last.  One stage name alone
        is a list of one.
    filters : Filters, optional
    exact : bool
        Exact quantiles and distinct counts, or approximate ones.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    stage_order = as_list("stage_order", stage_order)
    steps = prepare_steps(
        engine, by="customer", level="stage", filters=filters, collapse_repeats=True, encoded=True,
        requirement="dwell times are per stage: map events to stages in journey.yaml",
    )
    t = steps.table
    t = t.mutate(dwell=seconds_between(t.timestamp, steps.next(t.timestamp)))
    agg = split_quantiles(t.group_by(stage=t.step).aggregate(
        visits=t.count(),
        customers=steps.distinct_customers(t, len(steps.labels), exact),
        completed=t.dwell.count(),
        **duration_stats(t.dwell, exact),
    ))
    df = engine.execute(agg)
    df["stage"] = decode_codes(df["stage"], steps.labels)
    order = {s: i for i, s in enumerate(stage_order or [])}
    df = df.sort_values("stage", key=lambda s: s.map(lambda v: (order.get(v, len(order)), v)))
    df = df.astype({"visits": "int64", "customers": "int64", "completed": "int64"}).reset_index(drop=True)
    notes = list(steps.notes)
    if int(df["completed"].sum()) == 0:
        notes.append("No customer moved on to another stage: dwell times are unknown.")
    params = dict(exact=exact, filters=filters.describe())
    return StageDwellResult(df, params=params, notes=notes)


# ------------------------------------------------------------------------------------- time between
@dataclass
class TimeBetweenResult(Result):
    """Time from the first ``source`` step to the first ``target`` step after it.

    ``table`` has one row: ``source, target, journeys`` (with ``source``), ``reached`` (with a ``target``
    after it), ``share``, ``mean_seconds``, ``median_seconds``, ``p90_seconds``, ``min_seconds``,
    ``max_seconds``.
    """

    title: str = "Time between steps"

    def figure(self):
        return _bars(self.table.assign(pair=self.table["source"] + " → " + self.table["target"]), "pair", self.title)


def time_between(
    engine: Engine,
    source: str,
    target: str,
    *,
    by: By = "customer",
    level: Level = "touchpoint",
    filters: Filters | None = None,
    exact: bool = True,
) -> TimeBetweenResult:
    """Time from the first ``source`` step of each journey to the first ``target`` step after it.

    Parameters
    ----------
    engine : Engine
    source, target : str
        Step labels at ``level`` (they may be equal: first to second occurrence).
    by : {"customer", "case"}
    level : {"touchpoint", "stage", "event"}
    filters : Filters, optional
    exact : bool

    Raises
    ------
    EmptyResultError
        When ``source`` or ``target`` never occurs.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    steps = prepare_steps(engine, by=by, level=level, filters=filters)
    per = _first_to_next(steps, source, target)
    per = per.mutate(seconds=seconds_between(per.start, per.end))
    agg = split_quantiles(per.aggregate(
        journeys=per.count(),
        reached=per.seconds.count(),
        min_seconds=per.seconds.min(),
        max_seconds=per.seconds.max(),
        **duration_stats(per.seconds, exact),
    ))
    df = engine.execute(agg)
    df.insert(0, "source", source)
    df.insert(1, "target", target)
    df = df.astype({"journeys": "int64", "reached": "int64"})
    df["share"] = df["reached"] / df["journeys"]
    df = df[["source", "target", "journeys", "reached", "share", *STATS, "min_seconds", "max_seconds"]]
    notes = list(steps.notes)
    if int(df["reached"].iloc[0]) == 0:  # say why when a step never occurs (checked only then: a scan each)
        require_label(engine, steps, source)
        require_label(engine, steps, target)
        notes.append(f"No journey reaches {target!r} after {source!r}: no times to show.")
    params = dict(
        source=source, target=target, by=by, level=level, exact=exact, filters=filters.describe()
    )
    return TimeBetweenResult(df, params=params, notes=notes, title=f"Time from {source} to {target}")


def _first_to_next(steps: Steps, source: str, target: str) -> ir.Table:
    """One row per journey with a ``source`` step: ``start`` (its first ``source`` step) and ``end`` (the
    first ``target`` step after it, NULL when none).

    No window: an aggregate takes each journey's first ``source`` step as the minimum of the pair
    ``(timestamp, seq)``, and a join keeps the ``target`` steps after that pair (lexicographically) and
    their earliest time.  When ``source == target`` the first step itself is not after itself, so the end
    is the second occurrence.
    """
    keys = steps.keys
    t = steps.table
    src = t.filter(t.step == source)
    firsts = src.group_by(keys).aggregate(_first=ibis.struct({"ts": src.timestamp, "seq": src.seq}).min())
    firsts = firsts.select(*keys, start=firsts._first.ts, _sseq=firsts._first.seq)
    tgt = t.filter(t.step == target)
    tgt = tgt.select(_seq=tgt.seq, _ts=tgt.timestamp, **{f"_{k}": tgt[k] for k in keys})
    after = (tgt._ts > firsts.start) | ((tgt._ts == firsts.start) & (tgt._seq > firsts._sseq))
    joined = firsts.left_join(tgt, [*(firsts[k] == tgt[f"_{k}"] for k in keys), after])
    return joined.group_by([*keys, "start"]).aggregate(end=joined._ts.min())


# -------------------------------------------------------------------------------------- bottlenecks
@dataclass
class BottlenecksResult(Result):
    """Transitions ranked by the waiting time they cause.

    ``table``: ``source, target, count, mean_seconds, median_seconds, p90_seconds, total_wait_seconds``
    (count × mean), ``share_of_wait``, ``rank_total``, ``rank_p90`` (1 = worst), sorted by total wait.
    """

    title: str = "Bottlenecks"

    def figure(self):
        import plotly.graph_objects as go

        t = self.table.head(15).iloc[::-1]
        fig = go.Figure(
            go.Bar(
                x=t["total_wait_seconds"] / 3600,
                y=t["source"] + " → " + t["target"],
                orientation="h",
                text=t["share_of_wait"].map("{:.0%}".format),
            )
        )
        fig.update_layout(title=self.title, xaxis_title="total waiting time (hours)", yaxis=dict(automargin=True))
        return fig


def bottlenecks(
    engine: Engine,
    *,
    by: By = "customer",
    level: Level = "touchpoint",
    min_count: int = 1,
    filters: Filters | None = None,
    exact: bool = True,
) -> BottlenecksResult:
    """Transitions ranked by total waiting time (count × mean time) and by their 90th percentile.

    Self-transitions (``A -> A``) are included: repeated contacts are waiting too.  Parameters as in
    :func:`journeykit.analytics.transitions.transitions`.
    """
    tr = transitions(engine, by=by, level=level, min_count=min_count, filters=filters, exact=exact)
    df = tr.table[["source", "target", "count", *STATS]].copy()
    df["total_wait_seconds"] = df["count"] * df["mean_seconds"]
    total = df["total_wait_seconds"].sum()
    df["share_of_wait"] = df["total_wait_seconds"] / total if total > 0 else 0.0
    df["rank_total"] = df["total_wait_seconds"].rank(ascending=False, method="min").astype("int64")
    df["rank_p90"] = df["p90_seconds"].rank(ascending=False, method="min").astype("int64")
    df = df.sort_values(["rank_total", "source", "target"]).reset_index(drop=True)
    return BottlenecksResult(df, params=tr.params, notes=tr.notes, title=f"Bottlenecks between {level}s")


# ----------------------------------------------------------------------------------- case throughput
@dataclass
class ThroughputResult(Result):
    """Throughput of cases (tickets, orders).

    ``table``: one row per metric, ``first_response`` (first to second event of a case) and
    ``resolution`` (first to last event): ``metric, cases, mean_seconds, median_seconds, p90_seconds``.
    """

    title: str = "Case throughput"

    def figure(self):
        return _bars(self.table, "metric", self.title)


def case_throughput(engine: Engine, *, filters: Filters | None = None, exact: bool = True) -> ThroughputResult:
    """First-response and resolution time of cases (events grouped by ``case_id``).

    Cases with a single event have neither a response nor a resolution time and are counted in a note.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    steps = prepare_steps(
        engine, by="case", level="event", filters=filters,
        requirement="throughput is per case: ingest the log with a case id column",
    )
    t = with_positions(steps)
    per = t.group_by(steps.keys).aggregate(
        events=t.count(),
        first=t.timestamp.min(),
        second=t.timestamp.max(where=t.pos == 1),
        last=t.timestamp.max(),
    )
    per = per.filter(per.events > 1).mutate(
        first_response=seconds_between(per.first, per.second), resolution=seconds_between(per.first, per.last)
    )
    rows = [
        split_quantiles(per.aggregate(metric=ibis.literal(m), cases=per.count(), **duration_stats(per[m], exact)))
        for m in ("first_response", "resolution")
    ]
    df = engine.execute(ibis.union(*rows)).astype({"cases": "int64"})
    df = df.set_index("metric").loc[["first_response", "resolution"]].reset_index()
    total = int(engine.execute(t.filter(t.pos == 0).count()))
    notes = list(steps.notes)
    single = total - int(df["cases"].iloc[0])
    if single:
        notes.append(f"{single:,} of {total:,} cases have a single event and no response or resolution time.")
    return ThroughputResult(df, params=dict(exact=exact, filters=filters.describe()), notes=notes)
