"""Ordered event sequences per customer, case or session: the first step of transitions, paths and timing.

:func:`prepare_steps` turns ``engine.events`` into an unexecuted Ibis table with one row per *step*: the
journey key columns (``entity`` = customer id, or the workspace's integer customer ordinal, or case id, plus
``session`` when sessions are requested),
``customer_id`` (per case only: per customer it is ``entity``), ``timestamp``, ``seq`` and ``step`` (the
label at the chosen level: touchpoint, stage or raw event name, after the cleaning rules).  Steps are
ordered by ``(timestamp, seq)`` within a journey so that equal timestamps keep input order.

Portability
-----------
Everything here is window functions (``lag``, cumulative ``sum``, ``row_number``), ``CASE`` expressions and
regular-expression searches, which Ibis compiles for DuckDB and PySpark alike.  Ordered sequences
(:func:`journey_sequences`) use an ordered ``collect`` on DuckDB and, because Ibis 12 cannot compile one
for PySpark, a sorted array of ``(position, label)`` structs elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real

import ibis
import ibis.expr.types as ir

from journeykit.analytics._empty import why_no_events
from journeykit.analytics.durations import bitmap_fits, distinct_count, distinct_ordinals
from journeykit.analytics.label_codes import encode_labels
from journeykit.engine import Engine, Filters
from journeykit.engine.expr import (
    CUSTOMER_ORDINAL,
    CUSTOMER_RANK,
    ORDER_BY,
    attribute,
    customer_key,
    global_position,
    has_customer_rank,
    neighbour,
    ordered_window,
    seconds_between,
)
from journeykit.errors import EmptyResultError, JourneykitError, OptionError, check_choice, check_kind
from journeykit.options import By, Level

BY_COLUMN: dict[str, str] = {"customer": "customer_id", "case": "case_id"}
LEVELS: tuple[str, ...] = ("touchpoint", "stage", "event")

#: Path cleaning rules: ``(regular expression, alias)`` in order; the first whose pattern matches the whole
#: label renames it, an alias of ``None`` drops the step.
CleanRules = Mapping[str, str | None] | Sequence[tuple[str, str | None]]


@dataclass(frozen=True)
class Sessions:
    """How to split a customer's (or case's) events into sessions.

    Parameters
    ----------
    timeout_minutes : float
        A gap of more than this many minutes between consecutive events starts a new session; must be > 0
        (:class:`OptionError` otherwise).
    attribute : str, optional
        Use this free attribute as the session id instead of the inactivity rule; events without it are
        left out (with a note).
    """

    timeout_minutes: float = 30.0
    attribute: str | None = None

    def __post_init__(self) -> None:
        gap = self.timeout_minutes
        if isinstance(gap, bool) or not isinstance(gap, Real) or not gap > 0:  # NaN is not > 0 either
            raise OptionError(f"timeout_minutes must be a number of minutes > 0, got {gap!r}")

    def describe(self) -> str:
        if self.attribute is not None:
            return f"sessions by attribute '{self.attribute}'"
        return f"sessions split after {self.timeout_minutes:g} min of inactivity"


@dataclass
class Steps:
    """An unexecuted table of ordered steps and what was left out on the way.

    Attributes
    ----------
    table : ibis.Table
        Columns: the ``keys``, ``timestamp``, ``seq``, ``step`` and, for journeys per case, ``customer_id``.
    keys : list of str
        Columns identifying one journey (``["entity"]`` or ``["entity", "session"]``).
    level : str
        The level of ``step``.
    notes : list of str
        Rows left out (no case id, unmapped, no session attribute) for the reader.
    labels : tuple of str
        The distinct labels ``step`` can take, sorted (a superset after sessions and repeat collapsing);
        with ``encoded=True`` ``step`` holds the index of its label here.
    position : str, optional
        A column of ``table`` ranking the rows in ``(*keys, timestamp, seq)`` order, which :meth:`next`,
        :meth:`previous` and :meth:`window` sort by (DuckDB only): the workspace's stored
        :data:`~journeykit.engine.expr.CUSTOMER_RANK` for journeys per customer (or per inactivity session),
        else, after collapsing repeats, a rank computed in the collapsing sort.
    uncollapsed : ibis.Table, optional
        After collapsing repeats, the steps before it: a journey still ends at its last event, which may be
        a repeat that collapsing left out (for throughput times).
    ordinals : int, optional
        When ``entity`` holds the stored :data:`~journeykit.engine.expr.CUSTOMER_ORDINAL` (DuckDB): the
        highest one, which bounds the bitmaps of :meth:`distinct_customers`.
    """

    table: ir.Table
    keys: list[str]
    level: str
    notes: list[str] = field(default_factory=list)
    labels: tuple[str, ...] = ()
    position: str | None = None
    uncollapsed: ir.Table | None = None
    ordinals: int | None = None

    @property
    def customer(self) -> str:
        """The column identifying the customer, for distinct counts: ``entity`` for journeys per customer
        (not carried twice through the window sorts, which cost about 5 % more with the copy; the stored
        :data:`~journeykit.engine.expr.CUSTOMER_ORDINAL` where there is one), else ``customer_id``."""
        return "customer_id" if "customer_id" in self.table.columns else "entity"

    def distinct_customers(self, t: ir.Table, groups: int, exact: bool) -> ir.IntegerScalar:
        """The number of distinct customers of ``t`` (a table of these steps) in each of at most ``groups``
        groups: counted in bitmaps of the stored customer ordinals where there are some and they fit in
        memory (:func:`~journeykit.analytics.durations.distinct_ordinals`), else ``COUNT(DISTINCT)`` (or its
        approximation when not ``exact``)."""
        if exact and self.ordinals is not None and self.customer == "entity" and bitmap_fits(groups, self.ordinals):
            return distinct_ordinals(t.entity, self.ordinals)
        return distinct_count(t[self.customer], exact)

    def window(self) -> ibis.expr.builders.LegacyWindowBuilder:
        """The ``(timestamp, seq)``-ordered window over one journey (ordered by ``position`` when there is
        one: the same order, one integer to sort by)."""
        if self.position is not None:
            return ibis.window(group_by=self.keys, order_by=[self.position])
        return ordered_window(self.keys)

    def next(self, value: ir.Value) -> ir.Value:
        """``value`` at the next step of the same journey (NULL at the last); ``value`` of ``table``."""
        return neighbour(self.table, value, self.keys, 1, self.position)

    def previous(self, value: ir.Value) -> ir.Value:
        """``value`` at the previous step of the same journey (NULL at the first)."""
        return neighbour(self.table, value, self.keys, -1, self.position)


class CleaningRuleError(JourneykitError):
    """A path cleaning rule that is not a ``(pattern, alias)`` pair or whose pattern is not a valid regular
    expression."""


def clean_rules(rules: CleanRules | None) -> list[tuple[str, str | None]]:
    """Cleaning rules as an ordered list of ``(pattern, alias)``; invalid rules raise CleaningRuleError."""
    if rules is None:
        return []
    if isinstance(rules, Mapping):
        out = list(rules.items())
    elif isinstance(rules, (list, tuple)):
        out = [tuple(r) if isinstance(r, (list, tuple)) else (r,) for r in rules]
    else:
        raise CleaningRuleError(
            f"clean must be a dict {{pattern: alias}} or a list of (pattern, alias) pairs, got {rules!r}"
        )
    for rule in out:
        if len(rule) != 2 or not isinstance(rule[0], str):
            raise CleaningRuleError(f"cleaning rule {rule!r}: expected a (pattern, alias) pair")
    for pattern, _ in out:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CleaningRuleError(f"cleaning rule {pattern!r}: invalid regular expression ({exc})") from None
    return out


def apply_cleaning(label: ir.StringValue, rules: list[tuple[str, str | None]]) -> ir.StringValue:
    """``label`` renamed by the first rule whose pattern matches it entirely (``None`` alias -> NULL)."""
    if not rules:
        return label
    case = ibis.cases(
        *[(label.re_search(f"^(?:{pattern})$"), ibis.literal(alias, type="string")) for pattern, alias in rules],
        else_=label,
    )
    return case


def _label(t: ir.Table, level: str) -> ir.StringValue:
    return t[level] if level != "event" else t.event


def prepare_steps(
    engine: Engine,
    *,
    by: By = "customer",
    level: Level = "touchpoint",
    filters: Filters | None = None,
    clean: CleanRules | None = None,
    collapse_repeats: bool = False,
    sessions: Sessions | None = None,
    encoded: bool = False,
    requirement: str | None = None,
) -> Steps:
    """Ordered steps of every journey, after filters, cleaning, sessions and repeat collapsing.

    Parameters
    ----------
    engine : Engine
    by : {"customer", "case"}
        One journey per customer, or per case (``case_id``; events without one are left out).
    level : {"touchpoint", "stage", "event"}
        Label of a step; events without a label at that level (unmapped) are left out.
    filters : Filters, optional
    clean : mapping or list of (regex, alias), optional
        Renames labels (first matching rule wins; patterns match the whole label; alias ``None`` drops).
    collapse_repeats : bool
        Keep only the first of consecutive steps with the same label (``A A B A`` -> ``A B A``).
    sessions : Sessions, optional
        Split each journey into sessions (inactivity gap or an attribute).
    encoded : bool
        ``step`` holds label codes (:mod:`journeykit.analytics.label_codes`): the index of the label in
        ``Steps.labels``.  Faster to group and sort; decode the results.
    requirement : str, optional
        For analyses whose ``by`` and ``level`` are fixed: what they need, said when no event has a journey
        key or a label at ``level`` instead of the advice to choose another ``by`` or ``level``.

    Raises
    ------
    EmptyResultError
        When nothing is left: empty workspace, filters matching nothing, an unknown segment attribute, no
        case ids, no events mapped at ``level``.  The message says which.
    """
    check_choice("by", by, list(BY_COLUMN))
    check_choice("level", level, LEVELS)
    if sessions is not None:
        check_kind("sessions", sessions, Sessions, "e.g. Sessions(timeout_minutes=30) or Sessions(attribute='visit')")
    filters = filters or Filters()
    rules = clean_rules(clean)
    raw = engine.events
    t = filters.apply(raw)
    # per customer, the stored ordinal where there is one: an integer compares and counts faster than the id
    entity = customer_key(t) if by == "customer" else t[BY_COLUMN[by]]
    numbered = by == "customer" and CUSTOMER_ORDINAL in t.columns and engine.kind == "duckdb"
    label = apply_cleaning(_label(t, level), rules)
    extra = {}
    if sessions is not None and sessions.attribute is not None:
        extra["session"] = attribute(t, sessions.attribute)
    carried = ["customer_id"] if by != "customer" else []
    # journeys per customer (or per inactivity session: a run of them) sort by the stored rank; sessions by
    # an attribute may interleave, so their rows need not be contiguous in that order
    ranked = by == "customer" and has_customer_rank(t) and (sessions is None or sessions.attribute is None)
    if ranked:
        carried.append(CUSTOMER_RANK)
    t = t.select(*carried, "timestamp", "seq", entity=entity, step=label, **extra)
    keys = ["entity"]
    # one scan counts what is left out, collects the labels and finds the highest customer ordinal
    top = {"top": t.entity.max()} if numbered else {}
    per_label = engine.execute(
        t.group_by("step").aggregate(rows=t.count(), with_entity=t.entity.notnull().sum(), **top))
    labelled = per_label[per_label["step"].notna() & (per_label["with_entity"] > 0)]
    rows, with_entity = int(per_label["rows"].sum()), int(per_label["with_entity"].sum())
    kept = int(labelled["with_entity"].sum())
    if kept == 0:
        raise EmptyResultError(_why_empty(engine, raw, filters, by, level, rows, with_entity, bool(rules), requirement))
    notes = []
    if with_entity < rows:
        notes.append(f"{rows - with_entity:,} of {rows:,} events have no {BY_COLUMN[by]} and are left out.")
    if kept < with_entity:
        what = "an empty label after cleaning or no" if rules else "no"
        notes.append(f"{with_entity - kept:,} events have {what} {level} and are left out.")
    t = t.filter(t.entity.notnull())
    if sessions is not None:
        t, session_notes = _sessionize(engine, t, sessions)
        keys.append("session")
        notes += session_notes
    labels = tuple(sorted(labelled["step"]))
    t = encode_labels(t, labels) if encoded else t.filter(t.step.notnull())
    position, uncollapsed = (CUSTOMER_RANK if ranked else None), None
    if collapse_repeats:
        uncollapsed = t
        rank = {}
        if position is None and engine.kind == "duckdb":
            # the rows are ranked in the same sort, so that later neighbours sort by one integer
            position, rank = "_position", {"_position": global_position(keys)}
        # the window goes in a column first: Spark cannot evaluate a window inside a filter
        previous = neighbour(t, t.step, keys, -1, None if rank else position)
        t = t.mutate(_previous=previous, **rank)
        t = t.filter(t._previous.isnull() | (t._previous != t.step)).drop("_previous")
    ordinals = int(per_label["top"].max()) if numbered else None
    return Steps(t, keys, level, notes, labels=labels, position=position, uncollapsed=uncollapsed, ordinals=ordinals)


def _sessionize(engine: Engine, t: ir.Table, sessions: Sessions) -> tuple[ir.Table, list[str]]:
    if sessions.attribute is not None:
        counts = engine.execute(t.aggregate(rows=t.count(), missing=t.session.isnull().sum())).iloc[0]
        missing = int(counts["missing"] or 0)
        if missing == int(counts["rows"]):
            raise EmptyResultError(f"no event has the session attribute '{sessions.attribute}'")
        notes = [f"{missing:,} events have no '{sessions.attribute}' attribute and are left out."] if missing else []
        return t.filter(t.session.notnull()), notes
    order = [CUSTOMER_RANK] if CUSTOMER_RANK in t.columns else list(ORDER_BY)
    w = ibis.window(group_by="entity", order_by=order)
    gap = seconds_between(t.timestamp.lag().over(w), t.timestamp)
    t = t.mutate(new=ibis.ifelse(gap.isnull() | (gap > sessions.timeout_minutes * 60), 1, 0))
    cumulative = ibis.cumulative_window(group_by="entity", order_by=order)
    return t.mutate(session=t.new.sum().over(cumulative).cast("string")).drop("new"), []


def _why_empty(
    engine: Engine, raw: ir.Table, filters: Filters, by: str, level: str, rows: int, with_entity: int, cleaned: bool,
    requirement: str | None,
) -> str:
    """The reason nothing is left, checked from the most to the least basic; ``requirement`` replaces the
    advice to choose another ``by`` or ``level``."""
    if rows == 0:
        return why_no_events(engine, raw, filters)
    if with_entity == 0:
        advice = requirement or "use by='customer'"
        return f"none of the {rows:,} events has a {BY_COLUMN[by]} ({advice})"
    if cleaned:
        return f"no events are left with a {level} after the cleaning rules"
    advice = requirement or "map events in journey.yaml or use level='event'"
    return f"none of the {rows:,} events is mapped to a {level} ({advice})"


def with_positions(steps: Steps) -> ir.Table:
    """The steps with ``pos``: 0-based position of each step in its journey."""
    return steps.table.mutate(pos=ibis.row_number().over(steps.window()))


def journey_sequences(engine: Engine, steps: Steps) -> ir.Table:
    """One row per journey: its keys, ``sequence`` (array of step labels in order), ``start`` and ``end``.

    DuckDB aggregates with an ordered ``collect(order_by=(timestamp, seq))``.  Ibis cannot compile an
    ordered collect for PySpark, so other backends number the steps with ``row_number`` and sort an array
    of ``(position, step)`` structs (Spark ``array_sort`` of ``collect_list``), which gives the same
    sequences at the cost of one more window.
    """
    t = steps.table
    if engine.kind == "duckdb":
        order = [t[steps.position]] if steps.position is not None else [t.timestamp, t.seq]
        sequence = t.step.collect(order_by=order, include_null=True)  # steps are never NULL
    else:
        t = with_positions(steps)
        sequence = ibis.struct({"pos": t.pos, "step": t.step}).collect().sort().map(lambda s: s.step)
    per = t.group_by(steps.keys).aggregate(sequence=sequence, start=t.timestamp.min(), end=t.timestamp.max())
    if steps.uncollapsed is None:
        return per
    full = steps.uncollapsed  # collapsed repeats at the end of a journey still end it
    ends = full.group_by(steps.keys).aggregate(_last=full.timestamp.max())
    return per.join(ends, steps.keys).mutate(end=lambda r: r._last).drop("_last")


def known_labels(engine: Engine, steps: Steps, limit: int = 12) -> list[str]:
    """The most frequent step labels (for 'did you mean' messages)."""
    t = steps.table
    top = t.group_by("step").aggregate(n=t.count()).order_by([ibis.desc("n"), "step"]).limit(limit)
    return engine.execute(top)["step"].tolist()


def require_label(engine: Engine, steps: Steps, label: str) -> None:
    """Raise :class:`EmptyResultError` when ``label`` never occurs among the steps."""
    t = steps.table
    if not bool(engine.execute((t.step == label).any())):
        known = ", ".join(repr(v) for v in known_labels(engine, steps))
        raise EmptyResultError(f"{steps.level} {label!r} never occurs in the selected events (most frequent: {known})")
