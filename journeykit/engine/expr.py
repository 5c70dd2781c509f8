"""Backend-portable Ibis expression helpers used by the analytics.

Rules (see ``docs/architecture.md``): no calendar-unit date differences (DuckDB counts calendar
boundaries, Spark whole elapsed units) — durations are differences of epoch seconds, month indices are
``year * 12 + month``; events are ordered by ``(timestamp, seq)``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: Columns that order a customer's or case's events deterministically (ties keep input order).
ORDER_BY = ("timestamp", "seq")


def epoch_seconds(ts: ir.TimestampValue) -> ir.FloatingValue:
    """Seconds since 1970-01-01 UTC as float64 (sub-second precision kept)."""
    return ts.epoch_seconds().cast("float64")


def seconds_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """``end - start`` in seconds, computed from epoch seconds (same type on every backend)."""
    return epoch_seconds(end) - epoch_seconds(start)


def month_index(ts: ir.TimestampValue) -> ir.IntegerValue:
    """``year * 12 + month - 1``: months between two timestamps are differences of this."""
    return ts.year() * 12 + ts.month() - 1


def ordered_window(group_by: str | list[str]) -> ibis.expr.builders.LegacyWindowBuilder:
    """Window over one customer's (or case's) events in ``(timestamp, seq)`` order."""
    return ibis.window(group_by=group_by, order_by=list(ORDER_BY))


def attribute(t: ir.Table, key: str) -> ir.StringValue:
    """Value of a free attribute (``attributes`` map column) as a string, NULL when absent."""
    return t.attributes.get(key)
