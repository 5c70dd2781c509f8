"""Every dashboard page honours the date-range, segment and channel filters, or says why they do not apply."""

from __future__ import annotations

import html
import json
import re

import pandas as pd

from journeykit import analytics
from journeykit.engine import Filters
from journeykit.server.filtered import filtered
from journeykit.server.pages.catalog import visible_pages
from tests.server.conftest import SUPPORT_PLAN

FILTER_FIELDS = ('name="start"', 'name="end"', 'name="segment"', 'name="channel"')
BUSINESS = {"segment": "segment=business"}


def _note(page_html: str) -> str:
    return html.unescape(re.search(r'<p class="note" id="filters-note">([^<]+)</p>', page_html).group(1))


def test_every_page_has_the_filters_or_says_they_do_not_apply(session):
    for page in visible_pages():
        text = session.get(page.path).text
        has_fields = all(field in text for field in FILTER_FIELDS)
        assert has_fields == page.takes_filters, page.path
        assert _note(text) == page.filters, page.path
        if not page.takes_filters:
            assert "do not apply" in page.filters, page.path
    pages = {p.path: p for p in visible_pages()}
    assert pages["/value-chain"].takes_filters and pages["/live-cases"].takes_filters
    assert not pages["/plans"].takes_filters


def test_filtered_view_equals_the_librarys_filters(client):
    filters = Filters(start="2025-03-01", end="2025-09-01", segment={"segment": ["business"]}, channel=["web"])
    with client.app.state.db.cursor() as ws:
        view, engine = filtered(ws, filters)
        assert not engine.read_filtered
        got = analytics.transitions(view.engine).table
        assert engine.read_filtered
        expected = analytics.transitions(ws.engine, filters=filters).table
        everything = analytics.transitions(ws.engine).table
        assert view.engine.count("rejects") == ws.engine.count("rejects")  # only events and responses are filtered
    pd.testing.assert_frame_equal(got, expected)
    assert got["count"].sum() < everything["count"].sum()


def _figures(text: str, name: str) -> list[dict]:
    blocks = re.findall(rf'<script type="application/json" id="fig-{name}-\d+">(.*?)</script>', text, re.DOTALL)
    return [json.loads(b) for b in blocks]


def _annotations(figure: dict) -> list[str]:
    return [a["text"] for a in figure["layout"].get("annotations", [])]


def test_value_chain_panel_costs_the_filtered_events(session):
    everything = session.get("/panels/sections/value_chain").text
    business = session.get("/panels/sections/value_chain", params=BUSINESS).text
    assert 'class="error"' not in business
    assert "Filtered: segment=" in html.unescape(business) and "Filtered:" not in everything
    chain_all, chain_business = _figures(everything, "value_chain")[0], _figures(business, "value_chain")[0]
    assert _annotations(chain_all) != _annotations(chain_business)


def _as_of(text: str) -> pd.Timestamp:
    return pd.Timestamp(re.search(r"open cases as of (\S+ \S+)", text).group(1))


def test_live_cases_panel_is_as_of_the_end_of_the_date_range(session):
    everything = session.get("/panels/sections/ccpm").text
    until = session.get("/panels/sections/ccpm", params={"end": "2025-09-01"}).text
    assert 'class="error"' not in until and "Filtered: … to 2025-09-01" in html.unescape(until)
    assert _as_of(until) < pd.Timestamp("2025-09-01", tz="UTC") < _as_of(everything)


def test_sections_report_invalid_filters_in_the_panel(session):
    response = session.get("/panels/sections/value_chain", params={"start": "yesterday"})
    assert response.status_code == 200 and 'class="error"' in response.text and "start" in response.text


def test_a_reversed_date_range_is_reported_in_the_panel_and_the_page_still_renders(session):
    dates = {"start": "2025-09-01", "end": "2025-08-01"}
    panel = session.get("/panels/sections/value_chain", params=dates)
    assert panel.status_code == 200 and 'class="error"' in panel.text and "date range is empty" in panel.text
    assert session.get("/value-chain", params=dates).status_code == 200


def test_filters_do_not_apply_to_a_plan_file_and_the_panel_says_so(write_session, empty_workspace):
    import yaml

    (empty_workspace[0] / "plan.yaml").write_text(yaml.safe_dump(SUPPORT_PLAN))
    plain = write_session.get("/panels/sections/ccpm").text
    assert "Critical chain plan" in plain and "do not apply" not in plain
    text = html.unescape(write_session.get("/panels/sections/ccpm", params=BUSINESS).text)
    assert "Critical chain plan" in text and "The filters (segment=" in text and "do not apply here" in text


def test_overview_tiles_count_the_filtered_events(session, client):
    everything = session.get("/").text
    business = session.get("/", params=BUSINESS).text

    def events(text: str) -> int:
        return int(re.search(r"<span>events</span><strong>([\d,]+)</strong>", text).group(1).replace(",", ""))

    with client.app.state.db.cursor() as ws:
        expected = ws.engine.execute(Filters(segment={"segment": ["business"]}).apply(ws.engine.events).count())
    assert events(business) == expected < events(everything)
    assert "Events and responses: segment=" in html.unescape(business)
