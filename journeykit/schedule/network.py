"""The activity network: activities, dependencies and the plan that holds them.

A :class:`Plan` is an activity-on-node network.  Each :class:`Activity` has an id, a name, a duration
estimate (:mod:`journeykit.schedule.durations`) and per-period resource demands (used by CCPM).  Each
:class:`Dependency` links a predecessor to a successor with one of the four types of the precedence
diagramming method and a lag (negative lags are leads):

========  ==========================================  =====================================
type      constraint                                  reads as
========  ==========================================  =====================================
``FS``    ``start(succ)  >= finish(pred) + lag``      finish-to-start (the default)
``SS``    ``start(succ)  >= start(pred)  + lag``      start-to-start
``FF``    ``finish(succ) >= finish(pred) + lag``      finish-to-finish
``SF``    ``finish(succ) >= start(pred)  + lag``      start-to-finish
========  ==========================================  =====================================

Durations and lags are in working time units (:attr:`Plan.unit`); an optional
:class:`journeykit.schedule.calendar.Calendar` turns them into dates.

Reference: Moder, J. J., Phillips, C. R. and Davis, E. W. (1983) *Project Management with CPM, PERT and
Precedence Diagramming*, 3rd ed., Van Nostrand Reinhold, ch. 5 (precedence diagramming).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from journeykit.schedule.durations import Duration, duration_from
from journeykit.schedule.errors import CycleError, DurationError, PlanError, ScheduleError
from journeykit.schedule.topology import find_cycle, topological_levels

if TYPE_CHECKING:
    from journeykit.schedule.calendar import Calendar

DependencyType = Literal["FS", "SS", "FF", "SF"]

#: Integer codes of the dependency types in :class:`PlanArrays`.
TYPE_CODES: dict[str, int] = {"FS": 0, "SS": 1, "FF": 2, "SF": 3}
TYPE_NAMES: tuple[str, ...] = ("FS", "SS", "FF", "SF")
#: Per type code: does the constraint read the predecessor's finish / bind the successor's finish?
#: Largest total of mean durations and lags a plan may have: below 2**53, so times stay exact in floats.
MAX_TOTAL = 1e15
PRED_FINISH = np.array([True, False, True, False])
SUCC_FINISH = np.array([False, False, True, True])


@dataclass(frozen=True)
class Activity:
    """One activity of a plan.

    Parameters
    ----------
    id : str
        Unique identifier, used by dependencies.
    duration : Duration, number, (o, m, p) or mapping
        The estimate; plain values go through :func:`journeykit.schedule.durations.duration_from`
        (a number is fixed, a triple is beta-PERT).
    name : str
        Display name (defaults to the id).
    resources : mapping of str to float
        Units of each renewable resource the activity needs in every period it runs.
    """

    id: str
    duration: Duration | float | Sequence[float] | Mapping[str, Any] = 0.0
    name: str = ""
    resources: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise PlanError([f"activity id must be a non-empty string, got {self.id!r}"])
        try:
            object.__setattr__(self, "duration", duration_from(self.duration))
        except DurationError as exc:
            raise PlanError([f"activity '{self.id}': {exc}"]) from None
        if not self.name:
            object.__setattr__(self, "name", self.id)
        if not isinstance(self.resources, Mapping):
            raise PlanError(
                [f"activity '{self.id}': resources must be a mapping of resource to units, got {self.resources!r}"]
            )
        demands = {}
        for res, units in self.resources.items():
            if isinstance(units, bool) or not isinstance(units, (int, float)) or not math.isfinite(units) or units < 0:
                raise PlanError(
                    [f"activity '{self.id}': demand of resource '{res}' must be a number >= 0, got {units!r}"]
                )
            demands[str(res)] = float(units)
        object.__setattr__(self, "resources", demands)


@dataclass(frozen=True)
class Dependency:
    """A precedence constraint ``pred -> succ`` of type FS/SS/FF/SF with a lag (negative: a lead)."""

    pred: str
    succ: str
    type: DependencyType = "FS"
    lag: float = 0.0

    def __post_init__(self) -> None:
        kind = str(self.type).upper()
        if kind not in TYPE_CODES:
            raise PlanError(
                [f"dependency {self.pred} -> {self.succ}: unknown type {self.type!r} (expected FS, SS, FF or SF)"]
            )
        object.__setattr__(self, "type", kind)
        if isinstance(self.lag, bool) or not isinstance(self.lag, (int, float)) or not math.isfinite(self.lag):
            raise PlanError([f"dependency {self.pred} -> {self.succ}: lag must be a finite number, got {self.lag!r}"])
        object.__setattr__(self, "lag", float(self.lag))


@dataclass(frozen=True, eq=False)
class PlanArrays:
    """A plan as plain arrays for algorithms (activities indexed ``0..n-1`` in plan order).

    Attributes
    ----------
    ids : tuple of str
    durations : float64 array (n,)
        The deterministic duration chosen by :meth:`Plan.arrays`.
    pred_ptr : int64 array (n + 1,)
        CSR index: the dependencies into activity ``i`` are ``pred_ptr[i]:pred_ptr[i + 1]``.
    pred_idx, pred_type, pred_lag : arrays (m,)
        Predecessor index, type code (:data:`TYPE_CODES`) and lag of each of those dependencies.
    succ_ptr, succ_idx : int64 arrays
        The same dependencies indexed by predecessor (``succ_idx`` are the successors); ``succ_edge``
        maps each of them to its position in the predecessor-indexed arrays.
    level : int64 array (n,)
        Topological level (0: no predecessors).
    order : int64 array (n,)
        Activities sorted by level (a topological order).
    resource_names : tuple of str
    demands : float64 array (n, r)
        Per-period demand of each resource.
    capacities : float64 array (r,)
        Units available per period (``inf`` where the plan does not say).
    """

    ids: tuple[str, ...]
    durations: np.ndarray
    pred_ptr: np.ndarray
    pred_idx: np.ndarray
    pred_type: np.ndarray
    pred_lag: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_edge: np.ndarray
    level: np.ndarray
    order: np.ndarray
    resource_names: tuple[str, ...]
    demands: np.ndarray
    capacities: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def edge_succ(self) -> np.ndarray:
        """Successor index of each dependency, aligned with ``pred_idx``."""
        return np.repeat(np.arange(self.n), np.diff(self.pred_ptr))


class Plan:
    """An activity network with optional calendar and resource capacities.

    Parameters
    ----------
    activities : iterable of Activity
    dependencies : iterable of Dependency or (pred, succ[, type[, lag]]) tuples
    name : str
    unit : str
        Unit of durations and lags (``"days"``, ``"hours"``, ...).
    calendar : Calendar, optional
        Working calendar that turns working-time offsets into dates.
    start : date, optional
        Project start date (needs ``calendar``; defaults to the calendar's first working day on or after
        today only when dates are asked for).
    resources : mapping of str to float, optional
        Capacity (units per period) of each renewable resource.
    correlations : mapping of (id, id) to float, optional
        Correlations between activity durations used by the Monte Carlo simulation (Gaussian copula).
    source : str
        Where the plan came from, used in error messages.

    Raises
    ------
    PlanError
        Duplicate ids, dependencies naming unknown activities or an activity itself, duplicate
        dependencies, unknown or negative resource capacities; :class:`CycleError` (a subclass) when the
        dependencies form a cycle, naming its activities.
    """

    def __init__(
        self,
        activities: Iterable[Activity],
        dependencies: Iterable[Dependency | tuple] = (),
        *,
        name: str = "plan",
        unit: str = "days",
        calendar: "Calendar | None" = None,
        start: date | None = None,
        resources: Mapping[str, float] | None = None,
        correlations: Mapping[tuple[str, str], float] | None = None,
        source: str = "plan",
    ):
        self.activities: tuple[Activity, ...] = tuple(activities)
        self.dependencies: tuple[Dependency, ...] = tuple(
            d if isinstance(d, Dependency) else Dependency(*d) for d in dependencies
        )
        self.name = name
        self.unit = unit
        self.calendar = calendar
        self.start = start
        self.resources: dict[str, float] = {str(k): float(v) for k, v in dict(resources or {}).items()}
        self.correlations: dict[tuple[str, str], float] = dict(correlations or {})
        self.source = source
        self._durations: dict[str, np.ndarray] = {}
        self._validate()

    # ------------------------------------------------------------------------------ validation
    def _validate(self) -> None:
        problems: list[str] = []
        if not self.activities:
            problems.append("a plan needs at least one activity")
        ids = [a.id for a in self.activities]
        for dup, count in Counter(ids).items():
            if count > 1:
                problems.append(f"duplicate activity id '{dup}' ({count} times)")
        known = set(ids)
        seen: set[tuple[str, str]] = set()
        for d in self.dependencies:
            for role, ref in (("predecessor", d.pred), ("successor", d.succ)):
                if ref not in known:
                    other = d.succ if role == "predecessor" else d.pred
                    problems.append(f"activity '{other}': {role} '{ref}' is not an activity of the plan")
            if d.pred == d.succ:
                problems.append(f"activity '{d.pred}' depends on itself")
            if (d.pred, d.succ) in seen:
                problems.append(f"dependency {d.pred} -> {d.succ} is given more than once")
            seen.add((d.pred, d.succ))
        for (a, b), rho in self.correlations.items():
            if a not in known or b not in known or a == b:
                problems.append(f"correlation {a} ~ {b}: needs two different activities of the plan")
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1 <= rho <= 1:
                problems.append(f"correlation {a} ~ {b}: must be a number in [-1, 1], got {rho!r}")
        for res, cap in self.resources.items():
            if not cap >= 0:
                problems.append(f"resource '{res}': capacity must be >= 0, got {cap:g}")
        for a in self.activities:
            unknown = sorted(set(a.resources) - set(self.resources)) if self.resources else []
            if unknown:
                problems.append(
                    f"activity '{a.id}': unknown resource(s) {unknown} (plan resources: {sorted(self.resources)})"
                )
        total = sum(abs(a.duration.mean) for a in self.activities) + sum(abs(d.lag) for d in self.dependencies)
        if not total < MAX_TOTAL:
            problems.append(f"the mean durations and lags add up to {total:.3g} plan units: too large to schedule "
                            f"(at most {MAX_TOTAL:.0e}; is the unit right?)")
        if problems:
            raise PlanError(problems, self.source)
        if (self.level < 0).any():
            pred, succ = self._edges
            cycle = find_cycle(len(ids), pred, succ, np.flatnonzero(self.level < 0))
            raise CycleError([ids[i] for i in cycle], self.source)

    # ---------------------------------------------------------------------------------- lookup
    @cached_property
    def index(self) -> dict[str, int]:
        """Activity id -> position in :attr:`activities`."""
        return {a.id: i for i, a in enumerate(self.activities)}

    def activity(self, activity_id: str) -> Activity:
        """The activity with this id (:class:`ScheduleError` when there is none)."""
        return self.activities[self.position(activity_id)]

    def position(self, activity_id: str) -> int:
        try:
            return self.index[activity_id]
        except KeyError:
            raise ScheduleError(f"plan '{self.name}' has no activity '{activity_id}'") from None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.activities)

    def __len__(self) -> int:
        return len(self.activities)

    def __repr__(self) -> str:
        return f"Plan({self.name!r}, {len(self.activities)} activities, {len(self.dependencies)} dependencies)"

    @cached_property
    def _edges(self) -> tuple[np.ndarray, np.ndarray]:
        idx = self.index
        pred = np.fromiter((idx[d.pred] for d in self.dependencies), dtype=np.int64, count=len(self.dependencies))
        succ = np.fromiter((idx[d.succ] for d in self.dependencies), dtype=np.int64, count=len(self.dependencies))
        return pred, succ

    @cached_property
    def level(self) -> np.ndarray:
        """Topological level of each activity (see :mod:`journeykit.schedule.topology`)."""
        pred, succ = self._edges
        return topological_levels(len(self.activities), pred, succ)

    # ---------------------------------------------------------------------------------- arrays
    def durations(self, which: Literal["mean", "most_likely", "optimistic", "pessimistic"] = "mean") -> np.ndarray:
        """Deterministic durations: the PERT mean ``te`` or one point of the three-point summary."""
        if which not in self._durations:
            pick = {"optimistic": 0, "most_likely": 1, "pessimistic": 2}
            if which == "mean":
                values = [a.duration.mean for a in self.activities]
            elif which in pick:
                values = [a.duration.three_point()[pick[which]] for a in self.activities]
            else:
                raise ScheduleError(
                    f"unknown duration choice {which!r} (expected mean, most_likely, optimistic or pessimistic)"
                )
            self._durations[which] = np.array(values, dtype=float)
        return self._durations[which].copy()

    @cached_property
    def _structure(self) -> dict[str, Any]:
        n = len(self.activities)
        pred, succ = self._edges
        types = np.fromiter((TYPE_CODES[d.type] for d in self.dependencies), dtype=np.int8, count=len(pred))
        lags = np.fromiter((d.lag for d in self.dependencies), dtype=float, count=len(pred))
        by_succ = np.lexsort((pred, succ))
        pred_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(succ, minlength=n), out=pred_ptr[1:])
        pred_sorted = pred[by_succ]
        by_pred = np.lexsort((succ[by_succ], pred_sorted))
        succ_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(pred, minlength=n), out=succ_ptr[1:])
        names = tuple(self.resources) or tuple(sorted({r for a in self.activities for r in a.resources}))
        demands = np.array([[a.resources.get(r, 0.0) for r in names] for a in self.activities], dtype=float)
        demands = demands.reshape(n, len(names))
        caps = np.array([self.resources.get(r, np.inf) for r in names], dtype=float)
        return dict(
            pred_ptr=pred_ptr,
            pred_idx=pred_sorted,
            pred_type=types[by_succ],
            pred_lag=lags[by_succ],
            succ_ptr=succ_ptr,
            succ_idx=succ[by_succ][by_pred],
            succ_edge=by_pred,
            level=self.level,
            order=np.argsort(self.level, kind="stable"),
            resource_names=names,
            demands=demands,
            capacities=caps,
        )

    def arrays(self, durations: Literal["mean", "most_likely", "optimistic", "pessimistic"] = "mean") -> PlanArrays:
        """The plan as plain arrays (durations, predecessor and successor CSR, levels, resources)."""
        return PlanArrays(ids=self.ids, durations=self.durations(durations), **self._structure)

    # --------------------------------------------------------------------------------- analyses
    def cpm(self, durations: Literal["mean", "most_likely", "optimistic", "pessimistic"] = "mean"):
        """Critical path method on deterministic durations; see :func:`journeykit.schedule.cpm.cpm`."""
        from journeykit.schedule.cpm import cpm

        return cpm(self, durations=durations)

    def pert(self):
        """Analytic PERT; see :func:`journeykit.schedule.pert.pert`."""
        from journeykit.schedule.pert import pert

        return pert(self)

    def simulate(self, iterations: int = 10_000, seed: int | None = None, **kwargs: Any):
        """Monte Carlo schedule risk; see :func:`journeykit.schedule.montecarlo.simulate`."""
        from journeykit.schedule.montecarlo import simulate

        return simulate(self, iterations=iterations, seed=seed, **kwargs)

    # ------------------------------------------------------------------------------ conversions
    @classmethod
    def from_psplib(cls, path: str) -> "Plan":
        """A plan from a PSPLIB ``.sm`` file; see :func:`journeykit.schedule.plan_io.plan_from_psplib`."""
        from journeykit.schedule.plan_io import plan_from_psplib

        return plan_from_psplib(path)

    def with_durations(self, durations: Mapping[str, Duration | float | Sequence[float]]) -> "Plan":
        """A copy with some activities' durations replaced (``{id: estimate}``)."""
        for key in durations:
            self.position(key)
        acts = [
            Activity(a.id, durations.get(a.id, a.duration), a.name, a.resources) for a in self.activities
        ]
        return Plan(acts, self.dependencies, name=self.name, unit=self.unit, calendar=self.calendar,
                    start=self.start, resources=self.resources, correlations=self.correlations, source=self.source)


__all__ = ["Activity", "Dependency", "Plan", "PlanArrays", "TYPE_CODES", "TYPE_NAMES"]
