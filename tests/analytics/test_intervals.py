"""Survey KPI intervals: cross-checks against scipy and by simulated coverage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from journeykit.analytics.intervals import nps_difference_test, nps_interval, t_interval, wilson_interval


@pytest.mark.parametrize("k,n", [(0, 10), (3, 10), (45, 50), (812, 1000)])
def test_wilson_matches_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    iv = wilson_interval(k, n)
    assert (float(iv.low), float(iv.high)) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert float(iv.estimate) == k / n


def test_t_interval_matches_scipy():
    scores = np.random.default_rng(2).integers(1, 8, 37).astype(float)
    iv = t_interval(scores.mean(), scores.std(ddof=1), scores.size, confidence=0.9)
    low, high = stats.t.interval(0.9, scores.size - 1, loc=scores.mean(), scale=stats.sem(scores))
    assert (float(iv.low), float(iv.high)) == pytest.approx((low, high), rel=1e-12)
    assert np.isnan(t_interval(4.0, 0.0, 1).low)


def test_nps_variance_is_the_variance_of_plus_zero_minus_scores():
    scores = np.random.default_rng(5).integers(0, 11, 250)
    coded = np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))
    iv = nps_interval((coded == 1).sum(), (coded == -1).sum(), coded.size)
    assert float(iv.estimate) == pytest.approx(coded.mean())
    assert float(iv.se) == pytest.approx(coded.std(ddof=0) / np.sqrt(coded.size), rel=1e-12)


def _coverage(n: int, p_promoter: float, p_detractor: float, method: str, reps: int = 20_000) -> float:
    shares = [p_promoter, 1 - p_promoter - p_detractor, p_detractor]
    counts = np.random.default_rng(n).multinomial(n, shares, reps)
    iv = nps_interval(counts[:, 0], counts[:, 2], n, method=method)
    truth = p_promoter - p_detractor
    return float(np.mean((iv.low <= truth) & (truth <= iv.high)))


def test_adjusted_wald_keeps_coverage_where_wald_fails():
    # Rocks (2016): small samples with mostly promoters
    assert _coverage(15, 0.8, 0.05, "wald") < 0.9
    assert 0.93 < _coverage(15, 0.8, 0.05, "adjusted_wald") < 0.98


@pytest.mark.parametrize("method", ["wald", "adjusted_wald"])
def test_both_intervals_are_nominal_in_moderate_samples(method):
    assert 0.935 < _coverage(200, 0.45, 0.25, method) < 0.965


@pytest.mark.parametrize("method", ["wald", "adjusted_wald"])
def test_difference_test_has_its_nominal_size_and_power(method):
    rng = np.random.default_rng(9)
    a = rng.multinomial(300, [0.4, 0.35, 0.25], 20_000)
    b = rng.multinomial(250, [0.4, 0.35, 0.25], 20_000)
    null = nps_difference_test(a[:, 0], a[:, 2], 300, b[:, 0], b[:, 2], 250, method=method)
    assert 0.04 < np.mean(null.p_value < 0.05) < 0.06
    assert 0.94 < np.mean((null.low <= 0) & (0 <= null.high)) < 0.96
    c = rng.multinomial(250, [0.55, 0.3, 0.15], 20_000)  # NPS +40 vs +15
    alt = nps_difference_test(a[:, 0], a[:, 2], 300, c[:, 0], c[:, 2], 250, method=method)
    assert np.mean(alt.p_value < 0.05) > 0.9
    assert np.mean(alt.difference) == pytest.approx(0.25, abs=0.005)
    # the test inverts the interval: significant exactly when 0 is outside it
    assert np.array_equal(alt.p_value < 0.05, (alt.low > 0) | (alt.high < 0))


def test_adjusted_difference_by_hand_and_its_small_sample_size():
    """Each sample adjusted as Rocks (2016): 9 of 10 promoters vs 10 of 10."""
    t = nps_difference_test(9, 0, 10, 10, 0, 10, method="adjusted_wald")
    adj = lambda p, d, n: ((p + 0.75 - d - 0.75) / (n + 3),  # noqa: E731
                           ((p + 0.75 + d + 0.75) / (n + 3) - ((p - d) / (n + 3)) ** 2) / (n + 3))
    (ca, va), (cb, vb) = adj(9, 0, 10), adj(10, 0, 10)
    assert t.difference == pytest.approx(0.1)  # the observed difference
    assert t.se == pytest.approx(np.sqrt(va + vb))
    assert (t.low, t.high) == pytest.approx((cb - ca - 1.959964 * t.se, cb - ca + 1.959964 * t.se))
    assert np.isnan(nps_difference_test(1, 1, 2, 0, 0, 0).z)
    # 10 answers per group, equal NPS: the plain Wald test rejects about 8 % of the time at the 5 % level,
    # the adjusted one stays at or under 5 %
    rng = np.random.default_rng(4)
    a, b = rng.multinomial(10, [0.5, 0.3, 0.2], 40_000), rng.multinomial(10, [0.5, 0.3, 0.2], 40_000)
    size = {m: np.mean(nps_difference_test(a[:, 0], a[:, 2], 10, b[:, 0], b[:, 2], 10, method=m).p_value < 0.05)
            for m in ("wald", "adjusted_wald")}
    assert size["wald"] > 0.07 and 0.02 < size["adjusted_wald"] < 0.055, size


def test_empty_samples_give_nan():
    assert np.isnan(nps_interval(0, 0, 0).estimate)
    assert np.isnan(nps_interval(0, 0, 0, method="adjusted_wald").low)
    assert np.isnan(wilson_interval(0, 0).high)
    assert np.isnan(nps_difference_test(1, 1, 2, 0, 0, 0).z)
