"""Funnel attempts as one unexecuted Ibis expression.

An *attempt* starts at a step-1 event (any step event in ``any`` order).  For ``ordered`` and ``strict``
funnels the later required steps are matched greedily: step ``b`` is the first step-``b`` event after the
event matched for the previous required step (``ordered``), or the very next event of the customer
(``strict``), provided it lies within the conversion window from step 1.  Greedy matching reaches the
furthest step any matching could reach.  Events are ordered by ``(timestamp, seq)``; ``pK``, the position
of the event matched for step K, is only compared within one customer.  Optional steps and exclusions
need the position and time of their next occurrence after a matched step.  The events are matched one of
two ways:

* an ``ordered`` funnel on DuckDB events carrying :data:`~journeykit.engine.expr.CUSTOMER_RANK` (a
  customer's events have contiguous ranks in ``(timestamp, seq)`` order) takes positions from the rank;
  the first step-``b`` event after position ``p``, and the next occurrence of an optional step or an
  exclusion, is found by an ASOF join on the rank, with no window (:func:`_asof_chain`);
* otherwise (``strict`` funnels, Spark, tables without the rank) events are numbered per customer (``rn``)
  and the chain is a sequence of equi-joins (:func:`_window_chain`).  In a ``strict`` funnel the next
  event is the one at ``rn + 1``.  In an ``ordered`` funnel every event also carries ``cK``, the running
  count of step-K events up to and including it (in the same sorted window as ``rn``, so no second sort):
  the first step-K event after a row with count ``c`` is the step-K event whose own count is ``c + 1``.
  Next occurrences are window minimums over the following rows.

The result has one row per attempt: ``customer_id``, ``group``, ``entry`` (step-1 timestamp),
``entry_seq``, ``t1`` … ``tN`` (epoch seconds at which each step was reached, NULL when not reached),
``reached`` (the furthest required step; in ``any`` order the number of distinct steps done) and
``excluded``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import ibis
import ibis.expr.types as ir

from journeykit.analytics._steps import Exclusion, Step, any_step
from journeykit.engine.expr import CUSTOMER_RANK, ORDER_BY, attribute, epoch_seconds, has_customer_rank

#: Event columns a breakdown may name directly; any other name is a free attribute.
BREAKDOWN_COLUMNS = ("channel", "touchpoint", "stage", "event", "case_id", "source")
NO_VALUE = "(none)"


def breakdown_value(t: ir.Table, by: str | None) -> ir.StringValue:
    """The breakdown value of each row (``NO_VALUE`` when absent; one group when ``by`` is None)."""
    if by is None:
        return ibis.literal(NO_VALUE)
    col = t[by] if by in BREAKDOWN_COLUMNS else attribute(t, by)
    return col.cast("string").fill_null(NO_VALUE)


def _flagged(
    events: ir.Table,
    steps: Sequence[Step],
    exclusions: Sequence[Exclusion],
    by: str | None,
    ranked: bool = False,
) -> ir.Table:
    """One row per event: its step flags ``sK``, exclusion flags ``xJ``, epoch seconds ``t``, the breakdown
    ``group`` (only with a breakdown, see :func:`_group`) and, when ``ranked``, its customer rank ``p``."""
    return events.select(
        "customer_id",
        "timestamp",
        "seq",
        **({"p": events[CUSTOMER_RANK]} if ranked else {}),
        **({"group": breakdown_value(events, by)} if by is not None else {}),
        t=epoch_seconds(events.timestamp),
        **{f"s{k}": s.predicate(events) for k, s in enumerate(steps, 1)},
        **{f"x{j}": x.step.predicate(events) for j, x in enumerate(exclusions)},
    )


def _carried(rows: ir.Table) -> list[str]:
    """The columns of a step-1 row that an attempt carries through the joins: ``customer_id`` and the
    breakdown ``group`` when there is one."""
    return [c for c in ("customer_id", "group") if c in rows.columns]


def _group(t: ir.Table, by: str | None) -> ir.StringValue:
    """The breakdown group of ``t``'s rows: the carried column, or the constant ``NO_VALUE`` added last.

    A constant string carried through the four ASOF joins of the 10.1M-event benchmark cost 0.5 CPU-s.
    """
    return t.group if by is not None else ibis.literal(NO_VALUE)


#: Bits per running count when two counts share one BIGINT running sum (counts below 2**32 per customer).
COUNT_BITS = 32


def _running_counts(flags: ir.Table, counted: Sequence[int]) -> ir.Table:
    """``flags`` with ``rn`` (0-based position per customer) and ``cK``, the running count of step-``K``
    events up to and including each row, for each ``K`` in ``counted``, all in one sorted window.

    Two counts share one running sum, ``sK1 + sK2 * 2**32``, split again by bit masks: the window computes
    one aggregate per pair instead of one per step.  Each running aggregate over a partitioned window
    costs DuckDB a pass of its own: on the 5.2M step events of the 10.1M-event benchmark the window took
    2.41 s with four sums and 1.96 s with two packed ones (the whole 5-step funnel: 5.89 s -> 5.66 s).
    The packed sums are left in the table (``_pkI``): dropping them makes Ibis inline the window in every
    join instead of computing it once.
    """
    upto = ibis.cumulative_window(group_by="customer_id", order_by=list(ORDER_BY))
    pairs = [counted[i:i + 2] for i in range(0, len(counted), 2)]
    packed = {
        f"_pk{i}": sum(flags[f"s{b}"].cast("int64") << (COUNT_BITS * j) for j, b in enumerate(pair)).sum().over(upto)
        for i, pair in enumerate(pairs)
    }
    rows = flags.mutate(rn=ibis.row_number().over(group_by="customer_id", order_by=list(ORDER_BY)), **packed)
    mask = (1 << COUNT_BITS) - 1
    return rows.mutate(**{
        f"c{b}": (rows[f"_pk{i}"] >> (COUNT_BITS * j)) & mask
        for i, pair in enumerate(pairs) for j, b in enumerate(pair)
    })


def _next(flag: ir.BooleanValue, value: ir.Value, window) -> ir.Value:
    return ibis.ifelse(flag, value, ibis.null()).min().over(window)


def sequential_attempts(
    events: ir.Table,
    steps: Sequence[Step],
    window: float,
    strict: bool,
    exclusions: Sequence[Exclusion] = (),
    by: str | None = None,
) -> ir.Table:
    """Attempts of an ``ordered`` (or ``strict``) funnel; see the module docstring.

    An ``ordered`` funnel on events carrying :data:`~journeykit.engine.expr.CUSTOMER_RANK` (DuckDB) is
    matched by ASOF joins on that rank (:func:`_asof_chain`); ``strict`` funnels, whose next event is the
    next one among all the customer's (filtered) events, and tables without the rank by row numbers and
    running counts in a window per customer (:func:`_window_chain`).
    """
    n = len(steps)
    plan = _Plan.of(steps, exclusions, window)
    if not strict:  # only step and exclusion events matter: drop the rest before sorting
        events = events.filter(any_step(events, [*steps, *(x.step for x in exclusions)]))
    ranked = not strict and has_customer_rank(events)
    flags = _flagged(events, steps, exclusions, by, ranked)
    cur = _asof_chain(flags, plan) if ranked else _window_chain(flags, plan, strict)

    excluded = ibis.literal(False)
    for j, x in enumerate(exclusions):
        nx, ux, to = cur[f"nx{j}@{x.from_step}"], cur[f"ux{j}@{x.from_step}"], cur[f"p{x.to_step}"]
        hit = ibis.ifelse(to.notnull(), nx < to, ux - cur.t1 <= window)
        excluded = excluded | (cur[f"p{x.from_step}"].notnull() & nx.notnull() & hit).fill_null(False)
    reached = ibis.cases(*[(cur[f"t{k}"].notnull(), k) for k in reversed(plan.required)], else_=1)
    return cur.select(
        "customer_id", group=_group(cur, by), entry=cur.entry, entry_seq=cur.entry_seq,
        **{f"t{k}": cur[f"t{k}"] for k in range(1, n + 1)},
        reached=reached.cast("int64"), excluded=excluded,
    )


class _Plan(NamedTuple):
    """What an attempt chain matches after each required step ``a`` (from step 1 on).

    ``next_required[a]``: the next required step (absent after the last); ``optional_after[a]``: the
    optional steps before it; ``exclusions_from[a]``: the exclusions that start at ``a``.  What must be
    known at the row matched for ``a`` is the next occurrence of each of these.
    """

    required: list[int]
    next_required: dict[int, int]
    optional_after: dict[int, list[int]]
    exclusions_from: dict[int, list[int]]
    window: float

    @classmethod
    def of(cls, steps: Sequence[Step], exclusions: Sequence[Exclusion], window: float) -> "_Plan":
        n = len(steps)
        required = [k for k, s in enumerate(steps, 1) if not s.optional]
        nxt = {a: b for a, b in zip(required, required[1:])}
        optional = {a: [k for k in range(a + 1, nxt.get(a, n + 1)) if steps[k - 1].optional] for a in required}
        excluded = {a: [j for j, x in enumerate(exclusions) if x.from_step == a] for a in required}
        return cls(required, nxt, optional, excluded, window)


def _asof_chain(rows: ir.Table, plan: _Plan) -> ir.Table:
    """The attempt chain of an ``ordered`` funnel by ASOF joins on the customer rank, without a window.

    ``rows`` has ``p``, each event's :data:`~journeykit.engine.expr.CUSTOMER_RANK`.  A customer's events
    have contiguous ranks in ``(timestamp, seq)`` order, also after any filter, so the first step-``b``
    event after the one matched for step ``a`` (rank ``pa``) is the step-``b`` row of least rank above
    ``pa`` when that row belongs to the same customer, and there is none when it belongs to another
    (:func:`_next_after`).  The positions ``pK`` are ranks.  The next occurrence of an optional step or an
    exclusion after step ``a`` is found the same way, in place of the window minimums.

    On the 10.1M-event benchmark (5 steps, 7 days, 2 cores) this replaced a per-customer window (3.3 CPU-s)
    and equi-joins (1.3 CPU-s): the whole funnel went from 5.6 s wall / 10.0 CPU-s to 4.6 s / 7.9 CPU-s,
    and with an optional step and an exclusion from 6.5 s / 12.4 CPU-s to 4.5 s / 7.9 CPU-s.  Every attempt
    goes through every join: splitting off those that stopped (a union of the finished ones) saved
    0.8 CPU-s in hand-written SQL, but the compounded filter estimates made DuckDB plan the last join as a
    nested loop (``asof_loop_join_threshold``: a left side estimated at 64 rows or fewer) that ran for
    minutes.
    """
    required, nxt_req, opt_after, excl_from, window = plan
    first = rows.filter(rows.s1)
    cur = first.select(*_carried(first), entry=first.timestamp, entry_seq=first.seq, p1=first.p, t1=first.t)
    for a in required:
        for o in opt_after[a]:
            cur = _next_after(cur, rows.filter(rows[f"s{o}"]), f"p{a}", f"n{o}@{a}", f"u{o}@{a}")
        for j in excl_from[a]:
            cur = _next_after(cur, rows.filter(rows[f"x{j}"]), f"p{a}", f"nx{j}@{a}", f"ux{j}@{a}")
        b = nxt_req.get(a)
        if b is not None:
            cur = _next_after(cur, rows.filter(rows[f"s{b}"]), f"p{a}", f"p{b}", f"t{b}", window)
        cur = _resolve_optional(cur, a, opt_after[a], b, window)
    return cur


def _next_after(
    cur: ir.Table, hits: ir.Table, after: str, pos: str, time: str, window: float | None = None
) -> ir.Table:
    """``cur`` with ``pos`` and ``time``: the rank and time of the first row of ``hits`` ranked above
    ``cur[after]`` of the same customer (and, given ``window``, within ``window`` seconds of ``t1``); NULL
    when there is none, or when ``cur[after]`` is NULL (the attempt stopped earlier).

    ``ASOF LEFT JOIN ... ON after < p`` finds the row of least rank above ``after`` in any customer; a
    customer's ranks are contiguous, so checking the customer after the join is enough.  Adding the
    customer as the join's equality key doubled the benchmark chain's cost (4.0 -> 8.5 CPU-s).
    """
    right = hits.select(_cid=hits.customer_id, _p=hits.p, _t=hits.t)
    joined = cur.asof_join(right, cur[after] < right._p)
    ok = joined._cid == joined.customer_id
    if window is not None:
        ok = ok & (joined._t - joined.t1 <= window)
    found = {pos: ibis.ifelse(ok, joined._p, ibis.null()), time: ibis.ifelse(ok, joined._t, ibis.null())}
    return joined.mutate(**found).select(*cur.columns, pos, time)


def _window_chain(flags: ir.Table, plan: _Plan, strict: bool) -> ir.Table:
    """The attempt chain by row numbers and running counts per customer (see the module docstring)."""
    required, nxt_req, opt_after, excl_from, window = plan
    counted = [] if strict else list(nxt_req.values())
    rows = _running_counts(flags, counted)
    # the rows after this one, as a running frame in reverse order (cheaper than a frame up to the end)
    after = ibis.window(group_by="customer_id", order_by=ibis.desc("rn"), rows=(None, -1))
    needs: dict[str, ir.Value] = {}
    for a in required:
        for o in opt_after[a]:
            needs[f"n{o}"] = _next(rows[f"s{o}"], rows.rn, after)
            needs[f"u{o}"] = _next(rows[f"s{o}"], rows.t, after)
        for j in excl_from[a]:
            needs[f"nx{j}"] = _next(rows[f"x{j}"], rows.rn, after)
            needs[f"ux{j}"] = _next(rows[f"x{j}"], rows.t, after)
    rows = rows.mutate(**needs) if needs else rows

    def at_step(a: int) -> list[str]:
        cols = [f"c{nxt_req[a]}"] if a in nxt_req and not strict else []
        cols += [c for o in opt_after[a] for c in (f"n{o}", f"u{o}")]
        cols += [c for j in excl_from[a] for c in (f"nx{j}", f"ux{j}")]
        return cols

    first = rows.filter(rows.s1)
    cur = first.select(
        *_carried(first), entry=first.timestamp, entry_seq=first.seq, p1=first.rn, t1=first.t,
        **{f"{c}@1": first[c] for c in at_step(1)},
    )
    for a in required:
        b = nxt_req.get(a)
        if b is not None:
            step_rows = rows.filter(rows[f"s{b}"])
            right = step_rows.select(
                _cid=step_rows.customer_id, _rn=step_rows.rn, _t=step_rows.t,
                _key=step_rows.rn if strict else step_rows[f"c{b}"],
                **{f"{c}@{b}": step_rows[c] for c in at_step(b)},
            )
            cand = cur[f"p{a}"] + 1 if strict else cur[f"c{b}@{a}"] + 1
            joined = cur.left_join(right, [cur.customer_id == right._cid, cand == right._key])
            ok = joined._rn.notnull() & (joined._t - joined.t1 <= window)
            cur = joined.mutate(
                **{f"p{b}": ibis.ifelse(ok, joined._rn, ibis.null()), f"t{b}": ibis.ifelse(ok, joined._t, ibis.null())}
            ).drop("_cid", "_rn", "_t", "_key")
        cur = _resolve_optional(cur, a, opt_after[a], b, window)
    return cur


def _resolve_optional(cur: ir.Table, a: int, optional: list[int], b: int | None, window: float) -> ir.Table:
    """Mark the optional steps after required step ``a`` (``b``: the next required step, if any).

    An optional step counts when its first occurrence after step ``a`` lies within the window and, when
    ``b`` was reached, comes before the event matched for ``b``.
    """
    if not optional:
        return cur
    out = {}
    for o in optional:
        n_o, u_o = cur[f"n{o}@{a}"], cur[f"u{o}@{a}"]
        done = n_o.notnull() & (u_o - cur.t1 <= window)
        if b is not None:
            done = done & (cur[f"p{b}"].isnull() | (n_o < cur[f"p{b}"]))
        out[f"t{o}"] = ibis.ifelse(done.fill_null(False), u_o, ibis.null())
    return cur.mutate(**out)


def any_order_attempts(events: ir.Table, steps: Sequence[Step], window: float, by: str | None = None) -> ir.Table:
    """Attempts of an ``any``-order funnel: every step event starts one; ``tK`` is when K steps were done."""
    n = len(steps)
    rows = _flagged(events.filter(any_step(events, steps)), steps, (), by)
    ahead = ibis.window(group_by="customer_id", order_by=[ibis.desc(c) for c in ORDER_BY], rows=(None, 0))
    firsts = [_next(rows[f"s{k}"], rows.t, ahead) for k in range(1, n + 1)]
    within = [ibis.ifelse(f - rows.t <= window, f, ibis.null()) for f in firsts]
    rows = rows.mutate(_times=ibis.array(within))
    ordered = rows._times.filter(lambda v: v.notnull()).sort()
    return rows.select(
        "customer_id", group=_group(rows, by), entry=rows.timestamp, entry_seq=rows.seq,
        **{f"t{k}": ibis.ifelse(ordered.length() >= k, ordered[k - 1], ibis.null()) for k in range(1, n + 1)},
        reached=ordered.length().cast("int64"), excluded=ibis.literal(False),
    )
