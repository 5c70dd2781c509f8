"""Funnel and cohort benchmark: journeykit against hand-written DuckDB SQL on the same data.

Simulated journeys of the bundled e-commerce model (``journeykit.simulate``, the same database builder as
``benchmarks/analytics.py``) are written to a DuckDB workspace file; each task runs in its own child process
so that its peak RSS is its own:

* journeykit ``funnel`` over product_view → cart_add → checkout → payment → order_confirmation (ordered,
  7-day window, uniques) — the whole call: step check, attempts, counts, time-to-convert quantiles, trend
  and histogram;
* the SQL floor: the same funnel written by hand with DuckDB ASOF joins (per-step counts and
  mean / median / p90 time to convert);
* journeykit ``cohorts`` (monthly, entry first ``payment``, returning ``repeat_purchase``) and the SQL
  equivalent.

Each timed call runs twice and the faster run counts.  Prints wall-clock and CPU times, ratios (target: journeykit within
1.5x of the SQL floor) and peak RSS per task, and checks that the counts are equal.

    python benchmarks/analytics_funnels.py --events 1000000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analytics import build_database, peak_rss_mb  # noqa: E402  (benchmarks/analytics.py)

STEPS = ["product_view", "cart_add", "checkout", "payment", "order_confirmation"]
WINDOW = 7 * 86400


def _sql_funnel() -> str:
    """Ordered funnel, greedy earliest matching, uniques (furthest step, then earliest entry)."""
    names = ", ".join(f"'{s}'" for s in STEPS)
    parts = [
        f"""r AS (
  SELECT customer_id, timestamp, seq, epoch(timestamp) AS t, touchpoint,
         row_number() OVER (PARTITION BY customer_id ORDER BY timestamp, seq) AS rn
  FROM events WHERE touchpoint IN ({names}))""",
        "a1 AS (SELECT customer_id, timestamp, seq, rn AS p1, t AS t1 FROM r WHERE touchpoint = 'product_view')",
    ]
    for k, step in enumerate(STEPS[1:], 2):
        parts.append(
            f"""j{k} AS (
  SELECT a.*, s.rn AS q{k}, s.t AS u{k} FROM a{k - 1} a
  ASOF LEFT JOIN (SELECT customer_id, rn, t FROM r WHERE touchpoint = '{step}') s
  ON a.customer_id = s.customer_id AND s.rn > a.p{k - 1})"""
        )
        ok = f"u{k} - t1 <= {WINDOW}"
        parts.append(
            f"a{k} AS (SELECT * EXCLUDE (q{k}, u{k}), CASE WHEN {ok} THEN q{k} END AS p{k}, "
            f"CASE WHEN {ok} THEN u{k} END AS t{k} FROM j{k})"
        )
    n = len(STEPS)
    reached = "CASE " + " ".join(f"WHEN t{k} IS NOT NULL THEN {k}" for k in range(n, 1, -1)) + " ELSE 1 END"
    parts.append(
        f"""best AS (
  SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY {reached} DESC, timestamp, seq)
                 AS k FROM a{n}) WHERE k = 1)"""
    )
    aggs = [f"count(t{k}) AS c{k}" for k in range(1, n + 1)]
    for k in range(2, n + 1):
        d = f"t{k} - t{k - 1}"
        aggs += [f"avg({d}) AS mean{k}", f"quantile_cont({d}, 0.5) AS median{k}", f"quantile_cont({d}, 0.9) AS p90{k}"]
    return "WITH " + ",\n".join(parts) + "\nSELECT " + ", ".join(aggs) + " FROM best"


SQL_COHORTS = """
WITH m AS (
  SELECT customer_id, timestamp, seq, year(timestamp) * 12 + month(timestamp) - 1 AS cohort FROM (
    SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY timestamp, seq) AS k
    FROM events WHERE touchpoint = 'payment') WHERE k = 1
), r AS (
  SELECT customer_id, timestamp, seq, year(timestamp) * 12 + month(timestamp) - 1 AS p
  FROM events WHERE touchpoint = 'repeat_purchase'
), h AS (
  SELECT DISTINCT m.customer_id, m.cohort, r.p - m.cohort AS period FROM m JOIN r
  ON m.customer_id = r.customer_id AND (r.timestamp > m.timestamp OR (r.timestamp = m.timestamp AND r.seq > m.seq))
)
SELECT s.cohort, s.size, h.period, count(h.customer_id) AS retained
FROM (SELECT cohort, count(*) AS size FROM m GROUP BY cohort) s LEFT JOIN h ON h.cohort = s.cohort
GROUP BY ALL
"""


def _best(fn, repeat: int = 2) -> tuple[float, float, object]:
    """Best wall-clock and best CPU seconds (all threads of this process) over ``repeat`` runs.

    CPU time is reported as well because the machine may be shared: it is less sensitive to waiting.
    """
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu, out


def task(name: str, db: str) -> dict:
    """Run one task in this process: its best time, peak RSS and the counts to cross-check."""
    out: dict = {}
    if name.startswith("journeykit"):
        from journeykit.analytics import cohorts, funnel
        from journeykit.engine import Engine

        eng = Engine.duckdb(db, read_only=True)
        if name == "journeykit-funnel":
            out["seconds"], out["cpu"], r = _best(lambda: funnel(eng, STEPS, window=WINDOW))
            out["counts"] = [int(v) for v in r.table["customers"]]
            out["medians"] = [round(float(v), 3) for v in r.table["median_seconds_to_convert"].iloc[1:]]
        else:
            out["seconds"], out["cpu"], r = _best(lambda: cohorts(eng, "payment", "repeat_purchase", period="month"))
            t = r.table[r.table["retained"] > 0]
            out["cells"] = sorted([int(c), int(p), int(v)] for c, p, v in zip(t.cohort_index, t.period, t.retained))
    else:
        import duckdb

        con = duckdb.connect(db, read_only=True)
        con.execute("SET TimeZone = 'UTC'")
        if name == "sql-funnel":
            out["seconds"], out["cpu"], df = _best(lambda: con.execute(_sql_funnel()).df())
            row = df.iloc[0]
            out["counts"] = [int(row[f"c{k}"]) for k in range(1, len(STEPS) + 1)]
            out["medians"] = [round(float(row[f"median{k}"]), 3) for k in range(2, len(STEPS) + 1)]
        else:
            out["seconds"], out["cpu"], df = _best(lambda: con.execute(SQL_COHORTS).df())
            t = df[df["retained"] > 0]
            out["cells"] = sorted([int(c), int(p), int(v)] for c, p, v in zip(t.cohort, t.period, t.retained))
    out["peak_mb"] = peak_rss_mb()
    return out


TASKS = ["journeykit-funnel", "sql-funnel", "journeykit-cohorts", "sql-cohorts"]


def run_child(name: str, db: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--task", name, "--db", str(db)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench(events: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        start = time.perf_counter()
        n = build_database(db, events)
        print(f"\n== {n:,} events (simulated in {time.perf_counter() - start:.1f} s)")
        res = {}
        for name in TASKS:
            res[name] = r = run_child(name, db)
            print(f"{name:20s} {r['seconds']:8.2f} s  (cpu {r['cpu']:6.2f} s)   peak {r['peak_mb']:7.0f} MB", flush=True)
        for what in ("funnel", "cohorts"):
            jk, floor = res[f"journeykit-{what}"], res[f"sql-{what}"]
            print(f"{what:8s} / SQL floor : {jk['seconds'] / floor['seconds']:.2f}x wall, "
                  f"{jk['cpu'] / floor['cpu']:.2f}x cpu   (target <= 1.5x)")
        assert res["journeykit-funnel"]["counts"] == res["sql-funnel"]["counts"], "funnel counts differ from SQL"
        assert res["journeykit-funnel"]["medians"] == res["sql-funnel"]["medians"], "medians differ from SQL"
        assert res["journeykit-cohorts"]["cells"] == res["sql-cohorts"]["cells"], "cohort cells differ from SQL"
        print(f"funnel counts        : {res['journeykit-funnel']['counts']} (equal to SQL)")
        print(f"peak memory (max)    : {max(r['peak_mb'] for r in res.values()):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(task(args.task, args.db)))
        return
    for events in args.events:
        bench(events)


if __name__ == "__main__":
    main()
