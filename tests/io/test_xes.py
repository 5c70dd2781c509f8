"""XES reader/writer: round trip, event ids from ``identity:id``, attribute types, the journeykit dialect."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from journeykit.errors import InputError
from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.io.xes import JOURNEYKIT_URI, iter_xes_events, write_xes
from journeykit.workspace import Workspace

XES_NS = {"x": "http://www.xes-standard.org/"}

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
LOG = [
    ("T1", [{"concept:name": "support_call", "time:timestamp": T0, "customer": "alice", "org:resource": "ann"},
            {"concept:name": "troubleshooting", "time:timestamp": T0, "customer": "alice"},
            {"concept:name": "ticket_resolved", "time:timestamp": T0 + timedelta(hours=5), "customer": "alice"}]),
    ("T2", [{"concept:name": "support_chat", "time:timestamp": T0 + timedelta(days=1), "customer": "bob & co <x>"}]),
]


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_round_trip(tmp_path, name):
    path = write_xes(LOG, tmp_path / name)
    records = list(iter_xes_events(path))
    assert [r["case:concept:name"] for r in records] == ["T1", "T1", "T1", "T2"]
    assert [r["concept:name"] for r in records] == ["support_call", "troubleshooting", "ticket_resolved", "support_chat"]
    assert records[3]["customer"] == "bob & co <x>"
    assert records[0]["org:resource"] == "ann" and "org:resource" not in records[1]

    ws = Workspace.init(tmp_path / "ws")
    r = ingest_files(ws, [path], IngestOptions(mapping={"customer": "customer"}))
    assert (r.accepted, r.rejected) == (4, 0)
    ev = ws.engine.execute(ws.engine.events.order_by("seq"))
    assert ev.case_id.tolist() == ["T1", "T1", "T1", "T2"]
    assert ev.touchpoint.tolist() == ["support_contact", "troubleshooting", "issue_resolved", "support_contact"]
    assert ev.timestamp.iloc[2] == T0 + timedelta(hours=5)
    assert ev.attributes.iloc[0]["org:resource"] == "ann"

    # export the ingested events back to XES and read them again: same traces
    traces = [(case, [{"concept:name": e, "time:timestamp": t.to_pydatetime(), "customer": c}
                      for e, t, c in zip(g.event, g.timestamp, g.customer_id)])
              for case, g in ev.groupby("case_id", sort=True)]
    again = list(iter_xes_events(write_xes(traces, tmp_path / ("again-" + name))))
    assert [(r["case:concept:name"], r["concept:name"], r["customer"]) for r in again] == [
        (r["case:concept:name"], r["concept:name"], r["customer"]) for r in records]
    ws.close()


def test_nested_attributes_and_malformed(tmp_path):
    p = tmp_path / "n.xes"
    p.write_text("""<?xml version="1.0"?><log><trace><string key="concept:name" value="c1"/>
      <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/>
        <list key="tags"><values><string key="t" value="x"/><string key="t" value="y"/></values></list></event>
    </trace></log>""")
    (rec,) = list(iter_xes_events(p))
    assert rec["tags"] == '["x", "y"]'
    bad = tmp_path / "bad.xes"
    bad.write_text("<log><trace><event></trace></log>")
    with pytest.raises(InputError, match="bad.xes: not well-formed"):
        list(iter_xes_events(bad))


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<log xes.version="1849-2016" xmlns="http://www.xes-standard.org/">
  <extension name="Identity" prefix="identity" uri="http://www.xes-standard.org/identity.xesext"/>
  <trace><string key="concept:name" value="T1"/><id key="identity:id" value="trace-uuid"/>
    <event><id key="identity:id" value="e-1"/><string key="concept:name" value="support_call"/>
      <date key="time:timestamp" value="2024-01-01T09:00:00+00:00"/><string key="customer" value="alice"/>
      <string key="org:resource" value="{resource}"/></event>
    <event><string key="identity:id" value="e-2"/><string key="concept:name" value="ticket_resolved"/>
      <date key="time:timestamp" value="2024-01-01T10:00:00+00:00"/>
      <string key="customer" value="alice"/></event>
    <event><string key="identity:id" value="not-this"/><string key="event_id" value="own-3"/>
      <string key="concept:name" value="survey_sent"/>
      <date key="time:timestamp" value="2024-01-02T10:00:00+00:00"/>
      <string key="customer" value="alice"/></event>
  </trace>
</log>"""


def test_identity_id_is_the_event_id(tmp_path):
    path = tmp_path / "ids.xes"
    path.write_text(FOREIGN.format(resource="ann"))
    records = list(iter_xes_events(path))
    assert [r["event_id"] for r in records] == ["e-1", "e-2", "own-3"]
    assert "identity:id" not in records[0] and records[2]["identity:id"] == "not-this"
    assert records[0]["case:identity:id"] == "trace-uuid"  # trace attributes are unchanged

    ws = Workspace.init(tmp_path / "ws")
    r = ingest_files(ws, [path])
    assert (r.accepted, r.new) == (3, 3)
    ev = ws.engine.execute(ws.engine.events.order_by("seq"))
    assert ev.event_id.tolist() == ["e-1", "e-2", "own-3"]
    assert "identity:id" not in ev.attributes.iloc[0]
    # the same events with a changed attribute: same ids, so nothing is added (a content hash would differ)
    again = tmp_path / "ids-again.xes"
    again.write_text(FOREIGN.format(resource="bob"))
    r = ingest_files(ws, [again])
    assert (r.accepted, r.duplicates, r.new) == (3, 3, 0)
    ws.close()


def test_write_xes_types_extensions_and_log_attributes(tmp_path):
    events = [{"identity:id": "x1", "concept:name": "a", "time:timestamp": "2024-01-01T00:00:00+00:00",
               "f": 0.30000000000000004, "big": float("inf"), "i": 3, "b": True, "d": T0, "s": 'q"<&>\n',
               "none": None}]
    path = write_xes([("c1", events)], tmp_path / "t.xes", extensions=["identity", "org"],
                     log_attributes={"journeykit:traces": "case"})
    root = etree.parse(str(path)).getroot()
    assert [(e.get("prefix"), e.get("uri")) for e in root.findall("x:extension", XES_NS)] == [
        ("concept", "http://www.xes-standard.org/concept.xesext"),
        ("time", "http://www.xes-standard.org/time.xesext"),
        ("identity", "http://www.xes-standard.org/identity.xesext"),
        ("org", "http://www.xes-standard.org/org.xesext")]
    assert root.find("x:string[@key='journeykit:traces']", XES_NS).get("value") == "case"
    event = root.find("x:trace/x:event", XES_NS)
    typed = {c.get("key"): (etree.QName(c).localname, c.get("value")) for c in event}
    assert typed == {
        "identity:id": ("string", "x1"), "concept:name": ("string", "a"),
        "time:timestamp": ("date", "2024-01-01T00:00:00+00:00"), "f": ("float", "0.30000000000000004"),
        "big": ("float", "INF"), "i": ("int", "3"), "b": ("boolean", "true"),
        "d": ("date", "2024-05-01T09:00:00+00:00"), "s": ("string", 'q"<&>\n')}
    with pytest.raises(ValueError, match="unknown XES extension"):
        write_xes([], tmp_path / "u.xes", extensions=["nope"])


def test_journeykit_dialect_reads_back_canonical_columns(tmp_path):
    """A log declaring the journeykit extension comes back under the canonical column names, whatever the
    free attributes are called (``event_name``, ``amount``, ``order_id`` would otherwise be mapped)."""
    common = {"concept:name": "payment_ok", "time:timestamp": T0, "journeykit:customer": "alice",
              "journeykit:touchpoint": "payment", "journeykit:stage": "purchase",
              "journeykit:source": "f.csv",
              "event_name": "Payment", "amount": "99", "order_id": "X-1"}
    by_case = [("o1", [{"identity:id": "e1", **common, "journeykit:value": 10.5,
                        "journeykit:channel": "web"}])]
    by_customer = [("alice", [{"identity:id": "e1", **common, "journeykit:case": "o1"},
                              {"identity:id": "e2", **common}])]
    for name, traces, by in (("case.xes", by_case, "case"), ("customer.xes", by_customer, "customer")):
        write_xes(traces, tmp_path / name, extensions=["identity", "journeykit"],
                  log_attributes={"journeykit:traces": by})
    (rec,) = list(iter_xes_events(tmp_path / "case.xes"))
    assert rec == {"event_id": "e1", "customer_id": "alice", "case_id": "o1", "timestamp": T0.isoformat(),
                   "event": "payment_ok", "value": "10.5", "channel": "web",
                   "event_name": "Payment", "amount": "99", "order_id": "X-1"}
    recs = list(iter_xes_events(tmp_path / "customer.xes"))
    assert [(r["event_id"], r["customer_id"], r["case_id"], r["value"], r["channel"]) for r in recs] == [
        ("e1", "alice", "o1", None, None), ("e2", "alice", None, None, None)]
    assert "case:concept:name" not in recs[0]
    # the same keys without the extension declared are ordinary attributes
    plain = tmp_path / "plain.xes"
    plain.write_text((tmp_path / "case.xes").read_text().replace(JOURNEYKIT_URI, "urn:other"))
    (rec,) = list(iter_xes_events(plain))
    assert (rec["journeykit:stage"], rec["case:concept:name"], rec["event_id"]) == ("purchase", "o1", "e1")
