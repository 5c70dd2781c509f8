"""Tests of the RCPSP core: problem checks, schemes, rules, justification, GA, CP-SAT and the validator."""

from __future__ import annotations

import csv
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.errors import OptionError
from journeykit.io.psplib import read_psplib
from journeykit.schedule.rcpsp import (
    RcpspError,
    RcpspProblem,
    Relation,
    activity_list,
    check_schedule,
    cpsat_schedule,
    critical_path_bound,
    energy_bounds,
    forward_backward,
    genetic_algorithm,
    lower_bound,
    makespan,
    parallel_sgs,
    priorities,
    resource_bound,
    right_justify,
    sample_activity_list,
    schedule_violations,
    serial_sgs,
    solve_rcpsp,
    time_windows,
)
from tests.conftest import shared_file


def small() -> RcpspProblem:
    """a(3) and b(2) both need 2 of R1 (capacity 2), c(4) follows a, needs 1 of R1."""
    return RcpspProblem(
        durations=(3, 2, 4),
        relations=[(0, 2)],
        demands=[(2,), (2,), (1,)],
        capacities=(2,),
        names=("a", "b", "c"),
    )


def test_serial_sgs_follows_the_list_and_resources():
    p = small()
    assert serial_sgs(p.compiled, [0, 1, 2]) == [0, 3, 5]
    assert serial_sgs(p.compiled, [1, 0, 2]) == [2, 0, 5]
    assert serial_sgs(p.compiled, [0, 2, 1]) == [0, 7, 3]


def test_parallel_sgs_starts_in_priority_order():
    p = small()
    assert parallel_sgs(p.compiled, [0, 1, 2]) == [0, 3, 5]
    assert parallel_sgs(p.compiled, [1, 0, 2]) == [2, 0, 5]


def test_bounds_and_windows():
    p = small()
    w = time_windows(p)
    assert (w.earliest, w.latest, w.length) == ([0, 0, 3], [0, 5, 3], 7)
    assert critical_path_bound(p) == 7
    assert resource_bound(p) == 7  # (3*2 + 2*2 + 4*1) / 2 = 7
    assert lower_bound(p) == 7


def stacked() -> RcpspProblem:
    """a(2) and b(2) each need the whole resource (capacity 2) and precede c(1); c precedes d(3) and
    e(3), which also need the whole resource and precede the sink f.  Optimum 11 = 4 + 1 + 6, while the
    critical path gives 6 and the resource's total work 10."""
    return RcpspProblem(
        durations=(2, 2, 1, 3, 3, 0),
        relations=[(0, 2), (1, 2), (2, 3), (2, 4), (3, 5), (4, 5)],
        demands=[(2,), (2,), (0,), (2,), (2,), (0,)],
        capacities=(2,),
    )


def test_energy_bounds_by_hand():
    p = stacked()
    e = energy_bounds(p)
    assert time_windows(p).earliest[2] == 2 and e.head[2] == 4  # a and b: 8 units / 2
    assert e.head[3] == e.head[4] == 5  # c's head and duration
    assert e.tail[2] == 6 and e.tail[0] == 7  # d and e after c: 12 units / 2; a: 1 + c + 6
    assert (critical_path_bound(p), resource_bound(p), e.bound, lower_bound(p)) == (6, 10, 11, 11)
    # a and b are 6 periods of work (d, e) + c away from f; c is 6 away (path: 3)
    assert e.gap == {(0, 5): 6, (1, 5): 6, (2, 5): 6}


def test_right_justification_moves_slack_activities_late():
    p = RcpspProblem((3, 2, 4), [(0, 2)], [(1,), (1,), (1,)], (2,))
    assert right_justify(p, [0, 0, 3]) == [0, 5, 3]  # b has slack: moved to the end
    p = small()
    assert right_justify(p, [0, 7, 3]) == [0, 7, 3]  # already tight
    assert forward_backward(p, [0, 7, 3]) == [0, 7, 3]  # no gain possible from this order


def test_generalised_relations_are_respected():
    # b may start 1 after a starts (SS 1); c must finish with b (FF 0); d must finish 2 after a starts (SF 2)
    p = RcpspProblem(
        durations=(4, 3, 2, 5),
        relations=[Relation(0, 1, "SS", 1), Relation(1, 2, "FF", 0), Relation(0, 3, "SF", 2), Relation(2, 3, "FS", -1)],
        demands=[(1,), (1,), (1,), (2,)],
        capacities=(2,),
    )
    for method in ("serial", "parallel", "sampling", "ga", "cpsat"):
        result = solve_rcpsp(p, method, schedules=60)
        assert schedule_violations(p, result.start) == [], method
    assert solve_rcpsp(p, "cpsat").makespan == solve_rcpsp(p, "ga", schedules=60).makespan


def test_validator_reports_each_violation():
    p = small()
    problems = schedule_violations(p, [0, 0, 2])
    assert "FS a -> c (lag 0) violated: 2 < 3" in problems
    assert any(m.startswith("resource 'R1' over capacity in period 0: 4 > 2") for m in problems)
    assert schedule_violations(p, [-1, 3, 5])[0] == "activity 'a' starts at -1 < 0"
    assert schedule_violations(p, [0, 3, 5], deadline=8) == ["activity 'c' finishes at 9 > deadline 8"]
    with pytest.raises(RcpspError, match="infeasible schedule"):
        check_schedule(p, [0, 0, 3])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(demands=[(3,), (2,), (1,)]), "needs 3 units of resource 'R1' but its capacity is 2: the problem cannot be scheduled"),
        (dict(relations=[(0, 2), (2, 0)]), "cycle: "),
        (dict(relations=[(0, 5)]), "must link two different activities"),
        (dict(relations=[Relation(0, 2, "XX")]), "unknown type 'XX'"),
        (dict(durations=(3, -2, 4)), "has duration -2"),
        (dict(durations=(3, 2.5, 4)), "has duration 2.5"),
        (dict(demands=[(2,), (2,)]), "3 durations but 3 names and 2 demand rows"),
    ],
)
def test_bad_problems_raise(kwargs, message):
    base = dict(durations=(3, 2, 4), relations=[(0, 2)], demands=[(2,), (2,), (1,)], capacities=(2,))
    base.update(kwargs)
    with pytest.raises(RcpspError, match=message):
        RcpspProblem(**base)


def test_unknown_method():
    with pytest.raises(RcpspError, match="unknown scheduling method 'magic'"):
        solve_rcpsp(small(), "magic")


def test_ga_is_seeded_and_counts_schedules():
    p = RcpspProblem.from_psplib(read_psplib(shared_file("psplib/j30/j3013_1.sm")))
    a = genetic_algorithm(p, 300, seed=5)
    b = genetic_algorithm(p, 300, seed=5)
    assert (a.start, a.schedules) == (b.start, b.schedules)
    assert a.schedules == 300  # 100 individuals of 3 passes: the budget, never more
    assert genetic_algorithm(p, 301, seed=5).schedules == 300  # a 101st would exceed 301
    assert genetic_algorithm(p, 1).schedules == 3  # the first individual is always evaluated
    assert genetic_algorithm(p, 300, target=10**6).schedules == 3  # first schedule meets the target
    for justify, cost in ((True, 3), (False, 1)):
        sampled = solve_rcpsp(p, "sampling", schedules=500, justify=justify, seed=1)
        assert 500 - cost < sampled.params["schedules"] <= 500
    timed = genetic_algorithm(p, 10**9, time_limit=0.3)
    assert timed.seconds < 2.0 and timed.schedules < 10**9
    check_schedule(p, timed.start)


def _reference() -> dict[str, dict[str, str]]:
    with shared_file("psplib/reference_makespans.csv").open() as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


@pytest.mark.parametrize("set_name,step", [("j30", 20), ("j60", 40)])
def test_psplib_subset_every_schedule_is_valid(set_name, step):
    ref = _reference()
    names = sorted(k for k, row in ref.items() if row["set"] == set_name)[::step]
    rng = random.Random(0)
    before = after = 0
    for name in names:
        p = RcpspProblem.from_psplib(read_psplib(shared_file(f"psplib/{set_name}/{name}.sm")))
        best = int(ref[name]["best_ub"])
        assert critical_path_bound(p) == int(ref[name]["cpm_lb"])
        assert lower_bound(p) <= int(ref[name]["best_lb"])
        e = energy_bounds(p)
        c = p.compiled
        prio = priorities(p, rng.choice(["LFT", "LST", "MTS", "GRPW"]))
        singles = [serial_sgs(c, activity_list(c, prio)), parallel_sgs(c, prio),
                   serial_sgs(c, sample_activity_list(c, prio, rng))]
        for start in singles:
            check_schedule(p, start)
            improved = forward_backward(p, start, passes=3)
            check_schedule(p, improved)
            assert best <= makespan(c, improved) <= makespan(c, start)
            check_schedule(p, right_justify(p, start), deadline=makespan(c, start))
            before += makespan(c, start)
            after += makespan(c, improved)
        ga = solve_rcpsp(p, "ga", schedules=300)
        assert best <= ga.makespan <= min(makespan(c, s) for s in singles)
        check_schedule(p, ga.start)
        for start in singles + [ga.start]:  # every feasible schedule respects the energy bounds
            assert _energy_violations(p, e, start) == []
    assert after < before  # justification pays on real instances


def _energy_violations(p: RcpspProblem, e, start) -> list[str]:
    d, span = p.durations, makespan(p.compiled, start)
    bad = [f"head {j}" for j in range(p.n) if start[j] < e.head[j]]
    bad += [f"tail {j}" for j in range(p.n) if start[j] + d[j] + e.tail[j] > span]
    return bad + [f"gap {i}->{j}" for (i, j), g in e.gap.items() if start[j] < start[i] + d[i] + g]


@pytest.mark.parametrize("name", ["j301_1", "j3037_7"])
def test_cpsat_reaches_the_known_optimum(name):
    p = RcpspProblem.from_psplib(read_psplib(shared_file(f"psplib/j30/{name}.sm")))
    result = solve_rcpsp(p, "cpsat", schedules=100, time_limit=10)
    assert result.makespan == int(_reference()[name]["best_ub"])
    assert result.optimal and result.params["proven_optimal"]
    check_schedule(p, result.start)


def test_cpsat_returns_a_heuristic_schedule_at_the_bound_without_search():
    p = stacked()
    # shorter schedules by feasibility models; one minimising model (proof phase only; improvement phase first)
    for options in ({}, {"search": "objective"}, {"search": "objective", "improve": 0.3}):
        out = cpsat_schedule(p, 5, hint=[0, 2, 4, 5, 9, 12], **options)  # makespan 12 > bound 11
        assert (out.makespan, out.optimal, out.bound) == (11, True, 11)
        check_schedule(p, out.start)
    with pytest.raises(OptionError, match="search must be one of"):
        cpsat_schedule(p, 5, hint=[0, 2, 4, 5, 9, 12], search="lns")
    with pytest.raises(OptionError, match="improve=0.3 applies to search='objective' only"):
        cpsat_schedule(p, 5, hint=[0, 2, 4, 5, 9, 12], improve=0.3)
    out = cpsat_schedule(p, 5, hint=[2, 0, 4, 8, 5, 11])  # already at the bound: returned as it is
    assert (out.start, out.optimal, out.bound) == ([2, 0, 4, 8, 5, 11], True, 11)


def test_cpsat_rejects_fractional_demands():
    p = RcpspProblem((2, 2), [], [(0.5,), (1,)], (1,))
    with pytest.raises(RcpspError, match="whole-number demands"):
        cpsat_schedule(p)


@st.composite
def random_problems(draw):
    n = draw(st.integers(2, 8))
    k = draw(st.integers(1, 2))
    caps = [draw(st.integers(1, 4)) for _ in range(k)]
    durations = [draw(st.integers(0, 5)) for _ in range(n)]
    demands = [[draw(st.integers(0, caps[r])) for r in range(k)] for _ in range(n)]
    relations = []
    for j in range(1, n):
        for i in draw(st.lists(st.integers(0, j - 1), max_size=2, unique=True)):
            relations.append(Relation(i, j, draw(st.sampled_from(["FS", "SS", "FF", "SF"])), draw(st.integers(-2, 3))))
    return RcpspProblem(tuple(durations), relations, demands, caps)


@settings(max_examples=60, deadline=None)
@given(random_problems(), st.integers(0, 10))
def test_random_problems_schedule_feasibly(p, seed):
    c = p.compiled
    rng = random.Random(seed)
    prio = [rng.random() for _ in range(p.n)]
    starts = [serial_sgs(c, activity_list(c, prio)), parallel_sgs(c, prio)]
    starts += [forward_backward(p, s) for s in starts]
    ga = genetic_algorithm(p, 30, population=4, seed=seed)
    e = energy_bounds(p)
    for s in starts + [ga.start]:
        assert schedule_violations(p, s) == []
        assert _energy_violations(p, e, s) == []
        assert makespan(c, s) >= lower_bound(p) or p.n_resources == 0
    assert makespan(c, starts[2]) <= makespan(c, starts[0])


@settings(max_examples=25, deadline=None)
@given(random_problems(), st.booleans())
def test_both_cpsat_searches_prove_the_same_optimum(p, hinted):
    """Feasibility models one shorter each time and one minimising model: the same proven makespan, with or
    without a heuristic hint (without, the first model asks for any schedule within the horizon)."""
    hint = genetic_algorithm(p, 20, population=4, seed=0).start if hinted else None
    feasible = cpsat_schedule(p, 5, hint=hint, workers=1)
    minimised = cpsat_schedule(p, 5, hint=hint, workers=1, search="objective")
    assert feasible.optimal and minimised.optimal
    assert feasible.makespan == minimised.makespan == feasible.bound
    assert schedule_violations(p, feasible.start) == []
