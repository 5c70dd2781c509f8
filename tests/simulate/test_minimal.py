"""A minimal simulation section: only start, period, entry and transitions; every other part is optional."""

from __future__ import annotations

import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.engine import schema
from journeykit.model import parse_model
from journeykit.simulate import simulate

MINIMAL = parse_model({
    "stages": ["visit", "buy"],
    "touchpoints": [
        {"name": "home", "stage": "visit", "channel": "web", "events": ["home_view", "re:home_.*"]},
        {"name": "basket", "stage": "visit", "channel": "web"},
        {"name": "order", "stage": "buy", "channel": "web", "events": ["order_placed"]},
    ],
    "simulation": {
        "start": "2024-03-01T12:00:00+01:00",
        "period": "7d",
        "entry": {"home": 1.0},
        "transitions": {"home": {"basket": 0.5, "exit": 0.5}, "basket": {"order": 0.4, "home": 0.6},
                        "order": {"exit": 1.0}},
    },
})


def test_minimal_section():
    data = simulate(MINIMAL, customers=2_000, seed=4)
    events, responses = data.events, data.responses
    assert events.schema == schema.EVENTS_SCHEMA and responses.schema == schema.RESPONSES_SCHEMA
    assert responses.num_rows == 0
    assert set(pc.unique(events["event"]).to_pylist()) == {"home_view", "basket", "order_placed"}
    assert events["value"].null_count == events["case_id"].null_count == events.num_rows
    assert {dict(a)["cycle"] for a in events["attributes"].to_pylist()} == {"0"}  # no retention: one cycle
    lo, hi = pc.min_max(events["timestamp"]).values()
    assert lo.as_py().isoformat() >= "2024-03-01T11:00:00+00:00"  # start given at +01:00
    assert pc.count_distinct(events["customer_id"]).as_py() == 2_000
    # P(order | at home) = 0.5 * (0.4 + 0.6 * P(order | at home)) = 2/7; at most one order per customer
    orders = pc.sum(pc.equal(events["event"], "order_placed")).as_py()
    p = 2 / 7
    assert abs(orders - 2_000 * p) < 4 * (2_000 * p * (1 - p)) ** 0.5


@settings(max_examples=8, deadline=None)
@given(block_size=st.integers(min_value=1, max_value=130), customers=st.integers(min_value=0, max_value=120))
def test_any_block_size_gives_the_same_events(block_size, customers):
    whole = simulate(MINIMAL, customers=customers, seed=9, block_size=max(customers, 1)).events
    assert simulate(MINIMAL, customers=customers, seed=9, block_size=block_size).events.equals(whole)
