"""Project scheduling: PERT (network, CPM, analytic PERT, Monte Carlo, estimates) and CCPM."""

from journeykit.schedule.calendar import Calendar
from journeykit.schedule.cpm import CPMResult, cpm
from journeykit.schedule.durations import BetaPert, Duration, Empirical, Fixed, Lognormal, Triangular
from journeykit.schedule.errors import CycleError, DurationError, PlanError, ScheduleError
from journeykit.schedule.estimates import DurationEstimate, estimate_duration
from journeykit.schedule.from_log import PlanFromLog, closing_steps, plan_from_log, plans_by_kind, step_durations
from journeykit.schedule.generate import random_plan
from journeykit.schedule.montecarlo import MonteCarloResult, simulate
from journeykit.schedule.network import Activity, Dependency, Plan, PlanArrays
from journeykit.schedule.pert import PertResult, pert
from journeykit.schedule.plan_io import read_plan, write_plan

__all__ = [
    "Activity",
    "BetaPert",
    "CPMResult",
    "Calendar",
    "CycleError",
    "Dependency",
    "Duration",
    "DurationError",
    "DurationEstimate",
    "Empirical",
    "Fixed",
    "Lognormal",
    "MonteCarloResult",
    "PertResult",
    "Plan",
    "PlanArrays",
    "PlanError",
    "PlanFromLog",
    "ScheduleError",
    "Triangular",
    "closing_steps",
    "cpm",
    "estimate_duration",
    "pert",
    "plan_from_log",
    "plans_by_kind",
    "random_plan",
    "read_plan",
    "simulate",
    "step_durations",
    "write_plan",
]
