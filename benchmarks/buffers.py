"""Do the buffers protect?  Simulate buffered PSPLIB j30 plans under random durations.

Usage::

    python benchmarks/buffers.py [--step 10] [--scenarios 2000] [--target 0.9]
    python benchmarks/buffers.py --stretch [--step 1]

Each instance's durations are the safe estimates; aggressive estimates are half of them.  For every buffer
method the critical-chain plan is built, then executed under fresh random durations: lognormal (median at
the aggressive estimate, 90th percentile at the safe one) and beta-PERT (mode at the aggressive estimate,
minimum half of it, 90th percentile at the safe one).  Printed per method and duration model: the share of
executions finishing by the buffered due date (averaged over instances), the project buffer as a share of
the critical chain, and the due date relative to the levelled makespan.  The calibrated method is
calibrated on scenarios of the same model (a different seed from the evaluation).

``--stretch`` only builds the plans (every buffer method but ``calibrated``, which needs the simulation)
and prints how far inserting the feeding buffers moved the critical chain: the distribution (minimum,
quartiles, maximum) of the chain's end over the levelled makespan of the aggressive plan, and of the due
date over the unbuffered chain plus the project buffer (1.00 when the chain and its buffer alone fix the
due date), with the share of feeding buffers that had to be shortened to fit.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from journeykit.io.psplib import read_psplib  # noqa: E402
from journeykit.schedule.ccpm.buffers import METHODS  # noqa: E402
from journeykit.schedule.ccpm.plan import critical_chain_plan  # noqa: E402
from journeykit.schedule.ccpm.uncertainty import MODELS, model_durations, scenarios_from  # noqa: E402
from journeykit.schedule.rcpsp import RcpspProblem, check_schedule  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "psplib"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=10, help="every STEP-th j30 instance")
    ap.add_argument("--scenarios", type=int, default=2000)
    ap.add_argument("--target", type=float, default=0.9)
    ap.add_argument("--schedules", type=int, default=300, help="levelling budget per plan")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--stretch", action="store_true", help="only measure how feeding buffers move the chain")
    args = ap.parse_args(argv)
    files = sorted((args.data / "j30").glob("*.sm"))[:: args.step]
    if args.stretch:
        stretch(files, args.schedules)
        return
    stats: dict[tuple[str, str], dict[str, list[float]]] = {}
    for path in files:
        problem = RcpspProblem.from_psplib(read_psplib(path))
        safe = [float(d) for d in problem.durations]
        aggressive = [d / 2 for d in safe]
        models = {m: scenarios_from(model_durations(safe, aggressive, m)) for m in MODELS}
        for method in METHODS:
            for calibrated_on in MODELS if method == "calibrated" else (None,):
                plan = critical_chain_plan(problem, safe, aggressive, buffer=method, target=args.target,
                                           scenarios=models[calibrated_on] if calibrated_on else None,
                                           schedules=args.schedules, seed=0)
                check_schedule(plan.problem, plan.start)
                chain = sum(plan.problem.durations[j] for j in plan.chain.activities)
                for model, draw in models.items():
                    if calibrated_on and calibrated_on != model:
                        continue
                    s = stats.setdefault((method, model), {"p": [], "buffer": [], "due": []})
                    s["p"].append(plan.on_time_probability(draw, size=args.scenarios, seed=12345))
                    s["buffer"].append(plan.project_buffer / chain if chain else 0.0)
                    s["due"].append(plan.due / plan.params["levelled_makespan"])
    print(f"{len(files)} j30 instances (every {args.step}), {args.scenarios} scenarios each, target {args.target}")
    print(f"{'method':<20}{'durations':<12}{'P(on time)':>12}{'min P':>8}{'buffer/chain':>14}{'due/levelled':>14}")
    for (method, model), s in stats.items():
        print(f"{method:<20}{model:<12}{statistics.mean(s['p']):>12.3f}{min(s['p']):>8.3f}"
              f"{statistics.mean(s['buffer']):>14.3f}{statistics.mean(s['due']):>14.3f}")


def _quantiles(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4, method="inclusive")
    return f"min {min(values):.2f}, quartiles {q[0]:.2f} / {q[1]:.2f} / {q[2]:.2f}, max {max(values):.2f}"


def stretch(files: list[Path], schedules: int) -> None:
    """Print the distribution of the chain stretch and the due-date stretch over the instances."""
    chain_end, due = [], []
    wanted = kept = shortened = count = 0
    for path in files:
        problem = RcpspProblem.from_psplib(read_psplib(path))
        safe = [float(d) for d in problem.durations]
        for method in METHODS:
            if method == "calibrated":
                continue
            plan = critical_chain_plan(problem, safe, [d / 2 for d in safe], buffer=method, schedules=schedules,
                                       seed=0)
            check_schedule(plan.problem, plan.start)
            levelled = plan.params["levelled_makespan"]
            chain_end.append(plan.chain_end / levelled)
            due.append(plan.due / (levelled + plan.project_buffer))
            sized = plan.buffers[plan.buffers["kind"] == "feeding"]
            wanted += int(sized["wanted"].sum())
            kept += int(sized["size"].sum())
            shortened += int((sized["size"] < sized["wanted"]).sum())
            count += len(sized)
    print(f"{len(files)} j30 instances x {len(METHODS) - 1} buffer methods = {len(due)} plans")
    print(f"chain end / levelled makespan:                {_quantiles(chain_end)}")
    print(f"due date / (levelled makespan + project buffer): {_quantiles(due)}")
    print(f"feeding buffers: {kept} of {wanted} periods inserted ({100.0 * kept / max(wanted, 1):.1f} %), "
          f"{shortened} of {count} buffers shortened")


if __name__ == "__main__":
    main()
