"""Shared plumbing of the analytics benchmarks: simulated data, child-process tasks, timing and peak memory.

Each task runs in a child process of its own (``python SCRIPT --task NAME --db PATH``) so that the peak
resident memory it reports is its own, not that of the tasks before it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Simulated events per customer of the e-commerce example (measured: ~6.5).
EVENTS_PER_CUSTOMER = 6.5


def build_database(path: Path, events: int, seed: int = 1) -> int:
    """Simulate about ``events`` events into the DuckDB workspace file ``path`` and rank them in journey order
    (as an ingest does); the exact count is returned."""
    from journeykit.engine import Engine
    from journeykit.engine.customer_rank import rank_events
    from journeykit.model import load_model
    from journeykit.simulate import simulate
    from journeykit.workspace import EXAMPLE_MODEL

    engine = Engine.duckdb(path)
    customers = int(events / EVENTS_PER_CUSTOMER)
    data = simulate(load_model(EXAMPLE_MODEL), customers=customers, seed=seed)
    for batch in data.iter_batches():
        if batch.events.num_rows:
            engine.backend.insert("events", batch.events)
    start = time.perf_counter()
    rank_events(engine.backend.con)
    print(f"ranked the events in journey order in {time.perf_counter() - start:.1f} s", flush=True)
    n = engine.count("events")
    engine.close()
    return n


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Best wall-clock and best CPU seconds (all threads of this process) over ``repeat`` runs, and the output.

    CPU time is reported too because the machine may be shared: it is less sensitive to waiting for a core.
    """
    return first_and_best(fn, repeat)[1:]


def first_and_best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, float, Any]:
    """The first run's wall-clock seconds (before any cache of the process is warm), then :func:`best_of`'s
    results."""
    walls, cpu, out = [], float("inf"), None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpu = min(cpu, time.process_time() - c)
    return walls[0], min(walls), cpu, out


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (``VmHWM``: unlike ``ru_maxrss`` not inherited over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(script: str, name: str, db: Path) -> dict:
    """Run task ``name`` of ``script`` on database ``db`` in a child process; its JSON result."""
    proc = subprocess.run(
        [sys.executable, script, "--task", name, "--db", str(db)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine may be shared)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])
