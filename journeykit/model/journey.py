"""The journey model: stages, touchpoints, event mapping and surveys, loaded from YAML.

A journey model is the user's description of their customer journey.  Stages are ordered (for example
awareness, consideration, purchase, post-purchase, loyalty); each touchpoint belongs to one stage and one
channel and may carry a cost per interaction.  Raw event names in the data map to touchpoints by exact
name or by a regular expression (written ``"re:<pattern>"``).  Surveys define the score scales that
ingest validates responses against.  An optional ``simulation`` section (see
:mod:`journeykit.simulate`) describes how to generate synthetic journeys from the model.  An optional
``support_stages`` list names the stages whose cases form the support process of the report's PERT and
live-case sections (see :class:`JourneyModel`).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from journeykit.errors import ModelError

SurveyKind = Literal["nps", "csat", "ces", "custom"]

#: Default score scales (inclusive) of the standard survey kinds.
DEFAULT_SCALES: dict[str, tuple[float, float]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Strict):
    """A journey stage; its position in ``JourneyModel.stages`` is its order."""

    name: str = Field(min_length=1)
    description: str = ""


class Touchpoint(_Strict):
    """A point of contact between customer and company.

    Attributes
    ----------
    name : str
        Unique name, used in every analysis.
    stage : str
        Name of the stage it belongs to.
    channel : str
        Channel (web, email, phone, store, ...).
    cost : float, optional
        Cost per interaction (currency units), used by the value-chain analysis.
    events : list of str
        Raw event names mapped to this touchpoint: exact names, or ``"re:<regex>"`` matched against the
        whole event name.  Empty means the touchpoint's own name.
    """

    name: str = Field(min_length=1)
    stage: str
    channel: str = "unknown"
    cost: float | None = Field(default=None, ge=0)
    events: list[str] = Field(default_factory=list)

    @field_validator("events")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        for pattern in v:
            if pattern.startswith("re:"):
                try:
                    re.compile(pattern[3:])
                except re.error as exc:
                    raise ValueError(f"invalid regular expression {pattern[3:]!r}: {exc}") from None
        return v


class Survey(_Strict):
    """A survey question whose answers are ingested into ``responses``.

    ``scale`` defaults by kind: NPS 0-10, CSAT 1-5, CES 1-7 (CES is also used on 1-5; say so here, the
    scale is stored with every benchmark that uses it).
    """

    name: str = Field(min_length=1)
    kind: SurveyKind
    scale: tuple[float, float] | None = None
    touchpoint: str | None = None
    question: str = ""

    @model_validator(mode="after")
    def _scale(self) -> "Survey":
        if self.scale is None:
            if self.kind == "custom":
                raise ValueError("a custom survey needs an explicit scale [low, high]")
            object.__setattr__(self, "scale", DEFAULT_SCALES[self.kind])
        lo, hi = self.scale
        if lo >= hi:
            raise ValueError(f"scale must be [low, high] with low < high, got [{lo}, {hi}]")
        return self


class JourneyModel(_Strict):
    """A whole journey model (the content of ``journey.yaml``).

    ``support_stages`` (optional; a stage name or a list of them) are the stages whose cases the report
    plans as the support process (:mod:`journeykit.report.sections.pert`), for example
    ``support_stages: [intake, handling, resolution]`` for a helpdesk.  Unset, the report takes the first
    stage whose name contains "support", else "post-purchase"; ``[]`` turns those sections off.
    """

    name: str = "journey"
    stages: list[Stage]
    touchpoints: list[Touchpoint]
    surveys: list[Survey] = Field(default_factory=list)
    simulation: dict[str, Any] | None = None
    support_stages: list[str] | None = None

    @field_validator("support_stages", mode="before")
    @classmethod
    def _one_support_stage(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("stages", mode="before")
    @classmethod
    def _stage_names(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"name": s} if isinstance(s, str) else s for s in v]
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "JourneyModel":
        problems: list[str] = []
        stage_names = [s.name for s in self.stages]
        if not stage_names:
            problems.append("stages: at least one stage is required")
        for name in _duplicates(stage_names):
            problems.append(f"stages: duplicate stage '{name}'")
        tp_names = [t.name for t in self.touchpoints]
        for name in _duplicates(tp_names):
            problems.append(f"touchpoints: duplicate touchpoint '{name}'")
        for i, t in enumerate(self.touchpoints):
            if t.stage not in stage_names:
                problems.append(
                    f"touchpoints[{i}].stage: unknown stage '{t.stage}' (expected one of {stage_names})"
                )
        for i, s in enumerate(self.surveys):
            if s.touchpoint is not None and s.touchpoint not in tp_names:
                problems.append(f"surveys[{i}].touchpoint: unknown touchpoint '{s.touchpoint}'")
        for name in _duplicates([s.name for s in self.surveys]):
            problems.append(f"surveys: duplicate survey '{name}'")
        for i, name in enumerate(self.support_stages or []):
            if name not in stage_names:
                problems.append(f"support_stages[{i}]: unknown stage '{name}' (expected one of {stage_names})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # ----------------------------------------------------------------------------------- lookups
    @cached_property
    def stage_order(self) -> dict[str, int]:
        """Stage name -> 0-based position."""
        return {s.name: i for i, s in enumerate(self.stages)}

    @cached_property
    def touchpoint_by_name(self) -> dict[str, Touchpoint]:
        return {t.name: t for t in self.touchpoints}

    @cached_property
    def survey_by_name(self) -> dict[str, Survey]:
        return {s.name: s for s in self.surveys}

    @cached_property
    def _exact_map(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in self.touchpoints:
            for pattern in t.events or [t.name]:
                if not pattern.startswith("re:"):
                    out.setdefault(pattern, t.name)
        return out

    @cached_property
    def _regex_map(self) -> list[tuple[re.Pattern[str], str]]:
        return [
            (re.compile(p[3:]), t.name) for t in self.touchpoints for p in t.events if p.startswith("re:")
        ]

    def touchpoint_of(self, event: str) -> str | None:
        """Touchpoint name a raw event name maps to (exact names first, then patterns in order)."""
        hit = self._exact_map.get(event)
        if hit is not None:
            return hit
        for regex, name in self._regex_map:
            if regex.fullmatch(event):
                return name
        return None

    def mapping_table(self, events: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
        """Map distinct raw event names to ``(touchpoint, stage, channel)`` (``None`` when unmapped)."""
        out = {}
        for e in events:
            tp = self.touchpoint_of(e)
            t = self.touchpoint_by_name.get(tp) if tp else None
            out[e] = (tp, t.stage, t.channel) if t else (None, None, None)
        return out

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude_none=True)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _duplicates(names: list[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for n in names:
        if n in seen and n not in dup:
            dup.append(n)
        seen.add(n)
    return dup


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def parse_model(data: Any, file: str = "<journey model>") -> JourneyModel:
    """Validate a parsed YAML document as a :class:`JourneyModel`.

    Raises
    ------
    ModelError
        With the file and, for each problem, the key path and what was expected.
    """
    if not isinstance(data, dict):
        raise ModelError(file, [("(top level)", f"expected a mapping, got {type(data).__name__}")])
    try:
        return JourneyModel.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["loc"]:
                problems.append((_key_path(err["loc"]), msg))
            else:  # whole-model consistency checks: "path: message; path: message"
                problems.extend(tuple(part.split(": ", 1)) for part in msg.split("; "))
        raise ModelError(file, problems) from None


def load_model(path: str | Path) -> JourneyModel:
    """Load and validate a journey model from a YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(str(path), [("(file)", f"cannot read: {exc.strerror}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        raise ModelError(str(path), [(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    return parse_model(data, str(path))
