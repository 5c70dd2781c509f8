"""Output tables: canonical schemas, flat Parquet files that ingest accepts, and the CLI."""

from __future__ import annotations

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
from typer.testing import CliRunner

from journeykit.cli import app
from journeykit.engine import Engine, schema
from journeykit.engine.expr import JOURNEY_ORDER
from journeykit.errors import ModelError
from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.simulate import simulate, write_parquet
from journeykit.workspace import EXAMPLE_MODEL, Workspace

FLAT_EVENTS = ["event_id", "customer_id", "case_id", "timestamp", "event", "value", "segment", "region",
               "channel", "cycle"]
FLAT_RESPONSES = ["response_id", "customer_id", "case_id", "timestamp", "survey", "score", "comment",
                  "segment", "region"]


def test_canonical_schemas(example, small):
    events, responses = small
    assert events.schema == schema.EVENTS_SCHEMA
    assert responses.schema == schema.RESPONSES_SCHEMA
    assert pc.count_distinct(events["event_id"]).as_py() == events.num_rows
    assert pc.count_distinct(responses["response_id"]).as_py() == responses.num_rows
    assert events["customer_id"].null_count == 0 and events["touchpoint"].null_count == 0
    lo, hi = pc.min_max(events["timestamp"]).values()
    assert "2025-01-01" <= lo.as_py().isoformat() < hi.as_py().isoformat() < "2026-06-30"  # start + 545 days
    mapped = {e: example.touchpoint_of(e) for e in pc.unique(events["event"]).to_pylist()}
    assert [mapped[e] for e in events["event"].to_pylist()] == events["touchpoint"].to_pylist()
    stage = {t.name: t.stage for t in example.touchpoints}
    assert [stage[t] for t in events["touchpoint"].to_pylist()] == events["stage"].to_pylist()
    keys = {tuple(k for k, _ in row) for row in events["attributes"].to_pylist()}
    assert keys == {("segment", "region", "cycle")}


def test_events_are_in_time_order_per_customer(small):
    customer = small[0]["customer_id"].to_numpy(zero_copy_only=False)
    time = small[0]["timestamp"].to_numpy()
    same = customer[1:] == customer[:-1]
    assert (customer[1:] >= customer[:-1]).all()
    assert (time[1:][same] > time[:-1][same]).all()


def test_engine_reads_the_canonical_tables(small):
    events, responses = small
    eng = Engine.from_arrow({schema.EVENTS: events, schema.RESPONSES: responses})
    assert eng.execute(eng.events.count()) == events.num_rows
    seg = eng.events.attributes.get("segment")
    counts = eng.execute(eng.events.group_by(seg.name("segment")).agg(n=eng.events.customer_id.nunique()))
    share = counts.set_index("segment")["n"] / counts["n"].sum()
    assert abs(share["business"] - 0.2) < 0.03


def test_parquet_files_are_flat_and_match(tmp_path, example, small):
    events_path, responses_path = write_parquet(example, tmp_path, customers=3_000, seed=7, block_size=1_111)
    ev, rs = pq.read_table(events_path), pq.read_table(responses_path)
    assert ev.column_names == FLAT_EVENTS and rs.column_names == FLAT_RESPONSES
    assert ev.schema.field("timestamp").type == schema.UTC_TIMESTAMP
    assert ev["event_id"].equals(small[0]["event_id"]) and ev["channel"].equals(small[0]["channel"])
    assert rs["response_id"].equals(small[1]["response_id"]) and rs["score"].equals(small[1]["score"])
    assert pq.ParquetFile(events_path).metadata.num_row_groups == 3


def _comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Everything but the ingest bookkeeping (seq, source, ingest_id, the events' stored journey order),
    attributes as sorted items."""
    out = df.drop(columns=["seq", "source", "ingest_id", *JOURNEY_ORDER], errors="ignore").reset_index(drop=True)
    out["attributes"] = [sorted(dict(a).items()) for a in out["attributes"]]
    return out


def test_ingest_stores_exactly_the_canonical_tables(tmp_path):
    paths = write_parquet(EXAMPLE_MODEL, tmp_path / "sim", customers=300, seed=5)
    ws = Workspace.init(tmp_path / "ws")
    try:
        events = ingest_files(ws, [paths[0]])
        responses = ingest_files(ws, [paths[1]], IngestOptions(target="responses"))
        assert events.rejected == 0 and events.accepted == pq.ParquetFile(paths[0]).metadata.num_rows
        assert responses.rejected == 0 and responses.accepted == pq.ParquetFile(paths[1]).metadata.num_rows
        data = simulate(EXAMPLE_MODEL, customers=300, seed=5)
        for table, simulated in (("events", data.events), ("responses", data.responses)):
            stored = ws.engine.execute(ws.engine.table(table).order_by("seq"))
            assert _comparable(stored).equals(_comparable(simulated.to_pandas())), table
    finally:
        ws.close()


def test_cli_writes_parquet(tmp_path):
    args = ["simulate", "--customers", "500", "--seed", "1", "--out", str(tmp_path), "-w", str(tmp_path)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    n_events = pq.ParquetFile(tmp_path / "events.parquet").metadata.num_rows
    assert f"events: {n_events:,} rows" in result.output and n_events > 2_000
    assert "500/500" in result.output
    again = simulate(EXAMPLE_MODEL, customers=500, seed=1).events
    assert pq.read_table(tmp_path / "events.parquet")["event_id"].equals(again["event_id"])


def test_cli_uses_the_workspace_model_and_refuses_a_bad_one(tmp_path):
    bad = tmp_path / "journey.yaml"
    bad.write_text(EXAMPLE_MODEL.read_text().replace("period: 365d", "period: 365x"))
    args = ["simulate", "-n", "10", "-w", str(tmp_path), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, ModelError)
    assert str(result.exception) == (
        f"{bad}: invalid journey model: simulation.period: invalid duration '365x': "
        "expected a number and a unit s, m, h, d or w (e.g. '15m', '2d')"
    )
    assert not (tmp_path / "out").exists()
