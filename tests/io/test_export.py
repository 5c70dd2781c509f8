"""Export: partitioned Parquet with the canonical schema, XES that ingests back to the same events."""

from __future__ import annotations

import pyarrow.dataset as ds

from journeykit.engine import schema
from journeykit.io.export import export_parquet, export_xes
from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.workspace import Workspace

CSV = ("customer_id,case_id,timestamp,event,value\n"
       "a,o1,2024-01-31T23:00:00Z,product_view,\n"
       "a,o1,2024-02-01T00:00:00Z,payment_ok,10.5\n"
       "b,o2,2024-02-01T00:00:00Z,product_view,\n")


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


def test_xes_export_ingests_back(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    (tmp_path / "e.csv").write_text(CSV)
    ingest_files(ws, [tmp_path / "e.csv"])
    path = export_xes(ws, tmp_path / "log.xes.gz")
    ws2 = Workspace.init(tmp_path / "ws2")
    r = ingest_files(ws2, [path], IngestOptions(mapping={"customer": "customer"}))
    assert (r.rows_read, r.accepted) == (3, 3)
    cols = ["customer_id", "case_id", "timestamp", "event", "touchpoint"]
    a = ws.engine.execute(ws.engine.events.order_by(["case_id", "timestamp", "seq"]))[cols]
    b = ws2.engine.execute(ws2.engine.events.order_by(["case_id", "timestamp", "seq"]))[cols]
    assert a.equals(b)
    ws.close()
    ws2.close()
