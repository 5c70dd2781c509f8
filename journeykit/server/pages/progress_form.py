"""The plans page's progress form: what it shows for a plan, and the rows a submitted form stands for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from journeykit.errors import JourneykitError
from journeykit.server.plans import PlanStore, ProgressRow


@dataclass(frozen=True)
class ProgressForm:
    """A plan's progress form: each activity with its last reported remaining duration (``None``: never)."""

    plan: str
    unit: str
    start: dt.date | None
    activities: list[tuple[str, str, float | None]]  # (id, name, last remaining)


def progress_form(store: PlanStore, name: str) -> ProgressForm:
    """The form of the stored plan ``name``.

    Raises
    ------
    PlanNotFound
    """
    plan = store.get(name)
    last = store.progress(name).groupby("activity", sort=False)["remaining"].last()
    return ProgressForm(
        name, plan.unit, plan.start,
        [(a.id, a.name or a.id, float(last[a.id]) if a.id in last else None) for a in plan.activities],
    )


def progress_rows(activities: list[str], remaining: list[str], date: str, as_of: str) -> list[ProgressRow]:
    """The status report of a submitted form: one row per activity whose remaining duration is filled in.

    Parameters
    ----------
    activities, remaining : list of str
        The form's parallel ``activity`` and ``remaining`` fields.
    date, as_of : str
        The status time: a date (ISO) or a number of plan units since the start; exactly one.

    Raises
    ------
    JourneykitError
        Both or neither status time, a value that is not a number >= 0 (or not a date), no activity filled in.
    """
    if len(activities) != len(remaining):
        raise JourneykitError("the form must list each activity once with its remaining duration")
    if bool(date.strip()) == bool(as_of.strip()):
        raise JourneykitError("give the status time either as a date or as plan units since the start (one of them)")
    when = {"date": date.strip() or None, "as_of": as_of.strip() or None}
    rows = []
    for activity, value in zip(activities, remaining):
        if value.strip():
            try:
                rows.append(ProgressRow(activity=activity, remaining=value.strip(), **when))
            except ValidationError as exc:
                problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
                raise JourneykitError(f"activity '{activity}': {problems}") from None
    if not rows:
        raise JourneykitError("fill in the remaining duration of at least one activity (0 when it is finished)")
    return rows
