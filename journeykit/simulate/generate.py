"""Vectorised generation of one block of customers' journeys (pure numpy, no IO).

All active customers of a block advance one event per iteration: the next touchpoint is drawn from the
transition matrix, the delay to it from a lognormal that depends on (touchpoint, next touchpoint), bad
experiences are counted, surveys answered, and customers who exit a cycle churn or re-enter after an
inter-purchase gap.  Every random number is addressed by (customer, event index, purpose) through
:class:`~journeykit.simulate.rng.CounterRNG`, so a customer's journey does not depend on the block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeykit.simulate.comments import template_table
from journeykit.simulate.plan import Plan, SurveyPlan
from journeykit.simulate.rng import CounterRNG

_DAY = 86400.0
_TEXTS, _SLICES = template_table()
#: (theme, sentiment) -> first template index / number of templates.
_TEMPLATE_FIRST = np.array([[first for first, _ in row] for row in _SLICES], dtype=np.int64)
_TEMPLATE_COUNT = np.array([[count for _, count in row] for row in _SLICES], dtype=np.int64)
#: Template texts; ``Block.responses["comment"]`` indexes this list.
COMMENT_TEXTS: list[str] = _TEXTS

# Purposes of the random draws (the counter is ``event_index * n_purposes + purpose``).
_NEXT, _DELAY, _EMIT, _VALUE, _CHURN, _REENTRY, _GAP, _DAY_DRAW, _TIME, _ENTRY = range(10)
_FIXED = 10
_SURVEY_DRAWS = 6  # respond, score, delay, comment, theme, template


_INT, _FLOAT = np.int64, np.float64
EVENT_FIELDS: dict[str, type] = dict(
    customer=_INT, index=_INT, touchpoint=_INT, event=_INT, channel=_INT, time=_FLOAT, value=_FLOAT,
    case_kind=_INT, case_no=_INT, cycle=_INT,
)
RESPONSE_FIELDS: dict[str, type] = dict(
    customer=_INT, index=_INT, survey=_INT, time=_FLOAT, score=_FLOAT, comment=_INT, case_kind=_INT,
    case_no=_INT,
)


@dataclass(frozen=True)
class Block:
    """The journeys of customers ``first .. first + len(attributes) - 1``.

    ``events`` columns: ``customer`` (global index), ``index`` (the customer's event number),
    ``touchpoint``, ``event``, ``channel`` (indices into the plan's lists), ``time`` (seconds after
    start), ``value`` (NaN when none), ``case_kind`` (-1 when none), ``case_no``, ``cycle``.
    ``responses`` columns: ``customer``, ``index`` (of the event answered), ``survey``, ``time``,
    ``score``, ``comment`` (index into :data:`COMMENT_TEXTS`, -1 when none), ``case_kind``, ``case_no``.
    Both are ordered by customer, then event index (then survey).
    """

    first: int
    attributes: np.ndarray  # (customers, attributes) value indices
    events: dict[str, np.ndarray]
    responses: dict[str, np.ndarray]


def _below(count: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Uniform integers in ``0 .. count - 1`` from uniform draws ``u``."""
    return np.minimum((u * count).astype(np.int64), count - 1)


def _choose(options: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One of ``options`` (equally likely) per uniform draw."""
    return options[_below(np.full(u.size, options.size), u)]


def _pick(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Categorical draws: ``cum`` is one cumulative row (1-D) or one row per draw (2-D)."""
    if cum.ndim == 1:
        return np.searchsorted(cum, u, side="right")
    return (u[:, None] >= cum).sum(axis=1)


class _Generator:
    """State of one block while it is generated."""

    def __init__(self, plan: Plan, rng: CounterRNG, first: int, n: int):
        self.plan, self.rng = plan, rng
        self.n_purposes = np.uint64(_FIXED + len(plan.attributes) + _SURVEY_DRAWS * len(plan.surveys))
        self.first = first
        self.keys = rng.customer_keys(np.arange(first, first + n, dtype=np.int64))
        self.attributes = np.empty((n, len(plan.attributes)), dtype=np.int64)
        for i, cum in enumerate(plan.attribute_cums):
            self.attributes[:, i] = _pick(cum, self._u(self.keys, 0, _FIXED + i))
        day = _pick(plan.first_touch_days, self._u(self.keys, 0, _DAY_DRAW))
        day_length = np.minimum(_DAY, plan.period - day * _DAY)  # the period may end within a day
        self.time = day * _DAY + self._u(self.keys, 0, _TIME) * day_length
        self.tp = _pick(plan.entry_cum, self._u(self.keys, 0, _ENTRY))
        self.index = np.zeros(n, dtype=np.int64)
        self.cycle = np.zeros(n, dtype=np.int64)
        self.purchased = np.zeros(n, dtype=bool)
        self.score = np.zeros(n)
        self.counts = np.zeros((n, len(plan.effects)), dtype=np.int64)
        self.case_no = np.zeros((n, max(1, len(plan.case_prefixes))), dtype=np.int64)
        self.order_value = np.zeros(n)
        ra = plan.revenue_attribute
        by = self.attributes[:, ra] if ra >= 0 else np.zeros(n, dtype=np.int64)
        self.revenue_median = plan.revenue_median[by]
        self.events: list[dict[str, np.ndarray]] = []
        self.responses: list[dict[str, np.ndarray]] = []

    def _u(self, keys: np.ndarray, index: np.ndarray | int, purpose: int) -> np.ndarray:
        counter = np.asarray(index, dtype=np.uint64) * self.n_purposes + np.uint64(purpose)
        return self.rng.uniform(keys, counter)

    def _z(self, keys: np.ndarray, index: np.ndarray | int, purpose: int) -> np.ndarray:
        counter = np.asarray(index, dtype=np.uint64) * self.n_purposes + np.uint64(purpose)
        return self.rng.normal(keys, counter)

    # ---------------------------------------------------------------------------------- one step
    def run(self) -> Block:
        active = np.arange(len(self.keys))
        while active.size:
            active = self._step(active)
        return Block(self.first, self.attributes, _concat(self.events, EVENT_FIELDS),
                     _concat(self.responses, RESPONSE_FIELDS))

    def _step(self, a: np.ndarray) -> np.ndarray:
        plan = self.plan
        keys, idx, cur = self.keys[a], self.index[a], self.tp[a]
        nxt = _pick(plan.next_cum[cur], self._u(keys, idx, _NEXT))
        j = _pick(plan.emit_cum[cur], self._u(keys, idx, _EMIT))
        value = self._values(a, keys, idx, cur)
        case_kind, case_no = self._cases(a, cur)
        delay = plan.delay_median[cur, nxt] * np.exp(plan.delay_sigma[cur, nxt] * self._z(keys, idx, _DELAY))
        self._experience(a, cur, nxt, delay)
        for s, survey in enumerate(plan.surveys):
            self._survey(s, survey, a, keys, idx, cur, case_kind, case_no)
        self.events.append(
            dict(customer=a + self.first, index=idx, touchpoint=cur, event=plan.emit_event[cur, j],
                 channel=plan.emit_channel[cur, j], time=self.time[a], value=value, case_kind=case_kind,
                 case_no=case_no, cycle=self.cycle[a])
        )
        self.purchased[a[plan.is_purchase[cur]]] = True
        moving = nxt < len(plan.touchpoints)
        self.time[a[moving]] += delay[moving]
        self.tp[a] = nxt
        exiting = ~moving
        self._end_cycle(a[exiting], keys[exiting], idx[exiting])
        self.index[a] += 1
        over = (self.time[a] > plan.horizon) | (self.index[a] >= plan.max_events)
        self.tp[a[over]] = -1
        return a[self.tp[a] >= 0]

    def _values(self, a: np.ndarray, keys: np.ndarray, idx: np.ndarray, cur: np.ndarray) -> np.ndarray:
        """Order revenue at purchases (remembered for refunds), minus it at refunds, else NaN."""
        plan = self.plan
        value = np.full(a.size, np.nan)
        buy = plan.is_purchase[cur]
        if buy.any():
            z = self._z(keys[buy], idx[buy], _VALUE)
            value[buy] = np.round(self.revenue_median[a[buy]] * np.exp(plan.revenue_sigma * z), 2)
            self.order_value[a[buy]] = value[buy]
        refund = plan.is_refund[cur]
        value[refund] = -self.order_value[a[refund]]
        return value

    def _cases(self, a: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(case kind or -1, case number): opening touchpoints start the customer's next case of a kind."""
        kind = self.plan.case_kind[cur]
        opens = self.plan.case_opens[cur]
        self.case_no[a[opens], kind[opens]] += 1
        has = kind >= 0
        no = np.zeros(a.size, dtype=np.int64)
        no[has] = self.case_no[a[has], kind[has]]
        kind = np.where(no > 0, kind, -1)  # a member touchpoint before any case was opened
        return kind, no

    def _experience(self, a: np.ndarray, cur: np.ndarray, nxt: np.ndarray, delay: np.ndarray) -> None:
        """Count this step's bad experiences and add their weights to the experience score."""
        exit_ = len(self.plan.touchpoints)
        for e, effect in enumerate(self.plan.effects):
            hit = cur == effect.source
            if effect.kind == "delay":
                hit &= (nxt != exit_) & (delay > effect.threshold)
            elif effect.kind == "transition":
                hit &= nxt == effect.target
            who = a[hit]
            self.counts[who, e] += 1
            self.score[who] += effect.weight

    def _survey(
        self, s: int, survey: SurveyPlan, a: np.ndarray, keys: np.ndarray, idx: np.ndarray,
        cur: np.ndarray, case_kind: np.ndarray, case_no: np.ndarray,
    ) -> None:
        """Answers of survey ``s`` by the customers at its touchpoint who respond."""
        base = _FIXED + len(self.plan.attributes) + _SURVEY_DRAWS * s
        at = np.flatnonzero(cur == survey.touchpoint)
        at = at[self._u(keys[at], idx[at], base) < survey.rate]
        if not at.size:
            return
        who, k, kidx = a[at], keys[at], idx[at]
        happened = self.counts[who] > 0
        mean = survey.mean + happened @ survey.effect_coefs + survey.experience * self.score[who]
        score = np.clip(np.round(mean + survey.sd * self._z(k, kidx, base + 1)), survey.low, survey.high)
        delay = survey.delay_median * np.exp(survey.delay_sigma * self._z(k, kidx, base + 2))
        time = self.time[who] + delay
        comment = self._comments(survey, happened, score, k, kidx, base)
        keep = time <= self.plan.horizon
        self.responses.append(
            dict(customer=who[keep] + self.first, index=kidx[keep], survey=np.full(keep.sum(), s),
                 time=time[keep], score=score[keep], comment=comment[keep], case_kind=case_kind[at][keep],
                 case_no=case_no[at][keep])
        )

    def _comments(
        self, survey: SurveyPlan, happened: np.ndarray, score: np.ndarray, keys: np.ndarray,
        idx: np.ndarray, base: int,
    ) -> np.ndarray:
        """Comment template per answer (-1: none): sentiment by score (below half the scale negative,
        below three quarters neutral); a negative comment names a bad experience of this cycle."""
        x = (score - survey.low) / (survey.high - survey.low)
        sentiment = np.where(x < 0.5, 0, np.where(x < 0.75, 1, 2))
        theme = _choose(survey.themes, self._u(keys, idx, base + 4))
        for e in range(happened.shape[1] - 1, -1, -1):  # the first listed effect wins
            if survey.effect_themes[e] >= 0:
                theme = np.where((sentiment == 0) & happened[:, e], survey.effect_themes[e], theme)
        count = _TEMPLATE_COUNT[theme, sentiment]
        comment = _TEMPLATE_FIRST[theme, sentiment] + _below(count, self._u(keys, idx, base + 5))
        return np.where(self._u(keys, idx, base + 3) < survey.comment_rate, comment, -1)

    def _end_cycle(self, who: np.ndarray, keys: np.ndarray, idx: np.ndarray) -> None:
        """Customers who exited a cycle churn, leave, or re-enter after a gap."""
        plan = self.plan
        self.tp[who] = -1
        if not plan.retention or not who.size:
            return
        bought = self.purchased[who]
        u = self._u(keys, idx, _CHURN)
        churn = 1.0 / (1.0 + np.exp(-(plan.churn_intercept + plan.churn_slope * self.score[who])))
        stay = np.where(bought, u >= churn, u < plan.nonbuyer_return)
        who, keys, idx, bought = who[stay], keys[stay], idx[stay], bought[stay]
        u = self._u(keys, idx, _REENTRY)
        self.tp[who] = np.where(bought, _pick(plan.reentry_cum, u), _pick(plan.entry_cum, u))
        self.time[who] += plan.gap_median * np.exp(plan.gap_sigma * self._z(keys, idx, _GAP))
        self.cycle[who] += 1
        self.counts[who] = 0
        self.score[who] *= plan.decay
        self.purchased[who] = False


def _concat(parts: list[dict[str, np.ndarray]], fields: dict[str, type]) -> dict[str, np.ndarray]:
    """Concatenate per-step columns and order rows by customer, then event index (stable)."""
    cols = {name: np.concatenate([p[name] for p in parts] or [np.empty(0)]).astype(dtype)
            for name, dtype in fields.items()}
    order = np.lexsort((cols["index"], cols["customer"]))
    return {name: col[order] for name, col in cols.items()}


def generate_block(plan: Plan, rng: CounterRNG, first: int, n: int) -> Block:
    """Journeys of customers ``first .. first + n - 1``."""
    return _Generator(plan, rng, first, n).run()
