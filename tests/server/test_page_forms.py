"""The dashboard's forms over the test client: plan progress and uploads (write scope, CSRF, errors shown)."""

from __future__ import annotations

import html
import re

import pytest

from journeykit.server.auth import CSRF_COOKIE
from journeykit.server.tokens import TokenStore
from tests.server.conftest import CSRF_INPUT, SUPPORT_PLAN, login
from tests.server.test_uploads import BAD, GOOD

#: The support plan with a calendar and a start date (dated progress).
DATED_PLAN = {**SUPPORT_PLAN, "start": "2026-01-05", "calendar": {"workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"]}}


@pytest.fixture()
def plans(write_session):
    for name, plan in (("support", SUPPORT_PLAN), ("dated", DATED_PLAN)):
        assert write_session.put(f"/api/v1/plans/{name}", json=plan).status_code == 200
    return write_session


def _progress(client, plan: str, remaining: dict[str, str], **when: str):
    data = {"plan": plan, "csrf_token": client.cookies[CSRF_COOKIE], "activity": list(remaining),
            "remaining": list(remaining.values()), **when}
    return client.post("/plans/progress", data=data)


def _fever_rows(client, plan: str) -> list[dict]:
    response = client.get(f"/api/v1/plans/{plan}/fever")
    return response.json()["rows"] if response.status_code == 200 else []


def test_plans_page_lists_the_selected_plans_activities_with_the_last_remaining(plans):
    page = plans.get("/plans", params={"plan": "support"})
    assert page.status_code == 200 and 'id="progress-form"' in page.text
    assert re.findall(r'name="activity" value="([^"]+)"', page.text) == ["triage", "fix", "docs", "reply"]
    _progress(plans, "support", {"triage": "0", "fix": "3", "docs": "", "reply": ""}, as_of="2")
    page = plans.get("/plans", params={"plan": "support"})
    assert re.findall(r'name="remaining"[^>]*value="([^"]*)"', page.text) == ["0", "3", "", ""]


def test_progress_form_records_a_report_and_shows_the_buffer_status(plans):
    first = _progress(plans, "support", {"triage": "0", "fix": "3", "docs": "", "reply": ""}, as_of="2")
    assert first.status_code == 200 and 'id="progress-message"' in first.text, first.text[:2000]
    second = _progress(plans, "support", {"triage": "0", "fix": "1", "docs": "0", "reply": ""}, as_of="5")
    rows = _fever_rows(plans, "support")
    assert [r["as_of"] for r in rows] == [2.0, 5.0]
    latest = rows[-1]
    message = html.unescape(re.search(r'id="progress-message">([^<]+)<', second.text).group(1))
    assert "Recorded 3 activities of 'support'" in message
    assert f"chain {latest['completion']:.0%} complete" in message and latest["zone"] in message
    assert 'hx-get="/panels/plans/fever"' in second.text  # the fever chart is drawn again with the new report


def test_dated_progress_is_recorded_as_of_the_date(plans):
    response = _progress(plans, "dated", {"triage": "0", "fix": "2"}, date="2026-01-08")
    assert response.status_code == 200 and "as of 2026-01-08" in response.text
    assert [r["as_of"] for r in _fever_rows(plans, "dated")] == [3.0]


@pytest.mark.parametrize(
    ("plan", "remaining", "when", "message"),
    [
        ("support", {"nope": "1"}, {"as_of": "1"}, "nope"),
        ("dated", {"triage": "1"}, {"date": "2025-12-01"}, "before the plan starts"),
        ("support", {"triage": "-1"}, {"as_of": "1"}, "greater than or equal to 0"),
        ("support", {"triage": "x"}, {"as_of": "1"}, "activity 'triage'"),
        ("support", {"triage": "1"}, {}, "either as a date or as plan units"),
        ("support", {"triage": "1"}, {"as_of": "1", "date": "2026-01-08"}, "either as a date or as plan units"),
        ("support", {"triage": "", "fix": ""}, {"as_of": "1"}, "at least one activity"),
        ("missing", {"triage": "1"}, {"as_of": "1"}, "no plan named 'missing'"),
    ],
)
def test_refused_progress_shows_why_in_the_page_and_stores_nothing(plans, plan, remaining, when, message):
    response = _progress(plans, plan, remaining, **when)
    assert response.status_code == 400
    errors = re.findall(r'<p class="error" role="alert">([^<]+)</p>', response.text)
    assert len(errors) == 1 and message in html.unescape(errors[0])
    assert _fever_rows(plans, "support") == [] and _fever_rows(plans, "dated") == []


def test_progress_form_needs_csrf_and_write_scope(plans, empty_workspace):
    no_csrf = plans.post("/plans/progress", data={"plan": "support", "activity": ["triage"], "remaining": ["0"],
                                                  "as_of": "1"})
    assert no_csrf.status_code == 403
    read_token, _ = TokenStore(empty_workspace[0]).create("read")
    plans.cookies.clear()
    assert login(plans, read_token).status_code == 303
    page = plans.get("/plans")
    assert 'id="progress-form"' not in page.text and "needs a token with the <code>write</code> scope" in page.text
    refused = _progress(plans, "support", {"triage": "0"}, as_of="1")
    assert refused.status_code == 403 and "needs 'write'" in html.unescape(refused.text)
    assert _fever_rows(plans, "support") == []


def _upload(client, name: str, body: bytes, **fields: str):
    data = {"csrf_token": client.cookies[CSRF_COOKIE], **fields}
    return client.post("/upload", data=data, files={"file": (name, body, "text/csv")})


def _events(client) -> int:
    return client.get("/api/v1/workspace").json()["counts"]["events"]


def test_upload_form_shows_counts_and_the_rejected_rows_with_reasons(write_session):
    page = write_session.get("/upload")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert CSRF_INPUT.search(page.text).group(1) == write_session.cookies[CSRF_COOKIE]
    response = _upload(write_session, "mixed.csv", BAD)
    assert response.status_code == 200, response.text[:1000]
    counts = dict(re.findall(r'id="count-(\w+)">([\d,]+)<', response.text))
    assert counts == {"rows_read": "5", "accepted": "2", "new": "2", "duplicates": "0", "rejected": "3"}
    rejects = re.findall(r"<tr><td>(\d+)</td><td>(\w*)</td><td>([^<]+)</td><td><code>([^<]*)</code>", response.text)
    assert [(row, column) for row, column, _, _ in rejects] == [("2", "customer_id"), ("3", "timestamp"), ("4", "value")]
    assert "not a time" in rejects[1][2] and "not a time" in rejects[1][3]
    assert _events(write_session) == 2


def test_upload_form_takes_the_options_and_responses(write_session):
    body = b"who,when,what\nc9,02/01/2025 10:00,product_view\n"
    events = _upload(write_session, "custom.csv", body, map="customer=who,timestamp=when,event=what",
                     timestamp_format="%d/%m/%Y %H:%M", timezone="Europe/Rome")
    assert 'id="count-accepted">1<' in events.text
    nps = b"customer_id,timestamp,score\nc1,2025-01-01T00:00:00Z,9\nc2,2025-01-01T00:00:00Z,11\n"
    responses = _upload(write_session, "nps.csv", nps, target="responses", survey="nps")
    assert 'id="count-accepted">1<' in responses.text and 'id="count-rejected">1<' in responses.text
    assert write_session.get("/api/v1/workspace").json()["counts"]["responses"] == 1


def test_unreadable_upload_shows_why_and_changes_nothing(write_session):
    _upload(write_session, "first.csv", GOOD)
    response = _upload(write_session, "events.xlsx", GOOD)
    assert response.status_code == 400 and 'role="alert"' in response.text and "xlsx" in response.text
    assert 'id="upload-report"' not in response.text
    assert _events(write_session) == 2


def test_upload_form_needs_csrf_and_write_scope(write_session, empty_workspace):
    assert write_session.post("/upload", files={"file": ("e.csv", GOOD)}).status_code == 403
    read_token, _ = TokenStore(empty_workspace[0]).create("read")
    write_session.cookies.clear()
    assert login(write_session, read_token).status_code == 303
    assert 'id="upload-form"' not in write_session.get("/upload").text
    refused = _upload(write_session, "e.csv", GOOD)
    assert refused.status_code == 403 and "uploads need 'write'" in html.unescape(refused.text)
    assert _events(write_session) == 0
