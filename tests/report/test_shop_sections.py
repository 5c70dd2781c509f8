"""Sections of a simulated e-commerce workspace: the value chain's tables and labels, the feedback intro."""

from __future__ import annotations

import copy

import pytest
import yaml

from journeykit.report.sections import feedback, funnel, kpis, value_chain
from journeykit.workspace import EXAMPLE_VALUE_CHAIN


def test_default_value_chain_shows_costs_not_minutes(shop):
    section = value_chain.build(shop)
    captions = [caption for caption, _ in section.tables]
    assert captions == ["Prioritised improvements", "Cost and value per touchpoint", "Stages"]  # no Resources
    assert section.notes[0].startswith("No value_chain.yaml in the workspace")
    assert "cost per interaction in the journey model" in section.intro and "minutes" not in section.intro
    table = section.tables[1][1].set_index("touchpoint")
    assert table.loc["shipping", "unit_cost"] == shop.model.touchpoint_by_name["shipping"].cost
    assert (table["customer_clv"] > 0).sum() >= 10  # filled from the lifetime values of the report
    assert "lifetime value" in section.intro


def _with_chain(ws, chain: dict):
    (ws.path / value_chain.VALUE_CHAIN_FILE).write_text(yaml.safe_dump(chain), encoding="utf-8")
    try:
        return value_chain.build(ws)
    finally:
        (ws.path / value_chain.VALUE_CHAIN_FILE).unlink()


def test_value_chain_file_resources(shop):
    chain = yaml.safe_load(EXAMPLE_VALUE_CHAIN.read_text(encoding="utf-8"))
    section = _with_chain(shop, chain)
    assert "Time-driven activity-based costing" in section.intro
    resources = dict(section.tables)["Resources"]
    assert list(resources.columns) == ["resource", "rate", "capacity_minutes", "used_minutes", "used_cost",
                                       "utilisation", "unused_minutes", "unused_cost"]
    used_cost = resources["used_minutes"] * resources["rate"]
    assert resources["used_cost"].to_numpy() == pytest.approx(used_cost.to_numpy())
    per_minute = copy.deepcopy(chain)  # every resource paid per minute: no capacity columns
    per_minute["resources"] = [{"name": r["name"], "cost_per_minute": 1.0} for r in chain["resources"]]
    section = _with_chain(shop, per_minute)
    resources = dict(section.tables)["Resources"]
    assert list(resources.columns) == ["resource", "rate", "used_minutes", "used_cost"]
    assert any("no utilisation" in n for n in section.notes)


def test_feedback_intro_says_what_nps_impact_compares(shop):
    section = feedback.build(shop)
    assert "overall NPS" not in section.intro
    assert "NPS of the NPS respondents who left a comment minus the NPS of those among them" in section.intro


def test_funnel_intro_names_the_funnels_shown(shop):
    intro = funnel.build(shop).intro
    assert "stages awareness -> consideration -> purchase -> post-purchase -> loyalty (window 90 days)" in intro
    steps = "product_view -> cart_add -> checkout -> payment -> order_confirmation"
    assert f"purchase steps {steps} (window 7 days)" in intro


def test_kpi_intro_explains_the_kinds_of_the_surveys(shop):
    intro = kpis.build(shop).intro
    assert intro.startswith("Survey KPIs with 95% confidence intervals: NPS, promoters (9-10) minus detractors")
    assert "; CSAT, the share of the top two answers" in intro and "; CES, the mean score" in intro
    assert "custom scores" not in intro  # the shop has no custom survey
    assert intro.endswith("purchasers with no event in the last 90 days of the data.")
