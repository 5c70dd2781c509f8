"""Project scheduling: PERT (network, CPM, analytic PERT, Monte Carlo, estimates) and CCPM."""

from journeykit.schedule.durations import BetaPert, Duration, Empirical, Fixed, Lognormal, Triangular
from journeykit.schedule.errors import CycleError, DurationError, PlanError, ScheduleError
from journeykit.schedule.network import Activity, Dependency, Plan, PlanArrays

__all__ = [
    "Activity",
    "BetaPert",
    "CycleError",
    "Dependency",
    "Duration",
    "DurationError",
    "Empirical",
    "Fixed",
    "Lognormal",
    "Plan",
    "PlanArrays",
    "PlanError",
    "ScheduleError",
    "Triangular",
]
