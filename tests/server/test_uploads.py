"""Uploads: same validation and reject accounting as the CLI, atomic, size-limited, streamed, non-blocking."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from journeykit.server import db as server_db
from journeykit.server.api import workspace as workspace_api
from tests.server.conftest import MAX_UPLOAD

GOOD = b"customer_id,timestamp,event,value\nc1,2025-01-01T10:00:00Z,product_view,\nc1,2025-01-01T10:05:00Z,cart_add,\n"
BAD = (
    b"customer_id,timestamp,event,value\n"
    b"c1,2025-01-01T10:00:00Z,product_view,\n"   # row 1: fine
    b",2025-01-01T10:00:00Z,product_view,\n"     # row 2: no customer
    b"c2,not a time,product_view,\n"             # row 3: bad timestamp
    b"c3,2025-01-02T00:00:00Z,payment,abc\n"     # row 4: value not a number
    b"c4,2025-01-02T00:00:00Z,cart_add,12.5\n"   # row 5: fine
)


def _counts(client) -> dict[str, int]:
    return client.get("/api/v1/workspace").json()["counts"]


def test_good_upload_is_ingested(empty_app):
    _, client = empty_app
    response = client.post("/api/v1/uploads/events", files={"file": ("events.csv", GOOD, "text/csv")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows_read"], report["accepted"], report["new"], report["rejected"]) == (2, 2, 2, 0)
    assert _counts(client)["events"] == 2
    again = client.post("/api/v1/uploads/events", files={"file": ("events.csv", GOOD, "text/csv")}).json()
    assert (again["accepted"], again["duplicates"], again["new"]) == (2, 2, 0)  # idempotent, like the CLI


def test_bad_rows_are_rejected_with_row_level_reasons(empty_app):
    _, client = empty_app
    report = client.post("/api/v1/uploads/events", files={"file": ("mixed.csv", BAD)}).json()
    assert report["rows_read"] == report["accepted"] + report["rejected"] == 5
    assert report["accepted"] == 2 and report["rejected"] == 3
    rejects = {r["row_number"]: r for r in report["rejects"]}
    assert set(rejects) == {2, 3, 4}
    assert "customer" in rejects[2]["reason"].lower()
    assert "not a time" in rejects[3]["reason"] and rejects[3]["column"] == "timestamp"
    assert rejects[4]["column"] == "value"
    assert sum(r["rows"] for r in report["rejects_by_reason"]) == 3
    # the server's temporary folder shows nowhere: the upload is known by its own name
    assert all(r["first"].startswith("mixed.csv row ") for r in report["rejects_by_reason"])
    info = client.get("/api/v1/workspace").json()
    assert info["counts"]["events"] == 2 and info["counts"]["rejects"] == 3


def test_an_unreadable_upload_is_a_400_naming_the_file_not_the_servers_folder(empty_app):
    _, client = empty_app
    response = client.post("/api/v1/uploads/events", files={"file": ("excel.csv", b"customer_id,timestamp,event\n\xe9\n")})
    assert response.status_code == 400
    assert response.json()["detail"] == "excel.csv: line 2 (data row 1) is not UTF-8 text; save the file as UTF-8 " \
        "(in Excel: 'CSV UTF-8')"


def test_mapping_and_options_are_applied(empty_app):
    _, client = empty_app
    body = b"who;when;what\nc9;02/01/2025 10:00;product_view\n"
    response = client.post(
        "/api/v1/uploads/events",
        files={"file": ("custom.csv", body.replace(b";", b","))},
        data={"map": "customer=who,timestamp=when,event=what", "timestamp_format": "%d/%m/%Y %H:%M",
              "timezone": "Europe/Rome"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 1


@pytest.mark.parametrize(
    ("name", "body", "data", "message"),
    [
        ("events.xlsx", GOOD, {}, "xlsx"),
        ("events.csv", b"who,when\nc1,2025-01-01\n", {}, "customer"),
        ("events.csv", GOOD, {"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ("events.csv", GOOD, {"map": "customer"}, "FIELD=COLUMN"),
    ],
)
def test_failed_upload_leaves_the_data_unchanged(empty_app, name, body, data, message):
    _, client = empty_app
    client.post("/api/v1/uploads/events", files={"file": ("first.csv", GOOD)})
    before = _counts(client)
    response = client.post("/api/v1/uploads/events", files={"file": (name, body)}, data=data)
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]
    assert _counts(client) == before


def test_responses_upload_validates_scores(empty_app):
    _, client = empty_app
    body = b"customer_id,timestamp,score\nc1,2025-01-01T00:00:00Z,9\nc2,2025-01-01T00:00:00Z,11\n"
    report = client.post("/api/v1/uploads/responses", files={"file": ("nps.csv", body)}, data={"survey": "nps"}).json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["rejects"][0]["row_number"] == 2 and report["rejects"][0]["column"] == "score"


def _csv_rows(n: int) -> bytes:
    return b"customer_id,timestamp,event\n" + b"".join(
        b"c%d,2025-01-%02dT10:00:00Z,product_view\n" % (i, 1 + i % 28) for i in range(n)
    )


def test_body_over_the_limit_is_413_and_not_ingested(empty_app):
    _, client = empty_app
    body = _csv_rows(MAX_UPLOAD // 30)
    assert len(body) > MAX_UPLOAD
    response = client.post("/api/v1/uploads/events", files={"file": ("big.csv", body)})
    assert response.status_code == 413
    _assert_security_headers(response)  # made outside the app's middleware: they were missing
    assert _counts(client)["events"] == 0


def _assert_security_headers(response) -> None:
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"


def test_an_unexpected_error_is_a_500_with_the_security_headers(empty_app, monkeypatch):
    app, client = empty_app

    def broken(_ws):
        raise RuntimeError("boom")

    monkeypatch.setattr(workspace_api, "workspace_summary", broken)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as plain:
        plain.headers.update(client.headers)
        response = plain.get("/api/v1/workspace")
    assert response.status_code == 500 and "boom" not in response.text
    _assert_security_headers(response)


def test_large_upload_is_streamed_in_chunks(empty_app):
    """A chunked body (no Content-Length) just under the limit is spooled and ingested whole."""
    _, client = empty_app
    rows = (MAX_UPLOAD - 4096) // 48
    payload = _csv_rows(rows)
    boundary = "jkboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks():
        yield head
        for i in range(0, len(payload), 64 * 1024):
            yield payload[i:i + 64 * 1024]
        yield tail

    response = client.post(
        "/api/v1/uploads/events", content=chunks(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["rows_read"] == response.json()["accepted"] == rows


def test_chunked_body_over_the_limit_is_cut_off(empty_app):
    _, client = empty_app
    payload = _csv_rows(MAX_UPLOAD // 25)

    def chunks():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
        for i in range(0, len(payload), 64 * 1024):
            yield payload[i:i + 64 * 1024]
        yield b"\r\n--b--\r\n"

    response = client.post(
        "/api/v1/uploads/events", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 413
    assert _counts(client)["events"] == 0


def test_reads_are_answered_while_an_upload_is_being_ingested(empty_app, monkeypatch):
    """The ingest pauses mid-transaction; a read meanwhile answers at once with the data before the upload."""
    _, client = empty_app
    client.post("/api/v1/uploads/events", files={"file": ("first.csv", GOOD)})
    staged, release = threading.Event(), threading.Event()
    real = server_db.ingest_files

    def paused_ingest(ws, paths, options):
        def on_progress(*_):
            staged.set()
            assert release.wait(30)

        return real(ws, paths, options, on_progress)

    monkeypatch.setattr(server_db, "ingest_files", paused_ingest)
    result: dict = {}
    upload = threading.Thread(
        target=lambda: result.update(r=client.post("/api/v1/uploads/events", files={"file": ("more.csv", _csv_rows(500))}))
    )
    upload.start()
    try:
        assert staged.wait(30), "the ingest did not start"
        assert _counts(client)["events"] == 2  # answered while the ingest transaction is open
    finally:
        release.set()
        upload.join(60)
    assert result["r"].status_code == 200 and result["r"].json()["new"] == 500
    assert _counts(client)["events"] == 502
