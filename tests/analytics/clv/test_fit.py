"""Maximum-likelihood machinery: standard errors, parameter recovery, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from journeykit.analytics.clv import (
    BetaGeoFitter,
    ConvergenceError,
    FitError,
    GammaGammaFitter,
    ParetoNBDFitter,
)
from journeykit.analytics.clv._fit import maximise_log_likelihood, numerical_hessian
from journeykit.analytics.clv.bgnbd import bgnbd_log_likelihood
from tests.analytics.clv._simulate import simulate_bgnbd, simulate_pareto_nbd

BGNBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PARETO = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}


def test_numerical_hessian_of_a_quadratic_is_exact():
    a = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, -0.4], [0.5, -0.4, 1.5]])
    h = numerical_hessian(lambda v: float(v @ a @ v / 2 + v.sum()), np.array([0.3, -1.0, 2.0]))
    np.testing.assert_allclose(h, a, atol=1e-6)


def _poisson_log_likelihood(counts: np.ndarray):
    """``θ -> Σ (k log λ − λ)`` (up to a constant)."""
    return lambda theta: float(np.sum(counts * np.log(theta[0]) - theta[0]))


def test_standard_errors_of_a_poisson_rate_match_the_closed_form():
    # MLE of a Poisson rate: λ̂ = mean, SE(λ̂) = sqrt(λ̂ / n) (Fisher information n/λ)
    counts = np.random.default_rng(1).poisson(3.0, 400)
    est = maximise_log_likelihood(_poisson_log_likelihood(counts), np.array([1.0]), ("lam",))
    assert est.params["lam"] == pytest.approx(counts.mean(), rel=1e-6)
    assert est.standard_errors["lam"] == pytest.approx(np.sqrt(counts.mean() / counts.size), rel=1e-4)


@pytest.fixture(scope="module")
def simulated_bgnbd():
    rng = np.random.default_rng(7)
    data = simulate_bgnbd(**BGNBD, T=rng.uniform(26, 52, 4000), t=0.0, rng=rng)
    return data, BetaGeoFitter().fit(data["frequency"], data["recency"], data["T"])


def test_bgnbd_recovers_simulated_parameters(simulated_bgnbd):
    _data, model = simulated_bgnbd
    for name, true in BGNBD.items():
        assert abs(model.params_[name] - true) < 3 * model.standard_errors_[name], (name, model.summary)
    lower, upper = model.summary["lower 95%"], model.summary["upper 95%"]
    assert ((lower < model.params_) & (model.params_ < upper)).all()


def test_hessian_standard_errors_agree_with_the_outer_product_of_gradients(simulated_bgnbd):
    """Information-matrix equality: the observed information ≈ Σ gᵢgᵢᵀ of per-customer scores."""
    data, model = simulated_bgnbd
    phi, h = np.log(model.params_.to_numpy()), 1e-5
    scores = np.empty((data["T"].size, phi.size))
    for i in range(phi.size):
        step = np.zeros(phi.size)
        step[i] = h
        up, down = (
            bgnbd_log_likelihood(*np.exp(phi + sign * step), data["frequency"], data["recency"], data["T"])
            for sign in (1, -1)
        )
        scores[:, i] = (up - down) / (2 * h)
    opg = np.exp(phi) * np.sqrt(np.diag(np.linalg.inv(scores.T @ scores)))
    np.testing.assert_allclose(model.standard_errors_.to_numpy(), opg, rtol=0.1)


def test_pareto_nbd_recovers_simulated_parameters():
    rng = np.random.default_rng(11)
    data = simulate_pareto_nbd(**PARETO, T=rng.uniform(26, 52, 2500), t=0.0, rng=rng)
    model = ParetoNBDFitter().fit(data["frequency"], data["recency"], data["T"])
    for name, true in PARETO.items():
        assert abs(model.params_[name] - true) < 3 * model.standard_errors_[name], (name, model.summary)


def test_pareto_nbd_fits_data_without_heterogeneity():
    # constant purchase and dropout rates in whole days: the fit runs to the limiting case (it used to stop
    # with "away from a maximum" after minutes in SciPy's 2F1) and recovers the two rates
    rng = np.random.default_rng(5)
    lam, mu, big = 0.02, 0.005, 1e7
    data = simulate_pareto_nbd(big, big / lam, big, big / mu, T=np.floor(rng.uniform(100, 500, 1000)), t=0.0, rng=rng)
    model = ParetoNBDFitter().fit(data["frequency"], np.floor(data["recency"]), data["T"])
    p = model.params_
    assert p["r"] / p["alpha"] == pytest.approx(lam, rel=0.1)
    assert p["s"] / p["beta"] == pytest.approx(mu, rel=0.2)
    assert p["r"] > 100 and p["s"] > 100  # no heterogeneity left: coefficients of variation below 10 %


@pytest.mark.parametrize(
    "cls,params,simulate",
    [(BetaGeoFitter, BGNBD, simulate_bgnbd), (ParetoNBDFitter, PARETO, simulate_pareto_nbd)],
)
def test_expectations_match_simulation(cls, params, simulate):
    """Unconditional E[X(t)] and, averaged over histories, the conditional E[Y(t) | x, t_x, T]."""
    rng = np.random.default_rng(3)
    model = cls.from_params(**params)
    T, t = np.full(40_000, 30.0), 20.0
    data = simulate(**params, T=T, t=t, rng=rng)
    # purchases in (0, T]: repeat purchases are counted from the first purchase at time 0
    total = data["frequency"] + data["holdout"]
    se = total.std() / np.sqrt(total.size)
    assert abs(total.mean() - float(model.expected_purchases(T[0] + t))) < 4 * se
    predicted = model.conditional_expected_purchases(t, data["frequency"], data["recency"], T)
    se = data["holdout"].std() / np.sqrt(T.size)
    assert abs(data["holdout"].mean() - predicted.mean()) < 4 * se
    # and the model ranks customers: those predicted above the median really buy more
    high = predicted > np.median(predicted)
    assert data["holdout"][high].mean() > 2 * data["holdout"][~high].mean()


def test_probability_alive_without_repeats_is_one_for_bgnbd():
    model = BetaGeoFitter.from_params(**BGNBD)
    assert model.probability_alive(0, 0, 30.0) == pytest.approx(1.0)
    # a long silence after a busy start lowers it
    assert model.probability_alive(5, 2.0, 30.0) < model.probability_alive(5, 29.0, 30.0) < 1


def test_too_few_customers_is_a_clear_error():
    with pytest.raises(FitError, match="too few customers to fit: 5 \\(at least 30"):
        BetaGeoFitter().fit([1, 0, 2, 0, 1], [3, 0, 5, 0, 1], [10] * 5)


def test_no_repeat_purchases_is_a_clear_error():
    with pytest.raises(FitError, match="no customer made a repeat purchase"):
        ParetoNBDFitter().fit(np.zeros(40), np.zeros(40), np.full(40, 10.0))


@pytest.mark.parametrize(
    "frequency,recency,T,message",
    [
        ([1.5] + [0] * 39, [1] + [0] * 39, [10] * 40, "whole number"),
        ([1] * 40, [11] * 40, [10] * 40, "recency must lie in \\[0, T\\]: 40 customers"),
        ([0] + [1] * 39, [2] + [1] * 39, [10] * 40, "recency must be 0 when frequency is 0"),
        ([1] * 40, [1] * 39, [10] * 40, "different lengths"),
        ([1] * 39 + [np.nan], [1] * 40, [10] * 40, "frequency has 1 missing"),
    ],
)
def test_inconsistent_inputs_name_the_problem(frequency, recency, T, message):
    with pytest.raises(FitError, match=message):
        BetaGeoFitter().fit(frequency, recency, T)


def test_non_convergence_reports_the_optimiser():
    # a Poisson likelihood started far from its maximum, with too few iterations to get there
    ll = _poisson_log_likelihood(np.full(1000, 50.0))
    with pytest.raises(ConvergenceError, match="stopped away from a maximum .*Nelder-Mead: .*L-BFGS-B: "):
        maximise_log_likelihood(ll, np.array([1e-3]), ("lam",), max_iter=2)


def test_a_homogeneous_population_is_a_limiting_case_not_a_failure():
    # every customer spends with the same rate ν = 0.2: q, γ → ∞ with γ/q → ν; mean spend p/ν = 20
    rng = np.random.default_rng(0)
    x = rng.integers(1, 6, 300)
    model = GammaGammaFitter().fit(x, rng.gamma(4.0 * x, 1 / (0.2 * x)))
    assert model.params_["q"] > 1e6 and model.params_["gamma"] > 1e6
    assert model.population_mean_spend() == pytest.approx(20.0, rel=0.05)
    assert model.standard_errors_.isna().all()
    assert "edge of the parameter space" in model.notes_[0]


def test_predicting_before_fitting_says_so():
    with pytest.raises(FitError, match="not fitted yet"):
        BetaGeoFitter().probability_alive(1, 1, 2)


def test_frequency_recency_matrix():
    from journeykit.analytics.clv.figures import frequency_recency_matrix

    model = BetaGeoFitter.from_params(**BGNBD)
    alive = frequency_recency_matrix(model, T=30.0, max_frequency=5, grid=11)
    assert alive.shape == (6, 11)
    assert alive.loc[0].iloc[0] == 1.0 and alive.loc[0].iloc[1:].isna().all()  # no repeats: recency must be 0
    # a recent last purchase: more likely alive
    assert (alive.loc[1:].diff(axis=1).iloc[:, 1:] > 0).all().all()
    expected = frequency_recency_matrix(
        model, T=30.0, max_frequency=5, quantity="expected_purchases", t=10, grid=11
    )
    np.testing.assert_allclose(
        expected.loc[3].to_numpy(), model.conditional_expected_purchases(10, 3, np.linspace(0, 30, 11), 30.0)
    )
