"""Property and crash tests of ingest: no row is ever lost, a killed ingest changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]

CORRUPTIONS = {
    "blank_customer": lambda f: {**f, "customer_id": ""},
    "bad_timestamp": lambda f: {**f, "timestamp": "2024-13-45T99:00"},
    "blank_timestamp": lambda f: {**f, "timestamp": ""},
    "bad_value": lambda f: {**f, "value": "12,5€"},
    "blank_event": lambda f: {**f, "event": "  "},
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(min_value=1, max_value=60),
    corrupt=st.dictionaries(st.integers(0, 59), st.sampled_from([*CORRUPTIONS, "extra_field"]), max_size=30),
    chunk_rows=st.sampled_from([1, 7, 1000]),
)
def test_random_corruption_never_loses_a_row(tmp_path_factory, n, corrupt, chunk_rows):
    tmp = tmp_path_factory.mktemp("prop")
    lines = ["customer_id,timestamp,event,value,row_tag"]
    bad_rows = set()
    for i in range(n):
        f = {"customer_id": f"c{i % 7}", "timestamp": f"2024-01-{1 + i % 28:02d}T10:00:00Z",
             "event": "product_view", "value": str(i), "row_tag": str(i)}
        kind = corrupt.get(i)
        if kind is not None:
            bad_rows.add(i + 1)
        if kind in CORRUPTIONS:
            f = CORRUPTIONS[kind](f)
        line = ",".join(f.values()) + (",surplus" if kind == "extra_field" else "")
        lines.append(line)
    path = tmp / "in.csv"
    path.write_text("\n".join(lines) + "\n")
    ws = Workspace.init(tmp / "ws")
    try:
        r = ingest_files(ws, [path], IngestOptions(chunk_rows=chunk_rows))
        assert r.rows_read == n
        assert r.accepted + r.rejected == n
        assert r.rejected == len(bad_rows)
        rejected_rows = set(ws.engine.execute(ws.engine.rejects.row_number).tolist())
        assert rejected_rows == bad_rows
        kept = ws.engine.execute(ws.engine.events.attributes.get("row_tag").cast("int64")).tolist()
        assert sorted(kept) == [i for i in range(n) if i + 1 not in bad_rows]
    finally:
        ws.close()


def _big_csv(path: Path, rows: int) -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    table = pa.table({
        "customer_id": pa.array([f"c{i}" for i in rng.integers(0, 50_000, rows)]),
        "timestamp": pa.array(["2024-03-01T10:00:00Z"] * rows),
        "event": pa.array(rng.choice(["product_view", "cart_add", "checkout_start"], rows)),
    })
    pacsv.write_csv(table, path)


def test_killed_ingest_leaves_workspace_unchanged(tmp_path):
    ws = Workspace.init(tmp_path / "ws")
    small = tmp_path / "small.csv"
    small.write_text("customer_id,timestamp,event\nc1,2024-01-01T00:00:00Z,product_view\n")
    ingest_files(ws, [small])
    before = {t: ws.engine.count(t) for t in ("events", "rejects", "ingests")}
    ws.close()

    big = tmp_path / "big.csv"
    _big_csv(big, 1_500_000)
    script = textwrap.dedent(f"""
        import sys
        from journeykit.workspace import Workspace
        from journeykit.io.ingest import ingest_files, IngestOptions
        ws = Workspace.open({str(tmp_path / 'ws')!r})
        def progress(i, path, done, size, rows):
            print("progress", rows, flush=True)
        ingest_files(ws, [{str(big)!r}], IngestOptions(chunk_rows=100_000), progress)
        print("finished", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith("progress") and int(line.split()[1]) >= 300_000:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, seen
    assert not any(s.startswith("finished") for s in seen)
    time.sleep(0.2)
    ws = Workspace.open(tmp_path / "ws")
    try:
        after = {t: ws.engine.count(t) for t in ("events", "rejects", "ingests")}
        assert after == before
        # and the workspace still works: the same ingest now completes
        r = ingest_files(ws, [small])
        assert r.duplicates == 1
    finally:
        ws.close()
