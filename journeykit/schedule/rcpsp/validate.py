"""Independent check of an RCPSP schedule: precedence with lags, and resource use in every period.

The checker reads the relations by their definition (start and finish times), not through the
start-to-start distances the schedulers use, and builds the resource profile with numpy, so a bug in a
scheduler cannot hide behind the same bug here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem


def schedule_violations(problem: RcpspProblem, start: Sequence[int], deadline: int | None = None) -> list[str]:
    """Every way the schedule breaks the problem's rules (empty when it is feasible).

    Parameters
    ----------
    problem : RcpspProblem
    start : sequence of int
        Start period of each activity.
    deadline : int, optional
        Latest allowed finish.

    Returns
    -------
    list of str
        One message per violated relation, per over-used resource period, per negative start.
    """
    n = problem.n
    if len(start) != n:
        return [f"{len(start)} start times for {n} activities"]
    s = np.asarray(start, dtype=np.int64)
    d = np.asarray(problem.durations, dtype=np.int64)
    f = s + d
    names = problem.names
    problems = [f"activity '{names[j]}' starts at {s[j]} < 0" for j in np.flatnonzero(s < 0)]
    if deadline is not None:
        problems += [f"activity '{names[j]}' finishes at {f[j]} > deadline {deadline}" for j in np.flatnonzero(f > deadline)]
    for r in problem.relations:
        i, j = r.pred, r.succ
        lhs, rhs = {
            "FS": (s[j], f[i] + r.lag),
            "SS": (s[j], s[i] + r.lag),
            "FF": (f[j], f[i] + r.lag),
            "SF": (f[j], s[i] + r.lag),
        }[r.kind]
        if lhs < rhs:
            problems.append(f"{r.kind} {names[i]} -> {names[j]} (lag {r.lag}) violated: {lhs} < {rhs}")
    if problem.n_resources and n:
        horizon = int(max(f.max(), 0)) + 1
        use = np.zeros((horizon + 1, problem.n_resources))
        demand = np.asarray(problem.demands, dtype=float).reshape(n, problem.n_resources)
        active = d > 0
        np.add.at(use, np.clip(s[active], 0, None), demand[active])
        np.add.at(use, f[active], -demand[active])
        profile = np.cumsum(use, axis=0)[:-1]
        caps = np.asarray(problem.capacities, dtype=float)
        for t, k in zip(*np.nonzero(profile > caps + 1e-9)):
            problems.append(
                f"resource '{problem.resource_names[k]}' over capacity in period {t}: {profile[t, k]:g} > {caps[k]:g}"
            )
    return problems


def check_schedule(problem: RcpspProblem, start: Sequence[int], deadline: int | None = None) -> None:
    """Raise :class:`RcpspError` listing the violations when the schedule is infeasible."""
    problems = schedule_violations(problem, start, deadline)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise RcpspError(f"{problem.name}: infeasible schedule: " + "; ".join(problems[:5]) + more)


__all__ = ["check_schedule", "schedule_violations"]
