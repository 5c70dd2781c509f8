"""Shifted-beta-geometric retention: the published Fader & Hardie (2007) fits and identities."""

from __future__ import annotations

import numpy as np
import pytest

from journeykit.analytics.clv import FitError, ShiftedBetaGeometricFitter

# Fader & Hardie (2007), Table 1: customers active at the start of years 0..7
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]


@pytest.mark.parametrize("survivors,alpha,beta", [(HIGH_END, 0.668, 3.806), (REGULAR, 0.704, 1.182)])
def test_reproduces_the_published_estimates(survivors, alpha, beta):
    model = ShiftedBetaGeometricFitter().fit(survivors)
    assert model.params_["alpha"] == pytest.approx(alpha, abs=1e-3)
    assert model.params_["beta"] == pytest.approx(beta, abs=1e-3)
    # the fitted curve tracks the data it was fitted to within 2.5% of the cohort every year
    fitted = 1000 * model.survival(np.arange(len(survivors)))
    assert np.max(np.abs(fitted - survivors)) < 25


def test_retention_rate_is_the_ratio_of_survival():
    model = ShiftedBetaGeometricFitter.from_params(alpha=0.7, beta=1.2)
    t = np.arange(1, 20)
    np.testing.assert_allclose(model.retention_rate(t), model.survival(t) / model.survival(t - 1), rtol=1e-12)
    assert np.all(np.diff(model.retention_rate(t)) > 0)  # survivors are the loyal ones


def test_discounted_expected_lifetime_is_the_discounted_survival_sum():
    model = ShiftedBetaGeometricFitter.from_params(alpha=0.668, beta=3.806)
    t = np.arange(0, 5000)
    direct = np.sum(model.survival(t) / 1.1**t)
    assert model.discounted_expected_lifetime(0.1) == pytest.approx(direct, rel=1e-10)


@pytest.mark.parametrize(
    "survivors,message",
    [
        ([1000, 900], "too few survivor counts to fit: 2"),
        ([1000, 1100, 900], "never rise"),
        ([100, 100, 100], "lose some"),
    ],
)
def test_bad_cohorts_are_refused(survivors, message):
    with pytest.raises(FitError, match=message):
        ShiftedBetaGeometricFitter().fit(survivors)
