"""Monte Carlo schedule risk: convergence to analytic values, merge bias, criticality, sensitivity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from journeykit.schedule import Activity, BetaPert, Empirical, Lognormal, Plan, ScheduleError, Triangular
from journeykit.schedule.generate import random_plan
from journeykit.schedule.montecarlo import block_size
from journeykit.schedule.sampling import DurationSampler


def test_single_chain_mean_and_variance_converge_to_the_analytic_values():
    # beta-PERT has exact mean te; its exact variance is (te - o)(p - te)/7 (Vose 2008, ch. 9)
    ests = [BetaPert(1, 2, 6), BetaPert(2, 5, 9), Triangular(1, 3, 8), Lognormal.from_mean_std(4, 1.5)]
    plan = Plan([Activity(f"s{i}", e) for i, e in enumerate(ests)], [(f"s{i}", f"s{i + 1}") for i in range(3)])
    sim = plan.simulate(iterations=200_000, seed=7)
    var = sum((e.mean - e.o) * (e.p - e.mean) / 7 if isinstance(e, BetaPert) else e.var for e in ests)
    mean = sum(e.mean for e in ests)
    se = np.sqrt(var / 200_000)
    assert abs(sim.mean - mean) < 4 * se
    assert sim.std ** 2 == pytest.approx(var, rel=0.02)
    assert sim.merge_bias == pytest.approx(0, abs=4 * se)  # a chain has no merge
    assert (sim.table["criticality"] == 1).all()


def test_two_equal_parallel_paths_show_positive_merge_bias():
    # E[max(X, Y)] for two iid normals exceeds the mean by sigma / sqrt(pi) (Clark 1961);
    # beta-PERT(0, 10, 20) paths are close to normal with sigma = sqrt(100/7)
    plan = Plan([Activity("x", (0, 10, 20)), Activity("y", (0, 10, 20)), Activity("end", 0)],
                [("x", "end"), ("y", "end")])
    sim = plan.simulate(iterations=100_000, seed=1)
    assert sim.analytic_mean == pytest.approx(10)
    expected = np.sqrt(100 / 7) / np.sqrt(np.pi)
    assert sim.merge_bias > 0
    assert sim.merge_bias == pytest.approx(expected, rel=0.05)
    crit = sim.table.set_index("id")["criticality"]
    assert crit["x"] == pytest.approx(0.5, abs=0.01) and crit["end"] == 1


def test_same_seed_same_result_and_percentiles_are_ordered():
    plan = random_plan(60, seed=3)
    a, b = plan.simulate(3000, seed=11), plan.simulate(3000, seed=11)
    assert np.array_equal(a.finish, b.finish)
    assert not np.array_equal(a.finish, plan.simulate(3000, seed=12).finish)
    p = a.percentiles()["finish"].tolist()
    assert p[0] <= p[1] <= p[2]
    assert a.probability(a.percentile(80)) == pytest.approx(0.8, abs=0.01)
    assert a.deadline_for(0.8) == pytest.approx(a.percentile(80), rel=1e-3)


def test_simulation_with_fixed_durations_equals_cpm():
    plan = Plan([Activity(x, d) for x, d in zip("abcd", [3, 5, 2, 4])],
                [("a", "b"), ("a", "c", "SS", 1), ("b", "d", "FF", 2), ("c", "d")])
    sim = plan.simulate(100, seed=0, dtype=np.float64)
    det = plan.cpm()
    assert np.all(sim.finish == det.duration)
    assert sim.table["criticality"].tolist() == det.table["critical"].astype(float).tolist()
    assert sim.table["sensitivity"].isna().all()


def test_block_iterations_agree_with_per_iteration_cpm():
    plan = random_plan(25, 60, seed=5, mixed_types=True)
    sim = plan.simulate(400, seed=2, dtype=np.float64, block=64)
    # replay some iterations one by one through the deterministic CPM
    from journeykit.schedule.passes import LevelPasses

    ar = plan.arrays()
    passes = LevelPasses(ar)
    sampler = DurationSampler([plan.activities[i].duration for i in passes.perm], dtype=np.float64)
    child = np.random.SeedSequence(2).spawn(7)[0]
    D = sampler.durations(sampler.uniforms(np.random.default_rng(child), 64))
    finishes = []
    for k in range(5):
        durations = np.empty(ar.n)
        durations[passes.perm] = D[:, k]
        one = plan.with_durations(dict(zip(plan.ids, durations.tolist()))).cpm(durations="mean")
        finishes.append(one.duration)
    assert np.allclose(finishes, sim.finish[:5])


def test_sensitivity_ranks_the_dominant_activity_first():
    plan = Plan([Activity("big", (5, 10, 40)), Activity("small", (9, 10, 11)), Activity("par", (1, 2, 3))],
                [("big", "small")])
    sim = plan.simulate(20_000, seed=4)
    s = sim.table.set_index("id")["sensitivity"]
    assert s["big"] > 0.9 and s["big"] > s["small"] > 0
    assert abs(s["par"]) < 0.05  # never critical: uncorrelated with the finish


def test_gaussian_copula_induces_rank_correlation():
    plan = Plan([Activity("a", (1, 5, 9)), Activity("b", (1, 5, 9)), Activity("c", Empirical([1, 2, 3, 4]))])
    ar = plan.arrays()
    from journeykit.schedule.passes import LevelPasses

    perm = LevelPasses(ar).perm
    rank = {plan.ids[p]: k for k, p in enumerate(perm)}
    sampler = DurationSampler([plan.activities[i].duration for i in perm], {(rank["a"], rank["b"]): 0.8}, np.float64)
    D = sampler.durations(sampler.uniforms(np.random.default_rng(0), 20_000))
    rho = stats.spearmanr(D[rank["a"]], D[rank["b"]]).statistic
    # Spearman rho of a Gaussian copula with r = 0.8: (6 / pi) asin(r / 2) (Kruskal 1958)
    assert rho == pytest.approx(6 / np.pi * np.arcsin(0.4), abs=0.02)
    corr = plan.simulate(5000, seed=1, correlation={("a", "b"): 0.8})
    assert corr.params["correlated_pairs"] == 1
    with pytest.raises(ScheduleError, match="not positive definite"):
        Plan([Activity(x, (1, 2, 3)) for x in "xyz"]).simulate(
            100, correlation={("x", "y"): 0.9, ("y", "z"): 0.9, ("x", "z"): -0.9})


def test_sampled_distributions_match_their_cdfs():
    ests = [BetaPert(2, 3, 10), Triangular(0, 1, 4), Lognormal(1, 0.5), Empirical([1, 2, 2, 3, 7])]
    sampler = DurationSampler(ests, dtype=np.float64)
    D = sampler.durations(sampler.uniforms(np.random.default_rng(3), 20_000))
    b = ests[0]
    a = 1 + 4 * (b.m - b.o) / (b.p - b.o)
    assert stats.kstest(D[0], stats.beta(a, 6 - a, loc=2, scale=8).cdf).statistic < 0.015
    assert stats.kstest(D[1], stats.triang(0.25, loc=0, scale=4).cdf).statistic < 0.015
    assert stats.kstest(D[2], stats.lognorm(0.5, scale=np.e).cdf).statistic < 0.015
    assert D[3].min() >= 1 and D[3].max() <= 7 and np.mean(D[3]) == pytest.approx(3, abs=0.05)


def test_blocks_bound_memory_and_arguments_are_checked():
    assert block_size(10_000, 10_000) * 10_000 <= 1 << 22
    assert block_size(10, 50) == 50
    with pytest.raises(ScheduleError, match="iterations must be an integer >= 2"):
        Plan([Activity("a", 1)]).simulate(1)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 1000))
def test_simulated_finish_lies_between_optimistic_and_pessimistic_schedules(n, seed):
    """With finish-to-start links the project duration is monotone in the durations, so every draw of
    bounded estimates finishes between the all-optimistic and the all-pessimistic schedules (with FF/SF
    links it is not: "reverse critical" activities, Moder, Phillips and Davis 1983, ch. 5).  Every
    iteration has a critical activity, so the criticality indices sum to at least 1."""
    plan = random_plan(n, 2 * n, seed=seed)
    sim = plan.simulate(300, seed=seed, dtype=np.float64)
    low, high = plan.cpm("optimistic").duration, plan.cpm("pessimistic").duration
    assert np.all(sim.finish >= low - 1e-6) and np.all(sim.finish <= high + 1e-6)
    assert sim.table["criticality"].sum() >= 1.0


@settings(max_examples=20, deadline=None)
@given(o=st.floats(0, 50), a=st.floats(0, 1), w=st.floats(0.01, 100))
def test_beta_pert_draws_stay_within_the_estimate_and_keep_its_mean(o, a, w):
    est = BetaPert(o, o + a * w, o + w)
    sampler = DurationSampler([est], dtype=np.float64)
    u = np.linspace(0, 1, 20_001)[None, :-1] + 0.5 / 20_000  # midpoints: a quadrature of the quantile function
    d = sampler.durations(u)[0]
    assert d.min() >= est.o - 1e-9 * w and d.max() <= est.p + 1e-9 * w
    assert d.mean() == pytest.approx(est.mean, abs=1e-3 * w)
