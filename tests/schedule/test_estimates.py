"""Duration estimates from observed durations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.schedule import DurationError, Empirical, Lognormal
from journeykit.schedule.estimates import estimate_duration


def test_three_point_matches_the_observed_mean():
    x = np.random.default_rng(0).gamma(3.0, 2.0, 5000)
    est = estimate_duration(x)
    o, m, p = est.three_point.three_point()
    assert o == pytest.approx(np.quantile(x, 0.05)) and p == pytest.approx(np.quantile(x, 0.95))
    assert est.three_point.mean == pytest.approx(x.mean())
    assert o < m < p


def test_lognormal_data_recovers_its_parameters_and_auto_picks_it():
    x = np.random.default_rng(1).lognormal(2.0, 0.4, 4000)
    est = estimate_duration(x, fit="auto")
    assert isinstance(est.fitted, Lognormal)
    assert est.fitted.mu == pytest.approx(2.0, abs=0.03) and est.fitted.sigma == pytest.approx(0.4, abs=0.02)
    assert est.table.at[0, "ks_pvalue"] > 0.05


def test_bimodal_data_falls_back_to_the_empirical_distribution():
    rng = np.random.default_rng(2)
    x = np.r_[rng.normal(1, 0.1, 2000), rng.normal(20, 1, 2000)].clip(0.01)
    est = estimate_duration(x, fit="auto")
    assert isinstance(est.fitted, Empirical) and est.fitted.mean == pytest.approx(x.mean())


def test_extreme_skew_is_clipped_with_a_note():
    x = np.r_[np.zeros(90), np.full(10, 1000.0)]
    est = estimate_duration(x, low=0.0, high=1.0)
    assert est.three_point.m == 0 and any("too skewed" in n for n in est.notes)


@pytest.mark.parametrize("bad, msg", [([1.0], "at least 2"), ([1, -2], ">= 0"), ([1, np.inf], "finite")])
def test_invalid_observations(bad, msg):
    with pytest.raises(DurationError, match=msg):
        estimate_duration(bad)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=2, max_size=200))
def test_three_point_is_always_ordered_and_within_the_data(values):
    est = estimate_duration(values, fit="beta_pert")
    o, m, p = est.three_point.three_point()
    assert min(values) <= o <= m <= p <= max(values)
