"""Closed-form likelihoods and expectations against direct integration of the generative models."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from journeykit.analytics.clv import pareto_nbd
from journeykit.analytics.clv.bgnbd import bgnbd_log_likelihood
from journeykit.analytics.clv.gamma_gamma import GammaGammaFitter, gamma_gamma_log_likelihood
from journeykit.analytics.clv.pareto_nbd import pareto_nbd_log_likelihood
from journeykit.analytics.clv.sbg import sbg_log_likelihood

CUSTOMERS = [(0, 0.0, 20.0), (1, 5.0, 20.0), (4, 18.5, 30.0), (3, 30.0, 30.0)]


def gamma_rule(shape: float, rate: float, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Gauss nodes and weights for expectations under Gamma(shape, rate) (generalised Laguerre)."""
    u, w = special.roots_genlaguerre(n, shape - 1)
    return u / rate, w / w.sum()


def beta_rule(a: float, b: float, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Gauss nodes and weights for expectations under Beta(a, b) (Jacobi on [-1, 1] mapped to [0, 1])."""
    y, w = special.roots_jacobi(n, b - 1, a - 1)
    return (1 + y) / 2, w / w.sum()


def expectation(rule_1, rule_2, f) -> float:
    """``E[f(U, V)]`` for independent U, V by the tensor product of two Gauss rules."""
    (u, wu), (v, wv) = rule_1, rule_2
    uu, vv = np.meshgrid(u, v, indexing="ij")
    return float(np.sum(np.outer(wu, wv) * f(uu, vv)))


@pytest.mark.parametrize("x,t_x,T", CUSTOMERS)
def test_bgnbd_likelihood_equals_the_mixture_integral(x, t_x, T):
    r, alpha, a, b = 2.5, 6.0, 1.5, 3.0

    def individual(lam, p):
        alive = (1 - p) ** x * lam**x * np.exp(-lam * T)
        dropped = p * (1 - p) ** (x - 1) * lam**x * np.exp(-lam * t_x) if x > 0 else 0.0
        return alive + dropped

    expected = expectation(gamma_rule(r, alpha), beta_rule(a, b), individual)
    got = float(np.exp(bgnbd_log_likelihood(r, alpha, a, b, x, t_x, T)))
    assert got == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("alpha,beta", [(5.0, 12.0), (12.0, 5.0), (7.0, 7.0)])
@pytest.mark.parametrize("x,t_x,T", CUSTOMERS)
def test_pareto_nbd_likelihood_equals_the_mixture_integral(alpha, beta, x, t_x, T):
    r, s = 2.0, 1.5

    def individual(lam, mu):
        k = lam + mu
        return lam**x * np.exp(-k * T) + lam**x * mu / k * (np.exp(-k * t_x) - np.exp(-k * T))

    expected = expectation(gamma_rule(r, alpha), gamma_rule(s, beta), individual)
    got = float(np.exp(pareto_nbd_log_likelihood(r, alpha, s, beta, x, t_x, T)))
    assert got == pytest.approx(expected, rel=1e-10)


def test_pareto_nbd_likelihood_is_finite_for_heavy_buyers():
    # the raw 2F1 overflows here; the Euler-transformed form must not
    x, t_x = np.array([300.0, 800.0]), np.array([38.0, 38.5])
    ll = pareto_nbd_log_likelihood(0.55, 10.58, 0.61, 11.67, x, t_x, 39.0)
    assert np.all(np.isfinite(ll))


def _log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(np.log(lo), np.log(hi)).map(np.exp)


@settings(max_examples=300, deadline=None)
@given(
    r=_log_uniform(0.05, 50), s=_log_uniform(0.05, 50), alpha=_log_uniform(0.3, 500), beta=_log_uniform(0.3, 500),
    x=st.integers(0, 40), T=st.floats(1, 100), share=st.floats(0, 0.999),
)
def test_pareto_nbd_quadrature_equals_the_hypergeometric_route(r, s, alpha, beta, x, T, share):
    # where both routes apply they must give the same log A0 (the quadrature replaces 2F1 for large parameters)
    xs, t_x, big_t = np.array([float(x)]), np.array([share * T]), np.array([T])
    if not pareto_nbd._quadrature_is_exact(r, alpha, s, beta, xs, t_x, big_t)[0]:
        return  # outside the region where the quadrature may be used
    quadrature = pareto_nbd._log_died_by_quadrature(r, alpha, s, beta, xs, t_x, big_t)[0]
    assert np.isfinite(quadrature) or t_x[0] == T
    # the 2F1 reference is accurate only where it is finite and F(t_x) - F(T) does not cancel
    gap = pareto_nbd._log_f(r, alpha, s, beta, xs, big_t)[0] - pareto_nbd._log_f(r, alpha, s, beta, xs, t_x)[0]
    if not np.isfinite(gap) or gap > -1e-4:
        return
    hypergeometric = pareto_nbd._log_died_by_hypergeometric(r, alpha, s, beta, xs, t_x, big_t)[0]
    assert quadrature == pytest.approx(hypergeometric, abs=1e-9)


def test_pareto_nbd_likelihood_is_finite_without_heterogeneity():
    # r, alpha and s, beta large with their ratios fixed: SciPy's 2F1 returns NaN there, the quadrature not
    x, t_x, T = np.array([0.0, 2.0, 9.0]), np.array([0.0, 150.0, 300.0]), np.array([7.0, 400.0, 500.0])
    for scale in (1e2, 1e5, 1e8):
        ll = pareto_nbd_log_likelihood(0.02 * scale, scale, 0.005 * scale, scale, x, t_x, T)
        assert np.all(np.isfinite(ll)), scale
    # the point where a fit in days stopped: 2F1 gave NaN for the customers without repeat purchases
    ll = pareto_nbd_log_likelihood(51.45, 37595.4, 77527.4, 13342082.8, np.zeros(2), np.zeros(2), np.array([7.0, 18.0]))
    assert np.all(np.isfinite(ll)) and np.all(ll < 0)
    # and it tends to the likelihood of constant rates: λ^x e^{-(λ+μ)T} + λ^x μ/(λ+μ) (e^{-(λ+μ)t_x} - e^{-(λ+μ)T})
    lam, mu = 0.02, 0.005
    k = lam + mu
    limit = np.log(lam**x * np.exp(-k * T) + lam**x * mu / k * (np.exp(-k * t_x) - np.exp(-k * T)))
    np.testing.assert_allclose(pareto_nbd_log_likelihood(lam * 1e8, 1e8, mu * 1e8, 1e8, x, t_x, T), limit, atol=1e-5)


@pytest.mark.parametrize("x", [1, 3, 10])
def test_gamma_gamma_density_of_mean_spend_integrates_to_one(x):
    def density(m):
        return np.exp(gamma_gamma_log_likelihood(6.25, 3.74, 15.44, x, m))

    total, _ = integrate.quad(density, 0, np.inf)
    assert total == pytest.approx(1.0, abs=1e-8)


@pytest.mark.parametrize("x,m", [(1, 20.0), (5, 60.0)])
def test_gamma_gamma_expected_spend_is_the_posterior_mean(x, m):
    p, q, gamma = 6.25, 3.74, 15.44
    # mean spend m̄ | ν ~ Gamma(px, rate xν);  ν ~ Gamma(q, rate γ);  E[M | ν] = p/ν
    def post(nu, f):
        return f(nu) * stats.gamma.pdf(m, p * x, scale=1 / (x * nu)) * stats.gamma.pdf(nu, q, scale=1 / gamma)

    num, _ = integrate.quad(post, 0, np.inf, args=(lambda nu: p / nu,))
    den, _ = integrate.quad(post, 0, np.inf, args=(lambda nu: 1.0,))
    model = GammaGammaFitter.from_params(p=p, q=q, gamma=gamma)
    assert float(model.conditional_expected_spend(x, m)) == pytest.approx(num / den, rel=1e-7)


def test_sbg_likelihood_is_the_sum_over_churn_times():
    alpha, beta, n = 0.7, 1.2, np.array([1000, 631, 468, 382])
    theta = np.linspace(1e-6, 1 - 1e-6, 200_001)
    dens = stats.beta.pdf(theta, alpha, beta)

    def prob(f):
        return integrate.trapezoid(f(theta) * dens, theta)

    p_t = [prob(lambda th, t=t: th * (1 - th) ** (t - 1)) for t in (1, 2, 3)]
    survive = prob(lambda th: (1 - th) ** 3)
    expected = np.dot(n[:-1] - n[1:], np.log(p_t)) + n[-1] * np.log(survive)
    assert sbg_log_likelihood(alpha, beta, n) == pytest.approx(expected, rel=1e-4)
