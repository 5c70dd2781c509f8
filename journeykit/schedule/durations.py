"""Activity duration estimates: fixed, three-point (beta-PERT, triangular), lognormal, empirical.

Every estimate knows its mean and variance (used by analytic PERT), its quantile function (used by the
Monte Carlo sampler through inverse-CDF tables) and its three-point summary (used for reporting and MS
Project export).

References
----------
Malcolm, D. G., Roseboom, J. H., Clark, C. E. and Fazar, W. (1959) "Application of a technique for
research and development program evaluation", Operations Research 7(5), 646-669: the PERT estimates
``te = (o + 4m + p) / 6`` and ``sigma = (p - o) / 6``.
Vose, D. (2008) *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley, ch. 9 (beta-PERT with
``alpha = 1 + 4 (m - o) / (p - o)``, ``beta = 1 + 4 (p - m) / (p - o)``; triangular moments).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from scipy import special

from journeykit.schedule.errors import DurationError


def _number(value: Any, what: str) -> float:
    """``value`` as a finite float, or a :class:`DurationError` naming ``what``."""
    if isinstance(value, bool):
        raise DurationError(f"{what} must be a number, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DurationError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(x):
        raise DurationError(f"{what} must be finite, got {value!r}")
    return x


def _non_negative(value: Any, what: str) -> float:
    x = _number(value, what)
    if x < 0:
        raise DurationError(f"{what} must be >= 0, got {x:g}")
    return x


class Duration(ABC):
    """An activity duration estimate (a fixed value or a distribution)."""

    kind: ClassVar[str]

    @property
    @abstractmethod
    def mean(self) -> float:
        """Expected duration used by analytic PERT (``te``)."""

    @property
    @abstractmethod
    def var(self) -> float:
        """Variance used by analytic PERT (``sigma**2``)."""

    @property
    def std(self) -> float:
        return math.sqrt(self.var)

    @abstractmethod
    def three_point(self) -> tuple[float, float, float]:
        """``(optimistic, most likely, pessimistic)`` summary of the estimate."""

    @abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function (inverse CDF) at probabilities ``u`` in [0, 1]."""

    @property
    def bounded(self) -> bool:
        """True when the support is a finite interval (the sampler then uses a quantile table)."""
        return True

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Plain-data form, read back by :func:`duration_from`."""

    def sample(self, size: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """``size`` independent draws (inverse-CDF sampling)."""
        rng = np.random.default_rng(seed)
        return self.ppf(rng.random(size))


@dataclass(frozen=True)
class Fixed(Duration):
    """A deterministic duration."""

    value: float
    kind: ClassVar[str] = "fixed"

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _non_negative(self.value, "duration"))

    @property
    def mean(self) -> float:
        return self.value

    @property
    def var(self) -> float:
        return 0.0

    def three_point(self) -> tuple[float, float, float]:
        return (self.value, self.value, self.value)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full(np.shape(u), self.value)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}


@dataclass(frozen=True)
class _ThreePoint(Duration):
    o: float
    m: float
    p: float

    def __post_init__(self) -> None:
        o = _non_negative(self.o, "optimistic duration")
        m = _non_negative(self.m, "most likely duration")
        p = _non_negative(self.p, "pessimistic duration")
        if not o <= m <= p:
            raise DurationError(
                f"three-point estimate must satisfy optimistic <= most likely <= pessimistic, "
                f"got o={o:g}, m={m:g}, p={p:g}"
            )
        object.__setattr__(self, "o", o)
        object.__setattr__(self, "m", m)
        object.__setattr__(self, "p", p)

    def three_point(self) -> tuple[float, float, float]:
        return (self.o, self.m, self.p)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "o": self.o, "m": self.m, "p": self.p}


@dataclass(frozen=True)
class BetaPert(_ThreePoint):
    """Beta-PERT on ``[o, p]`` with mode ``m``: ``o + (p - o) * Beta(1 + 4(m-o)/(p-o), 1 + 4(p-m)/(p-o))``.

    ``mean`` and ``var`` are the classical PERT values ``(o + 4m + p) / 6`` and ``((p - o) / 6)**2``
    (the mean is exact for beta-PERT; the variance is PERT's approximation).
    """

    kind: ClassVar[str] = "beta_pert"

    @property
    def mean(self) -> float:
        return (self.o + 4.0 * self.m + self.p) / 6.0

    @property
    def var(self) -> float:
        return ((self.p - self.o) / 6.0) ** 2

    @property
    def alpha(self) -> float:
        """First shape parameter (``beta = 6 - alpha``); 3 for a degenerate ``o == p``."""
        return 1.0 + 4.0 * (self.m - self.o) / (self.p - self.o) if self.p > self.o else 3.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        a = self.alpha
        return self.o + (self.p - self.o) * special.betaincinv(a, 6.0 - a, np.asarray(u, dtype=float))


@dataclass(frozen=True)
class Triangular(_ThreePoint):
    """Triangular on ``[o, p]`` with mode ``m``: mean ``(o+m+p)/3``, variance ``(o²+m²+p²-om-op-mp)/18``."""

    kind: ClassVar[str] = "triangular"

    @property
    def mean(self) -> float:
        return (self.o + self.m + self.p) / 3.0

    @property
    def var(self) -> float:
        o, m, p = self.o, self.m, self.p
        return (o * o + m * m + p * p - o * m - o * p - m * p) / 18.0

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        o, m, p = self.o, self.m, self.p
        if p == o:
            return np.full(u.shape, o)
        fc = (m - o) / (p - o)
        low = o + np.sqrt(u * (p - o) * (m - o))
        high = p - np.sqrt((1.0 - u) * (p - o) * (p - m))
        return np.where(u < fc, low, high)


@dataclass(frozen=True)
class Lognormal(Duration):
    """``exp(N(mu, sigma²))``: mean ``exp(mu + sigma²/2)``, variance ``(exp(sigma²) - 1) exp(2mu + sigma²)``."""

    mu: float
    sigma: float
    kind: ClassVar[str] = "lognormal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", _number(self.mu, "lognormal mu"))
        sigma = _number(self.sigma, "lognormal sigma")
        if sigma <= 0:
            raise DurationError(f"lognormal sigma must be > 0, got {sigma:g}")
        object.__setattr__(self, "sigma", sigma)

    @classmethod
    def from_mean_std(cls, mean: float, std: float) -> "Lognormal":
        """The lognormal with the given mean and standard deviation (both > 0)."""
        mean, std = _number(mean, "lognormal mean"), _number(std, "lognormal std")
        if mean <= 0 or std <= 0:
            raise DurationError(f"lognormal mean and std must be > 0, got {mean:g} and {std:g}")
        s2 = math.log1p((std / mean) ** 2)
        return cls(math.log(mean) - s2 / 2.0, math.sqrt(s2))

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2.0)

    @property
    def var(self) -> float:
        return math.expm1(self.sigma**2) * math.exp(2.0 * self.mu + self.sigma**2)

    @property
    def bounded(self) -> bool:
        return False

    def three_point(self) -> tuple[float, float, float]:
        """``(P5, mode, P95)``."""
        lo, hi = self.ppf(np.array([0.05, 0.95]))
        return (float(lo), math.exp(self.mu - self.sigma**2), float(hi))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self.mu + self.sigma * special.ndtri(np.asarray(u, dtype=float)))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "mu": self.mu, "sigma": self.sigma}


@dataclass(frozen=True, eq=False)
class Empirical(Duration):
    """The empirical distribution of observed durations: sampling resamples the observations.

    The quantile function is the inverse of the empirical CDF (``numpy.quantile(method="inverted_cdf")``),
    so the sampled mean and variance are the observed ones.
    """

    samples: np.ndarray = field(repr=False)
    kind: ClassVar[str] = "empirical"

    def __post_init__(self) -> None:
        try:
            x = np.sort(np.asarray(self.samples, dtype=float).ravel())
        except (TypeError, ValueError):
            raise DurationError("empirical samples must be numbers") from None
        if x.size == 0:
            raise DurationError("empirical samples must not be empty")
        if not np.isfinite(x).all():
            raise DurationError("empirical samples must be finite numbers")
        if x[0] < 0:
            raise DurationError(f"empirical samples must be >= 0, got {x[0]:g}")
        x.setflags(write=False)
        object.__setattr__(self, "samples", x)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Empirical) and np.array_equal(self.samples, other.samples)

    def __hash__(self) -> int:
        return hash(self.samples.tobytes())

    def __repr__(self) -> str:
        return f"Empirical(n={self.samples.size}, mean={self.mean:.4g})"

    @property
    def mean(self) -> float:
        return float(self.samples.mean())

    @property
    def var(self) -> float:
        return float(self.samples.var())

    def three_point(self) -> tuple[float, float, float]:
        """``(min, median, max)`` of the samples."""
        x = self.samples
        return (float(x[0]), float(np.median(x)), float(x[-1]))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.quantile(self.samples, np.asarray(u, dtype=float), method="inverted_cdf")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "samples": self.samples.tolist()}


KINDS: dict[str, type[Duration]] = {
    cls.kind: cls for cls in (Fixed, BetaPert, Triangular, Lognormal, Empirical)
}


def duration_from(value: Any) -> Duration:
    """Build a duration from plain data.

    Accepted forms: a :class:`Duration`; a number (fixed); a 3-sequence ``(o, m, p)`` (beta-PERT); a
    mapping ``{"kind": ..., <parameters>}`` with kind one of ``fixed`` (``value``), ``beta_pert`` /
    ``triangular`` (``o``, ``m``, ``p``), ``lognormal`` (``mu``, ``sigma`` or ``mean``, ``std``),
    ``empirical`` (``samples``).

    Raises
    ------
    DurationError
        An unknown kind, missing or extra parameters, or invalid values.
    """
    if isinstance(value, Duration):
        return value
    if isinstance(value, dict):
        spec = dict(value)
        kind = spec.pop("kind", "beta_pert")
        if kind not in KINDS:
            raise DurationError(f"unknown duration kind {kind!r} (expected one of {sorted(KINDS)})")
        if kind == "lognormal" and "mean" in spec:
            try:
                return Lognormal.from_mean_std(spec.pop("mean"), spec.pop("std"))
            except KeyError:
                raise DurationError("lognormal given by mean also needs 'std'") from None
        try:
            return KINDS[kind](**spec)
        except TypeError as exc:
            raise DurationError(f"{kind} duration: {exc}".replace("__init__() ", "")) from None
    if isinstance(value, (list, tuple)):
        if len(value) != 3:
            raise DurationError(f"a three-point estimate needs 3 numbers (o, m, p), got {len(value)}")
        return BetaPert(*value)
    if isinstance(value, str):
        raise DurationError(f"duration must be a number, (o, m, p) or a distribution, got {value!r}")
    return Fixed(value)


__all__ = ["BetaPert", "Duration", "Empirical", "Fixed", "Lognormal", "Triangular", "duration_from"]
