"""Simulators of the BG/NBD and Pareto/NBD generative stories (test helpers).

Each returns, per customer, calibration ``frequency`` and ``recency`` at age ``T`` and the number of
purchases in the following ``t`` periods (``holdout``).
"""

from __future__ import annotations

import numpy as np


def simulate_bgnbd(
    r, alpha, a, b, T: np.ndarray, t: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Poisson(λ) purchases while active, dropout with probability p after each repeat purchase."""
    n = T.size
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    now, alive = np.zeros(n), np.ones(n, dtype=bool)
    x, t_x, holdout = np.zeros(n), np.zeros(n), np.zeros(n)
    while alive.any():
        idx = np.flatnonzero(alive)
        nxt = now[idx] + rng.exponential(1 / lam[idx])
        ended = nxt > T[idx] + t
        alive[idx[ended]] = False
        idx, nxt = idx[~ended], nxt[~ended]
        now[idx] = nxt
        cal = nxt <= T[idx]
        x[idx[cal]] += 1
        t_x[idx[cal]] = nxt[cal]
        holdout[idx[~cal]] += 1
        alive[idx[rng.random(idx.size) < p[idx]]] = False
    return {"frequency": x, "recency": t_x, "T": T, "holdout": holdout}


def simulate_pareto_nbd(
    r, alpha, s, beta, T: np.ndarray, t: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Poisson(λ) purchases during an exponential(μ) lifetime."""
    n = T.size
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    death = rng.exponential(1 / mu)
    active_cal = np.minimum(death, T)
    x = rng.poisson(lam * active_cal).astype(float)
    # the last of x uniform times on (0, active_cal] is active_cal · U^{1/x}
    t_x = np.where(x > 0, active_cal * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)
    holdout = rng.poisson(lam * np.clip(np.minimum(death, T + t) - T, 0, None)).astype(float)
    return {"frequency": x, "recency": t_x, "T": T, "holdout": holdout}
