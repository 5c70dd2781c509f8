"""Resource-constrained project scheduling (RCPSP): schedule-generation schemes, priority rules,
forward-backward improvement, a genetic algorithm, a CP-SAT mode, bounds and an independent checker."""

from journeykit.schedule.rcpsp.bounds import (
    EnergyBounds,
    critical_path_bound,
    energy_bounds,
    lower_bound,
    resource_bound,
    time_windows,
)
from journeykit.schedule.rcpsp.cpsat import cpsat_schedule
from journeykit.schedule.rcpsp.genetic import genetic_algorithm
from journeykit.schedule.rcpsp.justification import forward_backward, right_justify
from journeykit.schedule.rcpsp.priority import RULES, activity_list, priorities, sample_activity_list
from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem, Relation
from journeykit.schedule.rcpsp.sgs import makespan, parallel_sgs, serial_sgs
from journeykit.schedule.rcpsp.solve import METHODS, RcpspSchedule, solve_rcpsp
from journeykit.schedule.rcpsp.validate import check_schedule, schedule_violations

__all__ = [
    "EnergyBounds",
    "METHODS",
    "RULES",
    "RcpspError",
    "RcpspProblem",
    "RcpspSchedule",
    "Relation",
    "activity_list",
    "check_schedule",
    "cpsat_schedule",
    "critical_path_bound",
    "energy_bounds",
    "forward_backward",
    "genetic_algorithm",
    "lower_bound",
    "makespan",
    "parallel_sgs",
    "priorities",
    "resource_bound",
    "right_justify",
    "sample_activity_list",
    "schedule_violations",
    "serial_sgs",
    "solve_rcpsp",
    "time_windows",
]
