"""PERT engine benchmark: CPM on a large network and Monte Carlo schedule risk against per-iteration loops.

Networks come from :func:`journeykit.schedule.generate.random_plan` (layered, depth ``ceil(sqrt(n))``,
three dependencies per activity, beta-PERT estimates).  Measured:

* CPM (``plan.cpm()``: arrays, forward and backward pass, floats, result table) on 100k activities / 300k
  dependencies;
* Monte Carlo (``plan.simulate()``: sampling, forward and backward pass, criticality index, sensitivity,
  finish distribution, all included) with 10 000 iterations on 1 000 and on 10 000 activities;
* the same work done one iteration at a time, as a reference: networkx (``dag_longest_path_length`` on a
  graph whose edge weights are set from each iteration's sampled durations: forward pass only) and plain
  Python (``random.betavariate`` sampling, forward and backward pass and criticality with lists).  These
  are slow, so a few iterations are timed and the time is extrapolated to 10 000 (the output says so).

Peak memory is the peak of Python/numpy allocations (``tracemalloc``) during a second, untimed run.
Each timed call runs twice and the faster run counts.

    python benchmarks/pert.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from journeykit.schedule import Plan  # noqa: E402
from journeykit.schedule.generate import random_plan  # noqa: E402


def timed(fn: Callable[[], object], repeat: int = 2) -> tuple[float, float]:
    """Best (wall, CPU) seconds of ``repeat`` runs; CPU time is less disturbed by other processes."""
    best, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return best, cpu


def peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def networkx_per_iteration(plan: Plan, iterations: int) -> float:
    """Seconds for ``iterations`` networkx longest-path computations (sampling included)."""
    import networkx as nx

    g = nx.DiGraph()
    ids = list(plan.ids)
    g.add_nodes_from(ids + ["__end"])
    g.add_edges_from((d.pred, d.succ) for d in plan.dependencies)
    g.add_edges_from((a, "__end") for a in ids)
    alpha = np.array([a.duration.alpha for a in plan.activities])
    o = np.array([a.duration.o for a in plan.activities])
    span = np.array([a.duration.p - a.duration.o for a in plan.activities])
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(iterations):
        d = dict(zip(ids, o + span * rng.beta(alpha, 6 - alpha)))
        for u, v, data in g.edges(data=True):
            data["weight"] = d[u]
        nx.dag_longest_path_length(g)
    return time.perf_counter() - start


def python_per_iteration(plan: Plan, iterations: int) -> float:
    """Seconds for ``iterations`` plain-Python sample + forward + backward + criticality passes."""
    ar = plan.arrays()
    order = ar.order.tolist()
    preds = [ar.pred_idx[ar.pred_ptr[i]:ar.pred_ptr[i + 1]].tolist() for i in range(ar.n)]
    succs = [ar.succ_idx[ar.succ_ptr[i]:ar.succ_ptr[i + 1]].tolist() for i in range(ar.n)]
    params = [(a.duration.o, a.duration.p - a.duration.o, a.duration.alpha) for a in plan.activities]
    counts = [0] * ar.n
    rnd = random.Random(0)
    start = time.perf_counter()
    for _ in range(iterations):
        d = [o + s * rnd.betavariate(a, 6 - a) for o, s, a in params]
        ef = [0.0] * ar.n
        for i in order:
            ef[i] = max((ef[p] for p in preds[i]), default=0.0) + d[i]
        finish = max(ef)
        ls = [0.0] * ar.n
        for i in reversed(order):
            ls[i] = min((ls[s] for s in succs[i]), default=finish) - d[i]
            if ls[i] - (ef[i] - d[i]) <= 1e-9 * finish:
                counts[i] += 1
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller networks (a smoke run)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    iterations = 10_000
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times grow with it)")

    n_cpm = 100_000 // scale
    plan = random_plan(n_cpm, 3 * n_cpm, seed=1)
    t, cpu = timed(plan.cpm)
    print(f"CPM, {n_cpm:,} activities / {len(plan.dependencies):,} dependencies: {t:.3f} s (CPU {cpu:.3f} s), "
          f"peak {peak_mb(plan.cpm):.0f} MB (target < 1 s)")

    base = None
    for n in (1_000 // scale, 10_000 // scale):
        plan = random_plan(n, 3 * n, seed=2)
        plan.simulate(100, seed=0)  # warm up (beta-PERT table, imports)
        t, cpu = timed(lambda: plan.simulate(iterations, seed=1))
        mem = peak_mb(lambda: plan.simulate(iterations, seed=1))
        print(f"Monte Carlo, {iterations:,} iterations x {n:,} activities ({len(plan.dependencies):,} dependencies), "
              f"sampling + forward + backward + criticality + sensitivity: {t:.3f} s (CPU {cpu:.3f} s), "
              f"peak {mem:.0f} MB")
        if base is None:
            base = t
            k_nx, k_py = 5, 20
            nx_t = networkx_per_iteration(plan, k_nx) / k_nx * iterations
            py_t = python_per_iteration(plan, k_py) / k_py * iterations
            print(f"  networkx longest path per iteration: {nx_t:.1f} s for {iterations:,} "
                  f"(extrapolated from {k_nx} iterations) -> journeykit {nx_t / t:,.0f}x faster (target >= 300x)")
            print(f"  plain Python per iteration:          {py_t:.1f} s for {iterations:,} "
                  f"(extrapolated from {k_py} iterations) -> journeykit {py_t / t:,.0f}x faster")
        else:
            print(f"  {t / base:.1f}x the time of the {1_000 // scale:,}-activity run for {n // (1_000 // scale)}x "
                  "the activities (target within 10x)")


if __name__ == "__main__":
    main()
