"""Ingest benchmark: rows/s and peak memory for CSV ingest at 1M and 10M rows.

Each size is ingested by ``journeykit ingest`` logic in a child process (so its peak RSS is its own) and,
as the reference measured in the same run, loaded by DuckDB's own ``read_csv`` into a table with no
validation (the floor for any ingest on this engine).  Prints rows/s, the ratio to the floor, and peak
RSS (target: < 2 GB at 10M rows).

    python benchmarks/ingest.py --rows 1000000 10000000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

EVENTS = ["social_ad_click", "product_view", "cart_add", "checkout_start", "payment_ok", "shipped",
          "delivered", "support_chat", "ticket_resolved", "repeat_order"]


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    """Write ``rows`` synthetic events (with 0.1 % bad timestamps) in blocks of 1M rows."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00")
    options = pacsv.WriteOptions(include_header=True)
    with pacsv.CSVWriter(path, pa.schema([(n, pa.string()) for n in
                                          ("customer_id", "timestamp", "event", "value", "segment")]),
                         write_options=options) as writer:
        for lo in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - lo)
            ts = (start + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")).astype(str)
            ts = np.char.add(ts, "Z")
            bad = rng.random(n) < 0.001
            ts[bad] = "not a time"
            value = np.where(rng.random(n) < 0.1, np.round(rng.lognormal(4, 0.5, n), 2).astype(str), "")
            writer.write_table(pa.table({
                "customer_id": pa.array(np.char.add("c", rng.integers(0, rows // 10 + 1, n).astype(str))),
                "timestamp": pa.array(ts),
                "event": pa.array(rng.choice(EVENTS, n)),
                "value": pa.array(value),
                "segment": pa.array(rng.choice(["consumer", "business"], n)),
            }))


CHILD_JOURNEYKIT = """
import resource, sys, time
from journeykit.workspace import Workspace
from journeykit.io.ingest import ingest_files
ws = Workspace.init(sys.argv[1], force=True)
t = time.perf_counter()
r = ingest_files(ws, [sys.argv[2]])
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      r.rows_read, r.accepted, r.rejected)
"""

CHILD_DUCKDB = """
import resource, sys, time, duckdb
con = duckdb.connect(sys.argv[1] + "/floor.duckdb")
con.execute("SET enable_progress_bar = false")
t = time.perf_counter()
con.execute(f"CREATE OR REPLACE TABLE e AS SELECT * FROM read_csv('{sys.argv[2]}', all_varchar=true)")
elapsed = time.perf_counter() - t
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_child(code: str, *args: str) -> list[str]:
    """Run a child Python process and return the fields it printed (time, own peak RSS in MB, ...)."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for rows in sorted(args.rows):
            csv = tmp_path / f"events_{rows}.csv"
            t = time.perf_counter()
            make_csv(csv, rows)
            print(f"\n{rows:,} rows: generated {csv.stat().st_size / 1e6:,.0f} MB CSV in {time.perf_counter() - t:.1f} s")
            floor = run_child(CHILD_DUCKDB, str(tmp_path), str(csv))
            ours = run_child(CHILD_JOURNEYKIT, str(tmp_path / "ws"), str(csv))
            t_floor, t_ours = float(floor[0]), float(ours[0])
            print(f"  DuckDB read_csv (no validation, floor): {t_floor:7.2f} s  {rows / t_floor:12,.0f} rows/s")
            print(f"  journeykit ingest (validated, deduped): {t_ours:7.2f} s  {rows / t_ours:12,.0f} rows/s  "
                  f"ratio {t_ours / t_floor:.1f}x floor")
            print(f"  read {int(ours[2]):,} = accepted {int(ours[3]):,} + rejected {int(ours[4]):,}")
            print(f"  peak RSS: journeykit ingest {float(ours[1]):,.0f} MB (target < 2048 MB); "
                  f"DuckDB read_csv {float(floor[1]):,.0f} MB")


if __name__ == "__main__":
    main()
