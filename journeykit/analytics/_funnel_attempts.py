"""Funnel attempts as one unexecuted Ibis expression.

An *attempt* starts at a step-1 event (any step event in ``any`` order).  For ``ordered`` and ``strict``
funnels the later required steps are matched greedily: step ``b`` is the first step-``b`` event after the
event matched for the previous required step (``ordered``), or the very next event of the customer
(``strict``), provided it lies within the conversion window from step 1.  Greedy matching reaches the
furthest step any matching could reach.  Events are ordered by ``(timestamp, seq)`` and numbered per
customer (``rn``); the chain is a sequence of equi-joins.  In a ``strict`` funnel the next event is the
one at ``rn + 1``.  In an ``ordered`` funnel every event also carries ``cK``, the running count of step-K
events up to and including it (in the same sorted window as ``rn``, so no second sort): the first step-K
event after a row with count ``c`` is the step-K event whose own count is ``c + 1``.  Optional steps and
exclusions need the position and time of the next occurrence, a window minimum over the following rows.

The result has one row per attempt: ``customer_id``, ``group``, ``entry`` (step-1 timestamp),
``entry_seq``, ``t1`` … ``tN`` (epoch seconds at which each step was reached, NULL when not reached),
``reached`` (the furthest required step; in ``any`` order the number of distinct steps done) and
``excluded``.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from journeykit.analytics._steps import Exclusion, Step, any_step
from journeykit.engine.expr import ORDER_BY, attribute, epoch_seconds

#: Event columns a breakdown may name directly; any other name is a free attribute.
BREAKDOWN_COLUMNS = ("channel", "touchpoint", "stage", "event", "case_id", "source")
NO_VALUE = "(none)"


def breakdown_value(t: ir.Table, by: str | None) -> ir.StringValue:
    """The breakdown value of each row (``NO_VALUE`` when absent; one group when ``by`` is None)."""
    if by is None:
        return ibis.literal(NO_VALUE)
    col = t[by] if by in BREAKDOWN_COLUMNS else attribute(t, by)
    return col.cast("string").fill_null(NO_VALUE)


def _flagged(events: ir.Table, steps: Sequence[Step], exclusions: Sequence[Exclusion], by: str | None):
    return events.select(
        "customer_id",
        "timestamp",
        "seq",
        group=breakdown_value(events, by),
        t=epoch_seconds(events.timestamp),
        **{f"s{k}": s.predicate(events) for k, s in enumerate(steps, 1)},
        **{f"x{j}": x.step.predicate(events) for j, x in enumerate(exclusions)},
    )


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
    """Attempts of an ``ordered`` (or ``strict``) funnel; see the module docstring."""
    n = len(steps)
    required = [k for k, s in enumerate(steps, 1) if not s.optional]
    if not strict:  # only step and exclusion events matter: drop the rest before sorting
        events = events.filter(any_step(events, [*steps, *(x.step for x in exclusions)]))
    flags = _flagged(events, steps, exclusions, by)
    nxt_req = {a: b for a, b in zip(required, required[1:])}
    counted = [] if strict else list(nxt_req.values())
    rows = _running_counts(flags, counted)
    # the rows after this one, as a running frame in reverse order (cheaper than a frame up to the end)
    after = ibis.window(group_by="customer_id", order_by=ibis.desc("rn"), rows=(None, -1))

    # What must be known at the row matched for required step a: the running count of the next required
    # step (ordered), the optional steps before it, and the exclusions that start at a.
    opt_after = {a: [k for k in range(a + 1, nxt_req.get(a, n + 1)) if steps[k - 1].optional] for a in required}
    excl_from = {a: [j for j, x in enumerate(exclusions) if x.from_step == a] for a in required}
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
        "customer_id", "group", entry=first.timestamp, entry_seq=first.seq, p1=first.rn, t1=first.t,
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

    excluded = ibis.literal(False)
    for j, x in enumerate(exclusions):
        nx, ux, to = cur[f"nx{j}@{x.from_step}"], cur[f"ux{j}@{x.from_step}"], cur[f"p{x.to_step}"]
        hit = ibis.ifelse(to.notnull(), nx < to, ux - cur.t1 <= window)
        excluded = excluded | (cur[f"p{x.from_step}"].notnull() & nx.notnull() & hit).fill_null(False)
    reached = ibis.cases(*[(cur[f"t{k}"].notnull(), k) for k in reversed(required)], else_=1)
    return cur.select(
        "customer_id", "group", "entry", "entry_seq",
        *[f"t{k}" for k in range(1, n + 1)],
        reached=reached.cast("int64"), excluded=excluded,
    )


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
        "customer_id", "group", entry=rows.timestamp, entry_seq=rows.seq,
        **{f"t{k}": ibis.ifelse(ordered.length() >= k, ordered[k - 1], ibis.null()) for k in range(1, n + 1)},
        reached=ordered.length().cast("int64"), excluded=ibis.literal(False),
    )
