"""Distinct counts of customer ordinals by bitmaps equal ``COUNT(DISTINCT)``, and fall back to it beyond the
memory budget."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.analytics import durations, transitions
from journeykit.analytics.durations import bitmap_fits, distinct_ordinals
from tests.analytics.engines import events_engine

SHOP = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "b", "c"],
    "event": ["view", "cart", "view", "cart", "view", "view"],
    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03", "2024-01-04",
                                 "2024-01-05"], utc=True),
})


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 40)), min_size=1, max_size=60))
def test_bitmap_counts_equal_count_distinct(rows):
    df = pd.DataFrame(rows, columns=["g", "x"])
    t = ibis.memtable(df)
    got = ibis.duckdb.connect().execute(t.group_by("g").aggregate(n=distinct_ordinals(t.x, 40)))
    expected = df.groupby("g")["x"].nunique()
    assert dict(zip(got["g"], got["n"])) == expected.to_dict()


def test_transitions_count_customers_by_bitmap_or_within_budget_by_count_distinct(monkeypatch):
    eng = events_engine(SHOP)
    by_bitmap = transitions(eng, level="event").table
    view_cart = by_bitmap[(by_bitmap.source == "view") & (by_bitmap.target == "cart")]
    assert view_cart["customers"].tolist() == [2]  # a and b; b's second view ends its journey
    assert bitmap_fits(groups=702, high=1_538_461)  # the 10.1M-event benchmark: 26 labels, 1.5M customers
    assert not bitmap_fits(groups=702, high=10_000_000)
    monkeypatch.setattr(durations, "BITMAP_BUDGET", 0)
    pd.testing.assert_frame_equal(transitions(eng, level="event").table, by_bitmap)
