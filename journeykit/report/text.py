"""Timestamps in the report as people read them: to the minute, or the date alone at midnight.

Table cells go through :func:`journeykit.display.readable` (which shows midnight timestamps as dates);
this module adds the minute for the other timestamps, in tables, in the sections' own prose
(:func:`timestamp_text`) and in the notes that analyses write with full timestamps (:func:`readable_times`).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timezone

import pandas as pd

from journeykit.display import cell_text, is_missing

#: A full timestamp as ``str(pd.Timestamp)`` or ``datetime.isoformat`` writes it (seconds, optional
#: fraction, optional offset).
FULL_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def timestamp_text(value: datetime) -> str:
    """``value`` in UTC to the minute (``2026-06-29 16:41``), or as a date when it is midnight."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    if value.time() == time(0):
        return cell_text(value, "")
    return value.strftime("%Y-%m-%d %H:%M")


def readable_times(text: str) -> str:
    """``text`` with every full timestamp in it shown by :func:`timestamp_text`."""
    return FULL_TIMESTAMP.sub(lambda m: timestamp_text(datetime.fromisoformat(m.group())), text)


def timestamps_to_minutes(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose timestamp columns are text by :func:`timestamp_text` (missing ones blank)."""
    out = df.copy()
    for column in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[column]):
            out[column] = ["" if is_missing(v) else timestamp_text(v) for v in df[column].tolist()]
    return out
