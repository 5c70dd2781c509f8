"""Filters every analysis accepts: date range, attribute segment, channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import ibis
import ibis.expr.types as ir

from journeykit.engine.expr import attribute
from journeykit.errors import JourneykitError


class FilterError(JourneykitError, ValueError):
    """Filters that cannot select anything by construction (an empty date range)."""


def _utc(value: str | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


@dataclass(frozen=True)
class Filters:
    """Row filters on ``events`` / ``responses``.

    Parameters
    ----------
    start, end : str or datetime, optional
        Half-open range ``start <= timestamp < end``; naive values are UTC.
    segment : dict, optional
        ``{attribute: value or [values]}``; matches the free ``attributes`` of each row.
    channel : str or list of str, optional
        Keep only these channels.
    """

    start: str | datetime | None = None
    end: str | datetime | None = None
    segment: dict[str, Any] = field(default_factory=dict)
    channel: str | list[str] | None = None

    def __post_init__(self) -> None:
        start, end = _utc(self.start), _utc(self.end)
        if start is not None and end is not None and start >= end:
            raise FilterError(
                f"the date range is empty: start {self.start} is not before end {self.end} (end is exclusive)"
            )

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
