"""How filters describe themselves in titles, notes and result params."""

from __future__ import annotations

from journeykit.engine import Filters


def test_describe_lists_values_without_python_reprs():
    filters = Filters(start="2025-03-01", segment={"segment": ["business", "retail"], "tier": "gold"}, channel=["web"])
    assert filters.describe() == "2025-03-01 to …, segment=business|retail, tier=gold, channel=web"


def test_describe_sorts_a_set_and_says_all_data_when_empty():
    assert Filters(channel={"web", "app"}).describe() == "channel=app|web"
    assert Filters().describe() == "all data"
