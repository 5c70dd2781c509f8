"""Transitions (the journey map): the directly-follows graph of touchpoints, stages or events.

For every pair ``(source, target)`` of consecutive steps of a journey (ordered by ``(timestamp, seq)``):
how often it occurs, by how many distinct customers, its probability among the source's outgoing
transitions and the time between the two steps.  With ``by="case"`` and ``level="event"`` this is the
performance directly-follows graph of process mining (pm4py's ``discover_performance_dfg``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from journeykit.analytics.durations import duration_stats, split_quantiles
from journeykit.analytics.flowviz import process_map, sankey
from journeykit.analytics.label_codes import decode_codes
from journeykit.analytics.sequences import By, CleanRules, Level, Sessions, prepare_steps
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.engine.expr import seconds_between
from journeykit.errors import check_at_least
from journeykit.result import Result

COLUMNS = ["source", "target", "count", "customers", "probability", "mean_seconds", "median_seconds", "p90_seconds"]


@dataclass
class TransitionsResult(Result):
    """Directly-follows transitions.

    Attributes
    ----------
    table : DataFrame
        ``source, target, count, customers, probability, mean_seconds, median_seconds, p90_seconds``
        sorted by count (descending); ``probability`` is ``count`` over all outgoing transitions of
        ``source`` (before ``min_count`` hides rare ones).
    starts, ends : DataFrame
        ``step, count, share``: how many journeys start / end at each step.
    """

    starts: pd.DataFrame = field(default_factory=pd.DataFrame)
    ends: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Transitions"

    def figure(self, kind: str = "map"):
        """``kind="map"``: process map (nodes and arrows); ``kind="sankey"``: source -> target Sankey."""
        if kind == "sankey":
            return sankey(self.table, title=self.title)
        if kind == "map":
            return process_map(self.table, self.starts, self.ends, title=self.title)
        raise ValueError(f"kind must be 'map' or 'sankey', got {kind!r}")


def transitions(
    engine: Engine,
    *,
    by: By = "customer",
    level: Level = "touchpoint",
    min_count: int = 1,
    collapse_repeats: bool | None = None,
    clean: CleanRules | None = None,
    sessions: Sessions | None = None,
    filters: Filters | None = None,
    exact: bool = True,
) -> TransitionsResult:
    """The directly-follows graph of the journeys with frequencies and times between steps.

    Parameters
    ----------
    engine : Engine
        Or a :class:`~journeykit.workspace.Workspace` (its engine is used).
    by : {"customer", "case"}
        One journey per customer, or per case id (events without a case id are left out, with a note).
    level : {"touchpoint", "stage", "event"}
    min_count : int
        Hide transitions occurring fewer times (probabilities still count them).
    collapse_repeats : bool, optional
        Merge consecutive steps with the same label; default: only at ``level="stage"``.  The time of a
        merged run is that of its first event, so times are from entering one step to entering the next.
    clean : mapping or list of (regex, alias), optional
        Label cleaning rules (see :func:`journeykit.analytics.sequences.prepare_steps`).
    sessions : Sessions, optional
        Journeys are sessions (no transition crosses a session boundary).
    filters : Filters, optional
    exact : bool
        Exact distinct customers and quantiles; ``False`` uses approximate aggregates (large data).

    Returns
    -------
    TransitionsResult

    Raises
    ------
    OptionError
        An unknown ``by`` or ``level``, ``min_count`` below 1, an engine or filters of the wrong kind.
    EmptyResultError
        When no events are left (the message says why).
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_at_least("min_count", min_count, 1)
    collapse = level == "stage" if collapse_repeats is None else collapse_repeats
    steps = prepare_steps(
        engine, by=by, level=level, filters=filters, clean=clean, collapse_repeats=collapse, sessions=sessions,
        encoded=True,
    )
    t = steps.table
    t = t.mutate(
        target=steps.next(t.step),
        gap=seconds_between(t.timestamp, steps.next(t.timestamp)),
        first=steps.previous(t.step).isnull(),
    )
    # One pass: a row per (source, target) pair, and per (source, NULL) for journey ends; every step is in
    # exactly one group, so the starts of a step are the sum of its groups' ``starts``.
    agg = split_quantiles(t.group_by(source=t.step, target=t.target).aggregate(
        count=t.count(),
        customers=steps.distinct_customers(t, len(steps.labels) * (len(steps.labels) + 1), exact),
        starts=t.first.sum(),
        **duration_stats(t.gap, exact),
    ))
    outgoing = agg["count"].sum(where=agg.target.notnull()).over(group_by="source")
    agg = agg.mutate(outgoing=outgoing.fill_null(0).cast("int64"))
    df = engine.execute(agg)
    df["source"], df["target"] = decode_codes(df["source"], steps.labels), decode_codes(df["target"], steps.labels)
    params = dict(
        by=by, level=level, min_count=min_count, collapse_repeats=collapse, exact=exact,
        filters=filters.describe(),
    )
    if sessions is not None:
        params["sessions"] = sessions.describe()
    return _result(df, min_count, params, steps.notes)


def _result(df: pd.DataFrame, min_count: int, params: dict, notes: list[str]) -> TransitionsResult:
    ends_mask = df["target"].isna()
    journeys = int(df["starts"].sum())
    starts = _frequencies(df.groupby("source", as_index=False)["starts"].sum(), "starts", journeys)
    ends = _frequencies(df.loc[ends_mask, ["source", "count"]], "count", journeys)
    pairs = df.loc[~ends_mask].copy()
    pairs["probability"] = pairs["count"] / pairs["outgoing"]
    pairs = pairs.astype({"count": "int64", "customers": "int64"})
    hidden = pairs["count"] < min_count
    notes = list(notes)
    if hidden.any():
        notes.append(
            f"{int(hidden.sum())} transitions with fewer than {min_count} occurrences "
            f"({int(pairs.loc[hidden, 'count'].sum()):,} of {int(pairs['count'].sum()):,}) are hidden."
        )
    if pairs.empty:
        notes.append("No journey has two or more steps: there are no transitions.")
    table = pairs.loc[~hidden, COLUMNS].sort_values(["count", "source", "target"], ascending=[False, True, True])
    title = f"Transitions between {params['level']}s (by {params['by']})"
    return TransitionsResult(
        table.reset_index(drop=True), params=params, notes=notes, starts=starts, ends=ends, title=title
    )


def _frequencies(df: pd.DataFrame, column: str, total: int) -> pd.DataFrame:
    out = df.rename(columns={"source": "step", column: "count"})[["step", "count"]]
    out = out[out["count"] > 0].astype({"count": "int64"})
    out["share"] = out["count"] / total
    return out.sort_values(["count", "step"], ascending=[False, True]).reset_index(drop=True)

