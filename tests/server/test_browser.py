"""The dashboard in real headless Chromium: log in, open every page, apply filters, charts drawn, no errors.

Screenshots are saved under test-artifacts/.
"""

from __future__ import annotations

import pytest

from journeykit.server.app import create_app
from journeykit.server.pages.catalog import visible_pages
from tests.server.browser import console_errors, drawn_charts, live_server, log_in, screenshot, wait

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(demo_path):
    with live_server(create_app(demo_path)) as url:
        yield url


@pytest.fixture(scope="module")
def logged_in(driver, base_url, tokens):
    log_in(driver, base_url, tokens["read"], "/journey-map")
    cookie = driver.get_cookie("jk_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    return driver


def _slug(page) -> str:
    return page.path.strip("/") or "overview"


@pytest.mark.parametrize("page", visible_pages(), ids=_slug)
def test_every_page_draws_its_charts_without_console_errors(logged_in, base_url, page):
    console_errors(logged_in)
    logged_in.get(base_url + page.path)
    charts = drawn_charts(logged_in, len(page.panels))
    assert len(charts) >= len(page.panels)
    assert not logged_in.find_elements("css selector", ".panel .error")
    screenshot(logged_in, f"page-{_slug(page)}")
    assert console_errors(logged_in) == []


def _change_and_redraw(driver, name: str, value: str) -> list[str]:
    """Select ``value`` in the form's ``name`` field; wait for HTMX to swap in a new chart; its node labels."""
    from selenium.webdriver.support.ui import Select

    driver.execute_script("document.querySelector('.js-plotly-plot').dataset.stale = '1'")
    Select(driver.find_element("name", name)).select_by_visible_text(value)
    wait(driver, lambda d: d.execute_script(
        "const p = document.querySelector('.js-plotly-plot'); return p && !p.dataset.stale && (p.data || []).length"))
    return driver.execute_script("return document.querySelector('.js-plotly-plot').data[0].text")


def test_filter_and_option_changes_redraw_the_journey_map(logged_in, base_url, demo_path):
    from journeykit.workspace import Workspace

    model = Workspace.open(demo_path).model
    logged_in.get(base_url + "/journey-map")
    drawn_charts(logged_in, 1)
    stages = set(_change_and_redraw(logged_in, "level", "stage"))
    assert stages == {s.name for s in model.stages}
    email = set(_change_and_redraw(logged_in, "channel", "email"))
    assert email and email <= {t.stage for t in model.touchpoints if t.channel == "email"} < stages
    screenshot(logged_in, "journey-map-stage-email")
    assert console_errors(logged_in) == []


def test_date_filter_submit_keeps_the_filter_in_the_url(logged_in, base_url):
    logged_in.get(base_url + "/?start=2025-06-01&end=2025-09-01")
    assert logged_in.find_element("name", "start").get_attribute("value") == "2025-06-01"
    drawn_charts(logged_in, 1)
    assert console_errors(logged_in) == []


@pytest.mark.parametrize("path", ["/value-chain", "/live-cases"])
def test_section_pages_redraw_with_a_filter(logged_in, base_url, path):
    from selenium.webdriver.common.keys import Keys

    console_errors(logged_in)
    logged_in.get(base_url + path)
    drawn_charts(logged_in, 1)
    logged_in.find_element("name", "segment").send_keys("segment=business", Keys.TAB)
    scope = wait(logged_in, lambda d: d.find_elements("css selector", ".panel .scope"))
    assert "Filtered: segment=" in scope[0].text
    drawn_charts(logged_in, 1)
    assert not logged_in.find_elements("css selector", ".panel .error")
    screenshot(logged_in, f"page-{path.strip('/')}-business")
    assert console_errors(logged_in) == []
