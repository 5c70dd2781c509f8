"""Event selectors shared by funnels and cohorts: which events count as a step, and durations.

A selector names a touchpoint, a stage or a raw event name.  Written plainly (``"payment"``) it matches
an event whose touchpoint, stage *or* raw event name equals it; a prefix restricts the column
(``"stage:purchase"``, ``"touchpoint:payment"``, ``"event:payment_ok"``).  A step is one selector or a list
of alternatives (any of them matches).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from journeykit.errors import JourneykitError

#: Columns a selector prefix may name.
FIELDS = ("touchpoint", "stage", "event")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*")


class StepSpecError(JourneykitError):
    """An invalid step, exclusion or duration specification."""


@dataclass(frozen=True)
class Step:
    """One funnel step (or a cohort's entry / returning event).

    Parameters
    ----------
    values : tuple of str
        Alternatives: selectors as described in the module docstring.  Any of them matches.
    name : str, optional
        Display name; default the alternatives joined by ``" | "``.
    optional : bool
        An optional funnel step need not be done for the customer to go on to the next step.
    """

    values: tuple[str, ...]
    name: str = ""
    optional: bool = False

    def __post_init__(self) -> None:
        if not self.values or any(not v.strip() for v in self.values):
            raise StepSpecError(f"a step needs at least one non-empty selector, got {list(self.values)!r}")
        if not self.name:
            object.__setattr__(self, "name", " | ".join(self.values))

    @classmethod
    def of(cls, spec: "str | Sequence[str] | Step") -> "Step":
        """A step from a selector, a list of alternatives, or a :class:`Step` (returned as is).

        A string may list alternatives separated by ``|`` and end with ``?`` to mark the step optional:
        ``"cart_add|wishlist_add?"``.
        """
        if isinstance(spec, Step):
            return spec
        if isinstance(spec, str):
            text = spec.strip()
            optional = text.endswith("?")
            values = tuple(v.strip() for v in text.rstrip("?").split("|"))
            return cls(values, optional=optional)
        return cls(tuple(str(v).strip() for v in spec))

    def predicate(self, t: ir.Table) -> ir.BooleanValue:
        """Whether a row of the events table ``t`` matches the step (never NULL)."""
        preds = [_selector(t, v) for v in self.values]
        return ibis.or_(*preds).fill_null(False)


def any_step(t: ir.Table, steps: Sequence[Step]) -> ir.BooleanValue:
    """Whether a row matches at least one of ``steps``: one ``IN`` list per column, for filters.

    NULL (not FALSE) where no column matches and one is NULL, which a filter drops all the same: leaving out
    the ``COALESCE`` keeps the condition simple enough for the engine to evaluate it while scanning.
    """
    wanted: dict[str, set[str]] = {f: set() for f in FIELDS}
    for step in steps:
        for value in step.values:
            field, sep, rest = value.partition(":")
            if sep and field in FIELDS:
                wanted[field].add(rest)
            else:
                for f in FIELDS:
                    wanted[f].add(value)
    return ibis.or_(*[t[f].isin(sorted(v)) for f, v in wanted.items() if v])


def _selector(t: ir.Table, value: str) -> ir.BooleanValue:
    field, sep, rest = value.partition(":")
    if sep and field in FIELDS:
        return t[field] == rest
    return (t.touchpoint == value) | (t.stage == value) | (t.event == value)


@dataclass(frozen=True)
class Exclusion:
    """A funnel exclusion: doing ``step`` after step ``from_step`` and before ``to_step`` voids the attempt.

    Steps are numbered from 1.  When the attempt never reaches ``to_step``, any exclusion event after
    ``from_step`` within the conversion window voids it.
    """

    step: Step
    from_step: int
    to_step: int

    @classmethod
    def of(cls, spec: "str | Exclusion | tuple", n_steps: int) -> "Exclusion":
        """An exclusion from ``"name"`` (whole funnel), ``"name@2-4"``, a tuple or an :class:`Exclusion`."""
        if isinstance(spec, Exclusion):
            ex = spec
        elif isinstance(spec, tuple):
            ex = cls(Step.of(spec[0]), int(spec[1]), int(spec[2]))
        else:
            what, at, rng = spec.partition("@")
            lo, hi = 1, n_steps
            if at:
                m = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", rng)
                if not m:
                    raise StepSpecError(f"exclusion {spec!r}: expected 'name@FROM-TO' with step numbers")
                lo, hi = int(m.group(1)), int(m.group(2))
            ex = cls(Step.of(what), lo, hi)
        if not 1 <= ex.from_step < ex.to_step <= n_steps:
            raise StepSpecError(
                f"exclusion '{ex.step.name}': needs 1 <= from_step < to_step <= {n_steps}, "
                f"got {ex.from_step}-{ex.to_step}"
            )
        return ex


def parse_duration(value: str | float | int) -> float:
    """Seconds from a number of seconds or a string such as ``"7d"``, ``"12h"``, ``"30m"``, ``"2w"``."""
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = _DURATION.fullmatch(value)
        if not m:
            raise StepSpecError(f"duration {value!r}: expected a number with a unit s, m, h, d or w (e.g. '7d')")
        seconds = float(m.group(1)) * _UNITS[m.group(2) or "s"]
    if seconds <= 0:
        raise StepSpecError(f"duration {value!r}: must be positive")
    return seconds
