"""The activity network model: validation errors, durations, arrays for algorithms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from journeykit.schedule import (
    Activity,
    BetaPert,
    CycleError,
    Dependency,
    DurationError,
    Empirical,
    Fixed,
    Lognormal,
    Plan,
    PlanError,
    Triangular,
)
from journeykit.schedule.sampling import DurationSampler
from journeykit.schedule.topology import topological_levels


def test_cycle_is_reported_with_its_activities():
    acts = [Activity(x, 1) for x in "abcde"]
    with pytest.raises(CycleError) as err:
        Plan(acts, [("a", "b"), ("b", "c"), ("c", "d"), ("d", "b"), ("d", "e")])
    cycle = err.value.cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"b", "c", "d"} and len(cycle) == 4
    # every consecutive pair is a dependency, in its direction
    edges = {("b", "c"), ("c", "d"), ("d", "b")}
    assert all((p, s) in edges for p, s in zip(cycle, cycle[1:]))
    assert "cycle" in str(err.value)


def test_all_structural_problems_reported_at_once():
    acts = [Activity("a", 1), Activity("a", 2), Activity("b", 1)]
    with pytest.raises(PlanError) as err:
        Plan(acts, [("x", "b"), ("b", "b"), ("a", "b"), ("a", "b")])
    msg = str(err.value)
    assert "duplicate activity id 'a' (2 times)" in msg
    assert "predecessor 'x' is not an activity of the plan" in msg
    assert "'b' depends on itself" in msg
    assert "a -> b is given more than once" in msg


@pytest.mark.parametrize(
    "value, fragment",
    [
        ((3, 2, 1), "optimistic <= most likely <= pessimistic"),
        ((1, 5, 4), "o=1, m=5, p=4"),
        (-2, "duration must be >= 0"),
        ("abc", "must be a number"),
        ((1, "x", 3), "most likely duration must be a number"),
        ((1, 2), "needs 3 numbers"),
        ({"kind": "gamma"}, "unknown duration kind"),
        (float("nan"), "must be finite"),
    ],
)
def test_invalid_durations_name_the_activity(value, fragment):
    with pytest.raises(PlanError) as err:
        Activity("pack", value)
    assert "activity 'pack'" in str(err.value) and fragment in str(err.value)


@pytest.mark.parametrize(("durations", "lag"), [((1e308, 1e308), 0.0), ((5e14, 5e14), 1.0)])
def test_durations_too_large_to_add_up_are_an_error(durations, lag):
    """1e308 twice overflowed to an infinite finish (a 500 from the API's /ccpm)."""
    acts = [Activity("a", durations[0]), Activity("b", durations[1])]
    with pytest.raises(PlanError, match="add up to .* plan units: too large to schedule"):
        Plan(acts, [("a", "b", "FS", lag)])
    assert Plan([Activity("a", 5e14), Activity("b", 4e14)], [("a", "b")]).cpm().duration == 9e14


def test_dependency_type_and_lag_are_checked():
    with pytest.raises(PlanError, match="unknown type 'XY'"):
        Dependency("a", "b", "XY")
    with pytest.raises(PlanError, match="lag must be a finite number"):
        Dependency("a", "b", "FS", "2")
    assert Dependency("a", "b", "ss", -1).type == "SS"


def test_pert_moments_follow_the_textbook_formulas():
    d = BetaPert(2, 5, 14)
    assert d.mean == pytest.approx((2 + 20 + 14) / 6)
    assert d.std == pytest.approx(2.0)
    t = Triangular(1, 2, 6)
    assert t.mean == pytest.approx(3.0)
    assert t.var == pytest.approx((1 + 4 + 36 - 2 - 6 - 12) / 18)
    assert Fixed(4).var == 0
    ln = Lognormal.from_mean_std(10, 3)
    assert ln.mean == pytest.approx(10) and ln.std == pytest.approx(3)


@pytest.mark.parametrize("dist", [BetaPert(1, 2, 9), BetaPert(0, 0, 5), BetaPert(2, 7, 7), Triangular(1, 4, 5)])
def test_quantile_functions_invert_the_cdf(dist):
    u = np.linspace(0.01, 0.99, 50)
    o, m, p = dist.three_point()
    if isinstance(dist, BetaPert):
        a = 1 + 4 * (m - o) / (p - o)
        ref = stats.beta(a, 6 - a, loc=o, scale=p - o).ppf(u)
    else:
        ref = stats.triang((m - o) / (p - o), loc=o, scale=p - o).ppf(u)
    assert np.allclose(dist.ppf(u), ref)
    # the sampler's table (shared beta-PERT grid, mean-preserving) agrees with the exact quantiles
    # between P1 and P99 (the extreme tail bins are interpolated linearly and are coarser)
    sampler = DurationSampler([dist], dtype=np.float64)
    u = np.linspace(0.01, 0.99, 2000)
    assert np.max(np.abs(sampler.durations(u[None, :])[0] - dist.ppf(u))) <= 2e-3 * (p - o)
    draws = sampler.durations(np.random.default_rng(0).random((1, 200_000)))
    assert draws.mean() == pytest.approx(dist.mean, abs=3e-3 * (p - o))


def test_empirical_distribution_uses_the_samples():
    e = Empirical([5, 1, 3, 2, 4])
    assert e.three_point() == (1, 3, 5) and e.mean == 3
    with pytest.raises(DurationError, match="must not be empty"):
        Empirical([])
    with pytest.raises(DurationError, match=">= 0"):
        Empirical([1, -1])


def test_arrays_give_csr_predecessors_successors_and_resources():
    plan = Plan(
        [Activity("a", 2, resources={"agent": 1}), Activity("b", (1, 2, 3)),
         Activity("c", 4, resources={"agent": 2, "desk": 1})],
        [("a", "c", "SS", 1), ("b", "c"), ("a", "b", "FF", -1)],
        resources={"agent": 3, "desk": 1},
    )
    ar = plan.arrays()
    assert ar.ids == ("a", "b", "c")
    assert ar.durations.tolist() == [2, 2, 4]
    preds_of_c = ar.pred_idx[ar.pred_ptr[2]:ar.pred_ptr[3]].tolist()
    assert sorted(preds_of_c) == [0, 1]
    succ_of_a = sorted(ar.succ_idx[ar.succ_ptr[0]:ar.succ_ptr[1]].tolist())
    assert succ_of_a == [1, 2]
    # succ_edge points back to the same dependency
    assert (ar.pred_idx[ar.succ_edge] == np.repeat(np.arange(3), np.diff(ar.succ_ptr))).all()
    assert (ar.edge_succ[ar.succ_edge] == ar.succ_idx).all()
    assert ar.level.tolist() == [0, 1, 2]
    assert ar.resource_names == ("agent", "desk")
    assert ar.demands.tolist() == [[1, 0], [0, 0], [2, 1]]
    assert ar.capacities.tolist() == [3, 1]


def test_unknown_resource_is_an_error():
    with pytest.raises(PlanError, match="unknown resource"):
        Plan([Activity("a", 1, resources={"robot": 1})], resources={"agent": 1})


def test_levels_are_longest_chain_lengths():
    # a -> b -> d, a -> d, c -> d: d is on level 2 (longest chain a, b, d)
    level = topological_levels(4, np.array([0, 1, 0, 2]), np.array([1, 3, 3, 3]))
    assert level.tolist() == [0, 1, 0, 2]


def test_resources_must_be_a_mapping():
    with pytest.raises(PlanError, match="resources must be a mapping"):
        Activity("a", 1, resources=["agent"])
