"""The counter-based generator: reproducible, uniform, and independent across customers and counters."""

from __future__ import annotations

import numpy as np
from scipy import stats

from journeykit.simulate.rng import CounterRNG


def test_draws_are_addressed_not_sequential():
    rng = CounterRNG(5)
    keys = rng.customer_keys(np.arange(10_000))
    u = rng.uniform(keys, 3)
    assert np.array_equal(u, CounterRNG(5).uniform(keys, 3))
    assert np.array_equal(u[100:200], rng.uniform(rng.customer_keys(np.arange(100, 200)), 3))
    assert not np.array_equal(u, rng.uniform(keys, 4))
    assert not np.array_equal(u, CounterRNG(6).uniform(CounterRNG(6).customer_keys(np.arange(10_000)), 3))


def test_uniform_and_normal_distributions():
    rng = CounterRNG(1)
    keys = rng.customer_keys(np.arange(200_000))
    u = rng.uniform(keys, 7)
    assert 0 < u.min() and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    one_customer = rng.uniform(keys[:1], np.arange(200_000, dtype=np.uint64))
    assert stats.kstest(one_customer, "uniform").pvalue > 1e-4
    assert stats.kstest(rng.normal(keys, 8), "norm").pvalue > 1e-4


def test_neighbouring_streams_are_uncorrelated():
    rng = CounterRNG(1)
    keys = rng.customer_keys(np.arange(200_000))
    se = 1 / np.sqrt(200_000)
    assert abs(np.corrcoef(rng.uniform(keys, 0), rng.uniform(keys, 1))[0, 1]) < 4 * se
    assert abs(np.corrcoef(rng.uniform(keys[:-1], 0), rng.uniform(keys[1:], 0))[0, 1]) < 4 * se
