"""Exact / improving RCPSP mode on Google OR-Tools CP-SAT (optional extra ``journeykit[exact]``).

The model has one fixed-size interval per activity, one cumulative constraint per resource, the
start-to-start minimum distances of the relations, and minimises the makespan.  It is tightened by
redundant information the solver would otherwise have to learn:

* every start lies in ``[head_j, UB - d_j - tail_j]``, with the precedence-aware energy heads and tails of
  :func:`journeykit.schedule.rcpsp.bounds.energy_bounds` and ``UB`` the makespan of a heuristic schedule
  (also given as the solution hint);
* the makespan starts at the energy / critical-path lower bound, is at least ``finish_j + tail_j`` for
  every activity, and the energy gaps between linked activities are added as extended precedences;
* the idle time after the makespan is an extra task using every resource fully, so the cumulative
  propagators (time-tabling, energetic reasoning) push the makespan bound themselves.

The model also carries a search strategy: branch on the start with the smallest earliest value and fix it
there (the "smallest lower bound first" start-time branching of Schutt et al. 2011, like the schedule
generation of a serial scheme).  CP-SAT's workers take their integer decisions from it, in place of the
solver's generic order, whenever their conflict-driven branching on the literals created so far has
nothing left to decide.  On the hardest PSPLIB j30 instances it reached more optima when the search time
was short (a loaded machine, or a small deterministic budget) and as many when it was not.

When the heuristic schedule already meets the lower bound, it is returned as optimal without a search.
Otherwise, by default, every worker searches the whole problem for the whole time limit, hinted with the
heuristic schedule.  On the hard PSPLIB j30 instances (resource strength 0.2) the proof of optimality is
the bottleneck, and two full-problem workers prove far more than the default portfolio does; they also
find the optima more often than a first phase of the default portfolio (whose second worker does
large-neighbourhood search) followed by the proof phase, which restarts the search and loses what the
first phase learned.  That first phase remains available (``improve=``, with ``search="objective"``).

By default (``search="feasibility"``) the makespan is not an objective: each model asks for a schedule
one shorter than the best so far, with every time window cut to that target from the start, and a new
model follows each schedule found, until one is infeasible (the best is then proven optimal) or the time
is up.  Measured on 6 December (GA warm start, 10 s in all, 2 workers), optima reached on the hardest j30
instances, feasibility search against one minimising model, alternating: j3029_8 7/15 vs 8/15, j3013_2
7/10 vs 8/10, j3013_5 9/9 vs 4/9; over all 480 j30 instances, seeds 0, 1 and 2: 480, 480 and 480
against 478 and 479 for the minimising model with seeds 1 and 2 (j3013_5 and j3029_8, then j3013_2,
one above the optimum).

References
----------
Schutt, A., Feydy, T., Stuckey, P. J. and Wallace, M. G. (2011) "Explaining the cumulative propagator",
Constraints 16(3), 250-282.
Klein, R. and Scholl, A. (1999) "Computing lower bounds by destructive improvement: an application to
resource-constrained project scheduling", European Journal of Operational Research 112(2), 322-346.
Perron, L. and Didier, F. (2024) CP-SAT, OR-Tools, https://developers.google.com/optimization.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from journeykit.errors import OptionError, check_choice
from journeykit.schedule.rcpsp.bounds import energy_bounds
from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem
from journeykit.schedule.rcpsp.sgs import makespan

#: Largest problem whose pairwise energy gaps are added to the model (their computation is O(n^3 K)).
GAP_LIMIT = 200
#: Full-problem CP-SAT subsolvers, in the order workers take them (more workers: CP-SAT's own portfolio).
PORTFOLIO = ("no_lp", "quick_restart_no_lp", "default_lp", "max_lp", "quick_restart", "pseudo_costs")
#: Default share of the time limit spent improving the schedule before the proof phase (none).
IMPROVE = 0.0
#: How CP-SAT searches: shorter schedules by feasibility models, or one model minimising the makespan.
SEARCHES = ("feasibility", "objective")


@dataclass(frozen=True)
class CpSatOutcome:
    """Result of a CP-SAT run.

    Attributes
    ----------
    start : list of int
    makespan : int
    optimal : bool
        CP-SAT proved the makespan optimal.
    bound : int
        The best lower bound CP-SAT proved.
    seconds : float
    """

    start: list[int]
    makespan: int
    optimal: bool
    bound: int
    seconds: float


def cpsat_schedule(
    problem: RcpspProblem,
    time_limit: float = 10.0,
    *,
    workers: int = 2,
    hint: Sequence[int] | None = None,
    seed: int = 0,
    search: str = "feasibility",
    improve: float = IMPROVE,
) -> CpSatOutcome:
    """Solve the RCPSP with CP-SAT within a time limit.

    Parameters
    ----------
    problem : RcpspProblem
        Demands and capacities must be whole numbers.
    time_limit : float
        Seconds of search.
    workers : int
        CP-SAT search workers (threads).
    hint : sequence of int, optional
        A feasible schedule: used as the solution hint and its makespan as an upper bound.
    seed : int
    search : {"feasibility", "objective"}
        ``"feasibility"``: a fresh model without an objective asks for a schedule one shorter than the best
        so far, until there is none (proven optimal) or time runs out.  ``"objective"``: one model
        minimising the makespan.
    improve : float
        Share of the time limit for a first phase with CP-SAT's default portfolio, whose
        large-neighbourhood search improves the hint; the rest goes to the proof, with every worker on
        the whole problem (with one worker, a single phase); ``search="objective"`` only.  None by default:
        on the hard j30 instances the proof phase alone reaches more optima.

    Raises
    ------
    RcpspError
        OR-Tools is not installed, demands are fractional, or no schedule was found in the time limit.
    OptionError
        An unknown ``search``, or ``improve`` with the feasibility search.
    """
    try:
        from ortools.sat.python import cp_model
    except ImportError:  # pragma: no cover - depends on the environment
        raise RcpspError("the CP-SAT mode needs OR-Tools: pip install 'journeykit[exact]'") from None
    values = [v for row in problem.demands for v in row] + list(problem.capacities)
    if any(float(v) != int(v) for v in values):
        raise RcpspError(f"{problem.name}: the CP-SAT mode needs whole-number demands and capacities")
    clock = time.perf_counter()
    c = problem.compiled
    energy = energy_bounds(problem, gaps=problem.n <= GAP_LIMIT)
    best = [int(v) for v in hint] if hint is not None else None
    if best is not None and makespan(c, best) <= energy.bound:
        return CpSatOutcome(best, makespan(c, best), True, energy.bound, time.perf_counter() - clock)
    check_choice("search", search, SEARCHES)
    if search == "feasibility" and improve != IMPROVE:
        raise OptionError(f"improve={improve!r} applies to search='objective' only (the feasibility search "
                          "has no improvement phase)")
    if search == "feasibility":
        best, proven, bound = _feasibility_search(cp_model, problem, energy, best, time_limit, clock, workers, seed)
    else:
        best, proven, bound = _objective_search(cp_model, problem, energy, best, time_limit, clock, workers, seed,
                                                improve)
    if best is None:
        raise RcpspError(f"{problem.name}: CP-SAT found no schedule within {time_limit:g} s")
    return CpSatOutcome(
        start=best,
        makespan=makespan(c, best),
        optimal=proven,
        bound=bound,
        seconds=time.perf_counter() - clock,
    )


def _model(cp_model, problem: RcpspProblem, energy, upper: int, objective: bool, hint: list[int] | None):
    """The tightened model with every finish (plus tail) at most ``upper``; minimising the makespan when
    ``objective``.  Returns the model, the start variables and the makespan variable."""
    c = problem.compiled
    model = cp_model.CpModel()
    starts = [model.NewIntVar(energy.head[j], upper - d - energy.tail[j], f"s{j}") for j, d in enumerate(c.dur)]
    intervals = [model.NewFixedSizeIntervalVar(s, d, f"i{j}") for j, (s, d) in enumerate(zip(starts, c.dur))]
    for i, j, delay in problem.delays():
        model.Add(starts[j] >= starts[i] + delay)
    for (i, j), gap in energy.gap.items():
        model.Add(starts[j] >= starts[i] + c.dur[i] + gap)
    span = model.NewIntVar(energy.bound, upper, "makespan")
    # the time after the makespan as a task using every resource fully, so the cumulative propagators
    # reason about the makespan itself
    after = model.NewIntervalVar(span, model.NewIntVar(0, upper, "idle"), upper, "after")
    for k, cap in enumerate(problem.capacities):
        users = [j for j in range(c.n) if c.dur[j] > 0 and problem.demands[j][k] > 0]
        if users:
            model.AddCumulative([intervals[j] for j in users] + [after],
                                [int(problem.demands[j][k]) for j in users] + [int(cap)], int(cap))
    for j, d in enumerate(c.dur):
        model.Add(span >= starts[j] + d + energy.tail[j])
    if objective:
        model.Minimize(span)
    # branch on the start with the smallest earliest value, set to that value (heads break ties)
    order = sorted((j for j, d in enumerate(c.dur) if d > 0), key=lambda j: (energy.head[j], j))
    model.AddDecisionStrategy([starts[j] for j in order], cp_model.CHOOSE_LOWEST_MIN,
                              cp_model.SELECT_MIN_VALUE)
    if hint is not None:
        for var, value in zip(starts, hint):
            model.AddHint(var, int(value))
    return model, starts, span


def _solver(cp_model, seconds: float, workers: int, seed: int, full: bool):
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(seconds)
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    if full and workers > 1:  # every worker on the whole problem
        solver.parameters.num_full_subsolvers = int(workers)
        solver.parameters.subsolvers.extend(PORTFOLIO[:workers])
    return solver


def _feasibility_search(cp_model, problem, energy, best, time_limit, clock, workers, seed):
    """Schedules one shorter than the best so far, each a fresh model without an objective, until none
    exists (the best is optimal) or time runs out.  Each model's time windows are cut to the new target,
    which the propagators use from the start."""
    c = problem.compiled
    while True:
        left = time_limit - (time.perf_counter() - clock)
        target = c.horizon if best is None else makespan(c, best) - 1
        if best is not None and target < energy.bound:
            return best, True, energy.bound
        if left <= 0:
            return best, False, energy.bound
        model, starts, _ = _model(cp_model, problem, energy, target, False, best)
        solver = _solver(cp_model, left, workers, seed, full=True)
        status = solver.Solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = [int(solver.Value(s)) for s in starts]
        elif status == cp_model.INFEASIBLE and best is not None:
            return best, True, target + 1
        else:
            return best, False, energy.bound


def _objective_search(cp_model, problem, energy, best, time_limit, clock, workers, seed, improve):
    """Minimise the makespan in one model (an optional first phase with CP-SAT's default portfolio)."""
    c = problem.compiled
    upper = makespan(c, best) if best is not None else c.horizon
    model, starts, span = _model(cp_model, problem, energy, upper, True, best)
    proven, bound = False, energy.bound
    for phase, share in enumerate((improve, 1.0 - improve) if 1 < workers <= len(PORTFOLIO) else (0.0, 1.0)):
        left = time_limit - (time.perf_counter() - clock)
        if share <= 0 or left <= 0:
            continue
        solver = _solver(cp_model, left if phase else time_limit * share, workers, seed, full=bool(phase))
        status = solver.Solve(model)
        bound = max(bound, int(round(solver.BestObjectiveBound())))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = [int(solver.Value(s)) for s in starts]
            model.ClearHints()
            for var, value in zip(starts, best):
                model.AddHint(var, value)
        proven = status == cp_model.OPTIMAL or (best is not None and makespan(c, best) <= bound)
        if proven:
            break
        model.Add(span >= bound)
    return best, proven, bound

__all__ = ["CpSatOutcome", "cpsat_schedule"]
