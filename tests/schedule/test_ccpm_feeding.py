"""Feeding buffers push feeding chains earlier and never move the critical chain."""

from __future__ import annotations

import pytest

from journeykit.io.psplib import read_psplib
from journeykit.schedule.ccpm.chain import Chain, FeedingChain
from journeykit.schedule.ccpm.feeding import buffered, insert_feeding_buffers
from journeykit.schedule.ccpm.plan import critical_chain_plan
from journeykit.schedule.rcpsp import RcpspProblem, check_schedule, right_justify, solve_rcpsp
from tests.conftest import shared_file


def two_feeders() -> tuple[RcpspProblem, list[int], Chain]:
    """Chain a(2) -> b(4) -> c(2) without resources; f(2) and h(2) both precede c and share a crew of 1.

    As late as possible: a 0-2, b 2-6, c 6-8, h 4-6, f 2-4.
    """
    p = RcpspProblem(
        durations=(2, 4, 2, 2, 2),
        relations=[(0, 1), (1, 2), (3, 2), (4, 2)],
        demands=[(0,), (0,), (0,), (1,), (1,)],
        capacities=(1,),
        names=("a", "b", "c", "f", "h"),
    )
    return p, [0, 2, 6, 2, 4], Chain((0, 1, 2), ("", "precedence", "precedence"))


def test_buffers_move_the_feeding_chains_earlier_and_resolve_their_resource_conflict():
    p, late, chain = two_feeders()
    check_schedule(p, late)
    wanted = [(FeedingChain((3,), ("",), 2), 2), (FeedingChain((4,), ("",), 2), 2)]
    start, inserted = insert_feeding_buffers(p, late, chain, wanted)
    assert inserted == wanted  # both fit whole
    assert start[:3] == late[:3]  # the chain does not move
    # h must now finish by 4 and takes the crew 2-4, so f moves to 0-2 (both finish 2 before c)
    assert (start[3], start[4]) == (0, 2)
    check_schedule(buffered(p, inserted), start)


def test_a_buffer_that_cannot_fit_before_the_project_start_is_shortened():
    p, late, chain = two_feeders()
    wanted = [(FeedingChain((3,), ("",), 2), 3), (FeedingChain((4,), ("",), 2), 3)]
    start, inserted = insert_feeding_buffers(p, late, chain, wanted)
    # both whole would need the crew twice in 1-3; f's buffer goes in whole first (f 1-3), then h's as
    # large as fits: 2 (h 2-4 pushes f to 0-2, which still ends 3 periods before c)
    assert [size for _, size in inserted] == [3, 2]
    assert start[:3] == late[:3] and (start[3], start[4]) == (0, 2)
    check_schedule(buffered(p, inserted), start)


@pytest.mark.parametrize("name,buffer", [("j301_1", "cut_and_paste"), ("j3013_1", "adaptive_density"),
                                         ("j3029_9", "root_square_error"), ("j3045_2", "cut_and_paste")])
def test_on_psplib_the_chain_and_project_buffer_fix_the_due_date(name, buffer):
    p = RcpspProblem.from_psplib(read_psplib(shared_file(f"psplib/j30/{name}.sm")))
    safe = [float(d) for d in p.durations]
    plan = critical_chain_plan(p, safe, [d / 2 for d in safe], buffer=buffer, schedules=100)
    check_schedule(plan.problem, plan.start)
    base = p.with_durations(plan.problem.durations)
    late = right_justify(base, solve_rcpsp(base, "ga", schedules=100, seed=0).start)
    assert [plan.start[j] for j in plan.chain.activities] == [late[j] for j in plan.chain.activities]
    assert plan.chain_end == plan.params["levelled_makespan"]
    assert plan.due == plan.chain_end + plan.project_buffer
    feeding = plan.buffers[plan.buffers["kind"] == "feeding"]
    assert (feeding["size"] <= feeding["wanted"]).all()
    assert len(plan.notes) == int((feeding["size"] < feeding["wanted"]).sum())
    for (fc, size), (_, row) in zip(plan.feeding, feeding.iterrows()):
        assert plan.start[fc.activities[-1]] + plan.problem.durations[fc.activities[-1]] + size <= plan.start[fc.joins]
