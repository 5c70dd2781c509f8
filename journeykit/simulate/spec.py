"""The ``simulation`` section of a journey model, validated.

:func:`simulation_spec` checks the section twice: its shape with pydantic (types, ranges, durations) and
its consistency with the model (known touchpoints, surveys and themes; every probability row summing to
1).  Problems are reported together as a :class:`~journeykit.errors.ModelError` whose key paths start at
``simulation``; probability rows are never normalised silently.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from journeykit.errors import ModelError
from journeykit.model import JourneyModel
from journeykit.model.journey import _key_path
from journeykit.simulate.comments import THEMES
from journeykit.simulate.durations import parse_duration

#: The pseudo touchpoint that ends a purchase cycle in ``transitions``.
EXIT = "exit"
#: Tolerance of a probability row's sum.
SUM_TOLERANCE = 1e-9
#: Column names the simulator writes itself; customer attributes may not use them.
RESERVED_COLUMNS = frozenset(
    {"event_id", "response_id", "customer_id", "case_id", "timestamp", "event", "value", "survey",
     "score", "comment", "channel", "cycle", "touchpoint", "stage", "seq", "attributes", "source",
     "ingest_id", "kind"}
)

Duration = Annotated[float, BeforeValidator(parse_duration)]
Probability = Annotated[float, Field(ge=0, le=1)]
NonNegative = Annotated[float, Field(ge=0)]
Distribution = dict[str, Probability]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lognormal(_Spec):
    """A lognormal duration: ``median * exp(sigma * Z)`` with ``Z`` standard normal."""

    median: Duration = Field(gt=0)
    sigma: float = Field(ge=0)


class Delay(Lognormal):
    """Delay from a touchpoint to the next event, with optional per-target overrides in ``to``."""

    to: dict[str, Lognormal] = Field(default_factory=dict)


class Emit(_Spec):
    """One raw event name a touchpoint emits, its share and (optionally) its real channel."""

    event: str = Field(min_length=1)
    p: Probability
    channel: str | None = None


class Revenue(_Spec):
    """Order revenue (lognormal) at purchase touchpoints and its reversal at refunds."""

    at: list[str] = Field(min_length=1)
    refund_at: list[str] = Field(default_factory=list)
    by: str | None = None
    median: float | dict[str, float]
    sigma: float = Field(ge=0)

    @model_validator(mode="after")
    def _medians_positive(self) -> "Revenue":
        medians = self.median.values() if isinstance(self.median, dict) else [self.median]
        if any(m <= 0 for m in medians):
            raise ValueError("revenue medians must be > 0")
        if isinstance(self.median, dict) and self.by is None:
            raise ValueError("a median per value needs 'by' (the customer attribute it is keyed by)")
        return self


class CaseKind(_Spec):
    """A kind of case (order, ticket): touchpoints that open a new case and those that belong to it."""

    prefix: str = Field(min_length=1)
    opened_by: list[str] = Field(min_length=1)
    includes: list[str] = Field(default_factory=list)


class Effect(_Spec):
    """A bad experience: a slow step (``after`` + ``delay_above``), a ``transition`` or a touchpoint
    (``at``).  Each occurrence adds ``weight`` to the customer's experience score."""

    weight: float = 0.0
    theme: str | None = None
    after: str | None = None
    delay_above: Duration | None = None
    transition: tuple[str, str] | None = None
    at: str | None = None

    @model_validator(mode="after")
    def _one_trigger(self) -> "Effect":
        kinds = [self.after is not None, self.transition is not None, self.at is not None]
        if sum(kinds) != 1:
            raise ValueError("give exactly one trigger: 'after' (with 'delay_above'), 'transition' or 'at'")
        if (self.after is None) != (self.delay_above is None):
            raise ValueError("'after' and 'delay_above' go together")
        return self


class Experience(_Spec):
    decay: Probability = 1.0
    effects: dict[str, Effect] = Field(default_factory=dict)


class Churn(_Spec):
    """``P(churn) = logistic(intercept + per_experience * score)`` after a purchase cycle."""

    intercept: float
    per_experience: float = 0.0


class Retention(_Spec):
    churn: Churn
    reentry: Distribution
    gap: Lognormal
    nonbuyer_return: Probability = 0.0


class SurveySim(_Spec):
    """How customers answer one survey of the model (at the survey's touchpoint)."""

    rate: Probability
    delay: Lognormal
    mean: float
    sd: float = Field(ge=0)
    effects: dict[str, float] = Field(default_factory=dict)
    experience: float = 0.0
    comment_rate: Probability = 0.0
    themes: list[str] = Field(default_factory=list)


class SimulationSpec(_Spec):
    """The whole ``simulation`` section (see ``journeykit/examples/ecommerce.yaml``)."""

    start: dt.datetime
    period: Duration = Field(gt=0)
    horizon: Duration | None = None
    weekday_weights: list[NonNegative] | None = Field(default=None, min_length=7, max_length=7)
    max_events_per_customer: int = Field(default=400, ge=1)
    customers: dict[str, Distribution] = Field(default_factory=dict)
    entry: Distribution
    transitions: dict[str, Distribution]
    default_delay: Lognormal = Lognormal(median="5m", sigma=1.0)
    delays: dict[str, Delay] = Field(default_factory=dict)
    emits: dict[str, list[Emit]] = Field(default_factory=dict)
    revenue: Revenue | None = None
    cases: dict[str, CaseKind] = Field(default_factory=dict)
    experience: Experience = Experience()
    retention: Retention | None = None
    surveys: dict[str, SurveySim] = Field(default_factory=dict)

    @property
    def start_utc(self) -> dt.datetime:
        """``start`` as an aware UTC datetime (a naive or date-only start is taken as UTC)."""
        start = self.start
        utc = dt.timezone.utc
        return start.replace(tzinfo=utc) if start.tzinfo is None else start.astimezone(utc)

    @property
    def horizon_seconds(self) -> float:
        return self.period if self.horizon is None else self.horizon


def simulation_spec(model: JourneyModel, file: str = "<journey model>") -> SimulationSpec:
    """Validate ``model.simulation``.

    Raises
    ------
    ModelError
        When the section is missing or invalid; one ``(key path, message)`` per problem.
    """
    if model.simulation is None:
        raise ModelError(file, [("simulation", "the model has no simulation section (see docs/simulate.md)")])
    data = dict(model.simulation)
    if isinstance(data.get("start"), dt.date) and not isinstance(data["start"], dt.datetime):
        data["start"] = dt.datetime.combine(data["start"], dt.time())
    try:
        spec = SimulationSpec.model_validate(data)
    except ValidationError as exc:
        problems = [(_key_path(("simulation", *e["loc"])), e["msg"].removeprefix("Value error, "))
                    for e in exc.errors()]
        raise ModelError(file, problems) from None
    problems = _Checker(spec, model).run()
    if problems:
        raise ModelError(file, [(f"simulation.{path}", msg) for path, msg in problems])
    return spec


# ------------------------------------------------------------------------------ consistency checks
Problems = list[tuple[str, str]]


class _Checker:
    """Collects ``(key path below simulation, message)`` problems of a spec against its model."""

    def __init__(self, spec: SimulationSpec, model: JourneyModel):
        self.spec, self.model = spec, model
        self.problems: Problems = []

    def add(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def touchpoints(self, path: str, names: Iterable[str], exit_ok: bool = False) -> None:
        for name in names:
            if name not in self.model.touchpoint_by_name and not (exit_ok and name == EXIT):
                self.add(path, f"unknown touchpoint '{name}'")

    def distribution(self, path: str, probabilities: Iterable[float]) -> None:
        total = sum(probabilities)
        if abs(total - 1.0) > SUM_TOLERANCE:
            self.add(path, f"probabilities sum to {total:.12g}, expected 1 (within {SUM_TOLERANCE:g})")

    def theme(self, path: str, theme: str | None) -> None:
        if theme is not None and theme not in THEMES:
            self.add(path, f"unknown theme '{theme}' (expected one of {sorted(THEMES)})")

    def run(self) -> Problems:
        spec = self.spec
        for attr, dist in spec.customers.items():
            if attr in RESERVED_COLUMNS:
                self.add(f"customers.{attr}", f"'{attr}' is a column the simulator writes; rename it")
            self.distribution(f"customers.{attr}", dist.values())
        self.touchpoints("entry", spec.entry)
        self.distribution("entry", spec.entry.values())
        for tp, row in spec.transitions.items():
            self.touchpoints("transitions", [tp])
            self.touchpoints(f"transitions.{tp}", row, exit_ok=True)
            self.distribution(f"transitions.{tp}", row.values())
        if spec.retention is not None:
            self.touchpoints("retention.reentry", spec.retention.reentry)
            self.distribution("retention.reentry", spec.retention.reentry.values())
        self._rows_for_reachable()
        for tp, delay in spec.delays.items():
            self.touchpoints("delays", [tp])
            self.touchpoints(f"delays.{tp}.to", delay.to)
        self._emits()
        if spec.weekday_weights is not None:
            days = min(7, math.ceil(spec.period / 86400))
            weekdays = {(spec.start_utc.weekday() + d) % 7 for d in range(days)}
            if all(spec.weekday_weights[w] <= 0 for w in weekdays):
                self.add("weekday_weights", "no day of the period has a positive weight")
        if spec.horizon is not None and spec.horizon < spec.period:
            self.add("horizon", "must be at least the period")
        self._revenue()
        self._cases()
        for name, effect in spec.experience.effects.items():
            path = f"experience.effects.{name}"
            self.touchpoints(path, [t for t in (effect.after, effect.at, *(effect.transition or ())) if t])
            self.theme(f"{path}.theme", effect.theme)
        self._surveys()
        return self.problems

    def _rows_for_reachable(self) -> None:
        spec = self.spec
        reachable = set(spec.entry) | {t for row in spec.transitions.values() for t in row if t != EXIT}
        if spec.retention is not None:
            reachable |= set(spec.retention.reentry)
        for tp in sorted((reachable & set(self.model.touchpoint_by_name)) - set(spec.transitions)):
            self.add("transitions", f"no row for touchpoint '{tp}', which customers can reach")

    def _emits(self) -> None:
        for tp, emits in self.spec.emits.items():
            self.touchpoints("emits", [tp])
            self.distribution(f"emits.{tp}", (e.p for e in emits))
            for i, e in enumerate(emits):
                if tp in self.model.touchpoint_by_name and self.model.touchpoint_of(e.event) != tp:
                    self.add(f"emits.{tp}[{i}].event", f"event '{e.event}' does not map to touchpoint '{tp}'")
        for t in self.model.touchpoints:
            if t.name not in self.spec.emits and t.events and all(p.startswith("re:") for p in t.events):
                self.add(f"emits.{t.name}", "the touchpoint maps only patterns: list the events it emits")

    def _revenue(self) -> None:
        revenue = self.spec.revenue
        if revenue is None:
            return
        self.touchpoints("revenue.at", revenue.at)
        self.touchpoints("revenue.refund_at", revenue.refund_at)
        customers = self.spec.customers
        if revenue.by is not None and revenue.by not in customers:
            self.add("revenue.by", f"unknown customer attribute '{revenue.by}' (one of {sorted(customers)})")
        elif isinstance(revenue.median, dict) and set(revenue.median) != set(customers[str(revenue.by)]):
            expected = sorted(customers[str(revenue.by)])
            self.add("revenue.median", f"needs exactly one median per {revenue.by} value {expected}")

    def _cases(self) -> None:
        owner: dict[str, str] = {}
        for kind, case in self.spec.cases.items():
            self.touchpoints(f"cases.{kind}", case.opened_by + case.includes)
            for tp in case.opened_by + case.includes:
                if tp in owner:
                    self.add(f"cases.{kind}", f"touchpoint '{tp}' already belongs to case kind '{owner[tp]}'")
                owner[tp] = kind

    def _surveys(self) -> None:
        surveys = self.model.survey_by_name
        for name, sim in self.spec.surveys.items():
            path = f"surveys.{name}"
            if name not in surveys:
                self.add("surveys", f"unknown survey '{name}' (expected one of {sorted(surveys)})")
            elif surveys[name].touchpoint is None:
                self.add(path, f"survey '{name}' has no touchpoint in the model, so it cannot be simulated")
            for effect in sim.effects:
                if effect not in self.spec.experience.effects:
                    self.add(f"{path}.effects", f"unknown effect '{effect}' (see experience.effects)")
            for theme in sim.themes:
                self.theme(f"{path}.themes", theme)
            if sim.comment_rate > 0 and not sim.themes:
                self.add(f"{path}.themes", "comments need at least one theme")
