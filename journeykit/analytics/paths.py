"""Paths and variants: the most frequent whole journeys, and the paths around chosen steps.

:func:`variants` counts the distinct full sequences of steps (process-mining *variants*).  :func:`paths`
follows journeys from the first occurrence of an anchor step: the ``steps`` steps after it, before it, or
between it and the first following ``until`` step.  At each position the rare labels are grouped into
``"other"`` and the missing ones shown as ``"(start)"`` / ``"(end)"``, so that every position's counts add
up to the number of anchored journeys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from journeykit.analytics.flowviz import sankey_figure
from journeykit.analytics.label_codes import decode_lists
from journeykit.analytics.sequences import (
    By,
    CleanRules,
    Level,
    Sessions,
    Steps,
    journey_sequences,
    prepare_steps,
    require_label,
    with_positions,
)
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.engine.expr import seconds_between
from journeykit.errors import EmptyResultError, OptionError, check_at_least, check_choice, check_kind
from journeykit.options import Direction
from journeykit.result import Result

#: Arrow between the steps of a variant or path in its text form.
ARROW = " → "
OTHER, START, END = "other", "(start)", "(end)"


# ------------------------------------------------------------------------------------------ variants
@dataclass
class VariantsResult(Result):
    """Distinct full journeys.

    Attributes
    ----------
    table : DataFrame
        ``variant`` (steps joined by " → "), ``length``, ``count``, ``share``, ``mean_throughput_seconds``
        (first to last step), most frequent first; with ``top``, one last ``"other"`` row holds the rest.
    steps : pyarrow.ChunkedArray, optional
        The steps of the variant rows of ``table`` as Arrow lists (without the ``"other"`` row).
    """

    steps: pa.ChunkedArray | None = field(default=None, repr=False)
    title: str = "Variants"

    @cached_property
    def sequences(self) -> list[tuple[str, ...]]:
        """The steps of each row of ``table`` (an empty tuple for ``"other"``).

        Built on first use: hundreds of thousands of variants make millions of Python strings.
        """
        listed = [tuple(s) for s in self.steps.to_pylist()] if self.steps is not None else []
        return listed + [()] * (len(self.table) - len(listed))

    def figure(self):
        """Horizontal bars of the most frequent variants."""
        import plotly.graph_objects as go

        t = self.table.head(20).iloc[::-1]
        fig = go.Figure(go.Bar(x=t["count"], y=t["variant"], orientation="h", text=t["share"].map("{:.1%}".format)))
        fig.update_layout(title=self.title, yaxis=dict(automargin=True), height=200 + 28 * len(t))
        return fig


def variants(
    engine: Engine,
    *,
    by: By = "customer",
    level: Level = "touchpoint",
    top: int | None = None,
    collapse_repeats: bool = False,
    clean: CleanRules | None = None,
    sessions: Sessions | None = None,
    filters: Filters | None = None,
) -> VariantsResult:
    """The distinct full sequences of steps, with count, share and mean throughput time.

    Parameters
    ----------
    engine : Engine
        Or a :class:`~journeykit.workspace.Workspace` (its engine is used).
    by : {"customer", "case"}
    level : {"touchpoint", "stage", "event"}
    top : int, optional
        Keep the ``top`` most frequent variants and group the others into one ``"other"`` row.
    collapse_repeats, clean, sessions, filters
        As in :func:`journeykit.analytics.sequences.prepare_steps`.

    Notes
    -----
    Sequences of label codes (:mod:`journeykit.analytics.label_codes`) are built by
    :func:`~journeykit.analytics.sequences.journey_sequences`, grouped by the array (DuckDB and Spark both
    can) and decoded to labels.  Ties in count are ordered by the variant text, so the order is deterministic.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    if top is not None:
        check_at_least("top", top, 1)
    steps = prepare_steps(
        engine, by=by, level=level, filters=filters, clean=clean, collapse_repeats=collapse_repeats, sessions=sessions,
        encoded=True,
    )
    per = journey_sequences(engine, steps)
    throughput = seconds_between(per.start, per.end)
    agg = per.group_by("sequence").aggregate(count=per.count(), mean_throughput_seconds=throughput.mean())
    arrow = engine.to_pyarrow(agg.mutate(length=agg.sequence.length()))
    sequences = decode_lists(arrow["sequence"], steps.labels)
    arrow = arrow.set_column(arrow.schema.get_field_index("sequence"), "sequence", sequences)
    arrow = arrow.append_column("variant", pc.binary_join(sequences, ARROW))
    arrow = arrow.sort_by([("count", "descending"), ("variant", "ascending")])
    table = arrow.select(["variant", "length", "count", "mean_throughput_seconds"]).to_pandas()
    table = table.astype({"length": "int64", "count": "int64", "mean_throughput_seconds": "float64"})
    sequences = arrow["sequence"]
    notes = list(steps.notes)
    if top is not None and len(table) > top:
        notes.append(f"{len(table) - top:,} less frequent variants are grouped into 'other'.")
        table, sequences = _keep_top(table, top), sequences.slice(0, top)
    total = int(table["count"].sum())
    table.insert(3, "share", table["count"] / total)
    params = dict(by=by, level=level, top=top, collapse_repeats=collapse_repeats, filters=filters.describe())
    return VariantsResult(
        table, params=params, notes=notes, steps=sequences, title=f"Variants of {level}s (by {by}): {total:,} journeys"
    )


def _keep_top(table: pd.DataFrame, top: int) -> pd.DataFrame:
    head, tail = table.iloc[:top], table.iloc[top:]
    weight = tail["count"].sum()
    other = {
        "variant": OTHER,
        "length": None,
        "count": int(weight),
        "mean_throughput_seconds": float((tail["count"] * tail["mean_throughput_seconds"]).sum() / weight),
    }
    return pd.concat([head, pd.DataFrame([other])], ignore_index=True).astype({"count": "int64"})


# --------------------------------------------------------------------------------------------- paths
@dataclass
class PathsResult(Result):
    """Paths around an anchor step.

    Attributes
    ----------
    table : DataFrame
        One row per path: a column per position (``step+1``, ``step+2``, ... after the anchor;
        ``step-3``, ``step-2``, ``step-1`` before it), ``count``, ``share``; with ``top_paths``, one last
        row of ``"other"`` holds the rest.
    steps : DataFrame
        ``offset, label, count, share``: the labels at each position (rare ones as ``"other"``).
    links : DataFrame
        ``offset, source, target, count``: flows from position ``offset`` to the next one.
    """

    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Paths"

    def figure(self):
        """Sankey of the flows from position to position."""
        links = self.links
        src = list(zip(links["offset"], links["source"]))
        tgt = list(zip(links["offset"] + 1, links["target"]))
        label = {k: str(k[1]) for k in [*src, *tgt]}
        return sankey_figure(src, tgt, links["count"].tolist(), label, self.title)


def paths(
    engine: Engine,
    anchor: str,
    *,
    direction: Direction = "after",
    until: str | None = None,
    steps: int = 3,
    by: By = "customer",
    level: Level = "touchpoint",
    top_per_step: int = 8,
    top_paths: int | None = 25,
    collapse_repeats: bool = False,
    clean: CleanRules | None = None,
    sessions: Sessions | None = None,
    filters: Filters | None = None,
) -> PathsResult:
    """The paths of ``steps`` steps after, before or between chosen steps.

    Each journey (customer, case or session) counts once, from the first occurrence of ``anchor``.

    Parameters
    ----------
    engine : Engine
        Or a :class:`~journeykit.workspace.Workspace` (its engine is used).
    anchor : str
        The step (label at ``level``, after cleaning) the paths start or end at.
    direction : {"after", "before", "between"}
        ``"between"`` follows journeys from ``anchor`` up to and including the first ``until`` after it
        (journeys without one are left out, with a note), at most ``steps`` steps.
    until : str, optional
        The end step of ``direction="between"``.
    steps : int
        Number of positions shown.
    by, level, collapse_repeats, clean, sessions, filters
        As in :func:`journeykit.analytics.sequences.prepare_steps`.
    top_per_step : int
        At each position keep the most frequent labels, group the others into ``"other"``.
    top_paths : int, optional
        Keep the most frequent paths, group the others into one ``"other"`` row.

    Raises
    ------
    OptionError
        An unknown ``direction``, ``by`` or ``level``, a count below 1, ``until`` without ``"between"``.
    EmptyResultError
        When ``anchor`` (or ``until``) never occurs, or no journey goes from ``anchor`` to ``until``.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("anchor", anchor, str, "a step label such as 'checkout'")
    check_choice("direction", direction, ["after", "before", "between"])
    check_at_least("steps", steps, 1)
    check_at_least("top_per_step", top_per_step, 1)
    if top_paths is not None:
        check_at_least("top_paths", top_paths, 1)
    if (direction == "between") != (until is not None):
        raise OptionError("'until' is required with direction='between' and only allowed with it")
    prepared = prepare_steps(
        engine, by=by, level=level, filters=filters, clean=clean, collapse_repeats=collapse_repeats, sessions=sessions
    )
    require_label(engine, prepared, anchor)
    if until is not None:
        require_label(engine, prepared, until)
    offsets = list(range(-steps, 0)) if direction == "before" else list(range(1, steps + 1))
    wide, notes = _wide(engine, prepared, anchor, until, offsets)
    columns = [_column(k) for k in offsets]
    long = wide.pivot_longer(columns, names_to="column", values_to="label")
    counts = engine.execute(long.group_by(["column", "label"]).aggregate(count=long.count()))
    kept = _top_labels(counts, top_per_step)
    grouped = wide.select(**{c: ibis.ifelse(wide[c].isin(kept[c]), wide[c], OTHER) for c in columns})
    table = engine.execute(grouped.group_by(columns).aggregate(count=grouped.count()))
    table = table.sort_values(["count", *columns], ascending=[False] + [True] * len(columns))
    total = int(table["count"].sum())
    step_table = _steps_table(table, columns, offsets, total)
    links = _links_table(table, columns, offsets)
    if top_paths is not None and len(table) > top_paths:
        notes.append(f"{len(table) - top_paths:,} less frequent paths are grouped into 'other'.")
        rest = {c: OTHER for c in columns} | {"count": int(table["count"].iloc[top_paths:].sum())}
        table = pd.concat([table.iloc[:top_paths], pd.DataFrame([rest])], ignore_index=True)
    table = table.astype({"count": "int64"}).reset_index(drop=True)
    table["share"] = table["count"] / total
    where = f"between {anchor!r} and {until!r}" if until is not None else f"{direction} {anchor!r}"
    params = dict(
        anchor=anchor, direction=direction, until=until, steps=steps, by=by, level=level,
        top_per_step=top_per_step, top_paths=top_paths, filters=filters.describe(),
    )
    return PathsResult(
        table, params=params, notes=prepared.notes + notes, steps=step_table, links=links,
        title=f"Paths {where} ({total:,} journeys)",
    )


def _column(offset: int) -> str:
    return f"step{offset:+d}"


def _wide(
    engine: Engine, steps: Steps, anchor: str, until: str | None, offsets: list[int]
) -> tuple[ir.Table, list[str]]:
    """One row per anchored journey, one column per offset (labels, or "(start)"/"(end)" when missing)."""
    keys = steps.keys
    t = with_positions(steps)
    t = t.mutate(apos=ibis.ifelse(t.step == anchor, t.pos, None).min().over(group_by=keys))
    t = t.filter(t.apos.notnull()).mutate(offset=t.pos - t.apos)
    notes: list[str] = []
    if until is not None:
        t = t.mutate(
            upto=ibis.ifelse((t.step == until) & (t.offset > 0), t.offset, None).min().over(group_by=keys)
        )
        first = t.filter(t.offset == 0)
        counts = engine.execute(first.aggregate(anchored=first.count(), reached=first.upto.count()))
        anchored, reached = int(counts["anchored"].iloc[0]), int(counts["reached"].iloc[0])
        if reached == 0:
            raise EmptyResultError(f"no journey reaches {until!r} after {anchor!r}")
        if reached < anchored:
            notes.append(
                f"{anchored - reached:,} of {anchored:,} journeys with {anchor!r} never reach {until!r} after it."
            )
        t = t.filter(t.upto.notnull() & (t.offset <= t.upto))
    lo, hi = min(offsets), max(offsets)
    t = t.filter((t.offset >= min(lo, 0)) & (t.offset <= max(hi, 0)))
    missing = START if hi < 0 else END
    wide = t.group_by(keys).aggregate(
        **{_column(k): t.step.max(where=t.offset == k).fill_null(missing) for k in offsets}
    )
    return wide, notes


def _top_labels(counts: pd.DataFrame, top: int) -> dict[str, list[str]]:
    """Per column, the ``top`` most frequent labels (ties by label); "(start)"/"(end)" are always kept."""
    kept = {}
    for column, group in counts.groupby("column"):
        ranked = group.sort_values(["count", "label"], ascending=[False, True])["label"].tolist()
        kept[column] = list(dict.fromkeys([*ranked[:top], *(m for m in (START, END) if m in ranked)]))
    return kept


def _steps_table(table: pd.DataFrame, columns: list[str], offsets: list[int], total: int) -> pd.DataFrame:
    parts = [
        table.groupby(c, as_index=False)["count"].sum().rename(columns={c: "label"}).assign(offset=k)
        for c, k in zip(columns, offsets)
    ]
    out = pd.concat(parts, ignore_index=True)[["offset", "label", "count"]]
    out["share"] = out["count"] / total
    return out.sort_values(["offset", "count", "label"], ascending=[True, False, True]).reset_index(drop=True)


def _links_table(table: pd.DataFrame, columns: list[str], offsets: list[int]) -> pd.DataFrame:
    parts = [
        table.groupby([a, b], as_index=False)["count"].sum().rename(columns={a: "source", b: "target"}).assign(offset=k)
        for a, b, k in zip(columns, columns[1:], offsets)
    ]
    if not parts:
        return pd.DataFrame(columns=["offset", "source", "target", "count"])
    out = pd.concat(parts, ignore_index=True)[["offset", "source", "target", "count"]]
    return out.sort_values(["offset", "count", "source", "target"], ascending=[True, False, True, True]).reset_index(
        drop=True
    )
