"""Relative importance (LMG / Shapley, Johnson's weights), pattern bootstrap and the logistic model."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from journeykit.errors import JourneykitError
from journeykit.insight.drivers import compress, lmg_weights, relative_importance, relative_weights, subset_r2
from journeykit.insight.logistic import ConvergenceError, fit_logistic


def _r2_lstsq(x: np.ndarray, y: np.ndarray, cols: list[int]) -> float:
    design = np.column_stack([np.ones(len(y)), x[:, cols]])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - resid.var() / y.var()


@pytest.fixture(scope="module")
def correlated():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3000, 5))
    x[:, 1] += 0.8 * x[:, 0]
    y = x @ np.array([1.0, 0.0, 0.5, 0.0, 0.2]) + rng.normal(size=3000)
    return x, y


def test_subset_r2_equals_least_squares(correlated):
    x, y = correlated
    r2 = subset_r2(compress(x, y).moments())[:, 0]
    for mask in range(1, 32):
        cols = [j for j in range(5) if mask >> j & 1]
        assert r2[mask] == pytest.approx(_r2_lstsq(x, y, cols), abs=1e-9)
    assert r2[0] == 0


def test_lmg_is_the_average_over_entry_orders(correlated):
    x, y = correlated
    r2 = subset_r2(compress(x, y).moments())[:, 0]
    brute = np.zeros(5)
    for order in itertools.permutations(range(5)):
        mask = 0
        for j in order:
            brute[j] += r2[mask | 1 << j] - r2[mask]
            mask |= 1 << j
    brute /= 120
    lmg = lmg_weights(r2[:, None])[0]
    np.testing.assert_allclose(lmg, brute, atol=1e-12)
    assert lmg.sum() == pytest.approx(r2[-1])
    # the driver with no effect but correlated with the strongest one still gets a clear share
    assert lmg[1] > 5 * lmg[3]


def test_orthogonal_drivers_get_their_squared_correlations():
    # a balanced 2^3 factorial design: the drivers are exactly uncorrelated
    x = np.array(list(itertools.product([0.0, 1.0], repeat=3)) * 50)
    rng = np.random.default_rng(1)
    y = x @ np.array([2.0, 1.0, 0.0]) + rng.normal(size=len(x))
    corr = compress(x, y).moments()
    squared = corr[0, :3, 3] ** 2
    np.testing.assert_allclose(lmg_weights(subset_r2(corr))[0], squared, atol=1e-12)
    np.testing.assert_allclose(relative_weights(corr)[0], squared, atol=1e-12)


def test_relative_weights_add_up_to_r2_and_approximate_lmg(correlated):
    x, y = correlated
    corr = compress(x, y).moments()
    rw = relative_weights(corr)[0]
    lmg = lmg_weights(subset_r2(corr))[0]
    assert rw.sum() == pytest.approx(_r2_lstsq(x, y, list(range(5))), abs=1e-9)
    np.testing.assert_allclose(rw, lmg, atol=0.01)


def test_pattern_moments_equal_the_expanded_data():
    rng = np.random.default_rng(3)
    x = (rng.random((2000, 4)) < [0.1, 0.3, 0.5, 0.2]).astype(float)
    y = (rng.random(2000) < 0.2 + 0.3 * x[:, 0]).astype(float)
    patterns = compress(x, y)
    assert len(patterns.counts) < 40 and patterns.n == 2000
    np.testing.assert_allclose(patterns.moments()[0], np.corrcoef(np.column_stack([x, y]).T), atol=1e-12)
    counts = patterns.bootstrap_counts(5, np.random.default_rng(0))
    assert counts.shape == (5, len(patterns.counts)) and np.all(counts.sum(axis=1) == 2000)


def test_bootstrap_intervals_ranks_and_speed():
    rng = np.random.default_rng(11)
    n, p = 20_000, 10
    x = (rng.random((n, p)) < 0.2).astype(float)
    x[:, 1] = np.where(rng.random(n) < 0.7, x[:, 0], x[:, 1])  # a null driver correlated with driver 0
    y = (rng.random(n) < 0.15 + 0.35 * x[:, 0] + 0.15 * x[:, 2]).astype(float)
    started = time.perf_counter()
    result = relative_importance(compress(x, y), [f"d{j}" for j in range(p)], replicates=1000, seed=2)
    elapsed = time.perf_counter() - started
    table = result.table.set_index("driver")
    assert result.method == "lmg" and result.params["replicates"] == 1000
    assert table.loc["d0", "rank"] == 1 and table.loc["d0", "rank_stability"] == 1.0
    assert table.loc["d0", "share_low"] > 50
    # the null driver d1 rides on d0: a large share with an interval far from zero (the inflation the docs
    # warn about), while the adjusted odds ratio correctly covers 1
    assert table.loc["d1", "share_low"] > 10 and table.loc["d2", "rank"] == 3
    odds = fit_logistic(x, y, [f"d{j}" for j in range(p)]).table.set_index("driver")
    assert not odds.loc["d1", "significant"] and odds.loc["d0", "or_low"] > 4 and odds.loc["d2", "significant"]
    assert table["share"].sum() == pytest.approx(100)
    assert (table["share_low"] <= table["share"]).all() and (table["share"] <= table["share_high"]).all()
    assert elapsed < 20, f"LMG bootstrap of {p} drivers took {elapsed:.1f} s"


def test_auto_switches_to_relative_weights_beyond_the_exact_limit():
    rng = np.random.default_rng(5)
    x = (rng.random((5000, 13)) < 0.3).astype(float)
    y = (rng.random(5000) < 0.2 + 0.2 * x[:, 0]).astype(float)
    result = relative_importance(compress(x, y), [f"d{j}" for j in range(13)], replicates=200)
    assert result.method == "relative_weights"
    assert result.table.iloc[0]["driver"] == "d0"


def test_relative_importance_errors():
    x = np.eye(4)[np.arange(40) % 4]
    patterns = compress(x, np.arange(40) % 2)
    with pytest.raises(JourneykitError, match="unknown relative-importance method 'shapley'"):
        relative_importance(patterns, list("abcd"), method="shapley")
    with pytest.raises(JourneykitError, match="two or more named drivers"):
        relative_importance(patterns, ["a"])
    wide = compress(np.random.default_rng(0).random((100, 16)), np.arange(100) % 2)
    with pytest.raises(JourneykitError, match="16 drivers is more than the limit of 15"):
        relative_importance(wide, [f"d{j}" for j in range(16)], method="lmg")


def test_logistic_single_binary_driver_matches_the_two_by_two_table():
    a, b, c, d = 120, 380, 60, 440  # exposed churn / stay, unexposed churn / stay
    x = np.array([1, 1, 0, 0], dtype=float)[:, None]
    y = np.array([1, 0, 1, 0], dtype=float)
    fit = fit_logistic(x, y, ["exposed"], weights=np.array([a, b, c, d], dtype=float))
    row = fit.table.iloc[0]
    assert row["odds_ratio"] == pytest.approx((a * d) / (b * c), rel=1e-9)
    assert row["se"] == pytest.approx(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d), rel=1e-6)
    assert fit.intercept == pytest.approx(np.log(c / d), rel=1e-9)
    assert row["significant"] and row["or_low"] > 1


def test_logistic_matches_sklearn_and_frequency_weights():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    x = (rng.random((8000, 3)) < 0.3).astype(float)
    eta = -1 + 1.2 * x[:, 0] - 0.5 * x[:, 2]
    y = (rng.random(8000) < 1 / (1 + np.exp(-eta))).astype(float)
    fit = fit_logistic(x, y, ["a", "b", "c"])
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=1000).fit(x, y)
    np.testing.assert_allclose(fit.table["coef"], ref.coef_[0], atol=1e-6)
    assert fit.table.set_index("driver").loc["b", "significant"] == (fit.table.iloc[1]["p_value"] < 0.05)
    patterns = compress(x, y)
    weighted = fit_logistic(patterns.x, patterns.y, ["a", "b", "c"], weights=patterns.counts)
    np.testing.assert_allclose(weighted.table["se"], fit.table["se"], rtol=1e-8)
    assert weighted.log_likelihood == pytest.approx(fit.log_likelihood)


def test_logistic_separation_is_reported():
    x = np.array([[0.0], [0.0], [1.0], [1.0]])
    with pytest.raises(ConvergenceError, match="separates the outcome"):
        fit_logistic(x, np.array([0.0, 0.0, 1.0, 1.0]), ["perfect"])
