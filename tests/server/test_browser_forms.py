"""The dashboard's forms in real headless Chromium: upload a file, record plan progress (write token).

Runs on a workspace of its own (the forms change it); screenshots under test-artifacts/.
"""

from __future__ import annotations

import pytest

from journeykit.server.app import create_app
from journeykit.server.plans import PlanStore
from journeykit.server.tokens import TokenStore
from journeykit.workspace import Workspace
from tests.server.browser import console_errors, drawn_charts, live_server, log_in, screenshot, wait
from tests.server.conftest import SUPPORT_PLAN
from tests.server.test_uploads import BAD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    path = tmp_path_factory.mktemp("forms") / "ws"
    Workspace.init(path).close()
    PlanStore(path).put("support", SUPPORT_PLAN)
    return path


@pytest.fixture(scope="module")
def writer(driver, workspace):
    """The browser logged in with a write token to the workspace's live server; yields the base URL."""
    token, _ = TokenStore(workspace).create("write")
    with live_server(create_app(workspace)) as url:
        log_in(driver, url, token, "/upload")
        yield url


def test_upload_form_shows_counts_and_rejected_rows(driver, writer, tmp_path):
    console_errors(driver)
    source = tmp_path / "mixed.csv"
    source.write_bytes(BAD)
    driver.get(writer + "/upload")
    driver.find_element("id", "upload-file").send_keys(str(source))
    driver.find_element("id", "upload").click()
    report = wait(driver, lambda d: d.find_elements("id", "upload-report"))[0]
    counts = {key: driver.find_element("id", f"count-{key}").text for key in ("rows_read", "accepted", "rejected")}
    assert counts == {"rows_read": "5", "accepted": "2", "rejected": "3"}
    rows = report.find_elements("css selector", "#rejects tbody tr")
    assert [r.find_elements("tag name", "td")[0].text for r in rows] == ["2", "3", "4"]
    assert "not a time" in rows[1].text
    screenshot(driver, "form-upload")
    assert console_errors(driver) == []


def test_progress_form_records_progress_and_redraws_the_fever_chart(driver, writer):
    console_errors(driver)
    driver.get(writer + "/plans")
    wait(driver, lambda d: d.find_elements("css selector", "#panel-plans-fever .error"))  # no progress yet
    for activity, remaining in (("triage", "0"), ("fix", "3")):
        field = driver.find_element("css selector", f'input[aria-label="remaining of {activity}"]')
        field.clear()
        field.send_keys(remaining)
    driver.find_element("name", "as_of").send_keys("2")
    driver.find_element("id", "record-progress").click()
    message = wait(driver, lambda d: d.find_elements("id", "progress-message"))[0]
    assert "Recorded 2 activities of 'support'" in message.text and "project buffer" in message.text
    drawn_charts(driver, 5)
    fever = driver.execute_script(
        "const p = document.querySelector('#panel-plans-fever .js-plotly-plot'); return p && p.data.length")
    assert fever and not driver.find_elements("css selector", ".panel .error")
    screenshot(driver, "form-plan-progress")
    driver.execute_script("document.getElementById('panel-plans-fever').scrollIntoView()")
    screenshot(driver, "form-plan-progress-fever")
    assert console_errors(driver) == []


def test_refused_progress_is_shown_in_the_page(driver, writer):
    console_errors(driver)
    driver.get(writer + "/plans")
    driver.find_element("id", "record-progress").click()  # prefilled remaining, but no status time
    alert = wait(driver, lambda d: d.find_elements("css selector", "#progress .error"))[0]
    assert "either as a date or as plan units" in alert.text
    screenshot(driver, "form-plan-progress-refused")
    assert [e for e in console_errors(driver) if "400" not in e] == []  # the page itself answers 400
