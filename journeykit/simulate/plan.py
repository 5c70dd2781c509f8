"""A validated simulation spec compiled to numpy lookup arrays for vectorised generation.

Touchpoints are indexed in model order; index ``T`` (the number of touchpoints) is the exit.  A
"cumulative" array holds the cumulative probabilities of a categorical distribution, so that a uniform
draw ``u`` picks category ``(u >= cum).sum()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from journeykit.model import JourneyModel
from journeykit.simulate.comments import THEMES
from journeykit.simulate.spec import EXIT, SimulationSpec

_DAY = 86400.0


@dataclass(frozen=True)
class SurveyPlan:
    """How one survey is answered (see :class:`journeykit.simulate.spec.SurveySim`)."""

    name: str
    kind: str
    touchpoint: int
    low: float
    high: float
    rate: float
    delay_median: float
    delay_sigma: float
    mean: float
    sd: float
    effect_coefs: np.ndarray  # one coefficient per experience effect
    experience: float
    comment_rate: float
    themes: np.ndarray  # theme indices (into THEMES order)
    effect_themes: np.ndarray  # per effect: theme index when the effect concerns this survey, else -1


@dataclass(frozen=True)
class EffectPlan:
    """One bad-experience trigger: ``kind`` is ``"delay"``, ``"transition"`` or ``"at"``."""

    name: str
    kind: str
    source: int
    target: int  # transition target (kind "transition")
    threshold: float  # seconds (kind "delay")
    weight: float
    theme: int  # -1 for none


@dataclass(frozen=True)
class Plan:
    """Everything the generator needs, as arrays."""

    touchpoints: list[str]
    stages: list[str]
    start_us: int
    horizon: float  # seconds after start
    first_touch_days: np.ndarray  # cumulative over the days of the period
    period: float
    max_events: int
    attributes: list[str]
    attribute_values: list[list[str]]
    attribute_cums: list[np.ndarray]
    entry_cum: np.ndarray
    next_cum: np.ndarray  # (T, T + 1)
    delay_median: np.ndarray  # (T, T + 1) seconds
    delay_sigma: np.ndarray  # (T, T + 1)
    event_names: list[str]
    channels: list[str]
    emit_cum: np.ndarray  # (T, E)
    emit_event: np.ndarray  # (T, E) index into event_names
    emit_channel: np.ndarray  # (T, E) index into channels
    is_purchase: np.ndarray  # (T,) bool
    is_refund: np.ndarray  # (T,) bool
    revenue_attribute: int  # index into attributes, -1 when revenue does not depend on one
    revenue_median: np.ndarray  # per value of that attribute (or one value)
    revenue_sigma: float
    case_prefixes: list[str]
    case_kind: np.ndarray  # (T,) case kind index or -1
    case_opens: np.ndarray  # (T,) bool
    effects: list[EffectPlan]
    decay: float
    retention: bool
    churn_intercept: float
    churn_slope: float
    reentry_cum: np.ndarray
    gap_median: float
    gap_sigma: float
    nonbuyer_return: float
    surveys: list[SurveyPlan]


def _cumsum(p: np.ndarray) -> np.ndarray:
    """Cumulative probabilities; from the last positive category on exactly 1 (the spec checked the sum
    to 1e-9), so that every draw ``u < 1`` lands on a category of positive probability."""
    cum = np.cumsum(p)
    cum[np.flatnonzero(p)[-1]:] = 1.0
    return cum


def _cumulative(dist: dict[str, float], index: dict[str, int], size: int) -> np.ndarray:
    p = np.zeros(size)
    for name, prob in dist.items():
        p[index[name]] = prob
    return _cumsum(p)


def compile_plan(spec: SimulationSpec, model: JourneyModel) -> Plan:
    """Compile a spec validated against ``model`` (see :func:`journeykit.simulate.spec.simulation_spec`)."""
    names = [t.name for t in model.touchpoints]
    n = len(names)
    index = {name: i for i, name in enumerate(names)} | {EXIT: n}
    next_cum = np.ones((n, n + 1))  # touchpoints without a row exit
    for tp, row in spec.transitions.items():
        next_cum[index[tp]] = _cumulative(row, index, n + 1)
    delay_median, delay_sigma = _delay_matrices(spec, index, n)
    event_names, channels, emit_cum, emit_event, emit_channel = _emits(spec, model)
    attributes = list(spec.customers)
    return Plan(
        touchpoints=names,
        stages=[t.stage for t in model.touchpoints],
        start_us=int(spec.start_utc.timestamp() * 1_000_000),
        horizon=spec.horizon_seconds,
        first_touch_days=_first_touch_days(spec),
        period=spec.period,
        max_events=spec.max_events_per_customer,
        attributes=attributes,
        attribute_values=[list(d) for d in spec.customers.values()],
        attribute_cums=[_cumulative(d, {v: i for i, v in enumerate(d)}, len(d))
                        for d in spec.customers.values()],
        entry_cum=_cumulative(spec.entry, index, n),
        next_cum=next_cum,
        delay_median=delay_median,
        delay_sigma=delay_sigma,
        event_names=event_names,
        channels=channels,
        emit_cum=emit_cum,
        emit_event=emit_event,
        emit_channel=emit_channel,
        **_revenue(spec, index, n),
        **_cases(spec, index, n),
        effects=_effects(spec, index),
        decay=spec.experience.decay,
        **_retention(spec, index, n),
        surveys=_surveys(spec, model, index),
    )


def _first_touch_days(spec: SimulationSpec) -> np.ndarray:
    days = max(1, math.ceil(spec.period / _DAY))
    weights = np.ones(7) if spec.weekday_weights is None else np.asarray(spec.weekday_weights, dtype=float)
    weekday = (spec.start_utc.weekday() + np.arange(days)) % 7
    w = weights[weekday]
    w[-1] *= (spec.period - (days - 1) * _DAY) / _DAY  # a partial last day gets its share
    return _cumsum(w / w.sum())


def _delay_matrices(spec: SimulationSpec, index: dict[str, int], n: int) -> tuple[np.ndarray, np.ndarray]:
    median = np.full((n, n + 1), spec.default_delay.median)
    sigma = np.full((n, n + 1), spec.default_delay.sigma)
    for tp, delay in spec.delays.items():
        median[index[tp]], sigma[index[tp]] = delay.median, delay.sigma
        for target, d in delay.to.items():
            median[index[tp], index[target]], sigma[index[tp], index[target]] = d.median, d.sigma
    return median, sigma


def _emits(
    spec: SimulationSpec, model: JourneyModel
) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    per_tp: list[list[tuple[str, float, str]]] = []
    for t in model.touchpoints:
        if t.name in spec.emits:
            per_tp.append([(e.event, e.p, e.channel or t.channel) for e in spec.emits[t.name]])
        else:
            exact = [p for p in t.events if not p.startswith("re:")]
            per_tp.append([(exact[0] if exact else t.name, 1.0, t.channel)])
    event_names = sorted({e for row in per_tp for e, _, _ in row})
    channels = sorted({c for row in per_tp for _, _, c in row})
    width = max(len(row) for row in per_tp)
    cum = np.ones((len(per_tp), width))
    event = np.zeros((len(per_tp), width), dtype=np.int64)
    channel = np.zeros((len(per_tp), width), dtype=np.int64)
    for i, row in enumerate(per_tp):
        cum[i, : len(row)] = _cumsum(np.array([p for _, p, _ in row]))
        event[i, : len(row)] = [event_names.index(e) for e, _, _ in row]
        channel[i, : len(row)] = [channels.index(c) for _, _, c in row]
    return event_names, channels, cum, event, channel


def _revenue(spec: SimulationSpec, index: dict[str, int], n: int) -> dict:
    is_purchase, is_refund = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    revenue = spec.revenue
    if revenue is None:
        return dict(is_purchase=is_purchase, is_refund=is_refund, revenue_attribute=-1,
                    revenue_median=np.ones(1), revenue_sigma=0.0)
    is_purchase[[index[t] for t in revenue.at]] = True
    is_refund[[index[t] for t in revenue.refund_at]] = True
    if revenue.by is None:
        attribute, medians = -1, np.array([revenue.median], dtype=float)
    else:
        attribute = list(spec.customers).index(revenue.by)
        values = list(spec.customers[revenue.by])
        medians = (
            np.array([revenue.median[v] for v in values], dtype=float)
            if isinstance(revenue.median, dict)
            else np.full(len(values), float(revenue.median))
        )
    return dict(is_purchase=is_purchase, is_refund=is_refund, revenue_attribute=attribute,
                revenue_median=medians, revenue_sigma=revenue.sigma)


def _cases(spec: SimulationSpec, index: dict[str, int], n: int) -> dict:
    kind = np.full(n, -1, dtype=np.int64)
    opens = np.zeros(n, dtype=bool)
    for k, case in enumerate(spec.cases.values()):
        for tp in case.opened_by:
            kind[index[tp]], opens[index[tp]] = k, True
        for tp in case.includes:
            kind[index[tp]] = k
    return dict(case_prefixes=[c.prefix for c in spec.cases.values()], case_kind=kind, case_opens=opens)


def _theme_index(theme: str | None) -> int:
    return -1 if theme is None else list(THEMES).index(theme)


def _effects(spec: SimulationSpec, index: dict[str, int]) -> list[EffectPlan]:
    out = []
    for name, e in spec.experience.effects.items():
        if e.after is not None:
            kind, source, target, threshold = "delay", index[e.after], -1, float(e.delay_above or 0.0)
        elif e.transition is not None:
            source, target = (index[t] for t in e.transition)
            kind, threshold = "transition", 0.0
        else:
            kind, source, target, threshold = "at", index[str(e.at)], -1, 0.0
        out.append(EffectPlan(name, kind, source, target, threshold, e.weight, _theme_index(e.theme)))
    return out


def _retention(spec: SimulationSpec, index: dict[str, int], n: int) -> dict:
    r = spec.retention
    if r is None:
        return dict(retention=False, churn_intercept=0.0, churn_slope=0.0, reentry_cum=np.ones(n),
                    gap_median=1.0, gap_sigma=0.0, nonbuyer_return=0.0)
    return dict(retention=True, churn_intercept=r.churn.intercept, churn_slope=r.churn.per_experience,
                reentry_cum=_cumulative(r.reentry, index, n), gap_median=r.gap.median, gap_sigma=r.gap.sigma,
                nonbuyer_return=r.nonbuyer_return)


def _surveys(spec: SimulationSpec, model: JourneyModel, index: dict[str, int]) -> list[SurveyPlan]:
    effect_names = list(spec.experience.effects)
    out = []
    for name, sim in spec.surveys.items():
        survey = model.survey_by_name[name]
        assert survey.scale is not None and survey.touchpoint is not None
        coefs = np.array([sim.effects.get(e, 0.0) for e in effect_names])
        # a negative comment names an experience the survey is sensitive to
        effect_themes = np.array(
            [_theme_index(e.theme) if c != 0 or sim.experience != 0 else -1
             for c, e in zip(coefs, spec.experience.effects.values())],
            dtype=np.int64,
        )
        out.append(
            SurveyPlan(
                name=name,
                kind=survey.kind,
                touchpoint=index[survey.touchpoint],
                low=float(survey.scale[0]),
                high=float(survey.scale[1]),
                rate=sim.rate,
                delay_median=sim.delay.median,
                delay_sigma=sim.delay.sigma,
                mean=sim.mean,
                sd=sim.sd,
                effect_coefs=coefs,
                experience=sim.experience,
                comment_rate=sim.comment_rate,
                # without themes there are no comments (checked): any theme index will do
                themes=np.array([_theme_index(t) for t in sim.themes] or [0], dtype=np.int64),
                effect_themes=effect_themes,
            )
        )
    return out
