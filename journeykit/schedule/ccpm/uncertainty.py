"""Duration uncertainty for simulating critical-chain plans.

When activities come with distributions (a plan's three-point or lognormal estimates) those are used.
When only a safe and an aggressive estimate are known, a model is fitted around them: the aggressive
estimate is the median and the safe estimate the 90th percentile (lognormal), or the aggressive estimate
is the mode, half of it the minimum and the maximum is solved for a 90th percentile at the safe estimate
(beta-PERT).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from scipy import optimize, special

from journeykit.schedule.durations import BetaPert, Duration, Fixed, Lognormal
from journeykit.schedule.rcpsp.problem import RcpspError
from journeykit.schedule.sampling import DurationSampler

#: ``scenarios(rng, size) -> (n, size)`` matrix of activity durations in periods.
Scenarios = Callable[[np.random.Generator, int], np.ndarray]

MODELS = ("lognormal", "beta_pert")
SAFE_QUANTILE = 0.9


@lru_cache(maxsize=4096)
def _beta_pert(aggressive: float, safe: float) -> BetaPert:
    """Beta-PERT with ``o = a/2``, mode ``a`` and ``p`` solved so that the 90th percentile is ``safe``."""
    o, m = 0.5 * aggressive, aggressive
    u = np.array([SAFE_QUANTILE])
    p = optimize.brentq(lambda p: float(BetaPert(o, m, p).ppf(u)[0]) - safe, m * (1 + 1e-9), 50.0 * safe)
    return BetaPert(o, m, p)


def model_durations(safe: Sequence[float], aggressive: Sequence[float], model: str = "lognormal") -> list[Duration]:
    """One distribution per activity around its aggressive estimate with 90th percentile ``safe``.

    Activities whose safe estimate is not above the aggressive one keep a fixed duration.

    Raises
    ------
    RcpspError
        An unknown model.
    """
    if model not in MODELS:
        raise RcpspError(f"unknown duration model {model!r} (expected one of {', '.join(MODELS)})")
    z = float(special.ndtri(SAFE_QUANTILE))
    out: list[Duration] = []
    for s, a in zip(safe, aggressive):
        if a <= 0 or s <= a:
            out.append(Fixed(float(max(a, 0.0))))
        elif model == "lognormal":
            out.append(Lognormal(math.log(a), math.log(s / a) / z))
        else:
            out.append(_beta_pert(float(a), float(s)))
    return out


def scenarios_from(durations: Sequence[Duration], scale: float = 1.0) -> Scenarios:
    """Sampler of duration matrices from distributions, divided by ``scale`` (plan units per period)."""
    sampler = DurationSampler(list(durations))

    def draw(rng: np.random.Generator, size: int) -> np.ndarray:
        return sampler.durations(sampler.uniforms(rng, size)) / scale

    return draw


__all__ = ["MODELS", "SAFE_QUANTILE", "Scenarios", "model_durations", "scenarios_from"]
