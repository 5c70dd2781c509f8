"""Export: partitioned Parquet with the canonical schema, XES that ingests back to the same events."""

from __future__ import annotations

import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from lxml import etree

from journeykit.engine import schema
from journeykit.engine.expr import JOURNEY_ORDER
from journeykit.errors import InputError
from journeykit.io.export import export_parquet, export_xes
from journeykit.io.ingest import ingest_files
from journeykit.workspace import Workspace
from tests.conftest import shared_file

CSV = ("customer_id,case_id,timestamp,event,value\n"
       "a,o1,2024-01-31T23:00:00Z,product_view,\n"
       "a,o1,2024-02-01T00:00:00Z,payment_ok,10.5\n"
       "b,o2,2024-02-01T00:00:00Z,product_view,\n")

# Free attributes of every kind: prefixed keys of standard XES extensions, names that are candidates of
# canonical fields (event_name, amount, order_id), XML special characters, non-ASCII text; two identical
# rows (ids ...-0 and ...-1), an event without a case, one without a touchpoint, a given channel.
RICH_CSV = (
    "customer_id,case_id,timestamp,event,value,channel,org:resource,lifecycle:transition,event_name,amount,"
    "order_id,note\n"
    "a,o1,2024-01-31T23:00:00.123456Z,product_view,,,ann,complete,Product page,,,"
    '"first <visit> & ""quoted"""\n'
    "a,o1,2024-02-01T00:00:00Z,payment_ok,0.30000000000000004,,bob,complete,Payment,99,X-1,\n"
    "a,o1,2024-02-01T00:00:00Z,payment_ok,0.30000000000000004,,bob,complete,Payment,99,X-1,\n"
    "b,o2,2024-02-01T00:00:00Z,support_call,,phone_vip,,start,,,,Ünïcødé ✓\n"
    "b,,2024-02-02T10:00:00+02:00,mystery_event,1e-05,,,,,,,no case\n"
    "c,o3,2024-03-01T12:00:00Z,product_view,-2.5,,,,,,,\n"
)
WITH_CASE, ALL = 5, 6


def _events(ws: Workspace) -> list[dict]:
    """The events as comparable records: every column but the ingest's own (seq, source, ingest_id) and the
    workspace's journey order (customer_rank and customer_ordinal, which depend on the other events stored)."""
    rows = ws.engine.to_pyarrow(ws.engine.events.order_by("event_id")).to_pylist()
    for r in rows:
        r["attributes"] = dict(r["attributes"] or [])
        for col in ("seq", "source", "ingest_id", *JOURNEY_ORDER):
            del r[col]
    return rows


@pytest.fixture
def rich(tmp_path) -> Workspace:
    ws = Workspace.init(tmp_path / "rich")
    (tmp_path / "rich.csv").write_text(RICH_CSV, encoding="utf-8")
    r = ingest_files(ws, [tmp_path / "rich.csv"])
    assert (r.accepted, r.new) == (ALL, ALL)
    yield ws
    ws.close()


def test_parquet_partitioned_by_month_with_canonical_schema(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    (tmp_path / "e.csv").write_text(CSV)
    ingest_files(ws, [tmp_path / "e.csv"])
    paths = export_parquet(ws, tmp_path / "out")
    assert sorted(p.name for p in paths["events"].iterdir()) == ["month=2024-01", "month=2024-02"]
    table = ds.dataset(paths["events"], partitioning="hive").to_table()
    assert table.num_rows == 3
    assert set(schema.EVENTS_SCHEMA.names) <= set(table.column_names)
    assert table.schema.field("attributes").type == schema.ATTRIBUTES_TYPE
    ws.close()


def _parquet_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("month=*/*.parquet"))


def test_parquet_export_ingests_into_a_fresh_workspace_as_the_same_events(tmp_path, rich):
    """The export's attribute map was read as one text attribute ('{org:resource=ann, ...}') and its seq,
    touchpoint, stage, source and ingest_id became attributes too."""
    paths = export_parquet(rich, tmp_path / "out")
    fresh = Workspace.init(tmp_path / "fresh")
    r = ingest_files(fresh, _parquet_files(paths["events"]))
    assert (r.rows_read, r.new, r.rejected) == (ALL, ALL, 0)
    assert _events(fresh) == _events(rich)
    fresh.close()


def test_parquet_export_reingested_into_the_same_workspace_adds_nothing(tmp_path, rich):
    before = _events(rich)
    paths = export_parquet(rich, tmp_path / "out")
    r = ingest_files(rich, _parquet_files(paths["events"]))
    assert (r.rows_read, r.duplicates, r.new, r.rejected) == (ALL, ALL, 0, 0)
    assert _events(rich) == before


def test_an_attribute_map_is_merged_but_managed_columns_are_kept_outside_an_export(tmp_path):
    """A user's own file with an ``attributes`` map but without the workspace's columns: its entries become
    attributes, and a plain ``stage`` column stays a free attribute (only an export's is set again)."""
    table = pa.table({
        "customer_id": ["a"], "timestamp": pa.array([0], pa.timestamp("s", tz="UTC")), "event": ["visit"],
        "stage": ["my own stage"], "attributes": pa.array([[("tier", "gold")]], schema.ATTRIBUTES_TYPE),
    })
    pq.write_table(table, tmp_path / "own.parquet")
    ws = Workspace.init(tmp_path / "ws")
    ingest_files(ws, [tmp_path / "own.parquet"])
    assert _events(ws)[0]["attributes"] == {"tier": "gold", "stage": "my own stage"}
    ws.close()


def test_xes_export_ingests_back(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    (tmp_path / "e.csv").write_text(CSV)
    ingest_files(ws, [tmp_path / "e.csv"])
    path = export_xes(ws, tmp_path / "log.xes.gz")
    ws2 = Workspace.init(tmp_path / "ws2")
    r = ingest_files(ws2, [path])
    assert (r.rows_read, r.accepted) == (3, 3)
    cols = ["customer_id", "case_id", "timestamp", "event", "touchpoint"]
    a = ws.engine.execute(ws.engine.events.order_by(["case_id", "timestamp", "seq"]))[cols]
    b = ws2.engine.execute(ws2.engine.events.order_by(["case_id", "timestamp", "seq"]))[cols]
    assert a.equals(b)
    ws.close()
    ws2.close()


@pytest.mark.parametrize(("by", "n"), [("case", WITH_CASE), ("customer", ALL)])
def test_xes_export_reingested_into_the_same_workspace_adds_nothing(tmp_path, rich, by, n):
    before = _events(rich)
    path = export_xes(rich, tmp_path / "log.xes.gz", by=by)
    r = ingest_files(rich, [path])
    assert (r.rows_read, r.accepted, r.duplicates, r.new, r.rejected) == (n, n, n, 0, 0)
    assert _events(rich) == before


@pytest.mark.parametrize(("by", "n"), [("case", WITH_CASE), ("customer", ALL)])
def test_xes_export_ingests_into_a_fresh_workspace_as_the_same_events(tmp_path, rich, by, n):
    path = export_xes(rich, tmp_path / "log.xes", by=by)
    fresh = Workspace.init(tmp_path / "fresh")
    r = ingest_files(fresh, [path])
    assert (r.rows_read, r.new, r.rejected) == (n, n, 0)
    expected = [e for e in _events(rich) if by == "customer" or e["case_id"] is not None]
    got = _events(fresh)
    # ids, customers, case ids, timestamps (to the microsecond), names, values, channels, attributes
    assert got == expected
    assert {e["attributes"].get("org:resource") for e in got} == {"ann", "bob", None}
    assert {e["event_id"].rsplit("-", 1)[1] for e in got if e["event"] == "payment_ok"} == {"0", "1"}
    fresh.close()


def test_xes_export_without_cases_or_values_keeps_candidate_named_attributes(tmp_path):
    """No event has a case id or a value, so no event of the export carries one: the free attributes
    ``order_id`` and ``amount`` (candidates of those fields) must stay attributes when it is ingested."""
    ws = Workspace.init(tmp_path / "ws")
    (tmp_path / "e.csv").write_text("customer_id,case_id,timestamp,event,value,order_id,amount\n"
                                    "a,,2024-01-01T00:00:00Z,payment_ok,,X-1,99\n"
                                    "b,,2024-01-02T00:00:00Z,product_view,,,\n")
    ingest_files(ws, [tmp_path / "e.csv"])
    original = _events(ws)
    assert {(e["case_id"], e["value"]) for e in original} == {(None, None)}
    assert {"order_id": "X-1", "amount": "99"} in [e["attributes"] for e in original]
    path = export_xes(ws, tmp_path / "log.xes", by="customer")
    fresh = Workspace.init(tmp_path / "fresh")
    ingest_files(fresh, [path])
    assert _events(fresh) == original
    ws.close()
    fresh.close()


def test_xes_export_declares_identity_and_pm4py_reads_the_attributes(tmp_path, rich):
    path = export_xes(rich, tmp_path / "log.xes")
    root = etree.parse(str(path)).getroot()
    ns = {"x": "http://www.xes-standard.org/"}
    extensions = {e.get("prefix"): e.get("uri") for e in root.findall("x:extension", ns)}
    assert extensions["identity"] == "http://www.xes-standard.org/identity.xesext"
    assert extensions["org"] == "http://www.xes-standard.org/org.xesext"
    assert extensions["lifecycle"] == "http://www.xes-standard.org/lifecycle.xesext"
    events = root.findall("x:trace/x:event", ns)
    ids = [e.find("x:string[@key='identity:id']", ns).get("value") for e in events]
    expected = {e["event_id"]: e for e in _events(rich) if e["case_id"] is not None}
    assert sorted(ids) == sorted(expected)
    assert {etree.QName(e.find("*[@key='journeykit:value']")).localname
            for e in events if e.find("*[@key='journeykit:value']") is not None} == {"float"}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm4py = pytest.importorskip("pm4py", reason="pm4py (the test oracle) is not installed")
        log = pm4py.read_xes(str(path), show_progress_bar=False)
    assert len(log) == WITH_CASE
    for row in log.to_dict("records"):
        ev = expected[row["identity:id"]]
        assert row["case:concept:name"] == ev["case_id"]
        assert row["concept:name"] == ev["event"]
        assert row["time:timestamp"] == ev["timestamp"]
        assert row["journeykit:customer"] == ev["customer_id"]
        if ev["value"] is not None:
            assert row["journeykit:value"] == ev["value"]
        for key, value in ev["attributes"].items():
            assert row[key] == value, key


def test_xes_export_rejects_an_unknown_grouping(tmp_path, rich):
    with pytest.raises(InputError, match="unknown trace grouping 'ticket'"):
        export_xes(rich, tmp_path / "log.xes", by="ticket")


@pytest.mark.slow
def test_helpdesk_xes_export_round_trip(tmp_path, shared_data):
    """The user report: ingest the helpdesk log, export it to XES and ingest the export."""
    ws = Workspace.init(tmp_path / "ws")
    ingest_files(ws, [shared_file("helpdesk.xes.gz")])
    original = _events(ws)
    path = export_xes(ws, tmp_path / "hd.xes.gz")
    r = ingest_files(ws, [path])
    assert (r.accepted, r.duplicates, r.new) == (21_348, 21_348, 0)
    fresh = Workspace.init(tmp_path / "fresh")
    r = ingest_files(fresh, [path])
    assert (r.accepted, r.new) == (21_348, 21_348)
    got = _events(fresh)
    assert got == original
    assert all({"org:resource", "service_level", "product", "workgroup"} <= set(e["attributes"]) for e in got)
    ws.close()
    fresh.close()
