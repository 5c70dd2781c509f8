"""Critical chain of a :class:`journeykit.schedule.network.Plan`: estimates, resources and periods.

A plan's activities carry a fixed duration or a distribution.  The safe estimate is the fixed duration or
the distribution's 90th percentile; the aggressive estimate is ``cut`` times a fixed duration (50 % by
default) or the distribution's median (P50).  Durations and lags are counted in periods of ``step`` plan
units (aggressive durations rounded up to whole periods).  Simulations use the activities' own
distributions, and a lognormal model around the estimates for fixed durations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from journeykit.schedule.ccpm.plan import CcpmPlan, critical_chain_plan
from journeykit.schedule.ccpm.uncertainty import SAFE_QUANTILE, model_durations, scenarios_from
from journeykit.schedule.durations import Duration, Fixed
from journeykit.schedule.network import Plan
from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem, Relation


def plan_problem(plan: Plan, durations: np.ndarray, step: float = 1.0) -> RcpspProblem:
    """The RCPSP of a plan with the given durations (plan units), in periods of ``step`` units.

    Raises
    ------
    RcpspError
        An activity needs a resource the plan gives no capacity for, or a non-positive ``step``.
    """
    if not step > 0:
        raise RcpspError(f"the period length must be > 0 plan units, got {step}")
    arrays = plan.arrays()
    names = list(arrays.resource_names)
    keep = []
    for k, name in enumerate(names):
        if math.isinf(arrays.capacities[k]):
            users = [plan.ids[j] for j in np.flatnonzero(arrays.demands[:, k] > 0)]
            if users:
                raise RcpspError(
                    f"plan '{plan.name}': activity '{users[0]}' needs resource '{name}' but the plan gives no "
                    f"capacity for it (add it under 'resources:')"
                )
            continue
        keep.append(k)
    index = plan.index
    relations = [
        Relation(index[d.pred], index[d.succ], d.type, int(round(d.lag / step))) for d in plan.dependencies
    ]
    return RcpspProblem(
        durations=tuple(math.ceil(float(x) / step - 1e-9) for x in durations),
        relations=relations,
        demands=[tuple(float(arrays.demands[j, k]) for k in keep) for j in range(len(plan))],
        capacities=tuple(float(arrays.capacities[k]) for k in keep),
        names=plan.ids,
        resource_names=tuple(names[k] for k in keep),
        name=plan.name,
    )


def plan_estimates(plan: Plan, cut: float = 0.5) -> tuple[np.ndarray, np.ndarray, list[Duration]]:
    """Safe and aggressive estimates (plan units) and the distributions to simulate with.

    Raises
    ------
    RcpspError
        ``cut`` outside (0, 1].
    """
    if not 0 < cut <= 1:
        raise RcpspError(f"the aggressive share of a fixed estimate must be in (0, 1], got {cut}")
    safe, aggressive, dists = [], [], []
    for a in plan.activities:
        d = a.duration
        if isinstance(d, Fixed):
            s, ag = d.value, cut * d.value
            dists.append(model_durations([s], [ag])[0])
        else:
            s, ag = (float(v) for v in d.ppf(np.array([SAFE_QUANTILE, 0.5])))
            dists.append(d)
        safe.append(s)
        aggressive.append(ag)
    return np.array(safe), np.array(aggressive), dists


def ccpm(plan: Plan, *, cut: float = 0.5, step: float = 1.0, **kwargs: Any) -> CcpmPlan:
    """Critical-chain plan of a :class:`Plan` (see :func:`journeykit.schedule.ccpm.plan.critical_chain_plan`).

    Parameters
    ----------
    plan : Plan
        Activities with resources; the plan's ``resources`` give the capacities.
    cut : float
        Aggressive share of fixed estimates.
    step : float
        Plan units per period.
    **kwargs
        ``buffer``, ``feeding_buffer``, ``fraction``, ``target``, ``samples``, ``method``, ``schedules``,
        ``seed``.
    """
    safe, aggressive, dists = plan_estimates(plan, cut)
    problem = plan_problem(plan, aggressive, step)
    result = critical_chain_plan(problem, safe / step, aggressive / step, scenarios=scenarios_from(dists, step),
                                 **kwargs)
    result.params.update(plan=plan.name, unit=plan.unit, step=step, cut=cut, start=plan.start, calendar=plan.calendar)
    return result


__all__ = ["ccpm", "plan_estimates", "plan_problem"]
