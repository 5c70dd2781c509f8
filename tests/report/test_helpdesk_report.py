"""The report of a helpdesk support log: no costs, surveys or purchases, so no section or text about them."""

from __future__ import annotations

import re

from journeykit.report import build_sections, render_html
from journeykit.report.sections import value_chain
from tests.report.conftest import HELPDESK_MODEL, helpdesk_workspace

#: The prose of a rendered report: intros and notes.
PROSE = re.compile(r"<p class='(?:intro|note)'>(.*?)</p>", re.S)


def test_sections_describe_this_workspace_only(helpdesk):
    sections = {s.title: s for s in build_sections(helpdesk)}
    assert "Value chain" not in sections  # no value_chain.yaml and no touchpoint costs: no data
    assert "Customer lifetime value" not in sections and "Feedback themes" not in sections
    html = render_html(list(sections.values()))
    assert "<h2>Value chain</h2>" not in html and "Could not be computed" not in html
    prose = " ".join(PROSE.findall(html))
    for absent in ("purchase funnel", "product view", "product_view", "NPS", "CSAT", "CES", "repeat purchase"):
        assert absent not in prose
    assert "stages intake -> handling -> resolution (window 90 days)" in sections["Funnels"].intro
    kpis = sections["Customer experience KPIs"]
    assert kpis.intro == "Event KPIs are shares of customers with Wilson intervals: customers reaching each stage."
    assert [caption for caption, _ in kpis.tables] == ["Event KPIs (shares of customers)"]


def test_prose_timestamps_have_no_seconds(helpdesk):
    sections = build_sections(helpdesk)
    overview = sections[0]
    assert overview.intro.endswith("Events from 2024-01-02 08:40 to 2024-04-03 23:10 (UTC).")
    prose = " ".join(PROSE.findall(render_html(sections)))
    assert "not complete at the last observed event (2024-04-03 23:10)" in prose  # the cohort note
    assert re.findall(r"\d{2}:\d{2}:\d{2}|\+00:00", prose) == []


def test_a_broken_value_chain_file_is_still_reported(helpdesk):
    (helpdesk.path / value_chain.VALUE_CHAIN_FILE).write_text("name: broken\nresources: []\n", encoding="utf-8")
    try:
        section = value_chain.build(helpdesk)
    finally:
        (helpdesk.path / value_chain.VALUE_CHAIN_FILE).unlink()
    assert section.title == "Value chain" and section.notes[0].startswith("Could not be computed:")
    assert "invalid value chain" in section.notes[0]


def test_touchpoint_costs_without_purchases_leave_out_customer_clv(tmp_path):
    costed = HELPDESK_MODEL.replace("events: [Take in charge ticket]}", "events: [Take in charge ticket], cost: 4}")
    ws = helpdesk_workspace(tmp_path / "costed", costed)
    try:
        section = value_chain.build(ws)
    finally:
        ws.close()
    captions = [caption for caption, _ in section.tables]
    assert captions == ["Prioritised improvements", "Cost and value per touchpoint", "Stages"]  # no Resources
    table = section.tables[1][1].set_index("touchpoint")
    assert "customer_clv" not in table.columns
    assert table.loc["take_in_charge", "unit_cost"] == 4 and table.loc["take_in_charge", "interactions"] == 80
    why = "No customer_clv column: the journey model has no purchase touchpoint"
    assert any(n.startswith(why) for n in section.notes)
    assert "minutes per activity" not in section.intro and "moments of truth" not in section.intro
