"""XES reader/writer round trip."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from journeykit.errors import InputError
from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.io.xes import iter_xes_events, write_xes
from journeykit.workspace import Workspace

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
