"""Analytic PERT: the textbook project's mean, variance and deadline probabilities."""

from __future__ import annotations

import pytest
from scipy import stats

from journeykit.schedule import Activity, Plan, ScheduleError
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
