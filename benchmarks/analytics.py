"""Analytics benchmark: the five journey analyses through journeykit against their floors and pm4py.

For each size, simulated journeys (``journeykit.simulate`` on the bundled e-commerce model) are written to
a DuckDB workspace file; then each task runs in its own child process so that its peak RSS is its own:

* journeykit: ``transitions`` (performance DFG by customer at event level; ``-approx``: ``exact=False``),
  a 5-step ``funnel`` (ordered, 7-day window, uniques), ``variants``, monthly ``cohorts`` (entry first
  ``payment``, returning ``repeat_purchase``) and timing (``stage_dwell`` + ``time_between``);
* the floors: hand-written DuckDB SQL computing the same results (``benchmarks/analytics_sql.py``);
* pm4py's ``discover_performance_dfg`` (times between activities: mean, median, min, max, sum, stdev;
  no counts), ``discover_dfg`` (counts, start and end activities) and ``get_variants`` on the same events,
  already in memory as a pandas DataFrame (the load is reported apart and not counted);
  ``pm4py-perf-dfg-polars`` gives pm4py a polars LazyFrame instead.  A pm4py user needs both DFG calls for
  the counts and times that ``transitions`` returns (pm4py has no p90 and no distinct customers per pair),
  so their sum is reported too.  pm4py is AGPL: it is used here and in tests only.

journeykit and SQL calls run three times and the fastest run counts (warm caches for everyone: for
journeykit that includes its engine's kept expressions and compiled SQL, so its first run, with those cold,
is printed too); pm4py runs once.  Prints wall-clock and CPU seconds (CPU is less sensitive to a shared machine), the ratios (targets:
journeykit within 1.5x of the SQL floor; at least 8x faster than pm4py on the DFG at 10M events; all five
analyses under 15 s at 10M) and peak RSS per task (target: < 3 GB), and cross-checks the results.

    python benchmarks/analytics.py --events 1000000 10000000
    python benchmarks/analytics.py --events 10000000 --tasks journeykit-cohorts sql-cohorts --workdir /tmp/jkb

``--workdir DIR`` keeps the simulated database (``DIR/bench_<events>.duckdb``) and reuses it on the next run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import analytics_sql as floors  # noqa: E402
from _harness import ROOT, best_of, build_database, first_and_best, load_average, peak_rss_mb, run_child  # noqa: E402

sys.path.insert(0, str(ROOT))

#: The five analyses: journeykit task -> its SQL floor.
ANALYSES = {
    "transitions": ("journeykit-transitions", "sql-dfg"),
    "funnel": ("journeykit-funnel", "sql-funnel"),
    "variants": ("journeykit-variants", "sql-variants"),
    "cohorts": ("journeykit-cohorts", "sql-cohorts"),
    "timing": ("journeykit-timing", "sql-timing"),
}
PM4PY = ["pm4py-dfg", "pm4py-perf-dfg", "pm4py-perf-dfg-polars", "pm4py-variants"]
TASKS = [task for pair in ANALYSES.values() for task in pair] + ["journeykit-transitions-approx", *PM4PY]


# ------------------------------------------------------------------------------------- cross-checks
def _dfg_pairs(df, source: str = "source", target: str = "target", count: str = "count") -> list:
    pairs = df[df[target].notna()]
    return sorted([str(s), str(t), int(c)] for s, t, c in zip(pairs[source], pairs[target], pairs[count]))


def _cohort_cells(df, cohort: str) -> list:
    t = df[df["retained"] > 0]
    return sorted([int(c), int(p), int(v)] for c, p, v in zip(t[cohort], t["period"], t["retained"]))


def _timing_check(dwell, between) -> list:
    visits = sorted([str(s), int(v), int(c)] for s, v, c in zip(dwell["stage"], dwell["visits"], dwell["completed"]))
    row = between.iloc[0]
    return [visits, int(row["journeys"]), int(row["reached"]), round(float(row["median_seconds"]), 3)]


# -------------------------------------------------------------------------------------------- tasks
def _timed(out: dict, fn: Callable[[], Any]) -> Any:
    """``fn()``'s output; its first, best wall-clock and best CPU seconds go in ``out``."""
    out["first"], out["seconds"], out["cpu"], result = first_and_best(fn)
    return result


def journeykit_task(name: str, db: str) -> dict:
    from journeykit.analytics import cohorts, funnel, stage_dwell, time_between, transitions, variants
    from journeykit.engine import Engine

    eng = Engine.duckdb(db, read_only=True)
    out: dict = {}
    if name.startswith("journeykit-transitions"):
        exact = name == "journeykit-transitions"
        r = _timed(out, lambda: transitions(eng, level="event", exact=exact))
        out["check"] = _dfg_pairs(r.table)
    elif name == "journeykit-funnel":
        r = _timed(out, lambda: funnel(eng, floors.STEPS, window=floors.WINDOW))
        medians = [round(float(v), 3) for v in r.table["median_seconds_to_convert"].iloc[1:]]
        out["check"] = [[int(v) for v in r.table["customers"]], medians, int(r.trend["converted"].sum())]
    elif name == "journeykit-variants":
        r = _timed(out, lambda: variants(eng, level="event"))
        out["check"] = [len(r.table), r.table["variant"].head(20).tolist()]
    elif name == "journeykit-cohorts":
        r = _timed(out, lambda: cohorts(eng, "payment", "repeat_purchase", period="month"))
        out["check"] = _cohort_cells(r.table, "cohort_index")
    else:
        dwell, between = _timed(out, lambda: (stage_dwell(eng), time_between(eng, "product_view", "payment")))
        out["check"] = _timing_check(dwell.table, between.table)
    return out


def sql_task(name: str, db: str) -> dict:
    import duckdb

    con = duckdb.connect(db, read_only=True)
    con.execute("SET TimeZone = 'UTC'")

    def run(queries: list[str]) -> list:
        return [con.execute(q).df() for q in queries]

    out: dict = {}
    if name == "sql-dfg":
        out["seconds"], out["cpu"], (df,) = best_of(lambda: run([floors.DFG]))
        out["check"] = _dfg_pairs(df)
    elif name == "sql-funnel":
        out["seconds"], out["cpu"], (_, steps, trend, _) = best_of(lambda: run(floors.funnel()))
        row = steps.iloc[0]
        n = len(floors.STEPS)
        counts = [int(row[f"c{k}"]) for k in range(1, n + 1)]
        medians = [round(float(row[f"median{k}"]), 3) for k in range(2, n + 1)]
        out["check"] = [counts, medians, int(trend["converted"].sum())]
    elif name == "sql-variants":
        out["seconds"], out["cpu"], (df,) = best_of(lambda: run([floors.VARIANTS]))
        out["check"] = [len(df), df["variant"].head(20).tolist()]
    elif name == "sql-cohorts":
        out["seconds"], out["cpu"], (df,) = best_of(lambda: run([floors.cohorts()]))
        out["check"] = _cohort_cells(df, "cohort")
    else:
        out["seconds"], out["cpu"], (dwell, between) = best_of(lambda: run(floors.timing()))
        out["check"] = _timing_check(dwell, between)
    return out


def pm4py_task(name: str, db: str) -> dict:
    import duckdb

    warnings.simplefilter("ignore")
    import pm4py

    start = time.perf_counter()
    con = duckdb.connect(db, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    query = "SELECT customer_id, event, timestamp FROM events ORDER BY seq"
    if name.endswith("polars"):
        import polars as pl

        log = pl.from_arrow(con.sql(query).to_arrow_table()).lazy()
    else:
        log = con.execute(query).df()
    out: dict = {"load_seconds": time.perf_counter() - start}
    keys = dict(case_id_key="customer_id", activity_key="event", timestamp_key="timestamp")
    if name == "pm4py-dfg":
        out["seconds"], out["cpu"], (dfg, _, _) = best_of(lambda: pm4py.discover_dfg(log, **keys), repeat=1)
        out["check"] = sorted([s, t, int(c)] for (s, t), c in dfg.items())
    elif name.startswith("pm4py-perf-dfg"):
        out["seconds"], out["cpu"], (perf, _, _) = best_of(
            lambda: pm4py.discover_performance_dfg(log, **keys), repeat=1
        )
        out["pairs"] = len(perf)
    else:
        out["seconds"], out["cpu"], v = best_of(lambda: pm4py.get_variants(log, **keys), repeat=1)
        out["variants"] = len(v)
    return out


def task(name: str, db: str) -> dict:
    """Run one task in this process: its best times, peak RSS and what to cross-check."""
    run = journeykit_task if name.startswith("journeykit") else sql_task if name.startswith("sql") else pm4py_task
    out = run(name, db)
    out["peak_mb"] = peak_rss_mb()
    return out


# ------------------------------------------------------------------------------------------- report
def bench(events: int, tasks: list[str], workdir: Path | None = None) -> None:
    """Simulate ``events`` events (or reuse ``workdir``'s database of that size), run ``tasks`` and report."""
    with tempfile.TemporaryDirectory() as tmp:
        db = (workdir or Path(tmp)) / f"bench_{events}.duckdb"
        start = time.perf_counter()
        if db.exists():
            from journeykit.engine import Engine

            engine = Engine.duckdb(db)  # writable: a database of an earlier version gets its journey ranks
            n, how = engine.count("events"), f"reused {db}"
            engine.close()
        else:
            n = build_database(db, events)
            how = f"simulated in {time.perf_counter() - start:.1f} s"
        print(f"\n== {n:,} events ({how}; load average {load_average()})")
        res = {}
        for name in tasks:
            res[name] = r = run_child(__file__, name, db)
            load = f"  (+{r['load_seconds']:.1f} s to load)" if "load_seconds" in r else ""
            load += f"  (first run {r['first']:.2f} s)" if "first" in r else ""
            print(f"{name:30s} {r['seconds']:8.2f} s  (cpu {r['cpu']:7.2f} s)   peak {r['peak_mb']:7.0f} MB{load}",
                  flush=True)
        report(res)
        print(f"load average at the end: {load_average()}")


def _ratio(res: dict, a: str, b: str) -> str | None:
    """``a``'s times over ``b``'s; ``a`` may be several tasks joined by ``+`` (their times add up)."""
    parts = a.split("+")
    if b not in res or any(p not in res for p in parts):
        return None
    wall, cpu = (sum(res[p][k] for p in parts) for k in ("seconds", "cpu"))
    return f"{wall / res[b]['seconds']:.2f}x wall, {cpu / res[b]['cpu']:.2f}x cpu"


def _first_ratio(res: dict, jk: str, sql: str) -> str:
    """journeykit's first run (its engine's expression and SQL caches cold) over the floor's best."""
    if jk not in res or sql not in res:
        return ""
    return f"; first run {res[jk]['first'] / res[sql]['seconds']:.2f}x wall"


def report(res: dict) -> None:
    """Ratios and cross-checks of the tasks that ran."""
    lines = [(f"{what} / SQL floor", _ratio(res, jk, sql), "target <= 1.5x" + _first_ratio(res, jk, sql))
             for what, (jk, sql) in ANALYSES.items()]
    lines += [
        ("approx. transitions / SQL floor", _ratio(res, "journeykit-transitions-approx", "sql-dfg"), ""),
        ("pm4py performance DFG / transitions", _ratio(res, "pm4py-perf-dfg", "journeykit-transitions"),
         "times only; target >= 8x at 10M"),
        ("pm4py perf. DFG (polars) / transitions", _ratio(res, "pm4py-perf-dfg-polars", "journeykit-transitions"), ""),
        ("pm4py frequency DFG / transitions", _ratio(res, "pm4py-dfg", "journeykit-transitions"), "counts only"),
        ("pm4py frequency + perf. DFG / transitions", _ratio(res, "pm4py-dfg+pm4py-perf-dfg", "journeykit-transitions"),
         "both calls: counts and times"),
        ("pm4py variants / variants", _ratio(res, "pm4py-variants", "journeykit-variants"), ""),
    ]
    for label, value, note in lines:
        if value is not None:
            print(f"{label:42s}: {value}   {note}")
    for what, (jk, sql) in ANALYSES.items():
        if jk in res and sql in res:
            equal = res[jk]["check"] == res[sql]["check"]
            print(f"{what + ' equals its floor':42s}: {equal}")
    if "pm4py-dfg" in res and "journeykit-transitions" in res:
        print(f"{'DFG counts equal pm4py':42s}: {res['pm4py-dfg']['check'] == res['journeykit-transitions']['check']}")
    if "pm4py-variants" in res and "journeykit-variants" in res:
        ours, theirs = res["journeykit-variants"]["check"][0], res["pm4py-variants"]["variants"]
        print(f"{'variant counts equal pm4py':42s}: {ours == theirs} ({ours:,})")
    ours = {what: res[jk]["seconds"] for what, (jk, _) in ANALYSES.items() if jk in res}
    if len(ours) == len(ANALYSES):
        print(f"{'all five analyses':42s}: {sum(ours.values()):.1f} s   (target < 15 s at 10M)")
    peaks = [r["peak_mb"] for name, r in res.items() if name.startswith("journeykit")]
    if peaks:
        print(f"{'peak memory journeykit':42s}: {max(peaks):.0f} MB   (target < 3072 MB; all tasks "
              f"{max(r['peak_mb'] for r in res.values()):.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=TASKS, help="Run only these tasks.")
    parser.add_argument("--workdir", type=Path, help="Keep the simulated databases here and reuse them next time.")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(task(args.task, args.db)))
        return
    for events in args.events:
        bench(events, args.tasks, args.workdir)


if __name__ == "__main__":
    main()
