"""Buffer management: progress as of a date, chain completion, buffer consumption, zones, fever chart.

Progress is the remaining duration of activities as of a status date (0: done; a done activity is taken
to have finished by the earlier of its planned finish and the status date).  Activities not reported
have not started: they are forecast to start no earlier than the status date, with their aggressive
duration.  From there the plan's execution model (:mod:`.execution`: relations, resource hand-overs,
non-chain activities released at their planned start) forecasts every finish.

* Critical-chain completion: ``1 - remaining chain duration / planned chain duration`` (within [0, 1]).
* Buffer consumption: how far the forecast end of the protected chain is past its planned end, as a share
  of the buffer (negative delays count as nothing consumed).
* Zone: from :class:`.fever.Bands`.
* Buffer eaters: the activities on the path that drives the forecast chain end, with the delay each added.

Reference: Leach, L. P. (2000) *Critical Chain Project Management*, Artech House, ch. 9; Goldratt, E. M.
(1997) *Critical Chain*, North River Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd

from journeykit.errors import JourneykitError
from journeykit.result import Result
from journeykit.schedule.calendar import Calendar
from journeykit.schedule.ccpm.fever import Bands, fever_figure
from journeykit.schedule.ccpm.plan import CcpmPlan

#: Seconds per plan unit, for dated progress.
UNIT_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0}


class ProgressError(JourneykitError):
    """Progress that does not fit the plan (unknown activities, negative remaining, dated before the start)."""


class BufferStatus(Result):
    """Buffer status of a plan as of one status time.

    ``table``: one row per buffer: ``buffer``, ``kind``, ``size``, ``consumed`` (periods),
    ``consumption`` and ``completion`` (shares of the buffer and of its chain's work), ``zone``.

    Attributes
    ----------
    as_of : float
        Status time in periods from the plan start.
    completion, consumption : float
        Critical-chain completion and project-buffer consumption (shares).
    zone : str
    forecast_end : float
        Forecast end of the critical chain.
    forecast : DataFrame
        Per activity: ``activity``, ``status``, ``on_chain``, ``planned_start``, ``planned_finish``, ``forecast_start``,
        ``forecast_finish``, ``slip``.
    eating : DataFrame
        The activities driving the forecast chain end that added delay: ``activity``, ``on_chain``,
        ``slip``, ``delay_added``, largest first.
    """

    title = "Buffer status"

    def __init__(self, table: pd.DataFrame, params: dict[str, Any], forecast: pd.DataFrame, eating: pd.DataFrame,
                 as_of: float, forecast_end: float, bands: Bands):
        super().__init__(table=table, params=params, notes=[], title=type(self).title)
        self.as_of, self.forecast_end, self.forecast, self.eating, self.bands = as_of, forecast_end, forecast, eating, bands
        project = table.iloc[0]
        self.completion, self.consumption, self.zone = float(project["completion"]), float(project["consumption"]), str(project["zone"])

    def figure(self):
        """The project on the fever chart."""
        point = pd.DataFrame({"project": [self.params.get("plan", "project")], "completion": [self.completion],
                              "consumption": [self.consumption], "label": [f"as of {self.as_of:g}"]})
        return fever_figure(point, self.bands, title=f"Buffer status: {self.zone}")


def buffer_status(plan: CcpmPlan, remaining: Mapping[str, float], as_of: float, *, bands: Bands = Bands()) -> BufferStatus:
    """Forecast and buffer status from remaining durations (in periods) as of ``as_of`` (periods).

    Raises
    ------
    ProgressError
        Unknown activities, negative or non-numeric remaining durations, a negative status time.
    """
    problem = plan.problem
    index = {name: j for j, name in enumerate(problem.names)}
    unknown = sorted(set(remaining) - set(index))
    if unknown:
        raise ProgressError(f"progress for activities not in plan '{problem.name}': {', '.join(map(str, unknown[:10]))}")
    bad = [f"{k}={v!r}" for k, v in remaining.items() if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0]
    if bad:
        raise ProgressError(f"remaining durations must be numbers >= 0: {', '.join(bad[:10])}")
    if not as_of >= 0:
        raise ProgressError(f"status time {as_of} is before the plan starts (time 0)")
    rem = {index[k]: float(v) for k, v in remaining.items()}
    dur = problem.durations
    planned_finish = [s + d for s, d in zip(plan.start, dur)]
    run = plan.execution()
    start, finish = [0.0] * problem.n, [0.0] * problem.n
    driver: list[int | None] = [None] * problem.n
    for j in run.order:
        if j in rem:  # reported: a done activity finished by its plan or by the status time
            finish[j] = as_of + rem[j] if rem[j] > 0 else min(float(planned_finish[j]), as_of)
            start[j] = min(float(plan.start[j]), as_of)
            continue
        s = max(as_of, float(run.release[j]))
        for i, kind, lag in run.inputs[j]:
            v = {"FS": finish[i] + lag, "SS": start[i] + lag, "FF": finish[i] + lag - dur[j],
                 "SF": start[i] + lag - dur[j]}[kind]
            if v > s:
                s, driver[j] = v, i
        start[j], finish[j] = s, s + dur[j]
    status = ["done" if rem.get(j) == 0 else "in progress" if j in rem else "not started" for j in range(problem.n)]
    on_chain = set(plan.chain.activities)
    forecast = pd.DataFrame({
        "activity": list(problem.names), "status": status, "on_chain": [j in on_chain for j in range(problem.n)],
        "planned_start": plan.start,
        "planned_finish": planned_finish, "forecast_start": start, "forecast_finish": finish,
        "slip": [f - p for f, p in zip(finish, planned_finish)],
    })

    def completion(acts) -> float:
        total = sum(dur[j] for j in acts)
        left = sum(rem.get(j, dur[j]) for j in acts)
        return min(1.0, max(0.0, 1.0 - left / total)) if total else 1.0

    rows = []
    chain = plan.chain.activities
    chain_end = max(finish[j] for j in chain) if chain else max(finish)
    rows.append(_row("project buffer", "project", plan.project_buffer, chain_end - plan.chain_end, completion(chain), bands))
    for fc, size in plan.feeding:
        last = fc.activities[-1]
        rows.append(_row(f"feeding buffer {problem.names[last]} -> {problem.names[fc.joins]}", "feeding", size,
                         finish[last] - planned_finish[last], completion(fc.activities), bands))
    table = pd.DataFrame(rows, columns=["buffer", "kind", "size", "consumed", "consumption", "completion", "zone"])
    eating = _eaters(problem, chain, finish, planned_finish, driver)
    params = {"plan": problem.name, "as_of": as_of, "reported": len(rem)}
    return BufferStatus(table, params, forecast, eating, as_of, chain_end, bands)


def _row(name: str, kind: str, size: int, late: float, completion: float, bands: Bands) -> tuple:
    consumed = max(0.0, late)
    consumption = consumed / size if size else (0.0 if consumed == 0 else float("inf"))
    return (name, kind, size, consumed, consumption, completion, bands.zone(completion, consumption))


def _eaters(problem, chain, finish, planned_finish, driver) -> pd.DataFrame:
    on_chain = set(chain)
    rows = []
    j = max(chain, key=lambda j: finish[j]) if chain else max(range(problem.n), key=lambda j: finish[j])
    while j is not None:
        i = driver[j]
        slip = finish[j] - planned_finish[j]
        added = slip - (finish[i] - planned_finish[i] if i is not None else 0.0)
        if added > 1e-9:
            rows.append((problem.names[j], j in on_chain, slip, added))
        j = i
    eating = pd.DataFrame(rows, columns=["activity", "on_chain", "slip", "delay_added"])
    return eating.sort_values("delay_added", ascending=False, kind="stable").reset_index(drop=True)


def status_times(
    frame: pd.DataFrame, unit: str, step: float, start: date | datetime | None, calendar: Calendar | None = None,
    shift: float = 0.0,
) -> pd.Series:
    """Status times of a progress table in periods: ``as_of`` (numbers) or ``date`` (needs ``start``).

    A date is the start of that day (a time of day adds its share).  With a ``calendar`` the time from the
    start counts working time only (weekends, holidays and ``hours_per_day``, as the plan's dates do);
    without one, elapsed time.  ``shift`` (periods) is where the plan starts on the progress's clock (a
    project staggered in a portfolio): it is taken off every status time.

    Raises
    ------
    ProgressError
        Neither column, unparseable dates, no plan start date, an unknown unit, dates before the start.
    """
    if "as_of" in frame and "date" in frame:  # reports of both kinds (the API keeps them in one table)
        dated = frame["as_of"].isna() & frame["date"].notna()
        times = pd.Series(float("nan"), index=frame.index)
        for rows, other in ((~dated, "date"), (dated, "as_of")):
            if rows.any():
                times[rows] = status_times(frame.loc[rows].drop(columns=other), unit, step, start, calendar, shift)
        return times
    if "as_of" in frame:
        times = pd.to_numeric(frame["as_of"], errors="coerce")
        if times.isna().any():
            raise ProgressError(f"progress row {_table_row(frame, times.isna())}: 'as_of' must be a number")
    elif "date" in frame:
        if start is None:
            raise ProgressError("progress is dated but the plan has no start date (give 'start:' in the plan or --start)")
        if unit not in UNIT_SECONDS:
            raise ProgressError(f"dated progress needs a plan unit of {', '.join(UNIT_SECONDS)}, got '{unit}'")
        # ISO 8601 only: '12/01/2026' is 1 December to some readers and 12 January to others
        stamps = pd.to_datetime(frame["date"].astype(str), format="ISO8601", utc=True, errors="coerce")
        if stamps.isna().any():
            row = int(stamps.isna().to_numpy().argmax())
            raise ProgressError(
                f"progress row {_table_row(frame, stamps.isna())}, column 'date': cannot read {frame['date'].iloc[row]!r} "
                "(expected an ISO date such as 2026-01-12, optionally with a time: 2026-01-12 14:30)"
            )
        if calendar is not None:
            first = start.date() if isinstance(start, datetime) else start
            times = pd.Series([calendar.working_time(first, t, unit) for t in stamps], index=frame.index) / step
        else:
            origin = pd.Timestamp(start)
            origin = origin.tz_localize("UTC") if origin.tzinfo is None else origin.tz_convert("UTC")
            times = (stamps - origin).dt.total_seconds() / UNIT_SECONDS[unit] / step
    else:
        raise ProgressError("progress needs a 'date' or an 'as_of' column")
    times = times - shift
    early = times < 0
    if early.any():
        row = _table_row(frame, early)
        begins = f"{start}" + (f" + {shift:g} periods" if shift else "") if start is not None else f"time {shift:g}"
        raise ProgressError(f"progress row {row} is dated before the plan starts ({begins})")
    return times.astype(float)


def _table_row(frame: pd.DataFrame, flags: pd.Series) -> int:
    """1-based number, in the whole progress table, of the first flagged row of ``frame`` (a part of it)."""
    return int(frame.index[int(flags.to_numpy().argmax())]) + 1


class FeverChart(Result):
    """Buffer status at every status time: ``as_of``, ``completion``, ``consumption``, ``zone`` (project
    buffer), one row per status time; :attr:`statuses` keeps the full :class:`BufferStatus` of each."""

    title = "Fever chart"

    def __init__(self, table: pd.DataFrame, statuses: list[BufferStatus], bands: Bands, params: dict[str, Any]):
        super().__init__(table=table, params=params, notes=[], title=type(self).title)
        self.statuses, self.bands = statuses, bands

    @property
    def latest(self) -> BufferStatus:
        return self.statuses[-1]

    def figure(self):
        history = self.table.assign(project=self.params.get("plan", "project"),
                                    label=[f"as of {t:g}" for t in self.table["as_of"]])
        return fever_figure(history, self.bands, title=f"Fever chart: {self.params.get('plan', '')}")


def fever_chart(plan: CcpmPlan, progress: pd.DataFrame, *, start: date | datetime | None = None,
                bands: Bands = Bands(), shift: float = 0.0) -> FeverChart:
    """Buffer status at every status time of a progress table.

    Parameters
    ----------
    plan : CcpmPlan
    progress : DataFrame
        Columns ``activity``, ``remaining`` (plan units) and ``date`` (or ``as_of`` in plan units from the
        start).  Each status time is a full report: activities it does not list have not started.
    start : date, optional
        Plan start date (default: the plan's own, kept in ``plan.params["start"]``).
    bands : Bands
    shift : float
        Periods from the progress's time origin to the plan's start: a project staggered in a portfolio
        (:func:`~journeykit.schedule.ccpm.multiproject.stagger` ``offset``) reports on the portfolio's clock.

    Raises
    ------
    ProgressError
        Missing columns, unknown activities, negative remaining durations, status times before the start.
    """
    missing = [c for c in ("activity", "remaining") if c not in progress]
    if missing:
        raise ProgressError(f"progress needs the columns activity and remaining (missing: {', '.join(missing)})")
    if progress.empty:
        raise ProgressError("the progress table has no rows")
    step = float(plan.params.get("step", 1.0))
    times = status_times(progress, str(plan.params.get("unit", "periods")), step, start or plan.params.get("start"),
                         plan.params.get("calendar"), shift)
    remaining = pd.to_numeric(progress["remaining"], errors="coerce")
    if remaining.isna().any():
        row = int(remaining.isna().to_numpy().argmax())
        raise ProgressError(f"progress row {row + 1}: remaining {progress['remaining'].iloc[row]!r} is not a number")
    frame = pd.DataFrame({"as_of": times.to_numpy(), "activity": progress["activity"].astype(str).to_numpy(),
                          "remaining": remaining.to_numpy() / step})
    statuses, rows = [], []
    for as_of, group in frame.groupby("as_of", sort=True):
        dupes = group["activity"][group["activity"].duplicated()].tolist()
        if dupes:
            raise ProgressError(f"activity '{dupes[0]}' is reported twice at the same status time")
        status = buffer_status(plan, dict(zip(group["activity"], group["remaining"])), float(as_of), bands=bands)
        statuses.append(status)
        rows.append((float(as_of) * step, status.completion, status.consumption, status.zone))
    table = pd.DataFrame(rows, columns=["as_of", "completion", "consumption", "zone"])
    return FeverChart(table, statuses, bands, {"plan": plan.problem.name, "unit": plan.params.get("unit", "periods")})


__all__ = ["BufferStatus", "FeverChart", "ProgressError", "buffer_status", "fever_chart", "status_times"]
