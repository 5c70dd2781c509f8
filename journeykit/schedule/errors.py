"""Errors a user can cause when describing or analysing a plan."""

from __future__ import annotations

from journeykit.errors import JourneykitError


class PlanError(JourneykitError):
    """An invalid plan: one entry per problem, each naming the activity or key concerned.

    Parameters
    ----------
    problems : list of str
        E.g. ``"activity 'b': predecessor 'x' is not an activity of the plan"``.
    source : str
        Where the plan came from (a file name, or ``"plan"`` for a plan built in Python).
    """

    def __init__(self, problems: list[str], source: str = "plan"):
        self.problems = list(problems)
        self.source = source
        super().__init__(f"{source}: invalid plan: " + "; ".join(self.problems))


class CycleError(PlanError):
    """The dependencies contain a cycle; :attr:`cycle` lists its activities, first one repeated last."""

    def __init__(self, cycle: list[str], source: str = "plan"):
        self.cycle = list(cycle)
        super().__init__([f"the dependencies contain a cycle: {' -> '.join(self.cycle)}"], source)


class DurationError(JourneykitError):
    """An invalid duration estimate (o <= m <= p violated, negative or non-numeric values, ...)."""


class ScheduleError(JourneykitError):
    """An analysis that cannot run on the given plan or arguments (unknown activity, bad probability, ...)."""
