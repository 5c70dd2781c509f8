"""What a customer experienced at a touchpoint (the candidate drivers) and the loyalty outcome.

Experiences are 0/1 flags per customer, observed in the customer's *experience window* (from their first
event at an anchor touchpoint, typically the first purchase, for ``window_days``):

``visit:<touchpoint>``
    The customer passed the touchpoint.
``slow:<touchpoint>><duration>``
    The time from an event at the touchpoint to the customer's next event, also in the window, exceeded
    the duration (``slow:shipping>5d``: a late delivery; ``slow:support_contact>12h``: a long support wait).
``loop:<touchpoint>``
    The touchpoint directly followed itself (a troubleshooting loop, a repeated contact).
``low:<survey><=<score>``
    The customer answered the survey with at most this score (a bad-experience flag from CSAT / CES).
``score:<survey>``
    The customer's answer itself (their first in the window), entering the models as a number: its odds
    ratio is per scale point.  Only customers who answered are analysed then.  The descriptive lift splits
    at ``score:<survey><=<score>`` (default: below top-2-box, ``high − 2``).

Outcomes (measured after the window so that experiences precede them): ``churned`` (no event after the
window), ``retained`` (some event after it), ``repurchased`` (a purchase after it) and ``promoter`` (the
customer's first answer to the NPS survey after the anchor is 9-10 on 0-10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from journeykit.errors import JourneykitError
from journeykit.model import JourneyModel
from journeykit.options import OUTCOMES
from journeykit.simulate.durations import parse_duration

ExperienceKind = Literal["visit", "slow", "loop", "low", "score"]
#: Experiences read from survey answers rather than events.
SURVEY_KINDS = ("low", "score")
#: Outcomes where the outcome itself is the bad result (a higher rate with an experience is harm).
BAD_OUTCOMES = ("churned",)

_SPEC = re.compile(r"(?P<kind>visit|slow|loop|low|score):(?P<target>[^<>=]+?)(?:(?P<op>>|<=)(?P<arg>.+))?")


class DriverSpecError(JourneykitError):
    """An experience or outcome specification that cannot be used."""


@dataclass(frozen=True)
class Experience:
    """One candidate driver.

    Attributes
    ----------
    kind : {"visit", "slow", "loop", "low", "score"}
    target : str
        The touchpoint (``visit``, ``slow``, ``loop``) or the survey (``low``, ``score``).
    threshold : float, optional
        Seconds above which a step is slow, or the highest score that counts as low.
    """

    kind: ExperienceKind
    target: str
    threshold: float | None = None

    @classmethod
    def of(cls, spec: "str | Experience") -> "Experience":
        """An experience from its text form (:func:`parse_experience`, as on the command line) or an
        :class:`Experience` (returned as is)."""
        return spec if isinstance(spec, Experience) else parse_experience(spec)

    @property
    def name(self) -> str:
        if self.kind == "slow":
            return f"slow:{self.target}>{_seconds_label(self.threshold)}"
        if self.kind == "low":
            return f"low:{self.target}<={self.threshold:g}"
        return f"{self.kind}:{self.target}"

    @property
    def numeric(self) -> bool:
        """Whether the experience enters the models as a number (a score) rather than a 0/1 flag."""
        return self.kind == "score"

    def touchpoint(self, model: JourneyModel) -> str | None:
        """The touchpoint the experience happens at (a survey's touchpoint for ``low`` and ``score``)."""
        if self.kind in SURVEY_KINDS:
            return model.survey_by_name[self.target].touchpoint
        return self.target

    def validate(self, model: JourneyModel) -> "Experience":
        """Check the touchpoint or survey exists in the model (and set a score's default low cut)."""
        if self.kind in SURVEY_KINDS:
            if self.target not in model.survey_by_name:
                raise DriverSpecError(
                    f"experience {self.name!r}: unknown survey {self.target!r} "
                    f"(surveys: {sorted(model.survey_by_name)})"
                )
            if self.threshold is None:
                return replace(self, threshold=model.survey_by_name[self.target].scale[1] - 2)
        elif self.target not in model.touchpoint_by_name:
            raise DriverSpecError(
                f"experience {self.name!r}: unknown touchpoint {self.target!r} "
                f"(touchpoints: {sorted(model.touchpoint_by_name)})"
            )
        return self


def _seconds_label(seconds: float | None) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def parse_experience(text: str) -> Experience:
    """Parse ``visit:X``, ``slow:X>5d``, ``loop:X``, ``low:SURVEY<=3`` or ``score:SURVEY`` (see the
    module docstring).

    Raises
    ------
    DriverSpecError
        With the text and the expected forms.
    """
    match = _SPEC.fullmatch(text.strip())
    expected = ("expected visit:TOUCHPOINT, slow:TOUCHPOINT>DURATION, loop:TOUCHPOINT, low:SURVEY<=SCORE "
                "or score:SURVEY")
    if match is None:
        raise DriverSpecError(f"invalid experience {text!r}: {expected}")
    kind, target, op, arg = match["kind"], match["target"].strip(), match["op"], match["arg"]
    if kind == "score" and op is None:
        return Experience(kind, target)
    if kind in ("visit", "loop"):
        if op is not None:
            raise DriverSpecError(f"invalid experience {text!r}: {kind} takes no threshold ({expected})")
        return Experience(kind, target)
    if kind == "slow":
        if op != ">":
            raise DriverSpecError(
                f"invalid experience {text!r}: slow needs '>DURATION' such as '>5d' ({expected})"
            )
        try:
            return Experience(kind, target, parse_duration(arg))
        except ValueError as exc:
            raise DriverSpecError(f"invalid experience {text!r}: {exc}") from None
    if op != "<=":
        raise DriverSpecError(
            f"invalid experience {text!r}: {kind} needs '<=SCORE' such as '<=3' ({expected})"
        )
    try:
        return Experience(kind, target, float(arg))
    except ValueError:
        raise DriverSpecError(f"invalid experience {text!r}: {arg!r} is not a score") from None


def default_experiences(model: JourneyModel, anchor: list[str], outcome: str) -> list[Experience]:
    """Visits of the touchpoints from the anchor's stage onwards (anchors excluded) and a low-score flag
    per survey (CSAT below top-2-box, CES below the scale midpoint, NPS detractors unless the outcome is
    ``promoter``)."""
    first_stage = min(model.stage_order[model.touchpoint_by_name[a].stage] for a in anchor)
    visits = [
        Experience("visit", t.name)
        for t in model.touchpoints
        if model.stage_order[t.stage] >= first_stage and t.name not in anchor
    ]
    lows = []
    for s in model.surveys:
        lo, hi = s.scale
        if s.kind == "csat":
            lows.append(Experience("low", s.name, hi - 2))
        elif s.kind == "ces":
            lows.append(Experience("low", s.name, float(int((lo + hi) / 2) - 1)))
        elif s.kind == "nps" and outcome != "promoter":
            lows.append(Experience("low", s.name, hi - 4))
    return visits + lows


@dataclass(frozen=True)
class Outcome:
    """The loyalty outcome and the experience window.

    Attributes
    ----------
    kind : {"churned", "retained", "repurchased", "promoter"}
    anchor : tuple of str
        Touchpoints whose first event starts the customer's window (customers without one are left out).
    window_days : float
        Length of the experience window; ``churned`` / ``retained`` / ``repurchased`` look after it.
    purchase : tuple of str
        Touchpoints that count as a purchase for ``repurchased`` (default: the anchors).
    survey : str, optional
        The NPS survey for ``promoter`` (default: the model's first NPS survey).
    """

    kind: str
    anchor: tuple[str, ...]
    window_days: float = 30.0
    purchase: tuple[str, ...] = ()
    survey: str | None = None

    @property
    def bad(self) -> bool:
        """Whether a higher outcome rate is the bad direction (churn)."""
        return self.kind in BAD_OUTCOMES

    def validate(self, model: JourneyModel) -> "Outcome":
        """Check the kind, the anchors, the purchase touchpoints and the survey against the model."""
        if self.kind not in OUTCOMES:
            raise DriverSpecError(f"unknown outcome {self.kind!r} (expected one of {list(OUTCOMES)})")
        if not self.anchor:
            raise DriverSpecError("the outcome needs at least one anchor touchpoint (e.g. the purchase)")
        for key, names in (("anchor", self.anchor), ("purchase", self.purchase)):
            for name in names:
                if name not in model.touchpoint_by_name:
                    raise DriverSpecError(
                        f"outcome {key}: unknown touchpoint {name!r} "
                        f"(touchpoints: {sorted(model.touchpoint_by_name)})"
                    )
        if self.window_days <= 0:
            raise DriverSpecError(f"the experience window must be positive, got {self.window_days} days")
        if self.kind == "promoter":
            survey = self.nps_survey(model)
            if model.survey_by_name[survey].kind != "nps":
                raise DriverSpecError(f"outcome promoter: survey {survey!r} is not an NPS survey")
        return self

    def nps_survey(self, model: JourneyModel) -> str:
        if self.survey is not None:
            if self.survey not in model.survey_by_name:
                raise DriverSpecError(f"outcome promoter: unknown survey {self.survey!r}")
            return self.survey
        for s in model.surveys:
            if s.kind == "nps":
                return s.name
        raise DriverSpecError("outcome promoter needs an NPS survey, and the journey model defines none")
