"""Resource profile of a schedule: units of every resource in use per period."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from journeykit.schedule.rcpsp.problem import RcpspProblem


def resource_profile(problem: RcpspProblem, start: Sequence[int]) -> pd.DataFrame:
    """Units in use per period (rows ``0..makespan-1``, one column per resource)."""
    end = max(s + d for s, d in zip(start, problem.durations))
    use = np.zeros((end + 1, problem.n_resources))
    for s, d, row in zip(start, problem.durations, problem.demands):
        if d:
            use[s] += row
            use[s + d] -= row
    profile = pd.DataFrame(np.cumsum(use, axis=0)[:-1], columns=list(problem.resource_names))
    profile.index.name = "period"
    return profile


__all__ = ["resource_profile"]
