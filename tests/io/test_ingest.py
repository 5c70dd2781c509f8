"""Ingest: accounting, rejects, idempotence, formats, time zones."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeykit.errors import InputError, WorkspaceError
from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.workspace import Workspace
from tests.conftest import shared_file

CSV = """cust_id,ts,event,amount,segment
c1,2024-01-01T10:00:00Z,product_view,,consumer
c1,2024-01-01T10:00:00Z,cart_add,,consumer
c1,2024-01-01 10:05,payment_ok,59.9,consumer
c2,notadate,product_view,,business
,2024-01-02T10:00:00Z,product_view,,business
c3,2024-01-02T10:00:00Z,weird_event,abc,business
c4,2024-01-02T10:00:00Z,product_view,,business,extra
c1,2024-01-01T10:00:00Z,product_view,,consumer
"""
MAP = {"customer": "cust_id", "timestamp": "ts", "value": "amount"}
BIG_MAP = {"customer": "cust_id", "timestamp": "ts"}


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    w = Workspace.init(tmp_path / "ws")
    yield w
    w.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def events(ws: Workspace) -> pd.DataFrame:
    e = ws.engine.events
    return ws.engine.execute(e.order_by("seq"))


def rejects(ws: Workspace) -> pd.DataFrame:
    return ws.engine.execute(ws.engine.rejects.order_by("row_number"))


def test_mixed_file_counts_reconcile_and_reasons_are_specific(ws, tmp_path):
    path = write(tmp_path, "mixed.csv", CSV)
    r = ingest_files(ws, [path], IngestOptions(mapping=MAP))
    assert (r.rows_read, r.accepted, r.duplicates, r.rejected) == (8, 4, 0, 4)
    assert r.balanced
    rej = rejects(ws)
    assert rej.row_number.tolist() == [4, 5, 6, 7]
    assert rej.file.unique().tolist() == [str(path)]
    by_row = dict(zip(rej.row_number, zip(rej["column"], rej.reason)))
    assert by_row[4][0] == "ts" and "unparseable timestamp 'notadate'" in by_row[4][1]
    assert by_row[5] == ("cust_id", "missing customer id")
    assert by_row[6] == ("amount", "value 'abc' is not a number")
    assert "6 fields, expected 5" in by_row[7][1]
    # the raw row is kept
    assert json.loads(rej.raw[rej.row_number == 4].iloc[0])["ts"] == "notadate"
    ev = events(ws)
    # identical rows 1 and 8 are both kept (occurrence number in the id), input order in seq
    assert ev.event.tolist() == ["product_view", "cart_add", "payment_ok", "product_view"]
    assert ev.seq.tolist() == [1, 2, 3, 8]  # seq = input row; rejected rows leave gaps
    assert ev.event_id.nunique() == 4
    assert ev.touchpoint.tolist() == ["product_view", "cart_add", "payment", "product_view"]
    assert ev.stage.tolist() == ["consideration", "consideration", "purchase", "consideration"]
    assert ev.value.iloc[2] == pytest.approx(59.9)
    assert ev.attributes.iloc[0] == {"segment": "consumer"}
    assert str(ev.timestamp.dt.tz) == "UTC"


def test_reingest_adds_nothing(ws, tmp_path):
    path = write(tmp_path, "mixed.csv", CSV)
    ingest_files(ws, [path], IngestOptions(mapping=MAP))
    r = ingest_files(ws, [path], IngestOptions(mapping=MAP))
    assert (r.accepted, r.duplicates, r.new) == (4, 4, 0)
    assert len(events(ws)) == 4
    ingests = ws.engine.execute(ws.engine.table("ingests").order_by("ingest_id"))
    assert ingests.rows_read.tolist() == [8, 8]
    assert (ingests.accepted + ingests.rejected == ingests.rows_read).all()


def test_connection_settings_are_restored_after_ingest(ws, tmp_path):
    """The ingest's memory cap must not stay on a server's connection, nor may it switch the temporary
    directory (DuckDB refuses once one has been spilled to: a second ingest used to fail that way)."""
    con = ws.engine.backend.con
    settings = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order'), " \
               "current_setting('temp_directory')"
    before = con.execute(settings).fetchone()
    ingest_files(ws, [write(tmp_path, "mixed.csv", CSV)], IngestOptions(mapping=MAP, memory_limit="256MB"))
    assert con.execute(settings).fetchone() == before
    with pytest.raises(InputError):  # a failed ingest restores them too
        ingest_files(ws, [write(tmp_path, "bad.csv", "a,b\n1,2\n")], IngestOptions(memory_limit="256MB"))
    assert con.execute(settings).fetchone() == before


def test_out_of_memory_names_the_limit_and_stores_nothing(ws, tmp_path):
    path = write(tmp_path, "mixed.csv", CSV)
    ingest_files(ws, [path], IngestOptions(mapping=MAP))
    before = len(events(ws)), len(rejects(ws))
    big = write(tmp_path, "big.csv", "cust_id,ts,event\n" + "".join(
        f"c{i},2024-01-01T10:00:{i % 60:02d}Z,product_view\n" for i in range(20_000)))
    with pytest.raises(WorkspaceError, match=r"big.csv: the ingest of [\d,]+ rows ran out of its 1MB memory limit"):
        ingest_files(ws, [big], IngestOptions(mapping=BIG_MAP, memory_limit="1MB"))
    assert (len(events(ws)), len(rejects(ws))) == before
    with pytest.raises(InputError, match="--memory-limit: 'lots' is not a memory size"):
        ingest_files(ws, [big], IngestOptions(mapping=BIG_MAP, memory_limit="lots"))


def test_overlapping_exports_deduplicate_and_new_rows_continue_seq(ws, tmp_path):
    header = "customer_id,timestamp,event\n"
    a = write(tmp_path, "a.csv", header + "c1,2024-01-01T00:00:00Z,product_view\nc1,2024-01-02T00:00:00Z,cart_add\n")
    b = write(tmp_path, "b.csv", header + "c1,2024-01-02T00:00:00Z,cart_add\nc1,2024-01-03T00:00:00Z,checkout_start\n")
    ingest_files(ws, [a])
    r = ingest_files(ws, [b])
    assert (r.new, r.duplicates) == (1, 1)
    ev = events(ws)
    assert ev.event.tolist() == ["product_view", "cart_add", "checkout_start"]
    assert ev.seq.tolist() == [1, 2, 4]  # continues after the workspace's last seq, in input order


def test_strict_rejects_unknown_touchpoints(ws, tmp_path):
    path = write(tmp_path, "e.csv", "customer_id,timestamp,event\nc1,2024-01-01T00:00:00Z,mystery\n"
                 "c1,2024-01-01T00:00:00Z,support_chat\n")
    r = ingest_files(ws, [path], IngestOptions(strict=True))
    assert (r.accepted, r.rejected) == (1, 1)
    assert "event 'mystery' matches no touchpoint" in rejects(ws).reason.iloc[0]
    assert events(ws).touchpoint.tolist() == ["support_contact"]  # regex mapping
    # not strict: kept, unmapped
    r = ingest_files(ws, [path])
    assert events(ws).touchpoint.isna().sum() == 1


def test_timezones_and_formats(ws, tmp_path):
    path = write(tmp_path, "tz.csv", "customer_id,timestamp,event\nc1,2024-07-01 12:00:00,a\nc1,2024-07-01T12:00:00+02:00,b\n")
    ingest_files(ws, [path], IngestOptions(timezone="Europe/Rome"))
    ts = events(ws).timestamp.dt.strftime("%H:%M").tolist()
    assert ts == ["10:00", "10:00"]  # naive read in Rome (UTC+2 in July); explicit offsets honoured
    p2 = write(tmp_path, "fmt.csv", "customer_id,timestamp,event\nc2,01/07/2024 12:00,a\nc2,31/02/2024 12:00,b\n")
    r = ingest_files(ws, [p2], IngestOptions(timestamp_format="%d/%m/%Y %H:%M"))
    assert (r.accepted, r.rejected) == (1, 1)
    assert "format %d/%m/%Y %H:%M" in rejects(ws).reason.iloc[-1]
    p3 = write(tmp_path, "epoch.csv", "customer_id,timestamp,event\nc3,1700000000,a\n")
    ingest_files(ws, [p3], IngestOptions(timestamp_format="epoch"))
    assert events(ws).timestamp.iloc[-1] == pd.Timestamp("2023-11-14 22:13:20", tz="UTC")


def test_unknown_timezone_is_an_error_and_changes_nothing(ws, tmp_path):
    path = write(tmp_path, "tz.csv", "customer_id,timestamp,event\nc1,2024-07-01 12:00:00,a\n")
    with pytest.raises(InputError, match="unknown time zone 'Mars/Olympus'"):
        ingest_files(ws, [path], IngestOptions(timezone="Mars/Olympus"))
    assert ws.engine.count("events") == 0 and ws.engine.count("ingests") == 0


def test_missing_required_column_names_the_file_and_columns(ws, tmp_path):
    path = write(tmp_path, "x.csv", "who,when,what\na,2024-01-01,b\n")
    with pytest.raises(InputError, match=r"x.csv: no column for the required field 'customer'.*columns: who, when, what"):
        ingest_files(ws, [path])
    with pytest.raises(InputError, match="--map timestamp=nope: no such column"):
        ingest_files(ws, [path], IngestOptions(mapping={"customer": "who", "timestamp": "nope"}))


def test_failed_second_file_rolls_back_the_first(ws, tmp_path):
    good = write(tmp_path, "good.csv", "customer_id,timestamp,event\nc1,2024-01-01T00:00:00Z,a\n")
    bad = write(tmp_path, "bad.csv", "who\nx\n")
    with pytest.raises(InputError):
        ingest_files(ws, [good, bad])
    assert ws.engine.count("events") == 0
    assert ws.engine.count("rejects") == 0


def test_parquet_and_jsonl(ws, tmp_path):
    df = pd.DataFrame({
        "customer_id": ["a", "b", None],
        "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00", "2024-01-03 00:00"], utc=True),
        "event": ["product_view", "cart_add", "cart_add"],
        "value": [1.5, None, 2.0],
        "region": ["north", "south", "east"],
    })
    pq.write_table(pa.Table.from_pandas(df), tmp_path / "e.parquet")
    r = ingest_files(ws, [tmp_path / "e.parquet"])
    assert (r.accepted, r.rejected) == (2, 1)
    lines = [
        json.dumps({"customer_id": "j1", "timestamp": "2024-02-01T00:00:00Z", "event": "cart_add", "meta": {"x": 1}}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"customer_id": "j2", "timestamp": "2024-02-01T00:00:00Z", "event": "cart_add", "value": 3}),
    ]
    p = tmp_path / "e.jsonl.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    r = ingest_files(ws, [p])
    assert (r.rows_read, r.accepted, r.rejected) == (4, 2, 2)
    rej = ws.engine.execute(ws.engine.rejects.filter(ws.engine.rejects.ingest_id == r.ingest_id).order_by("row_number"))
    assert rej.row_number.tolist() == [2, 3]
    assert rej.reason.iloc[0].startswith("invalid JSON")
    ev = events(ws)
    assert ev[ev.customer_id == "j1"].attributes.iloc[0] == {"meta": '{"x": 1}'}


def test_responses_validated_against_survey_scales(ws, tmp_path):
    path = write(tmp_path, "r.csv", "customer_id,timestamp,survey,score,comment\n"
                 "c1,2024-01-01T00:00:00Z,nps,9,great\n"
                 "c1,2024-01-01T00:00:00Z,nps,11,\n"
                 "c1,2024-01-01T00:00:00Z,support_csat,0,\n"
                 "c1,2024-01-01T00:00:00Z,nope,3,\n"
                 "c1,2024-01-01T00:00:00Z,support_ces,seven,\n"
                 "c1,2024-01-01T00:00:00Z,support_ces,7,easy\n"
                 "c1,2024-01-01T00:00:00Z,nps,9.5,\n"
                 "c1,2024-01-01T00:00:00Z,nps,8.0,\n")
    r = ingest_files(ws, [path], IngestOptions(target="responses"))
    assert (r.rows_read, r.accepted, r.rejected) == (8, 3, 5)
    reasons = rejects(ws).reason.tolist()
    assert "score 11 out of range for survey 'nps' (expected 0.0 to 10.0)" in reasons
    assert "score 0 out of range for survey 'support_csat' (expected 1.0 to 5.0)" in reasons
    assert any(x.startswith("unknown survey 'nope'") for x in reasons)
    assert "score 'seven' is not a number" in reasons
    assert "score 9.5 is not a whole number (survey 'nps' is a NPS scale)" in reasons
    resp = ws.engine.execute(ws.engine.responses.order_by("seq"))
    assert resp.kind.tolist() == ["nps", "ces", "nps"]
    assert resp.touchpoint.tolist() == ["feedback_survey", "support_contact", "feedback_survey"]


def test_helpdesk_xes_every_event_accounted(ws, shared_data):
    path = shared_file("helpdesk.xes.gz")
    r = ingest_files(ws, [path], IngestOptions(mapping={"customer": "customer"}))
    assert (r.rows_read, r.accepted, r.rejected) == (21_348, 21_348, 0)
    e = ws.engine.events
    assert ws.engine.execute(e.case_id.nunique()) == 4_580
    assert ws.engine.execute(e.event.nunique()) == 14
    # equal timestamps inside a case keep the file order through seq
    df = ws.engine.execute(e.select("case_id", "timestamp", "seq"))
    ties = df.duplicated(["case_id", "timestamp"], keep=False).sum()
    assert ties > 0
    assert df.seq.is_unique


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"customer_id,timestamp,event\r\nc9,2024-01-01T00:00:00Z,Caf\xe9 visit\r\n", "line 2 (data row 1)"),
        (b"caf\xe9,timestamp,event\nc9,2024-01-01T00:00:00Z,x\n", "line 1 (the header)"),
        (b"customer_id,timestamp,event\n" + b"c1,2024-01-01T00:00:00Z,ok\n" * 100_000 + b"c9,2024-01-01T00:00:00Z,\xe9\n",
         "line 100002 (data row 100001)"),
    ],
)
def test_a_file_that_is_not_utf8_is_one_error_naming_the_line_and_nothing_is_ingested(ws, tmp_path, content, where):
    path = tmp_path / "latin1.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=rf"latin1.csv: {re.escape(where)} is not UTF-8 text"):
        ingest_files(ws, [path])
    assert int(ws.engine.execute(ws.engine.events.count())) == 0


def test_an_invalid_timestamp_format_is_refused_before_reading(ws, tmp_path):
    path = write(tmp_path, "e.csv", "customer_id,timestamp,event\nc1,01/02/2024,view\n")
    with pytest.raises(InputError, match="--timestamp-format: '%Q' is not a strptime format"):
        ingest_files(ws, [path], IngestOptions(timestamp_format="%Q"))
    assert ws.engine.count("ingests") == 0
