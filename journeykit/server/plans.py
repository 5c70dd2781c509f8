"""Plans of a workspace (``plans/<name>.yaml``) and their progress reports, for the API and the pages.

Scheduling itself is :mod:`journeykit.schedule`: this module only stores plans and progress reports and
names the dashboard's views of a plan.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from operator import methodcaller
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from journeykit.errors import JourneykitError
from journeykit.result import Result
from journeykit.schedule import Plan, cpm, read_plan, simulate, write_plan
from journeykit.schedule.ccpm import FeverChart, ProgressError, ccpm, fever_chart
from journeykit.schedule.plan_io import plan_from_dict

NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PROGRESS_COLUMNS = ["activity", "remaining", "date", "as_of"]


class PlanNotFound(JourneykitError):
    """No plan of that name in the workspace."""


class ProgressRow(BaseModel):
    """One activity's remaining duration at a status time (``date`` or ``as_of`` in plan units)."""

    model_config = ConfigDict(extra="forbid")

    activity: str = Field(..., min_length=1)
    remaining: float = Field(..., ge=0, allow_inf_nan=False)
    date: dt.datetime | dt.date | None = None
    as_of: float | None = Field(None, ge=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_time(self) -> "ProgressRow":
        if (self.date is None) == (self.as_of is None):
            raise ValueError("give the status time as date (ISO, optionally with a time) or as_of, exactly one")
        return self


class PlanStore:
    """``<workspace>/plans/``: one YAML file per plan and one progress CSV per plan."""

    def __init__(self, workspace: Path):
        self.folder = workspace / "plans"
        self._lock = threading.Lock()

    def _path(self, name: str, suffix: str) -> Path:
        if not NAME.match(name):
            raise JourneykitError(f"plan name {name!r}: use 1-64 letters, digits, '-' or '_'")
        return self.folder / f"{name}{suffix}"

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.yaml")) if self.folder.is_dir() else []

    def get(self, name: str) -> Plan:
        path = self._path(name, ".yaml")
        if not path.exists():
            raise PlanNotFound(f"no plan named '{name}' (plans: {', '.join(self.names()) or 'none'})")
        return read_plan(path)

    def put(self, name: str, data: dict[str, Any]) -> Plan:
        """Validate a plan (YAML structure as JSON) and store it, replacing one of the same name."""
        plan = plan_from_dict(data, source=name)
        with self._lock:
            write_plan(plan, self._path(name, ".yaml"))
        return plan

    def progress(self, name: str) -> pd.DataFrame:
        path = self._path(name, ".progress.csv")
        if not path.exists():
            return pd.DataFrame(columns=PROGRESS_COLUMNS)
        return pd.read_csv(path, dtype={"activity": str, "date": str})

    def clear_progress(self, name: str) -> None:
        """Remove the plan's stored progress (``PlanNotFound`` for an unknown plan)."""
        self.get(name)
        with self._lock:
            self._path(name, ".progress.csv").unlink(missing_ok=True)

    def add_progress(self, name: str, rows: list[dict[str, Any]]) -> FeverChart:
        """Append progress rows after drawing the fever chart of all of them (which refuses unknown
        activities, bad times, ...); that chart."""
        plan = self.get(name)
        with self._lock:
            table = pd.concat([self.progress(name), pd.DataFrame(rows, columns=PROGRESS_COLUMNS)], ignore_index=True)
            fever = _fever(name, plan, table)
            table.to_csv(self._path(name, ".progress.csv"), index=False)
        return fever


def _clean(progress: pd.DataFrame) -> pd.DataFrame:
    """Drop the time column not used (``date`` or ``as_of``)."""
    return progress.dropna(axis="columns", how="all")


def record_progress(store: PlanStore, name: str, rows: list[ProgressRow]) -> FeverChart:
    """Store a status report of plan ``name`` (the API's and the plans page's) and the updated fever chart.

    Raises
    ------
    PlanNotFound
    JourneykitError
        Unknown activities, status times before the plan's start, ... (nothing is stored then).
    """
    return store.add_progress(name, [r.model_dump(mode="json") for r in rows])


def plan_fever(store: PlanStore, name: str) -> FeverChart:
    """The fever chart of a plan's critical-chain schedule from every progress report so far."""
    plan = store.get(name)  # an unknown plan is a 404, not "no progress"
    progress = store.progress(name)
    if progress.empty:
        raise JourneykitError(f"plan '{name}' has no progress yet (POST /api/v1/plans/{name}/progress)")
    return _fever(name, plan, progress)


def _fever(name: str, plan: Plan, progress: pd.DataFrame) -> FeverChart:
    """The fever chart of ``plan`` from ``progress``; a report that does not fit says how to start over."""
    try:
        return fever_chart(ccpm(plan), _clean(progress))
    except ProgressError as exc:
        raise ProgressError(f"{exc} (stored reports of plan '{name}' included; DELETE "
                            f"/api/v1/plans/{name}/progress to start over)") from None


#: Iterations of the dashboard's Monte Carlo panel (the API takes any number).
PANEL_ITERATIONS = 5000


@dataclass(frozen=True)
class PlanView:
    """A dashboard view of a plan: the result to compute and how to draw it."""

    title: str
    compute: Callable[[PlanStore, str], Result]
    draw: Callable[[Any], Any] = methodcaller("figure")


#: name -> view, in page order.
PLAN_VIEWS: dict[str, PlanView] = {
    "pert": PlanView("PERT chart", lambda store, name: cpm(store.get(name)), lambda r: r.pert_chart()),
    "gantt": PlanView("Gantt chart", lambda store, name: cpm(store.get(name))),
    "montecarlo": PlanView(
        "Monte Carlo", lambda store, name: simulate(store.get(name), iterations=PANEL_ITERATIONS, seed=0)
    ),
    "ccpm": PlanView("Critical chain", lambda store, name: ccpm(store.get(name))),
    "fever": PlanView("Fever chart", plan_fever),
}
