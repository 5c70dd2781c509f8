"""Every analysis gives identical results on DuckDB and on Spark (exact counts, 1e-9 relative floats)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from journeykit import analytics
from journeykit.engine import Filters
from journeykit.insight import benchmark, internal_benchmark, moments_of_truth
from journeykit.model import load_model
from journeykit.schedule import plan_from_log
from journeykit.schedule.ccpm import case_events
from journeykit.workspace import EXAMPLE_MODEL

pytestmark = pytest.mark.spark


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    keys = [c for c in a.columns if not pd.api.types.is_float_dtype(a[c])]
    a = a.sort_values(keys, kind="stable").reset_index(drop=True)
    b = b.sort_values(keys, kind="stable").reset_index(drop=True)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(x.astype(float), y.astype(float), rtol=1e-9, atol=0, equal_nan=True,
                                       err_msg=col)
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), col


MODEL = load_model(EXAMPLE_MODEL)
BUSINESS_SPRING = Filters(start="2025-03-01", end="2025-09-01", segment={"segment": "business"})

ANALYSES: dict[str, Callable] = {
    "transitions_touchpoint": lambda e: analytics.transitions(e),
    "transitions_stage_case": lambda e: analytics.transitions(e, by="case", level="stage"),
    "transitions_filtered": lambda e: analytics.transitions(e, filters=BUSINESS_SPRING),
    "variants": lambda e: analytics.variants(e),
    "paths_after": lambda e: analytics.paths(e, "product_view", steps=3),
    "stage_dwell": lambda e: analytics.stage_dwell(e),
    "bottlenecks": lambda e: analytics.bottlenecks(e),
    "case_throughput": lambda e: analytics.case_throughput(e),
    "funnel": lambda e: analytics.funnel(e, ["product_view", "cart_add", "checkout", "payment"], window="7d"),
    "funnel_by_segment": lambda e: analytics.funnel(e, ["product_view", "payment"], window="30d", by="segment"),
    "cohorts": lambda e: analytics.cohorts(e, "payment", "repeat_purchase", period="month"),
    "lifecycle": lambda e: analytics.lifecycle(e, period="month"),
    "churn": lambda e: analytics.churn(e, 90),
    "survey_kpis": lambda e: analytics.survey_kpis(e, MODEL, by="touchpoint"),
    "operational_kpis": lambda e: analytics.operational_kpis(e, MODEL, purchase="payment"),
    "paths_between": lambda e: analytics.paths(e, "cart_add", direction="between", until="payment", steps=4,
                                               collapse_repeats=True),
    "paths_before": lambda e: analytics.paths(e, "purchase", direction="before", steps=3, level="stage"),
    "time_between": lambda e: analytics.time_between(e, "product_view", "payment"),
    "funnel_strict_totals": lambda e: analytics.funnel(e, ["product_view", "cart_add"], order="strict",
                                                       count="totals", window="1d"),
    "funnel_any_order": lambda e: analytics.funnel(e, ["cart_add", "product_view"], order="any", window="7d"),
    "cohorts_week_rolling": lambda e: analytics.cohorts(e, "product_view", period="week", rolling=True,
                                                        unbounded=True, periods=8),
    "repeat_purchase": lambda e: analytics.repeat_purchase_rate(e, "payment", by="segment"),
    "clv_summary": lambda e: analytics.calibration_holdout(e, "payment", "2025-06-30", "2025-12-31").reset_index(),
    "clv_bgnbd": lambda e: analytics.customer_lifetime_value(e, "payment", calibration_end="2025-12-31"),
    "funnel_optional_exclusion": lambda e: analytics.funnel(
        e, ["product_view", "reviews_read?", "cart_add", "payment"], window="7d", exclusions=["support_contact@1-4"]
    ),
    "moments_of_truth": lambda e: moments_of_truth(e, MODEL, outcome="repurchased", replicates=200),
    "plan_from_log": lambda e: plan_from_log(e, "support_contact,troubleshooting,issue_resolved", unit="hours"),
    "case_events": lambda e: case_events(e, "support_contact,troubleshooting,issue_resolved"),
    "benchmark": lambda e: benchmark(e, MODEL),
    "benchmark_by_month": lambda e: benchmark(e, MODEL, periods="month"),
    "internal_benchmark": lambda e: internal_benchmark(e, MODEL, by="segment:segment"),
}


@pytest.mark.parametrize("name", sorted(ANALYSES))
def test_same_result_on_both_engines(parity_engines, name):
    duck, spark = parity_engines
    run = ANALYSES[name]
    a, b = run(duck), run(spark)
    assert_same(getattr(a, "table", a), getattr(b, "table", b))


def test_engines_hold_the_same_events(parity_engines):
    duck, spark = parity_engines
    assert duck.execute(duck.events.count()) == spark.execute(spark.events.count())


def test_timestamps_come_back_in_utc_on_both(parity_engines):
    for engine in parity_engines:
        ev = engine.events
        first = engine.execute(ev.timestamp.min())
        rows = engine.execute(ev.order_by(["timestamp", "seq"]).select("timestamp").limit(3))
        assert str(first.tzinfo) == "UTC" and str(rows["timestamp"].dt.tz) == "UTC"
        assert rows["timestamp"].iloc[0] == first


def test_approximate_on_spark_within_stated_error(parity_engines):
    """``exact=False`` on Spark (HyperLogLog++ distinct counts, approximate percentiles) stays within the
    stated error: counts exact, distinct customers within 10 %, and each approximate quantile a value whose
    rank is within 2 percentage points of the asked one (the guarantee approximate quantiles give; a value
    bound would fail on the gaps of skewed waits)."""
    duck, spark = parity_engines
    exact = analytics.transitions(duck).table.set_index(["source", "target"])
    approx = analytics.transitions(spark, exact=False).table.set_index(["source", "target"])
    ev = duck.execute(duck.events.select("customer_id", "timestamp", "seq", "touchpoint"))
    ev = ev.dropna(subset=["touchpoint"]).sort_values(["customer_id", "timestamp", "seq"])
    nxt = ev.groupby("customer_id").shift(-1)
    pairs = pd.DataFrame({"source": ev["touchpoint"], "target": nxt["touchpoint"],
                          "gap": (nxt["timestamp"] - ev["timestamp"]).dt.total_seconds()}).dropna()
    gaps = pairs.groupby(["source", "target"])["gap"]
    big = exact[exact["count"] >= 200].index
    assert len(big) >= 5
    assert (gaps.size().loc[big] == exact.loc[big, "count"]).all()  # the reference pairs are the DFG's
    assert (approx.loc[big, "count"] == exact.loc[big, "count"]).all()
    rel = (approx.loc[big, "customers"] - exact.loc[big, "customers"]).abs() / exact.loc[big, "customers"]
    assert (rel < 0.1).all()
    for col, q in (("median_seconds", 0.5), ("p90_seconds", 0.9)):
        low = gaps.quantile(q - 0.02, interpolation="lower").loc[big]
        high = gaps.quantile(q + 0.02, interpolation="higher").loc[big]
        value = approx.loc[big, col]
        assert ((value >= low) & (value <= high)).all(), col
