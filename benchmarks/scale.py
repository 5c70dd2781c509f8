"""How the cost of the journey analyses grows with data size, on DuckDB and on Spark (local[2]).

For each size the simulator generates the e-commerce demo journeys (about 6.6 events per customer), they
are ingested into a DuckDB workspace and exported as month-partitioned Parquet for Spark.  Each engine
runs the analyses in a child process of its own, so the peak RSS printed is that run's own (for Spark,
driver plus JVM, sampled after each analysis):
transitions, variants, a 5-step funnel, monthly cohorts and stage dwell.

    python benchmarks/scale.py --duckdb 1000000 10000000 50000000 --spark 1000000 10000000

``--workdir DIR`` keeps the prepared data (``DIR/<size>/ws`` and ``DIR/<size>/export``) and reuses it on
the next run, so the data can be prepared while the machine is busy and timed when it is quiet
(``--prepare-only`` stops after preparing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

EVENTS_PER_CUSTOMER = 6.6

CHILD = """
import json, resource, sys, time
from journeykit import analytics
from journeykit.engine import Engine, connect
engine_kind, location = sys.argv[1], sys.argv[2]
if engine_kind == "spark":
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "6g").config("spark.sql.shuffle.partitions", "8").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    engine = Engine.spark(spark, events=location + "/events", responses=location + "/responses")
else:
    engine = connect(location)
runs = {
    "transitions": lambda: analytics.transitions(engine),
    "variants": lambda: analytics.variants(engine),
    "funnel_5": lambda: analytics.funnel(engine, ["product_view", "cart_add", "checkout", "payment",
                                                  "order_confirmation"], window="7d"),
    "cohorts_month": lambda: analytics.cohorts(engine, "payment", "repeat_purchase", period="month"),
    "stage_dwell": lambda: analytics.stage_dwell(engine),
}
import psutil
me = psutil.Process()
peak = 0
for name, run in runs.items():
    t = time.perf_counter()
    run()
    print(json.dumps({"analysis": name, "seconds": time.perf_counter() - t}), flush=True)
    # resident memory now of this process and its children (the Spark JVM), sampled after each analysis
    rss = me.memory_info().rss + sum(c.memory_info().rss for c in me.children(recursive=True))
    peak = max(peak, rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
print(json.dumps({"analysis": "(peak)", "seconds": 0.0, "peak_mb": peak / 2**20}), flush=True)
"""


def prepare(root: Path, events: int) -> tuple[Path, Path, int]:
    """Simulate about ``events`` events, ingest them into a workspace and export Parquet.

    A folder prepared before (its ``done`` marker exists) is reused as it is.
    """
    from journeykit.io.export import export_parquet
    from journeykit.io.ingest import IngestOptions, ingest_files
    from journeykit.simulate import write_parquet
    from journeykit.workspace import Workspace

    done = root / "done"
    if done.exists():
        return root / "ws", root / "export", int(done.read_text())
    ws = Workspace.init(root / "ws", force=True)
    ev, resp = write_parquet(ws.model, root / "sim", customers=int(events / EVENTS_PER_CUSTOMER), seed=1)
    # one 50M-row ingest needs more than the default 768 MB limit (its id pass); preparation is not timed
    ingest_files(ws, [ev], IngestOptions(target="events", memory_limit="6GB"))
    ingest_files(ws, [resp], IngestOptions(target="responses"))
    n = ws.engine.count("events")
    export_parquet(ws, root / "export")
    ws.close()
    shutil.rmtree(root / "sim")
    done.write_text(str(n))
    return root / "ws", root / "export", n


def run_child(kind: str, location: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(CHILD), kind, str(location)],
                         capture_output=True, text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duckdb", type=float, nargs="*", default=[1e6, 1e7, 5e7], help="event counts")
    parser.add_argument("--spark", type=float, nargs="*", default=[1e6, 1e7], help="event counts")
    parser.add_argument("--workdir", type=Path, help="keep prepared data here and reuse it (default: a temp dir)")
    parser.add_argument("--prepare-only", action="store_true", help="prepare the data, time nothing")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.duckdb + args.spark})
    print(f"{'engine':<7} {'events':>12} analysis / measure")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            root = (args.workdir or Path(tmp)) / str(size)
            root.mkdir(parents=True, exist_ok=True)
            ws, export, n = prepare(root, size)
            print(f"# {n:,} events prepared (simulate + ingest + export) in {time.perf_counter() - t:.0f} s",
                  flush=True)
            if args.prepare_only:
                continue
            for kind, location, wanted in (("duckdb", ws, args.duckdb), ("spark", export, args.spark)):
                if size not in {int(s) for s in wanted}:
                    continue
                for row in run_child(kind, location):
                    if "peak_mb" in row:
                        print(f"{kind:<7} {n:>12,} {'peak RSS, driver and JVM' if kind == 'spark' else 'peak RSS':<25} "
                              f"{row['peak_mb']:>8,.0f} MB", flush=True)
                    else:
                        print(f"{kind:<7} {n:>12,} {row['analysis']:<14} {row['seconds']:>9.2f} s", flush=True)


if __name__ == "__main__":
    main()
