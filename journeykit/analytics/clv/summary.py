"""Recency-frequency-monetary summaries of purchases on the engine, with a calibration/holdout split.

For each customer whose first purchase falls in the calibration period (up to and including the day
``calibration_end``):

``frequency`` ``x``
    Repeat transactions in the calibration period (transactions after the first one).
``recency`` ``t_x``
    Time from the first to the last calibration transaction.
``T``
    Time from the first transaction to the end of the calibration day ``calibration_end``.
``monetary_value``
    Mean value of the repeat transactions (NaN without repeats or values).

As in the literature (Fader, Hardie & Lee 2005), a *transaction* is a purchase day: all purchases of a
customer on the same UTC day are one transaction whose value is their sum (``per_day=False`` counts every
event).  Times are whole days since the epoch (UTC), converted exactly: ``unit="week"`` divides by 7,
``unit="day"`` by 1; there are no calendar months.  With ``observation_end`` the holdout columns
``frequency_holdout``, ``monetary_value_holdout`` (mean transaction value) and ``duration_holdout``
cover the days after ``calibration_end`` up to and including ``observation_end``.  Neither end may lie
after the last day with any event: ``T`` would count the days without data as inactivity, and the holdout
would be compared with purchases that were never recorded.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import ibis
import ibis.expr.types as ir
import pandas as pd
from ibis import _

from journeykit.analytics._periods import period_index
from journeykit.engine import Engine, Filters
from journeykit.engine.expr import ORDER_BY
from journeykit.errors import EmptyResultError, JourneykitError, OptionError

#: Length of each time unit in days (a week is exactly 7 days).
UNIT_DAYS: dict[str, int] = {"day": 1, "week": 7}
#: Event columns a purchase selector may name.
PURCHASE_COLUMNS = ("touchpoint", "event", "stage")


def _day_number(value: str | date | datetime) -> int:
    """Days since 1970-01-01 (UTC) of a date, a datetime or an ISO string."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        value = aware.astimezone(timezone.utc).date()
    return (value - date(1970, 1, 1)).days


def _day_date(day: int) -> date:
    """The date of a day number (inverse of :func:`_day_number`)."""
    return date.fromordinal(date(1970, 1, 1).toordinal() + day)


def _last_event_day(engine: Engine, filters: Filters | None = None) -> int:
    """Day number (days since the epoch, UTC) of the last event of any kind.

    Raises
    ------
    EmptyResultError
        No events (after ``filters``).
    """
    ev = filters.apply(engine.events) if filters is not None else engine.events
    last = engine.execute(ev.timestamp.max())
    if last is None or pd.isna(last):
        raise EmptyResultError("no events: cannot summarise purchases")
    return _day_number(pd.Timestamp(last).to_pydatetime())


def check_unit(unit: str) -> int:
    """Days in a time unit (raises on an unknown unit)."""
    if unit not in UNIT_DAYS:
        raise JourneykitError(f"unknown time unit {unit!r} (expected one of {list(UNIT_DAYS)})")
    return UNIT_DAYS[unit]


def transactions(
    engine: Engine,
    purchase: str | list[str],
    column: str = "touchpoint",
    per_day: bool = True,
    filters: Filters | None = None,
) -> ir.Table:
    """Unexecuted table of transactions: ``customer_id``, ``day`` (days since epoch), ``value``, ``first``.

    ``first`` is true on each customer's first transaction (ordered by day, then ``(timestamp, seq)``).
    """
    if column not in PURCHASE_COLUMNS:
        raise JourneykitError(f"purchase column must be one of {list(PURCHASE_COLUMNS)}, got {column!r}")
    names = [purchase] if isinstance(purchase, str) else list(purchase)
    ev = filters.apply(engine.events) if filters is not None else engine.events
    ev = ev.filter(ev[column].isin(names))
    ev = ev.mutate(day=period_index(ev.timestamp, "day").cast("int64"))
    if per_day:
        txn = ev.group_by(["customer_id", "day"]).aggregate(value=_.value.sum())
        order: list = ["day"]
    else:
        txn = ev.select("customer_id", "day", "value", *ORDER_BY)
        order = ["day", *ORDER_BY]
    rank = ibis.row_number().over(ibis.window(group_by="customer_id", order_by=order))
    return txn.mutate(first=rank == 0).select("customer_id", "day", "value", "first")


def calibration_holdout(
    engine: Engine,
    purchase: str | list[str],
    calibration_end: str | date | datetime | None = None,
    observation_end: str | date | datetime | None = None,
    unit: str = "week",
    column: str = "touchpoint",
    per_day: bool = True,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """One row per customer (index ``customer_id``) with the RFM summary, optionally with a holdout.

    Parameters
    ----------
    engine : Engine
    purchase : str or list of str
        The touchpoint(s) (or raw event names / stages, see ``column``) that are purchases.
    calibration_end : date, optional
        Last day of the calibration period (inclusive), at most the last day with any event (the default).
    observation_end : date, optional
        Last day of the holdout period (inclusive), after ``calibration_end`` and at most the last day with
        any event; ``None`` for no holdout columns.
    unit : {"week", "day"}
        Unit of ``recency``, ``T`` and ``duration_holdout``.
    column : {"touchpoint", "event", "stage"}
        Which event column ``purchase`` names.
    per_day : bool
        Count purchase days (the literature's convention) rather than purchase events.
    filters : Filters, optional
        Applied to the events first.

    Raises
    ------
    EmptyResultError
        No events, or no purchases in the calibration period.
    OptionError
        A calibration or holdout end after the last event, or a holdout that ends before the calibration
        period.
    JourneykitError
        An unknown unit or column.
    """
    unit_days = check_unit(unit)
    txn = transactions(engine, purchase, column, per_day, filters)
    last_day = _last_event_day(engine, filters)
    cal_day = last_day if calibration_end is None else _day_number(calibration_end)
    if cal_day > last_day:
        raise OptionError(
            f"calibration_end {_day_date(cal_day)} is after the last event ({_day_date(last_day)}): the "
            f"{cal_day - last_day} days without data would count as inactivity; end the calibration on or "
            "before the last event"
        )
    start = txn.day.min().over(group_by="customer_id")
    txn = txn.mutate(start=start).filter(_.start <= cal_day)
    in_cal = txn.day <= cal_day
    repeat = in_cal & ~txn.first
    metrics = {
        "frequency": in_cal.cast("int64").sum() - 1,
        "recency_days": txn.day.max(where=in_cal) - txn.start.min(),
        "age_days": cal_day - txn.start.min(),
        "repeat_value": txn.value.sum(where=repeat),
        "valued_repeats": txn.value.count(where=repeat),
    }
    hold_days = None
    if observation_end is not None:
        hold_end = _day_number(observation_end)
        if hold_end <= cal_day:
            raise OptionError(
                f"observation_end {_day_date(hold_end)} must be after calibration_end ({_day_date(cal_day)})"
            )
        if hold_end > last_day:
            raise OptionError(
                f"observation_end {_day_date(hold_end)} is after the last event ({_day_date(last_day)}): "
                f"purchases in the last {hold_end - last_day} days of the holdout were never recorded; end "
                "the holdout on or before the last event"
            )
        hold_days = hold_end - cal_day
        in_hold = (txn.day > cal_day) & (txn.day <= cal_day + hold_days)
        metrics |= {
            "frequency_holdout": in_hold.cast("int64").sum(),
            "holdout_value": txn.value.mean(where=in_hold),
        }
    df = engine.execute(txn.group_by("customer_id").aggregate(**metrics).order_by("customer_id"))
    if df.empty:
        raise EmptyResultError(f"no purchases ({column} in {purchase!r}) on or before {_day_date(cal_day)}")
    out = pd.DataFrame(
        {
            "frequency": df["frequency"].astype("int64"),
            "recency": df["recency_days"] / unit_days,
            "T": df["age_days"] / unit_days,
            "monetary_value": (df["repeat_value"] / df["valued_repeats"]).where(df["valued_repeats"] > 0),
        }
    )
    if hold_days is not None:
        out["frequency_holdout"] = df["frequency_holdout"].astype("int64")
        out["monetary_value_holdout"] = df["holdout_value"].astype(float)
        out["duration_holdout"] = hold_days / unit_days
    out.index = pd.Index(df["customer_id"], name="customer_id")
    return out
