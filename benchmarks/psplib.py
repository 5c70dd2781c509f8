"""Run the RCPSP scheduler on a PSPLIB set and compare with the optimum / best known makespans.

Usage::

    python benchmarks/psplib.py --set j30 --schedules 1000 [--method ga] [--step 1] [--seed 0]

Prints the average and maximum deviation from the optimum (j30) or best known makespan (j60), the average
deviation from the critical-path bound, the share of instances at the optimum / best known and the time
per instance, and ends with a line ``average deviation: X.XX %``.  Every schedule is checked by the
independent validator.  ``--step 10`` runs every tenth instance (a stated sample).  With ``--method cpsat``
it also prints how many optima CP-SAT proved and how many instances took longer than the time limit
(default 10 s, warm start included); the machine's load average is printed with the results, as times
on a shared machine mean little without it.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from journeykit.io.psplib import read_psplib  # noqa: E402
from journeykit.schedule.rcpsp import METHODS, RcpspProblem, check_schedule, solve_rcpsp  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "psplib"


def main(argv: list[str] | None = None) -> float:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="j30", choices=["j30", "j60"])
    ap.add_argument("--schedules", type=int, default=1000)
    ap.add_argument("--method", default="ga", choices=METHODS)
    ap.add_argument("--rule", default="LFT")
    ap.add_argument("--no-justify", action="store_true", help="single-pass methods without FBI")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per instance (CP-SAT, GA)")
    ap.add_argument("--step", type=int, default=1, help="every STEP-th instance (sorted by name)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args(argv)

    with (args.data / "reference_makespans.csv").open() as fh:
        ref = [row for row in csv.DictReader(fh) if row["set"] == args.set]
    ref = sorted(ref, key=lambda r: (int(r["param"]), int(r["inst"])))[:: args.step]
    dev, dev_cp, seconds, at_best, proven = [], [], [], 0, 0
    unproven: list[str] = []
    load_before = os.getloadavg()
    for row in ref:
        problem = RcpspProblem.from_psplib(read_psplib(args.data / args.set / f"{row['instance']}.sm"))
        clock = time.perf_counter()
        result = solve_rcpsp(problem, args.method, rule=args.rule, schedules=args.schedules,
                             justify=not args.no_justify, time_limit=args.time_limit, seed=args.seed)
        seconds.append(time.perf_counter() - clock)
        check_schedule(problem, result.start)
        best, cp = int(row["best_ub"]), int(row["cpm_lb"])
        dev.append(100.0 * (result.makespan - best) / best)
        dev_cp.append(100.0 * (result.makespan - cp) / cp)
        at_best += result.makespan <= best
        proven += bool(result.params.get("proven_optimal"))
        if not result.params.get("proven_optimal"):
            unproven.append(f"{row['instance']} ({result.makespan} vs {best}, {seconds[-1]:.1f} s)")
    load_after = os.getloadavg()
    what = "optimum" if args.set == "j30" else "best known"
    print(f"set {args.set}: {len(ref)} instances (every {args.step}), method {args.method}, "
          f"schedules {args.schedules}, seed {args.seed}")
    print(f"deviation from {what}: average {statistics.mean(dev):.2f} %, maximum {max(dev):.2f} %")
    print(f"deviation from critical-path bound: average {statistics.mean(dev_cp):.2f} %")
    print(f"at the {what}: {at_best}/{len(ref)} ({100.0 * at_best / len(ref):.1f} %)"
          + (f"; proven optimal by CP-SAT: {proven}" if args.method == "cpsat" else ""))
    print(f"time per instance: average {statistics.mean(seconds):.3f} s, maximum {max(seconds):.3f} s")
    if args.method == "cpsat":
        limit = 10.0 if args.time_limit is None else args.time_limit
        print(f"instances over the {limit:g} s limit: {sum(s > limit for s in seconds)}")
        print("not proven: " + (", ".join(unproven) or "none"))
    print(f"load average (1, 5, 15 min): before {_load(load_before)}, after {_load(load_after)} "
          f"on {os.cpu_count()} cores")
    print(f"average deviation: {statistics.mean(dev):.2f} %")
    return statistics.mean(dev)


def _load(values: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


if __name__ == "__main__":
    main()
