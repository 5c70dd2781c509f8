"""Table cells for people to read: the terminal tables, the HTML report and the dashboard.

Times (columns whose name has the word ``seconds``: ``median_seconds``, ``mean_throughput_seconds``) are
shown in the largest unit they reach (``0.5 s``, ``12.3 min``, ``4.2 h``, ``41.0 d``) under a header saying
``time``; other numbers without exponents (four significant digits below 1,000, whole numbers above);
missing values blank.  Files written with ``--out`` and API responses keep the values themselves.

Imports nothing heavy: the command line uses it before pandas is loaded.
"""

from __future__ import annotations

import math
from datetime import datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

#: Units a time is shown in, largest first, with their length in seconds.
TIME_UNITS = (("d", 86_400.0), ("h", 3_600.0), ("min", 60.0), ("s", 1.0))


def is_duration(column: str) -> bool:
    """A column of times in seconds: one of the words of its name is ``seconds``."""
    return "seconds" in str(column).split("_")


def header(column: str) -> str:
    """The header shown for ``column`` (``median_seconds`` -> ``median_time``)."""
    return "_".join("time" if w == "seconds" else w for w in str(column).split("_"))


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("NaT", "<NA>")


#: Below this magnitude a number is shown as 0 (floating-point residue such as 9.4e-16).
NEGLIGIBLE = 1e-12


def number_text(value: object) -> str:
    """A value as text: numbers without exponents (4 significant digits below 1,000), infinities as ``∞``,
    missing values blank."""
    if is_missing(value):
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return "∞" if value > 0 else "−∞"
        if abs(value) < NEGLIGIBLE:
            return "0"
        if abs(value) < 1e-4:  # where the 'g' format would switch to an exponent
            return f"{value:.{3 - math.floor(math.log10(abs(value)))}f}"
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def duration_text(seconds: object) -> str:
    """A time in seconds in the largest unit it reaches: ``0.5 s``, ``12.3 min``, ``250 d``."""
    if is_missing(seconds) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return number_text(seconds)
    unit, size = next(((u, n) for u, n in TIME_UNITS if abs(seconds) >= n), TIME_UNITS[-1])
    value = seconds / size
    return f"{value:,.1f} {unit}" if abs(value) < 100 else f"{value:,.0f} {unit}"


def cell_text(value: object, column: str) -> str:
    """``value`` of ``column`` as shown to people (midnight timestamps as dates: period starts, cohorts)."""
    if not is_missing(value) and isinstance(value, datetime) and value.time() == time(0):
        return value.strftime("%Y-%m-%d")
    return duration_text(value) if is_duration(column) else number_text(value)


#: Internal keys that a readable column next to them says better (``year*12+month`` beside the date).
INTERNAL = {"period_index": "period_start", "cohort_index": "cohort"}


def without_internal(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` without the internal columns whose readable counterpart it has (see ``INTERNAL``)."""
    return df.drop(columns=[c for c, shown in INTERNAL.items() if c in df.columns and shown in df.columns])


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every cell as shown to people, the time columns' headers saying ``time`` and
    internal period numbers left out where the period's start date is there."""
    df = without_internal(df)
    out = df.copy()
    for column in df.columns:
        out[column] = [cell_text(v, column) for v in df[column].tolist()]
    return out.rename(columns={c: header(c) for c in df.columns})
