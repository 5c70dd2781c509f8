"""Value chain: the YAML schema and its errors, TDABC costs on a hand-built log, the shipped example."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from journeykit.engine.frames import engine_from_frames
from journeykit.insight import moments_of_truth, parse_experience
from journeykit.insight.value_chain import value_chain
from journeykit.model.value_chain import (
    ValueChainError,
    from_touchpoint_costs,
    load_value_chain,
    parse_value_chain,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "value_chain.yaml"

CHAIN = {
    "name": "test chain",
    "period": "day",
    "resources": [
        {"name": "packers", "cost": 600, "capacity_minutes": 600},  # 1 per minute
        {"name": "agents", "cost": 100, "capacity_minutes": 50},  # 2 per minute
        {"name": "carrier", "cost_per_minute": 0.5},
    ],
    "activities": [
        {"name": "pack", "category": "outbound_logistics", "resources": {"packers": 5}, "direct_cost": 1, "touchpoints": ["shipping"]},
        {"name": "drive", "category": "outbound_logistics", "resources": {"carrier": 20}, "touchpoints": {"delivery": 1}},
        {"name": "help", "category": "service", "resources": {"agents": 10, "packers": 2}, "touchpoints": {"support_contact": 2}},
    ],
}


def _log() -> pd.DataFrame:
    t0 = pd.Timestamp("2025-01-01", tz="UTC")
    rows = []
    for i in range(10):  # ten orders over two days: 5 shipping + 5 deliveries per day
        start = t0 + pd.Timedelta(minutes=288 * i)
        rows += [(f"c{i}", start, "payment", 100.0), (f"c{i}", start + pd.Timedelta(hours=1), "shipping", None),
                 (f"c{i}", start + pd.Timedelta(hours=2), "delivery", None)]
    rows += [("c0", t0 + pd.Timedelta(hours=3), "support_contact", None), ("c9", t0 + pd.Timedelta(hours=48), "support_contact", None)]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint", "value"])


def test_tdabc_costs_capacity_and_cost_to_serve(model):
    chain = parse_value_chain(CHAIN, "chain.yaml", model)
    result = value_chain(engine_from_frames(_log()), model, chain)
    periods = result.params["periods"]
    assert periods == pytest.approx(2.0)  # the log spans exactly 48 hours: two days
    tp = result.table.set_index("touchpoint")
    # pack = 5 min x 1/min + 1 direct; drive = 20 x 0.5; help = 2 x (10 x 2 + 2 x 1)
    assert tp.loc["shipping", "unit_cost"] == 6 and tp.loc["delivery", "unit_cost"] == 10
    assert tp.loc["support_contact", "unit_cost"] == 44 and tp.loc["payment", "unit_cost"] == 0
    assert tp.loc["shipping", "per_period"] == 5 and tp.loc["shipping", "cost_per_period"] == 30
    assert tp.loc["payment", "revenue_per_period"] == 500 and tp.loc["shipping", "customer_revenue"] == 1000
    assert tp["cost_share"].sum() == pytest.approx(1)
    res = result.resources.set_index("resource")
    # packers: 5 shipping x 5 min + 1 contact x 2 x 2 min per day = 29 of 600
    assert res.loc["packers", "used_minutes"] == pytest.approx(29)
    assert res.loc["packers", "unused_cost"] == pytest.approx(571)
    assert res.loc["agents", "used_minutes"] == pytest.approx(20) and res.loc["agents", "utilisation"] == pytest.approx(0.4)
    assert pd.isna(res.loc["carrier", "capacity_minutes"]) and pd.isna(res.loc["carrier", "unused_cost"])
    customers = result.customers.set_index("customer_id")
    assert customers.loc["c0", "cost_to_serve"] == 6 + 10 + 44 and customers.loc["c0", "margin"] == 100 - 60
    assert customers.loc["c5", "cost_to_serve"] == 16
    stages = result.stages.set_index("stage")
    assert stages.loc["post-purchase", "cost_per_period"] == pytest.approx(30 + 50 + 44)
    assert stages.loc["purchase", "margin_per_period"] == 500
    activities = result.activities.set_index("activity")
    assert activities.loc["help", "per_period"] == pytest.approx(2 * 1)
    improvements = result.improvements
    assert improvements.iloc[0]["item"] == "packers" and improvements["rank"].tolist() == list(range(1, len(improvements) + 1))
    assert len(result.figure("chain").layout.annotations) == 10  # 4 support + 5 primary + margin
    assert len(result.figure("scatter").data) == 1


def test_example_value_chain_matches_the_ecommerce_model(model, engine):
    chain = load_value_chain(EXAMPLE, model)
    categories = {a.category for a in chain.activities}
    assert {"inbound_logistics", "operations", "outbound_logistics", "marketing_and_sales", "service",
            "infrastructure", "human_resources", "technology", "procurement"} == categories
    moments = moments_of_truth(engine, model, "churned", [parse_experience(s) for s in
                               ["slow:shipping>5d", "loop:troubleshooting", "visit:setup_help"]], replicates=100)
    result = value_chain(engine, model, chain, moments=moments)
    tp = result.table.set_index("touchpoint")
    assert tp.loc["shipping", "loyalty_lift"] > 15 and tp.loc["shipping", "revenue_at_stake"] > 0
    assert pd.isna(tp.loc["setup_help", "revenue_at_stake"])  # the placebo's odds ratio covers 1
    assert (result.resources["utilisation"] > 0).all()
    moment_items = result.improvements[result.improvements["action"].str.contains("moment of truth")]["item"]
    assert set(moment_items) == {"shipping", "troubleshooting"}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: c["activities"][1]["touchpoints"].update({"shiping": 1}),
         "chain.yaml: invalid value chain: activities[1].touchpoints.shiping: unknown touchpoint 'shiping'"),
        (lambda c: c["activities"][0]["resources"].update({"pakers": 1}),
         "activities[0].resources.pakers: unknown resource 'pakers'"),
        (lambda c: c["activities"][0].update({"category": "logistics"}), "activities[0].category: Input should be"),
        (lambda c: c["resources"][0].pop("capacity_minutes"),
         "resources[0].cost: give either cost and capacity_minutes per period, or cost_per_minute"),
        (lambda c: c["activities"][2]["resources"].update({"agents": -1}), "activities[2].resources.agents: must be >= 0"),
        (lambda c: c["resources"].append({"name": "agents", "cost_per_minute": 1}), "resources[3].name: duplicate name 'agents'"),
    ],
)
def test_bad_value_chains_name_the_key(model, change, message):
    import copy

    data = copy.deepcopy(CHAIN)
    for a in data["activities"]:
        if isinstance(a["touchpoints"], list):
            a["touchpoints"] = {t: 1 for t in a["touchpoints"]}
    change(data)
    with pytest.raises(ValueChainError) as info:
        parse_value_chain(data, "chain.yaml", model)
    assert message in str(info.value)


def test_touchpoint_costs_fallback(model):
    chain = from_touchpoint_costs(model)
    result = value_chain(engine_from_frames(_log()), model, chain)
    tp = result.table.set_index("touchpoint")
    assert tp.loc["shipping", "unit_cost"] == pytest.approx(model.touchpoint_by_name["shipping"].cost)
    assert result.resources["capacity_minutes"].isna().all()
