"""The engine-side aggregations of the insight analyses give the same tables on DuckDB and on Spark.

Only the expressions written in :mod:`journeykit.insight` are compared here (customer features, waits and
loops, support-case times, value-chain volumes and customer costs); the KPI functions they reuse have their
own parity tests.  Slow (a local Spark session on shared cores): ``-m "not slow"`` leaves it out.
"""

from __future__ import annotations

import pytest

from journeykit.engine import Filters
from journeykit.insight.benchmark.measure import _support_rows
from journeykit.insight.experiences import Outcome, parse_experience
from journeykit.insight.features import customer_features, wait_experiences
from journeykit.insight.moments_of_truth import moments_of_truth
from journeykit.insight.value_chain import value_chain
from journeykit.model import load_model
from journeykit.model.value_chain import from_touchpoint_costs
from journeykit.workspace import EXAMPLE_MODEL

pytestmark = [pytest.mark.spark, pytest.mark.slow]

assert_same = pytest.importorskip("tests.spark.test_parity").assert_same


def test_insight_aggregations_match(parity_engines):
    duck, spark = parity_engines
    model = load_model(EXAMPLE_MODEL)
    exps = [parse_experience(s) for s in ["slow:shipping>5d", "loop:troubleshooting", "low:delivery_csat<=3"]]
    outcome = Outcome("promoter", ("payment",))
    a, b = (customer_features(e, model, exps, outcome).astype({"revenue": float}) for e in (duck, spark))
    assert_same(a, b)
    scope = ["shipping", "support_contact", "troubleshooting"]
    assert wait_experiences(duck, scope, 30) == wait_experiences(spark, scope, 30)
    a, b = (_support_rows(e, model, ["support_contact"], Filters(), 0.95) for e in (duck, spark))
    assert_same(a, b)
    chain = from_touchpoint_costs(model)
    a, b = (value_chain(e, model, chain) for e in (duck, spark))
    assert_same(a.table, b.table)
    assert_same(a.customers, b.customers)


def test_moments_of_truth_match(parity_engines):
    """Default experiences (with the data-driven waits and loops), fit and bootstrap: the same table."""
    duck, spark = parity_engines
    model = load_model(EXAMPLE_MODEL)
    a, b = (moments_of_truth(e, model, "churned", replicates=200, min_exposed=20) for e in (duck, spark))
    assert len(a.table) >= 3
    assert_same(a.table, b.table)
