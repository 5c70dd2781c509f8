"""Difference of two independent proportions: Newcombe's hybrid score interval and the test inverting it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from journeykit.analytics._proportions import newcombe_interval, two_proportion_test, wilson_limits

Z95 = stats.norm.ppf(0.975)


def _one(x_a, n_a, x_b, n_b, confidence=0.95):
    return two_proportion_test([x_a], [n_a], [x_b], [n_b], confidence).iloc[0]


# Newcombe (1998) Table II writes theta = p1 - p2; here difference = b - a, so a is his second sample.
@pytest.mark.parametrize(
    ("x_b", "n_b", "x_a", "n_a", "low", "high"),
    [
        # Newcombe 1998, Table II, method 10, examples (a) and (b) (the figures as quoted by several
        # independent implementations' tests; the paper's own table text was not reachable to re-read)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        # Table II (e) and (f): rates of 0 and 1; these also follow in closed form from the Wilson limits
        # of 0/n, [0, z²/(n + z²)], and of n/n, [n/(n + z²), 1] (see test_zero_and_full_rates_closed_form)
        (0, 10, 0, 20, -0.1611, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        # Fagerland, Lydersen & Laake 2015 (Perondi et al. 2004 trial, 7/34 vs 1/34): 0.019 to 0.340
        (7, 34, 1, 34, 0.0189, 0.3404),
    ],
)
def test_newcombe_published_examples(x_b, n_b, x_a, n_a, low, high):
    row = _one(x_a, n_a, x_b, n_b)
    assert row["difference"] == pytest.approx(x_b / n_b - x_a / n_a)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=5e-5)


def test_wilson_limits_by_hand():
    # 8/10 at z = 1.96 by the formula (p + z²/2n ± z√(p(1−p)/n + z²/4n²)) / (1 + z²/n)
    p, n, z = 0.8, 10, 1.96
    centre, half = p + z * z / (2 * n), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson_limits(8, 10, z)
    denom = 1 + z * z / n
    assert (low, high) == pytest.approx(((centre - half) / denom, (centre + half) / denom))


def test_zero_and_full_rates_closed_form():
    """0/n and n/n keep the width of their Wilson interval: the Wald interval of 13/13 had none."""
    z2 = Z95**2
    for n_a, n_b in [(1, 1), (13, 315), (20, 10), (200, 3)]:
        zero = _one(0, n_a, 0, n_b)  # both 0: [−u_a, u_b] with u = z²/(n + z²)
        assert (zero["ci_low"], zero["ci_high"]) == pytest.approx((-z2 / (n_a + z2), z2 / (n_b + z2)))
        assert zero["p_value"] == 1 and not zero["significant"]
        full = _one(n_a, n_a, n_b, n_b)  # both 1: [−(1 − l_b), 1 − l_a] with l = n/(n + z²)
        assert (full["ci_low"], full["ci_high"]) == pytest.approx((-z2 / (n_b + z2), z2 / (n_a + z2)))
        extreme = _one(n_a, n_a, 0, n_b)  # 1 against 0: difference −1, the interval reaches −1 and no lower
        assert extreme["ci_low"] == pytest.approx(-1) and extreme["difference"] == -1
        assert extreme["ci_high"] == pytest.approx(-1 + np.hypot(z2 / (n_b + z2), z2 / (n_a + z2)))


def test_helpdesk_case_interval_and_test_agree():
    """The user's case: 13/13 against 284/315 (take_charge, service levels 1 and 2)."""
    row = _one(13, 13, 284, 315)
    assert row["difference"] == pytest.approx(-0.0984127, abs=1e-6)
    # the old Wald interval, -0.131 to -0.066, excluded 0 while the pooled z-test gave p = 0.23
    assert row["ci_low"] < 0 < row["ci_high"]
    assert row["ci_high"] == pytest.approx(0.1314, abs=1e-4)
    assert not row["significant"] and row["p_value"] > 0.05


def test_one_against_none_at_n_1_is_not_significant():
    row = _one(1, 1, 0, 1)
    assert row["ci_low"] == pytest.approx(-1) and row["ci_high"] > 0 and not row["significant"]


def test_large_samples_agree_with_the_pearson_chi_square_test():
    for x_a, n_a, x_b, n_b in [(500, 1000, 540, 1000), (2000, 10000, 2100, 10000), (30, 200, 45, 210)]:
        chi = stats.chi2_contingency([[x_a, n_a - x_a], [x_b, n_b - x_b]], correction=False)[1]
        assert _one(x_a, n_a, x_b, n_b)["p_value"] == pytest.approx(chi, rel=0.01)


def test_empty_samples_and_bad_confidence():
    row = _one(0, 0, 3, 10)
    assert np.isnan(row[["rate_a", "difference", "ci_low", "ci_high", "z", "p_value"]].astype(float)).all()
    assert not row["significant"]
    with pytest.raises(ValueError, match="confidence"):
        two_proportion_test([1], [2], [1], [2], confidence=1.0)


def test_vectorised_and_antisymmetric():
    xa, na, xb, nb = np.array([3, 0, 40]), np.array([10, 5, 50]), np.array([7, 5, 20]), np.array([9, 5, 60])
    ab, ba = two_proportion_test(xa, na, xb, nb), two_proportion_test(xb, nb, xa, na)
    assert ab["ci_low"].to_numpy() == pytest.approx(-ba["ci_high"].to_numpy())
    assert ab["z"].to_numpy() == pytest.approx(-ba["z"].to_numpy())
    assert ab["p_value"].to_numpy() == pytest.approx(ba["p_value"].to_numpy())
    numbers = ["rate_a", "rate_b", "difference", "ci_low", "ci_high", "z", "p_value"]
    for i in range(3):
        one = _one(xa[i], na[i], xb[i], nb[i])
        got, expected = ab.iloc[i][numbers].astype(float), one[numbers].astype(float)
        assert got.tolist() == pytest.approx(expected.tolist())
        assert ab.iloc[i]["significant"] == one["significant"]


@st.composite
def _samples(draw):
    n_a, n_b = draw(st.integers(1, 400)), draw(st.integers(1, 400))
    return draw(st.integers(0, n_a)), n_a, draw(st.integers(0, n_b)), n_b


@settings(max_examples=300, deadline=None)
@given(_samples(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_significant_is_the_interval_excluding_zero_and_the_p_value_agrees(sample, confidence):
    x_a, n_a, x_b, n_b = sample
    row = _one(x_a, n_a, x_b, n_b, confidence)
    excludes = row["ci_low"] > 0 or row["ci_high"] < 0
    assert row["significant"] == excludes
    assert row["significant"] == (row["p_value"] < 1 - confidence)
    assert -1 <= row["ci_low"] <= row["difference"] <= row["ci_high"] <= 1
    assert row["ci_high"] - row["ci_low"] > 0  # never a zero-width interval
    # the p-value inverts the interval: at confidence 1 − p its limit nearer 0 sits on 0
    if 1e-12 < row["p_value"] < 1:
        low, high = newcombe_interval(x_a, n_a, x_b, n_b, stats.norm.isf(row["p_value"] / 2))
        assert (low if row["difference"] > 0 else high) == pytest.approx(0, abs=1e-9)
