"""Tests of the critical-chain plan: buffer sizes, chain tracing, feeding chains, levelling, calibration."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from journeykit.io.psplib import read_psplib
from journeykit.schedule import Activity, Plan
from journeykit.schedule.ccpm.buffers import (
    adaptive_density,
    adaptive_resource,
    chain_buffer,
    cut_and_paste,
    root_square_error,
)
from journeykit.schedule.ccpm.chain import critical_chain, feeding_chains
from journeykit.schedule.ccpm.execution import Execution
from journeykit.schedule.ccpm.flow import resource_flow
from journeykit.schedule.ccpm.from_plan import ccpm, plan_estimates, plan_problem
from journeykit.schedule.ccpm.plan import critical_chain_plan
from journeykit.schedule.ccpm.uncertainty import model_durations, scenarios_from
from journeykit.schedule.plan_io import read_plan
from journeykit.schedule.rcpsp import RcpspError, RcpspProblem, Relation, check_schedule
from tests.conftest import shared_file

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ccpm_plan.yaml"
SAFE, AGGR = [10.0, 6.0, 8.0], [5.0, 3.0, 4.0]


def test_buffer_sizes_match_hand_computation():
    assert cut_and_paste(AGGR) == 6.0
    assert cut_and_paste(AGGR, fraction=0.25) == 3.0
    assert root_square_error(SAFE, AGGR) == pytest.approx(math.sqrt(50))
    sigma = math.sqrt(2.5**2 + 1.5**2 + 2**2)
    assert adaptive_density(SAFE, AGGR, relations_in=4) == pytest.approx((1 + 4 / 3) * sigma)
    # resource use of the chain: (5*1 + 3*2 + 4*0) / (2 * 12) = 11/24
    assert adaptive_resource(SAFE, AGGR, [(1,), (2,), (0,)], (2,)) == pytest.approx((1 + 11 / 24) * sigma)


def test_chain_buffer_dispatch_reads_the_problem():
    p = RcpspProblem((5, 3, 4), [(0, 1), (1, 2), (0, 2)], [(1,), (2,), (0,)], (2,))
    assert chain_buffer("adaptive_density", p, [0, 1, 2], SAFE, AGGR) == pytest.approx(adaptive_density(SAFE, AGGR, 3))
    assert chain_buffer("adaptive_resource", p, [0, 1, 2], SAFE, AGGR) == pytest.approx(
        adaptive_resource(SAFE, AGGR, p.demands, p.capacities))
    with pytest.raises(RcpspError, match="unknown buffer method 'magic'"):
        chain_buffer("magic", p, [0], SAFE, AGGR)


def two_teams() -> RcpspProblem:
    """a -> c and b -> d; a and b need the only tester (R1); c is short, d long."""
    return RcpspProblem(
        durations=(3, 4, 2, 6),
        relations=[(0, 2), (1, 3)],
        demands=[(1,), (1,), (0,), (0,)],
        capacities=(1,),
        names=("a", "b", "c", "d"),
    )


def test_critical_chain_follows_resource_hand_over():
    p = two_teams()
    start = [0, 3, 3, 7]  # a, then b takes the tester from a, then d
    assert resource_flow(p, start) == [(0, 1)]
    chain = critical_chain(p, start)
    assert [p.names[j] for j in chain.activities] == ["a", "b", "d"]
    assert chain.links == ("", "resource", "precedence")
    feeders = feeding_chains(p, chain)
    assert feeders == []  # c feeds nothing on the chain


def test_feeding_chains_are_longest_non_chain_paths():
    # x -> y -> m, z -> m; chain = [w, m]; feeding chains end at y and z
    p = RcpspProblem((2, 3, 1, 4, 2), [(0, 1), (1, 4), (2, 4), (3, 4)], [()] * 5, (), names=("x", "y", "z", "w", "m"))
    chain = critical_chain(p, [0, 2, 4, 1, 5])
    assert [p.names[j] for j in chain.activities] == ["x", "y", "m"]
    feeders = feeding_chains(p, chain)
    assert [([p.names[j] for j in f.activities], p.names[f.joins]) for f in feeders] == [(["z"], "m"), (["w"], "m")]


def test_plan_from_example_has_chain_and_buffers_on_a_feasible_schedule():
    plan = read_plan(EXAMPLE)
    result = ccpm(plan, buffer="root_square_error", schedules=200)
    check_schedule(result.problem, result.start)
    names = result.chain_names
    # interviews take the whole research team, so log analysis runs before or after them on the chain
    assert set(names[:2]) == {"interviews", "log_analysis"} and names[-1] == "rollout"
    chain_rows = result.table.iloc[list(result.chain.activities)]
    # the chain runs without gaps (each activity starts when the previous finishes)
    assert (chain_rows["start"].to_numpy()[1:] == chain_rows["finish"].to_numpy()[:-1]).all()
    pb = result.buffers.iloc[0]
    assert (pb["kind"], pb["start"], pb["finish"]) == ("project", result.chain_end, result.due)
    idx = plan.index
    expected = math.sqrt(sum((result.safe[idx[n]] - result.aggressive[idx[n]]) ** 2 for n in names))
    assert pb["size"] == math.ceil(expected)
    for _, row in result.buffers.iloc[1:].iterrows():
        joins = result.table.set_index("activity").loc[row["protects"], "start"]
        assert row["finish"] <= joins  # every feeding buffer fits before its merge point
    gantt = result.gantt_table()
    assert set(gantt["kind"]) == {"critical chain", "activity", "project buffer", "feeding buffer"}
    assert result.figure().data


def test_estimates_from_plan():
    plan = Plan([Activity("a", 10.0), Activity("b", (2.0, 4.0, 12.0))], [("a", "b")])
    safe, aggressive, dists = plan_estimates(plan)
    assert (safe[0], aggressive[0]) == (10.0, 5.0)
    assert aggressive[1] == pytest.approx(float(dists[1].ppf(np.array([0.5]))[0]))
    assert safe[1] == pytest.approx(float(dists[1].ppf(np.array([0.9]))[0]))
    problem = plan_problem(plan, aggressive, step=0.5)
    assert problem.durations == (10, math.ceil(aggressive[1] / 0.5 - 1e-9))
    with pytest.raises(RcpspError, match="must be in \\(0, 1\\]"):
        plan_estimates(plan, cut=0)


def test_missing_resource_capacity_is_an_error():
    plan = Plan([Activity("a", 4.0, resources={"agent": 1})], [])
    with pytest.raises(RcpspError, match="activity 'a' needs resource 'agent' but the plan gives no capacity"):
        ccpm(plan)


def test_demand_above_capacity_is_unschedulable():
    plan = Plan([Activity("a", 4.0, resources={"agent": 3})], [], resources={"agent": 2})
    with pytest.raises(RcpspError, match="needs 3 units of resource 'agent' but its capacity is 2"):
        ccpm(plan)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(buffer="magic"), "unknown buffer method 'magic'"),
        (dict(target=1.5), "on-time target must be between 0 and 1"),
        (dict(aggressive=[1.0, 9.0, 1.0, 1.0]), "between 0 and the safe estimate: b"),
        (dict(safe=[1.0]), "1 safe and 4 aggressive estimates for 4 activities"),
    ],
)
def test_bad_ccpm_arguments(kwargs, message):
    args = dict(safe=[6.0, 8.0, 4.0, 12.0], aggressive=[3.0, 4.0, 2.0, 6.0])
    args.update(kwargs)
    with pytest.raises(RcpspError, match=message):
        critical_chain_plan(two_teams(), **args)


def test_execution_respects_relations_and_hand_overs():
    p = two_teams()
    run = Execution(p, [0, 3, 3, 7], [(0, 1)], relay=[0, 1, 3])
    start, finish = run.run(np.array([[5.0], [1.0], [2.0], [2.0]]))  # a late by 2, others short
    assert start[:, 0].tolist() == [0.0, 5.0, 5.0, 6.0]  # b waits for the tester; c is gated at 3 but a ends 5
    assert run.makespan(np.array([[3.0], [4.0], [2.0], [6.0]])).tolist() == [13.0]


def test_calibrated_buffer_meets_its_target_on_fresh_scenarios():
    p = RcpspProblem.from_psplib(read_psplib(shared_file("psplib/j30/j3011_3.sm")))
    safe = [float(d) for d in p.durations]
    aggressive = [d / 2 for d in safe]
    plan = critical_chain_plan(p, safe, aggressive, buffer="calibrated", target=0.9, samples=3000, schedules=150)
    check_schedule(plan.problem, plan.start)
    assert 0.87 <= plan.on_time_probability(size=4000, seed=123) <= 0.95
    smaller = critical_chain_plan(p, safe, aggressive, buffer="calibrated", target=0.5, samples=3000, schedules=150)
    assert smaller.project_buffer < plan.project_buffer
    beta = scenarios_from(model_durations(safe, aggressive, "beta_pert"))
    assert plan.on_time_probability(beta, size=2000) > 0.5


def test_feeding_buffer_lags_are_in_the_levelled_problem():
    p = RcpspProblem.from_psplib(read_psplib(shared_file("psplib/j30/j301_1.sm")))
    safe = [float(d) for d in p.durations]
    plan = critical_chain_plan(p, safe, [d / 2 for d in safe], buffer="cut_and_paste", schedules=150)
    extra = plan.problem.relations[len(p.relations):]
    assert [(r.pred, r.succ, r.lag) for r in extra] == [
        (fc.activities[-1], fc.joins, size) for fc, size in plan.feeding if size
    ]
    assert all(isinstance(r, Relation) and r.kind == "FS" for r in extra)
    check_schedule(plan.problem, plan.start)
