"""What every analysis takes besides its own options: the engine and the filters (date range, attribute
segment, channel), with :func:`as_engine` and :func:`as_filters` to check them at the public entry points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import ibis
import ibis.expr.types as ir

from journeykit.engine.backend import Engine
from journeykit.engine.expr import attribute
from journeykit.errors import OptionError, check_kind


class FilterError(OptionError):
    """Filters that cannot be used: a date that is not one, a segment that is not a mapping, an empty range."""


def _utc(value: str | date | None, name: str = "date") -> datetime | None:
    """``value`` as an aware UTC datetime (naive values are UTC, a date is its midnight)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise FilterError(
                f"{name}: {value!r} is not an ISO date or date-time (YYYY-MM-DD[THH:MM])"
            ) from None
    elif not isinstance(value, date):
        raise FilterError(f"{name} must be an ISO date string, a date or a datetime, got {type(value).__name__}")
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass(frozen=True)
class Filters:
    """Row filters on ``events`` / ``responses``.

    Parameters
    ----------
    start, end : str, date or datetime, optional
        Half-open range ``start <= timestamp < end``; ISO strings (``"2025-03-01"``,
        ``"2025-03-01T12:00"``), naive values are UTC.
    segment : dict, optional
        ``{attribute: value or [values]}``; matches the free ``attributes`` of each row.
    channel : str or list of str, optional
        Keep only these channels.
    """

    start: str | date | None = None
    end: str | date | None = None
    segment: dict[str, Any] = field(default_factory=dict)
    channel: str | list[str] | None = None

    def __post_init__(self) -> None:
        start, end = _utc(self.start, "start"), _utc(self.end, "end")
        if not isinstance(self.segment, Mapping):
            raise FilterError(
                f"segment must be a dict {{attribute: value or [values]}} such as {{'tier': 'gold'}}, "
                f"got {type(self.segment).__name__} {self.segment!r}"
            )
        if start is not None and end is not None and start >= end:
            raise FilterError(
                f"the date range is empty: start {self.start} is not before end {self.end} (end is exclusive)"
            )

    def key(self) -> tuple:
        """A hashable value, equal for equal filters (memo keys: the filters themselves hold a dict)."""
        def frozen(v: Any) -> Any:
            return tuple(v) if isinstance(v, (list, tuple, set, frozenset)) else v

        segment = tuple(sorted((str(k), frozen(v)) for k, v in self.segment.items()))
        return (str(self.start), str(self.end), segment, frozen(self.channel))

    def apply(self, t: ir.Table) -> ir.Table:
        """The filtered table expression (unexecuted)."""
        preds = []
        start, end = _utc(self.start), _utc(self.end)
        if start is not None:
            preds.append(t.timestamp >= ibis.literal(start, type="timestamp('UTC')"))
        if end is not None:
            preds.append(t.timestamp < ibis.literal(end, type="timestamp('UTC')"))
        for key, value in self.segment.items():
            col = attribute(t, key)
            preds.append(col.isin([str(v) for v in _values(value)]))
        if self.channel is not None and "channel" in t.columns:
            preds.append(t.channel.isin(_values(self.channel)))
        return t.filter(preds) if preds else t

    def describe(self) -> str:
        """The filters in words for titles and notes: ``2024-01-01 to …, segment=business|retail, channel=web``."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        parts += [f"{k}={'|'.join(map(str, _values(v)))}" for k, v in self.segment.items()]
        if self.channel:
            parts.append(f"channel={'|'.join(_values(self.channel))}")
        return ", ".join(parts) or "all data"


def _values(value: Any) -> list:
    """A filter value as a list: one value, or the values of a list, tuple or (sorted) set."""
    if isinstance(value, set):
        return sorted(value, key=str)
    return list(value) if isinstance(value, (list, tuple)) else [value]


def as_engine(engine: Any) -> Engine:
    """The engine of a public function's ``engine`` argument: an :class:`Engine`, or a workspace's engine.

    Raises
    ------
    OptionError
        When ``engine`` is neither (e.g. a path: open it with ``Workspace.open(path)``).
    """
    if not isinstance(engine, Engine) and isinstance(getattr(engine, "engine", None), Engine):
        return engine.engine  # a Workspace
    check_kind("engine", engine, Engine, "ws.engine of a Workspace, or the Workspace itself")
    return engine


def as_filters(filters: Any, name: str = "filters") -> Filters:
    """A public function's filters argument checked: a :class:`Filters` (``None``: no filters).

    Raises
    ------
    OptionError
        When it is anything else, e.g. a dict (build ``Filters(segment={...})`` from it).
    """
    if filters is None:
        return Filters()
    check_kind(name, filters, Filters, "e.g. Filters(start='2025-01-01', segment={'tier': 'gold'}, channel='web')")
    return filters
