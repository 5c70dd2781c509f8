"""How filters describe themselves in titles, notes and result params."""

from __future__ import annotations

import pytest

from journeykit.engine import Filters
from journeykit.engine.filters import FilterError


def test_describe_lists_values_without_python_reprs():
    filters = Filters(start="2025-03-01", segment={"segment": ["business", "retail"], "tier": "gold"}, channel=["web"])
    assert filters.describe() == "2025-03-01 to …, segment=business|retail, tier=gold, channel=web"


def test_describe_sorts_a_set_and_says_all_data_when_empty():
    assert Filters(channel={"web", "app"}).describe() == "channel=app|web"
    assert Filters().describe() == "all data"


def test_a_reversed_or_empty_date_range_is_refused_with_both_dates():
    for start, end in (("2013-01-01", "2012-01-01"), ("2013-01-01", "2013-01-01")):
        with pytest.raises(FilterError, match=f"start {start} is not before end {end}"):
            Filters(start=start, end=end)
    assert Filters(start="2012-01-01", end="2012-01-01T00:00:01").describe() == "2012-01-01 to 2012-01-01T00:00:01"
