"""Calendar periods (day / week / month) as integer indices, computed without calendar-unit differences.

Days and weeks are whole multiples of 86 400 s since the epoch (weeks start on Monday, UTC); months are
``year * 12 + month - 1`` (:func:`journeykit.engine.expr.month_index`).  The index of a period minus the
index of another is the number of periods between them.
"""

from __future__ import annotations

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from journeykit.engine.expr import epoch_seconds, month_index
from journeykit.errors import JourneykitError

PERIODS = ("day", "week", "month")

DAY = 86_400.0
#: 1970-01-01 was a Thursday: shifting by 3 days makes week 0 start on Monday 1969-12-29.
_WEEK_SHIFT = 3 * DAY
#: Length of a rolling period (consecutive 24-hour blocks from the customer's own start time).
ROLLING_SECONDS = {"day": DAY, "week": 7 * DAY, "month": 30 * DAY}


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise JourneykitError(f"unknown period {period!r} (expected one of {list(PERIODS)})")
    return period


def period_index(ts: ir.TimestampValue, period: str) -> ir.IntegerValue:
    """Integer index of the calendar period containing ``ts``."""
    check_period(period)
    if period == "month":
        return month_index(ts)
    if period == "day":
        return (epoch_seconds(ts) / DAY).floor()
    return ((epoch_seconds(ts) + _WEEK_SHIFT) / (7 * DAY)).floor()


def period_start(index: pd.Series, period: str) -> pd.Series:
    """First instant (UTC) of each calendar period index, for labels."""
    index = np.asarray(index, dtype="int64")
    if period == "month":  # datetime64[M] counts months from 1970-01
        starts = (index - 1970 * 12).astype("datetime64[M]").astype("datetime64[s]")
    else:
        starts = (index * DAY if period == "day" else index * 7 * DAY - _WEEK_SHIFT).astype("datetime64[s]")
    return pd.Series(pd.DatetimeIndex(starts).tz_localize("UTC"))
