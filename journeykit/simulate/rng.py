"""Counter-based random numbers: every draw is a hash of (seed, customer, counter).

A customer's random stream does not depend on which other customers are generated with it, so the
output of the simulator is the same whatever the block size.  The hash is the SplitMix64 finaliser
applied to a per-customer Weyl sequence (the construction of SplitMix64 itself), vectorised with numpy
``uint64`` arithmetic, which wraps modulo 2**64 as intended.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_COUNTER = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser of a ``uint64`` array (a new array)."""
    x = x ^ (x >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


class CounterRNG:
    """Uniform and normal draws addressed by customer key and counter.

    Parameters
    ----------
    seed : int
        The simulation seed (hashed with :class:`numpy.random.SeedSequence`).
    """

    def __init__(self, seed: int):
        self._key = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0]

    def customer_keys(self, customers: np.ndarray) -> np.ndarray:
        """One 64-bit key per customer index."""
        return _mix(customers.astype(np.uint64) * _GOLDEN + self._key)

    def uniform(self, keys: np.ndarray, counter: np.ndarray | int) -> np.ndarray:
        """Uniform draws in the open interval (0, 1), one per key."""
        x = _mix(keys + np.asarray(counter, dtype=np.uint64) * _COUNTER)
        return ((x >> _S11).astype(np.float64) + 0.5) * _TO_UNIT

    def normal(self, keys: np.ndarray, counter: np.ndarray | int) -> np.ndarray:
        """Standard normal draws (inverse CDF of :meth:`uniform`)."""
        return ndtri(self.uniform(keys, counter))
