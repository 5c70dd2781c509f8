"""Working calendar: turns working-time offsets of a schedule into calendar dates.

The schedule is computed in working time (durations and lags count working units only), so weekends and
holidays never change the critical path; the calendar only maps offsets to dates, the way MS Project
displays a task of duration 1 day starting on Monday as starting and finishing on Monday.  Offsets are
converted to working days (``hours_per_day`` for hourly plans, ``len(workdays)`` days per week) and
mapped with numpy's business-day functions (vectorised over all activities).

* start date of offset ``x`` days: working day number ``floor(x)`` counted from the project start;
* finish date of offset ``x`` days: working day number ``max(ceil(x) - 1, 0)`` (the day the work ends).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from journeykit.schedule.errors import PlanError

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
UNITS_PER_DAY = {"days": 1.0, "day": 1.0, "d": 1.0, "weeks": None, "week": None, "w": None,
                 "hours": "hours", "hour": "hours", "h": "hours"}


@dataclass(frozen=True)
class Calendar:
    """Working weekdays and holidays.

    Parameters
    ----------
    workdays : iterable of str
        Working weekdays, e.g. ``("Mon", "Tue", "Wed", "Thu", "Fri")``.
    holidays : iterable of date or ISO strings
        Non-working dates.
    hours_per_day : float
        Working hours in a day (for plans in hours).
    """

    workdays: tuple[str, ...] = WEEKDAYS[:5]
    holidays: tuple[date, ...] = ()
    hours_per_day: float = 8.0

    def __post_init__(self) -> None:
        days = tuple(str(d)[:3].capitalize() for d in self.workdays)
        bad = [d for d in days if d not in WEEKDAYS]
        if bad or not days:
            raise PlanError(
                [f"calendar: workdays must be a non-empty list of {list(WEEKDAYS)}, got {list(self.workdays)}"]
            )
        object.__setattr__(self, "workdays", tuple(d for d in WEEKDAYS if d in days))
        hol = []
        for h in self.holidays:
            try:
                hol.append(h if isinstance(h, date) else date.fromisoformat(str(h)))
            except ValueError:
                raise PlanError([f"calendar: holiday {h!r} is not an ISO date (YYYY-MM-DD)"]) from None
        object.__setattr__(self, "holidays", tuple(sorted(set(hol))))
        if not (isinstance(self.hours_per_day, (int, float)) and 0 < self.hours_per_day <= 24):
            raise PlanError([f"calendar: hours_per_day must be in (0, 24], got {self.hours_per_day!r}"])

    @property
    def weekmask(self) -> str:
        return "".join("1" if d in self.workdays else "0" for d in WEEKDAYS)

    def _holidays(self) -> np.ndarray:
        return np.array(self.holidays, dtype="datetime64[D]")

    @staticmethod
    def _unit_kind(unit: str) -> float | str | None:
        """``UNITS_PER_DAY`` of ``unit``: 1.0 (days), ``None`` (weeks) or ``"hours"``; PlanError otherwise."""
        kind = UNITS_PER_DAY.get(unit.lower(), "unknown")
        if kind == "unknown":
            raise PlanError([f"calendar: cannot convert unit {unit!r} to days (use days, weeks or hours)"])
        return kind

    def to_days(self, offsets: np.ndarray | float, unit: str = "days") -> np.ndarray:
        """Working-time offsets in ``unit`` as working days."""
        kind = self._unit_kind(unit)
        x = np.asarray(offsets, dtype=float)
        if kind == "hours":
            return x / self.hours_per_day
        if kind is None:
            return x * len(self.workdays)
        return x

    def is_working(self, day: date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), weekmask=self.weekmask, holidays=self._holidays()))

    def add_working_days(self, start: date, n: int | np.ndarray) -> np.ndarray:
        """The working day ``n`` working days after the first working day on or after ``start``."""
        return np.busday_offset(np.datetime64(start, "D"), n, roll="forward", weekmask=self.weekmask,
                                holidays=self._holidays())

    def start_dates(self, start: date, offsets: Iterable[float], unit: str = "days") -> np.ndarray:
        """Dates on which work at the given offsets starts."""
        days = np.floor(self.to_days(np.asarray(list(offsets), dtype=float), unit) + 1e-9).astype(np.int64)
        return self.add_working_days(start, days)

    def finish_dates(self, start: date, offsets: Iterable[float], unit: str = "days") -> np.ndarray:
        """Dates on which work ending at the given offsets finishes."""
        days = np.ceil(self.to_days(np.asarray(list(offsets), dtype=float), unit) - 1e-9).astype(np.int64) - 1
        return self.add_working_days(start, np.maximum(days, 0))

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in ``[first, last)``."""
        return int(np.busday_count(np.datetime64(first, "D"), np.datetime64(last, "D"), weekmask=self.weekmask,
                                   holidays=self._holidays()))

    def working_time(self, start: date, when: datetime, unit: str = "days") -> float:
        """Working time from the start of day ``start`` to ``when``, in ``unit`` (days, weeks or hours).

        Whole working days in ``[start, when's date)``, plus the part of ``when``'s own day already gone
        (``time / 24``) when that day is a working day; negative before ``start``.  A date at midnight is
        the start of that day.
        """
        day = when.date()
        days = float(self.working_days_between(start, day))
        if self.is_working(day):
            days += (when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6) / 86_400
        kind = self._unit_kind(unit)
        if kind == "hours":
            return days * self.hours_per_day
        return days / len(self.workdays) if kind is None else days

    def to_dict(self) -> dict:
        return {"workdays": list(self.workdays), "holidays": [h.isoformat() for h in self.holidays],
                "hours_per_day": self.hours_per_day}


__all__ = ["Calendar"]
