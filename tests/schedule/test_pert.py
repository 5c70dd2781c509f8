"""Analytic PERT: the textbook project's mean, variance and deadline probabilities."""

from __future__ import annotations

import pytest
from scipy import stats

from journeykit.schedule import Activity, Plan, ScheduleError
from journeykit.schedule.durations import Triangular
from tests.schedule.test_cpm import reliable_plan


def test_reliable_construction_probability_of_47_weeks():
    """Hillier & Lieberman's Reliable Construction Co.: mean 44, variance 9, P(T <= 47) = 0.84."""
    r = reliable_plan().pert()
    assert r.mean == pytest.approx(44)
    assert r.std ** 2 == pytest.approx(9)
    assert r.path == ["A", "B", "C", "E", "F", "J", "L", "N"]
    assert r.probability(47) == pytest.approx(0.8413, abs=1e-4)
    t = r.table.set_index("id")
    assert t.at["C", "te"] == pytest.approx(10) and t.at["C", "sigma"] == pytest.approx(2)


def test_deadline_for_a_confidence_inverts_the_probability():
    r = reliable_plan().pert()
    d = r.deadline(0.9)
    assert d == pytest.approx(44 + 3 * stats.norm.ppf(0.9))
    assert r.probability(d) == pytest.approx(0.9)
    with pytest.raises(ScheduleError, match="strictly between 0 and 1"):
        r.deadline(1.0)


def test_tied_paths_use_the_largest_variance():
    # two paths of mean 10: one certain, one uncertain; PERT must use the uncertain one
    plan = Plan([Activity("a", 10), Activity("b", (4, 10, 16))])
    r = plan.pert()
    assert r.mean == 10 and r.std == pytest.approx(2) and r.path == ["b"]
    assert any("tied critical paths" in n for n in r.notes)


def test_fixed_plan_probability_is_a_step():
    r = Plan([Activity("a", 3), Activity("b", 4)], [("a", "b")]).pert()
    assert r.std == 0 and r.probability(7) == 1 and r.probability(6.9) == 0


def test_a_start_to_start_predecessor_adds_only_its_lag():
    """fix starts 1 day after triage starts: triage's duration (and its variance) is not on the path."""
    plan = Plan([Activity("triage", (1, 2, 30)), Activity("fix", 50)], [("triage", "fix", "SS", 1)])
    r = plan.pert()
    assert r.mean == 51 and r.std == 0 and r.path == ["triage", "fix"]
    assert r.probability(52) == 1


def test_finish_to_finish_successor_duration_is_not_on_the_path():
    # the path's length is d_c + 2 (d finishes 2 after c): only c's variance (9) counts, not d's (16)
    plan = Plan([Activity("c", (1, 10, 19)), Activity("d", (0, 4, 24))], [("c", "d", "FF", 2)])
    r = plan.pert()
    assert r.mean == pytest.approx(12) and r.std ** 2 == pytest.approx(9)


def test_mixed_links_count_each_duration_by_the_points_the_path_enters_and_leaves():
    # a -FS-> b -SS+3-> c -FF+1-> e: length d_a + 3 + d_c + 1 = 25; b is left from its start and e entered
    # at its finish, so only a (variance 1.5) and c (6) count, not b (2.5); b alone ends by 19.  Triangular
    # durations: their variance is exact, so the simulation must agree
    plan = Plan(
        [
            Activity("a", Triangular(2, 5, 8)),
            Activity("b", Triangular(1, 2, 6)),
            Activity("c", Triangular(10, 16, 22)),
            Activity("e", 2),
        ],
        [("a", "b"), ("b", "c", "SS", 3), ("c", "e", "FF", 1)],
    )
    r = plan.pert()
    assert r.path == ["a", "b", "c", "e"]
    assert r.mean == pytest.approx(25) and r.std ** 2 == pytest.approx(1.5 + 6)
    sim = plan.simulate(iterations=40_000, seed=3)
    assert sim.std == pytest.approx(r.std, rel=0.03)
