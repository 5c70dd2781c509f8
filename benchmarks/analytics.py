"""Analytics benchmark: transitions, variants and timing through journeykit against the floors.

For each size, simulated journeys (``journeykit.simulate`` on the bundled e-commerce model) are written to
a DuckDB workspace file; then each task runs in its own child process so that its peak RSS is its own:

* journeykit ``transitions`` (performance DFG by customer at event level), ``variants``, timing
  (``stage_dwell`` + ``time_between``);
* the floor: hand-written DuckDB SQL computing the same DFG table (count, distinct customers, mean,
  median, p90, starts) and the same variants;
* pm4py's ``discover_performance_dfg`` (same content as ``transitions``), ``discover_dfg`` (counts only)
  and ``get_variants`` on the same events (loaded into pandas first; the load is
  reported apart and not counted).  pm4py is AGPL: it is used here and in tests only.

Each timed call runs twice and the faster run counts (warm file cache for everyone).  Prints the times,
the ratios (targets: journeykit within 1.5x of the SQL floor; at least 8x faster than pm4py on the DFG)
and peak RSS per task (target: < 3 GB), and checks that journeykit's and pm4py's DFG counts are equal.

    python benchmarks/analytics.py --events 1000000 10000000
    python benchmarks/analytics.py --events 10000000 --tasks journeykit-variants sql-variants
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Simulated events per customer of the e-commerce example (measured: ~6.5).
EVENTS_PER_CUSTOMER = 6.5

SQL_DFG = """
WITH s AS (
  SELECT customer_id, event AS source,
         LEAD(event) OVER w AS target,
         epoch(LEAD(timestamp) OVER w) - epoch(timestamp) AS gap,
         (LAG(event) OVER w IS NULL)::INT AS first
  FROM events
  WHERE customer_id IS NOT NULL AND event IS NOT NULL
  WINDOW w AS (PARTITION BY customer_id ORDER BY timestamp, seq)
), g AS (
  SELECT source, target, count(*) AS count, count(DISTINCT customer_id) AS customers, sum(first) AS starts,
         avg(gap) AS mean_seconds, median(gap) AS median_seconds, quantile_cont(gap, 0.9) AS p90_seconds
  FROM s GROUP BY source, target
)
SELECT *, sum(count) FILTER (WHERE target IS NOT NULL) OVER (PARTITION BY source) AS outgoing FROM g
"""

SQL_VARIANTS = """
WITH per AS (
  SELECT customer_id, list(event ORDER BY timestamp, seq) AS sequence,
         epoch(max(timestamp)) - epoch(min(timestamp)) AS throughput
  FROM events WHERE customer_id IS NOT NULL AND event IS NOT NULL GROUP BY customer_id
)
SELECT sequence, count(*) AS count, avg(throughput) AS mean_throughput_seconds FROM per GROUP BY sequence
"""


# ------------------------------------------------------------------------------------------ data
def build_database(path: Path, events: int, seed: int = 1) -> int:
    """Simulate about ``events`` events into the DuckDB workspace file ``path``; the exact count is returned."""
    from journeykit.engine import Engine
    from journeykit.model import load_model
    from journeykit.simulate import simulate
    from journeykit.workspace import EXAMPLE_MODEL

    engine = Engine.duckdb(path)
    customers = int(events / EVENTS_PER_CUSTOMER)
    data = simulate(load_model(EXAMPLE_MODEL), customers=customers, seed=seed)
    for batch in data.iter_batches():
        if batch.events.num_rows:
            engine.backend.insert("events", batch.events)
    n = engine.count("events")
    engine.close()
    return n


# ----------------------------------------------------------------------------------------- tasks
def _best(fn, repeat: int = 2) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _dfg_pairs(df, source: str = "source", target: str = "target", count: str = "count") -> list:
    pairs = df[df[target].notna()]
    return sorted([str(s), str(t), int(c)] for s, t, c in zip(pairs[source], pairs[target], pairs[count]))


def task(name: str, db: str) -> dict:
    """Run one task in this process; returns its time, extra figures and the DFG for cross-checks."""
    out: dict = {}
    if name.startswith("journeykit"):
        from journeykit.analytics import stage_dwell, time_between, transitions, variants
        from journeykit.engine import Engine

        eng = Engine.duckdb(db, read_only=True)
        if name.startswith("journeykit-transitions"):
            exact = name == "journeykit-transitions"
            out["seconds"], r = _best(lambda: transitions(eng, level="event", exact=exact))
            out["dfg"] = _dfg_pairs(r.table)
        elif name == "journeykit-variants":
            out["seconds"], r = _best(lambda: variants(eng, level="event"))
            out["variants"] = len(r.table)
        else:
            out["seconds"], _ = _best(
                lambda: (stage_dwell(eng), time_between(eng, "product_view", "payment"))
            )
    elif name.startswith("sql"):
        import duckdb

        con = duckdb.connect(db, read_only=True)
        con.execute("SET TimeZone = 'UTC'")
        query = SQL_DFG if name == "sql-dfg" else SQL_VARIANTS
        out["seconds"], df = _best(lambda: con.execute(query).df())
        if name == "sql-dfg":
            out["dfg"] = _dfg_pairs(df)
        else:
            out["variants"] = len(df)
    else:
        import duckdb

        warnings.simplefilter("ignore")
        import pm4py

        start = time.perf_counter()
        con = duckdb.connect(db, read_only=True)
        con.execute("SET TimeZone = 'UTC'")
        log = con.execute("SELECT customer_id, event, timestamp FROM events ORDER BY seq").df()
        out["load_seconds"] = time.perf_counter() - start
        keys = dict(case_id_key="customer_id", activity_key="event", timestamp_key="timestamp")
        if name == "pm4py-dfg":
            out["seconds"], (dfg, _, _) = _best(lambda: pm4py.discover_dfg(log, **keys), repeat=1)
            out["dfg"] = sorted([s, t, int(c)] for (s, t), c in dfg.items())
        elif name == "pm4py-perf-dfg":
            out["seconds"], (perf, _, _) = _best(lambda: pm4py.discover_performance_dfg(log, **keys), repeat=1)
            out["pairs"] = len(perf)
        else:
            out["seconds"], v = _best(lambda: pm4py.get_variants(log, **keys), repeat=1)
            out["variants"] = len(v)
    out["peak_mb"] = peak_rss_mb()
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``VmHWM``: unlike ``ru_maxrss`` not inherited over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


TASKS = [
    "journeykit-transitions", "journeykit-transitions-approx", "sql-dfg", "pm4py-dfg", "pm4py-perf-dfg",
    "journeykit-variants", "sql-variants", "pm4py-variants",
    "journeykit-timing",
]


def run_child(name: str, db: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--task", name, "--db", str(db)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench(events: int, tasks: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        start = time.perf_counter()
        n = build_database(db, events)
        print(f"\n== {n:,} events (simulated in {time.perf_counter() - start:.1f} s)")
        res = {}
        for name in tasks:
            res[name] = r = run_child(name, db)
            load = f"  (+{r['load_seconds']:.1f} s to load into pandas)" if "load_seconds" in r else ""
            print(f"{name:30s} {r['seconds']:8.2f} s   peak {r['peak_mb']:7.0f} MB{load}", flush=True)
        report(res)


def _ratio(res: dict, a: str, b: str) -> str | None:
    return f"{res[a]['seconds'] / res[b]['seconds']:.2f}x" if a in res and b in res else None


def report(res: dict) -> None:
    """Ratios and cross-checks of the tasks that ran."""
    lines = [
        ("transitions / SQL floor", _ratio(res, "journeykit-transitions", "sql-dfg"), "target <= 1.5x"),
        ("approx. transitions / SQL floor", _ratio(res, "journeykit-transitions-approx", "sql-dfg"), ""),
        ("variants / SQL floor", _ratio(res, "journeykit-variants", "sql-variants"), "target <= 1.5x"),
        ("pm4py performance DFG / transitions", _ratio(res, "pm4py-perf-dfg", "journeykit-transitions"),
         "same content; target >= 8x at 10M"),
        ("pm4py frequency DFG / transitions", _ratio(res, "pm4py-dfg", "journeykit-transitions"), "counts only"),
        ("pm4py variants / variants", _ratio(res, "pm4py-variants", "journeykit-variants"), ""),
    ]
    for label, value, note in lines:
        if value is not None:
            print(f"{label:36s}: {value}   {note}")
    dfgs = {name: r["dfg"] for name, r in res.items() if "dfg" in r and name != "journeykit-transitions-approx"}
    if len(dfgs) > 1:
        print(f"{'DFG counts equal':36s}: {len({json.dumps(d) for d in dfgs.values()}) == 1} ({', '.join(dfgs)})")
    counts = {name: r["variants"] for name, r in res.items() if "variants" in r}
    if len(counts) > 1:
        print(f"{'variant counts equal':36s}: {len(set(counts.values())) == 1} ({counts})")
    ours = [r["peak_mb"] for name, r in res.items() if name.startswith("journeykit")]
    if ours:
        print(f"{'peak memory journeykit':36s}: {max(ours):.0f} MB   (target < 3072 MB; all tasks "
              f"{max(r['peak_mb'] for r in res.values()):.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=TASKS, help="Run only these tasks.")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(task(args.task, args.db)))
        return
    for events in args.events:
        bench(events, args.tasks)


if __name__ == "__main__":
    main()
