"""The value chain behind the touchpoints, for time-driven activity-based costing (YAML schema).

A value chain file lists

``resources``
    What the company pays for (staff, a warehouse, a platform) with its ``cost`` and ``capacity_minutes``
    per ``period`` (practical capacity, typically 80-85 % of the theoretical time; Kaplan & Anderson 2004).
``activities``
    The work done per interaction, tagged with its category in Porter's (1985) value chain (primary:
    ``inbound_logistics``, ``operations``, ``outbound_logistics``, ``marketing_and_sales``, ``service``;
    support: ``infrastructure``, ``human_resources``, ``technology``, ``procurement``), the minutes of each
    resource it uses per interaction, an optional ``direct_cost`` per interaction (media, postage, carrier
    fees) and the touchpoints whose interactions perform it (a list, or a mapping of touchpoint to the
    number of times per interaction).

Names are checked against each other and, with :func:`load_value_chain` (``model=...``), against the journey
model's touchpoints; every problem is reported with its key path (``activities[2].touchpoints.shiping``).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from journeykit.errors import JourneykitError
from journeykit.model.journey import JourneyModel, _key_path

PRIMARY = ("inbound_logistics", "operations", "outbound_logistics", "marketing_and_sales", "service")
SUPPORT = ("infrastructure", "human_resources", "technology", "procurement")
Category = Literal[
    "inbound_logistics", "operations", "outbound_logistics", "marketing_and_sales", "service",
    "infrastructure", "human_resources", "technology", "procurement",
]
Period = Literal["day", "week", "month", "quarter", "year"]
#: Length of each costing period in days (a month is a mean Gregorian month).
PERIOD_DAYS: dict[str, float] = {
    "day": 1.0, "week": 7.0, "month": 365.2425 / 12, "quarter": 365.2425 / 4, "year": 365.2425
}


class ValueChainError(JourneykitError):
    """An invalid value chain file: the file and, per problem, the key path and what was expected."""

    def __init__(self, file: str, problems: list[tuple[str, str]]):
        self.file, self.problems = file, problems
        super().__init__(f"{file}: invalid value chain: " + "; ".join(f"{p}: {m}" for p, m in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resource(_Strict):
    """A resource with its cost and practical capacity per period, or one paid per minute used (a carrier,
    a contractor: ``cost_per_minute``, no fixed capacity)."""

    name: str = Field(min_length=1)
    cost: float | None = Field(default=None, ge=0)
    capacity_minutes: float | None = Field(default=None, gt=0)
    cost_per_minute: float | None = Field(default=None, ge=0)
    description: str = ""

    @model_validator(mode="after")
    def _priced(self) -> "Resource":
        fixed = self.cost is not None and self.capacity_minutes is not None
        partial = not fixed and (self.cost, self.capacity_minutes) != (None, None)
        if fixed == (self.cost_per_minute is not None) or partial:
            raise ValueError("cost: give either cost and capacity_minutes per period, or cost_per_minute")
        return self

    @property
    def rate(self) -> float:
        """Cost per minute: ``cost / capacity_minutes`` (Kaplan & Anderson's capacity cost rate)."""
        return self.cost_per_minute if self.cost_per_minute is not None else self.cost / self.capacity_minutes


class Activity(_Strict):
    """An activity: Porter category, resource minutes per interaction, touchpoints that perform it."""

    name: str = Field(min_length=1)
    category: Category
    resources: dict[str, float] = Field(default_factory=dict)
    direct_cost: float = Field(default=0.0, ge=0)
    touchpoints: dict[str, float] = Field(min_length=1)
    description: str = ""

    @model_validator(mode="after")
    def _costed(self) -> "Activity":
        if not self.resources and self.direct_cost == 0:
            raise ValueError("resources: an activity needs resource minutes or a direct_cost per interaction")
        return self

    @field_validator("touchpoints", mode="before")
    @classmethod
    def _list_means_once(cls, v: Any) -> Any:
        return {name: 1.0 for name in v} if isinstance(v, list) else v

    @field_validator("resources", "touchpoints")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for key, amount in v.items():
            if amount < 0:
                raise ValueError(f"{key}: must be >= 0, got {amount}")
        return v

    @property
    def primary(self) -> bool:
        return self.category in PRIMARY


class ValueChain(_Strict):
    """A whole value chain file."""

    name: str = "value chain"
    currency: str = "EUR"
    period: Period = "month"
    resources: list[Resource] = Field(min_length=1)
    activities: list[Activity] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "ValueChain":
        problems = []
        resource_names = [r.name for r in self.resources]
        for kind, names in (("resources", resource_names), ("activities", [a.name for a in self.activities])):
            seen: set[str] = set()
            for i, name in enumerate(names):
                if name in seen:
                    problems.append(f"{kind}[{i}].name: duplicate name '{name}'")
                seen.add(name)
        for i, a in enumerate(self.activities):
            for r in a.resources:
                if r not in resource_names:
                    problems.append(f"activities[{i}].resources.{r}: unknown resource '{r}' "
                                    f"(expected one of {resource_names})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def resource_by_name(self) -> dict[str, Resource]:
        return {r.name: r for r in self.resources}

    def check_touchpoints(self, model: JourneyModel, file: str = "<value chain>") -> "ValueChain":
        """Raise :class:`ValueChainError` for activities naming touchpoints not in ``model``."""
        known = set(model.touchpoint_by_name)
        problems = [
            (f"activities[{i}].touchpoints.{t}",
             f"unknown touchpoint '{t}' (not in the journey model '{model.name}')")
            for i, a in enumerate(self.activities)
            for t in a.touchpoints
            if t not in known
        ]
        if problems:
            raise ValueChainError(file, problems)
        return self


def parse_value_chain(
    data: Any, file: str = "<value chain>", model: JourneyModel | None = None
) -> ValueChain:
    """Validate parsed YAML as a :class:`ValueChain` (and its touchpoints against ``model``).

    Raises
    ------
    ValueChainError
        With the file and the key path of every problem.
    """
    if not isinstance(data, dict):
        raise ValueChainError(file, [("(top level)", f"expected a mapping, got {type(data).__name__}")])
    try:
        chain = ValueChain.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["loc"]:
                path = _key_path(err["loc"])
                key, sep, rest = msg.partition(": ")
                problems.append((f"{path}.{key}", rest) if sep and " " not in key else (path, msg))
            else:
                problems.extend(tuple(part.split(": ", 1)) for part in msg.split("; "))
        raise ValueChainError(file, problems) from None
    return chain.check_touchpoints(model, file) if model is not None else chain


def load_value_chain(path: str | Path, model: JourneyModel | None = None) -> ValueChain:
    """Load and validate a value chain YAML file (touchpoints checked against ``model`` when given)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueChainError(str(path), [("(file)", f"cannot read: {exc.strerror}")]) from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", exc)
        raise ValueChainError(str(path), [("(yaml)", f"not valid YAML: {problem}")]) from None
    return parse_value_chain(data, str(path), model)


def from_touchpoint_costs(model: JourneyModel) -> ValueChain:
    """A minimal value chain from the journey model's ``cost`` per interaction: one activity per costed
    touchpoint (category ``service``) using ``cost`` minutes of one resource paid 1 per minute, so that
    cost-to-serve can be computed before a real value chain is written (there is no capacity to report)."""
    costed = [t for t in model.touchpoints if t.cost]
    if not costed:
        raise ValueChainError(
            "<journey model>", [("touchpoints", "no touchpoint has a cost: write a value chain file")]
        )
    return ValueChain(
        name=f"{model.name}: touchpoint costs", period="month",
        resources=[Resource(name="touchpoint_cost", cost_per_minute=1.0)],
        activities=[
            Activity(name=t.name, category="service", resources={"touchpoint_cost": t.cost},
                     touchpoints={t.name: 1.0})
            for t in costed
        ],
    )
