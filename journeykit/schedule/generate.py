"""Random activity networks for tests, benchmarks and what-if experiments.

The generator builds a layered network in the manner of project-network generators such as ProGen
(Kolisch, R., Sprecher, A. and Drexl, A. (1995) "Characterization and generation of a general class of
resource-constrained project scheduling problems", Management Science 41(10), 1693-1703): activities are
spread over ``layers`` layers, every activity of a layer gets one predecessor in the layer before (so
the network's depth is exactly ``layers``) and the remaining dependencies join random activities of
earlier layers within ``span`` layers.  Estimates are beta-PERT with most likely ``m ~ U(1, 10)``,
``o = m U(0.5, 1)``, ``p = m U(1, 3)``.
"""

from __future__ import annotations

import math

import numpy as np

from journeykit.schedule.durations import BetaPert
from journeykit.schedule.network import TYPE_NAMES, Activity, Dependency, Plan


def random_plan(
    n: int,
    m: int | None = None,
    layers: int | None = None,
    span: int = 3,
    seed: int | None = None,
    mixed_types: bool = False,
) -> Plan:
    """A random layered activity network.

    Parameters
    ----------
    n : int
        Number of activities (ids ``"a0" .. "a{n-1}"``).
    m : int, optional
        Number of dependencies (default ``3 n``); at least ``n - |layer 0|`` are created.
    layers : int, optional
        Depth of the network (default ``ceil(sqrt(n))``).
    span : int
        A dependency joins layers at most this far apart.
    seed : int, optional
    mixed_types : bool
        Draw dependency types uniformly from FS/SS/FF/SF and lags from ``U(-1, 3)`` (default: FS, no lag).
    """
    rng = np.random.default_rng(seed)
    m = 3 * n if m is None else m
    layers = max(1, min(n, layers if layers is not None else math.ceil(math.sqrt(n))))
    layer = np.sort(np.r_[np.arange(layers), rng.integers(0, layers, n - layers)])
    first = np.searchsorted(layer, np.arange(layers + 1))
    succ = np.flatnonzero(layer > 0)
    prev_lo, prev_hi = first[layer[succ] - 1], first[layer[succ]]
    pred = prev_lo + (rng.random(succ.size) * (prev_hi - prev_lo)).astype(np.int64)
    extra = max(0, m - succ.size)
    if extra and layers > 1:
        s = rng.choice(succ, extra)
        lo = first[np.maximum(layer[s] - span, 0)]
        p = lo + (rng.random(extra) * (first[layer[s]] - lo)).astype(np.int64)
        pred, succ = np.r_[pred, p], np.r_[succ, s]
    edges = np.unique(np.c_[pred, succ], axis=0)
    mode = rng.uniform(1, 10, n)
    o, p = mode * rng.uniform(0.5, 1, n), mode * rng.uniform(1, 3, n)
    acts = [Activity(f"a{i}", BetaPert(o[i], mode[i], p[i])) for i in range(n)]
    if mixed_types:
        kinds = rng.integers(0, 4, len(edges))
        lags = np.round(rng.uniform(-1, 3, len(edges)), 1)
    else:
        kinds, lags = np.zeros(len(edges), dtype=int), np.zeros(len(edges))
    deps = [Dependency(f"a{a}", f"a{b}", TYPE_NAMES[k], float(g)) for (a, b), k, g in zip(edges.tolist(), kinds, lags)]
    return Plan(acts, deps, name=f"random-{n}")


__all__ = ["random_plan"]
