"""Compress a customer × driver matrix into distinct rows with counts, and resample them.

Driver matrices are mostly binary flags, so ``n`` customers collapse to ``K ≪ n`` distinct rows
``z_k = (x_k, y_k)`` with counts ``c_k``.  Every statistic used by the driver analysis (moments, the
logistic likelihood) is a weighted sum over these rows, and a nonparametric bootstrap resample of customers
is exactly a multinomial draw of new counts ``c* ~ Multinomial(n, c / n)`` (Efron & Tibshirani 1993, ch. 6),
so ``B`` resamples cost one ``B × K`` matrix instead of ``B`` passes over the customers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journeykit.errors import OptionError


@dataclass(frozen=True)
class Patterns:
    """Distinct rows of ``[X, y]`` and how many customers have each.

    Attributes
    ----------
    x : ndarray, shape (K, p)
    y : ndarray, shape (K,)
    counts : ndarray, shape (K,)
    """

    x: np.ndarray
    y: np.ndarray
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def bootstrap_counts(self, replicates: int, rng: np.random.Generator) -> np.ndarray:
        """``(replicates, K)`` multinomial resample counts (each row sums to ``n``)."""
        return rng.multinomial(self.n, self.counts / self.n, size=replicates).astype(float)

    def moments(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Correlation matrices of ``[X, y]`` for each row of ``weights`` (``(B, K)``; default: the counts).

        Returns an array ``(B, p+1, p+1)``; ``y`` is the last variable.  A driver that is constant in a
        replicate gets correlation 0 with everything else (and 1 with itself).
        """
        w = self.counts[None, :].astype(float) if weights is None else np.atleast_2d(weights)
        z = np.column_stack([self.x, self.y]).astype(float)
        total = w.sum(axis=1)[:, None]
        mean = (w @ z) / total
        m = z.shape[1]
        outer = (z[:, :, None] * z[:, None, :]).reshape(len(z), m * m)
        second = (w @ outer).reshape(-1, m, m) / total[:, :, None]
        cov = second - mean[:, :, None] * mean[:, None, :]
        sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            corr = cov / (sd[:, :, None] * sd[:, None, :])
        corr = np.where(np.isfinite(corr), corr, 0.0)
        idx = np.arange(z.shape[1])
        corr[:, idx, idx] = 1.0
        return corr


def compress(x: np.ndarray, y: np.ndarray) -> Patterns:
    """Distinct rows of ``[x, y]`` with their counts (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise OptionError(f"x must be (n, p) and y (n,), got {x.shape} and {y.shape}")
    rows, counts = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    return Patterns(rows[:, :-1], rows[:, -1], counts.astype(float))
