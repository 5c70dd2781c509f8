"""The resource-constrained project scheduling problem (RCPSP) on plain arrays.

Activities ``0..n-1`` have integer durations and per-period demands of renewable resources with fixed
capacities; precedence relations are finish-to-start by default and may be of any type of the precedence
diagramming method (FS, SS, FF, SF) with an integer lag.  Every relation reduces to a minimum distance
between start times, ``start[j] >= start[i] + delay(i, j)``, which is what the schedule-generation schemes
use.

Reference: Kolisch, R. (1996) "Serial and parallel resource-constrained project scheduling methods
revisited: theory and computation", European Journal of Operational Research 90(2), 320-333 (problem
statement and notation).
"""

from __future__ import annotations

import graphlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from journeykit.errors import JourneykitError

KINDS = ("FS", "SS", "FF", "SF")


class RcpspError(JourneykitError):
    """An RCPSP that cannot be scheduled as given (bad sizes, a cycle, a demand above capacity, ...)."""


@dataclass(frozen=True)
class Relation:
    """A precedence relation ``pred -> succ`` of type FS/SS/FF/SF with an integer lag (negative: lead)."""

    pred: int
    succ: int
    kind: str = "FS"
    lag: int = 0

    def delay(self, durations: Sequence[int]) -> int:
        """The minimum distance ``start[succ] - start[pred]`` this relation imposes."""
        dp, ds = durations[self.pred], durations[self.succ]
        return {
            "FS": dp + self.lag,
            "SS": self.lag,
            "FF": dp - ds + self.lag,
            "SF": self.lag - ds,
        }[self.kind]


@dataclass(frozen=True, eq=False)
class Compiled:
    """Plain lists the schedule-generation schemes loop over (built once per problem).

    Attributes
    ----------
    n : int
    dur : list of int
    preds : list of list of (i, delay)
        For each activity, its predecessors and the start-to-start minimum distance to each.
    succs : list of list of (j, delay)
    demand : list of list of (k, units)
        Non-zero demands of each activity with a positive duration.
    capacity : list
    horizon : int
        Length of the resource profiles: no schedule built by a serial SGS can end later.
    rank : list of int
        Position of each activity in a topological order (tie-break that keeps sorted lists feasible).
    simple : bool
        All relations are finish-to-start with a non-negative lag, so any order by start (or by finish,
        backwards) broken by ``rank`` is precedence-feasible.
    """

    n: int
    dur: list[int]
    preds: list[list[tuple[int, int]]]
    succs: list[list[tuple[int, int]]]
    demand: list[list[tuple[int, float]]]
    capacity: list[float]
    horizon: int
    rank: list[int]
    simple: bool


@dataclass(frozen=True, eq=False)
class RcpspProblem:
    """A single-mode RCPSP.

    Parameters
    ----------
    durations : sequence of int
        Duration of each activity in periods (>= 0).
    relations : sequence of Relation or (pred, succ[, kind[, lag]])
        Precedence relations between activity indices.
    demands : n x K nested sequence of numbers
        Per-period demand of each resource.
    capacities : sequence of numbers (K)
        Units of each resource available in every period.
    names : sequence of str, optional
        Activity names (default ``"0"``, ``"1"``, ...).
    resource_names : sequence of str, optional
        Resource names (default ``"R1"``, ``"R2"``, ...).
    name : str
        Name of the problem (the instance or plan).

    Raises
    ------
    RcpspError
        Sizes that disagree, negative or non-integer durations, relations naming unknown activities or an
        unknown type, a precedence cycle, or an activity that needs more of a resource than its capacity
        (it could never be scheduled).
    """

    durations: tuple[int, ...]
    relations: tuple[Relation, ...]
    demands: tuple[tuple[float, ...], ...]
    capacities: tuple[float, ...]
    names: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    name: str = "rcpsp"

    def __post_init__(self) -> None:
        n = len(self.durations)
        set_ = object.__setattr__
        set_(self, "durations", tuple(self.durations))
        set_(self, "relations", tuple(r if isinstance(r, Relation) else Relation(*r) for r in self.relations))
        set_(self, "demands", tuple(tuple(row) for row in self.demands))
        set_(self, "capacities", tuple(self.capacities))
        set_(self, "names", tuple(self.names) or tuple(str(j) for j in range(n)))
        set_(self, "resource_names", tuple(self.resource_names) or tuple(f"R{k + 1}" for k in range(self.n_resources)))
        self._check()

    def _check(self) -> None:
        n, k = self.n, self.n_resources
        if n == 0:
            raise RcpspError(f"{self.name}: a problem needs at least one activity")
        if len(self.names) != n or len(self.demands) != n:
            raise RcpspError(f"{self.name}: {n} durations but {len(self.names)} names and {len(self.demands)} demand rows")
        if len(self.resource_names) != k:
            raise RcpspError(f"{self.name}: {k} capacities but {len(self.resource_names)} resource names")
        for j, d in enumerate(self.durations):
            if isinstance(d, bool) or not isinstance(d, int) or d < 0:
                raise RcpspError(f"{self.name}: activity '{self.names[j]}' has duration {d!r}; expected an integer >= 0")
        for c, cap in zip(self.resource_names, self.capacities):
            if not cap >= 0:
                raise RcpspError(f"{self.name}: resource '{c}' has capacity {cap!r}; expected a number >= 0")
        for j, row in enumerate(self.demands):
            if len(row) != k:
                raise RcpspError(f"{self.name}: activity '{self.names[j]}' has {len(row)} demands for {k} resources")
            for c, cap, r in zip(self.resource_names, self.capacities, row):
                if not r >= 0:
                    raise RcpspError(f"{self.name}: activity '{self.names[j]}' demands {r!r} of '{c}'; expected >= 0")
                if r > cap and self.durations[j] > 0:
                    raise RcpspError(
                        f"{self.name}: activity '{self.names[j]}' needs {r:g} units of resource '{c}' but its "
                        f"capacity is {cap:g}: the problem cannot be scheduled"
                    )
        for rel in self.relations:
            if rel.kind not in KINDS:
                raise RcpspError(f"{self.name}: relation {rel.pred} -> {rel.succ} has unknown type {rel.kind!r} (expected {', '.join(KINDS)})")
            if not (0 <= rel.pred < n and 0 <= rel.succ < n) or rel.pred == rel.succ:
                raise RcpspError(f"{self.name}: relation {rel.pred} -> {rel.succ} must link two different activities of 0..{n - 1}")
            if isinstance(rel.lag, bool) or not isinstance(rel.lag, int):
                raise RcpspError(f"{self.name}: relation {rel.pred} -> {rel.succ} has lag {rel.lag!r}; expected an integer")
        self.topological_order  # raises on a cycle

    # ----------------------------------------------------------------------------- constructors
    @classmethod
    def from_successors(cls, durations: Sequence[int], successors: Sequence[Sequence[int]],
                        demands: Sequence[Sequence[float]], capacities: Sequence[float], **kwargs) -> "RcpspProblem":
        """A problem with finish-to-start relations given as successor lists."""
        relations = [Relation(i, j) for i, succ in enumerate(successors) for j in succ]
        return cls(tuple(durations), tuple(relations), demands, capacities, **kwargs)

    @classmethod
    def from_psplib(cls, instance) -> "RcpspProblem":
        """The problem of a :class:`journeykit.io.psplib.PsplibInstance` (activities named by file job number)."""
        return cls.from_successors(
            instance.durations, instance.successors, instance.demands, instance.capacities,
            names=tuple(str(j + 1) for j in range(instance.n_jobs)),
            resource_names=instance.resource_names, name=instance.name,
        )

    def with_durations(self, durations: Sequence[int]) -> "RcpspProblem":
        """The same problem with other durations (delays of SS/FF/SF relations follow)."""
        return replace(self, durations=tuple(durations))

    def with_relations(self, extra: Sequence[Relation]) -> "RcpspProblem":
        """The same problem with further relations (e.g. resource links or buffers as lags)."""
        return replace(self, relations=self.relations + tuple(extra))

    # --------------------------------------------------------------------------------- derived
    @property
    def n(self) -> int:
        """Number of activities."""
        return len(self.durations)

    @property
    def n_resources(self) -> int:
        return len(self.capacities)

    @cached_property
    def topological_order(self) -> tuple[int, ...]:
        """A topological order of the activities (smallest index first among the ready ones)."""
        sorter = graphlib.TopologicalSorter({j: () for j in range(self.n)})
        for rel in self.relations:
            sorter.add(rel.succ, rel.pred)
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle = " -> ".join(self.names[j] for j in reversed(exc.args[1]))
            raise RcpspError(f"{self.name}: the precedence relations contain a cycle: {cycle}") from None
        order: list[int] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            order.extend(ready)
            sorter.done(*ready)
        return tuple(order)

    def delays(self) -> list[tuple[int, int, int]]:
        """``(pred, succ, delay)`` of every relation: ``start[succ] >= start[pred] + delay``."""
        return [(r.pred, r.succ, r.delay(self.durations)) for r in self.relations]

    @cached_property
    def compiled(self) -> Compiled:
        """Plain lists for the forward schedule-generation schemes."""
        return self._compile(reverse=False)

    @cached_property
    def reversed(self) -> Compiled:
        """The mirrored problem (time runs backwards): a forward scheme on it right-justifies a schedule.

        A relation ``start[j] >= start[i] + delay`` becomes ``start'[i] >= start'[j] + delay + d_j - d_i``
        for mirrored starts ``start' = T - start - d``.
        """
        return self._compile(reverse=True)

    def _compile(self, reverse: bool) -> Compiled:
        n, dur = self.n, list(self.durations)
        preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        succs: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for i, j, delay in self.delays():
            if reverse:
                i, j, delay = j, i, delay + dur[j] - dur[i]
            preds[j].append((i, delay))
            succs[i].append((j, delay))
        demand = [
            [(k, r) for k, r in enumerate(row) if r > 0] if dur[j] > 0 else [] for j, row in enumerate(self.demands)
        ]
        # a serial scheme never places an activity later than the latest finish so far plus its
        # relation's positive lag, so this horizon bounds every schedule it builds
        positive_lags = sum(max(0, r.lag) for r in self.relations)
        order = self.topological_order[::-1] if reverse else self.topological_order
        rank = [0] * n
        for pos, j in enumerate(order):
            rank[j] = pos
        simple = all(r.kind == "FS" and r.lag >= 0 for r in self.relations)
        return Compiled(n, dur, preds, succs, demand, list(self.capacities), sum(dur) + positive_lags + 1, rank, simple)


__all__ = ["Compiled", "RcpspError", "RcpspProblem", "Relation"]
