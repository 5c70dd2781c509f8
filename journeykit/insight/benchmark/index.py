"""The benchmark index: distance-to-frontier scores per KPI, weighted into journey and stage indices.

Per KPI with measured value ``x`` (OECD/JRC 2008, *Handbook on Constructing Composite Indicators*, §5.2
"distance to a reference"; the World Bank's Doing Business distance-to-frontier score)

    score = 100 · clip((x − worst) / (frontier − worst), 0, 1),

where the frontier is the best and ``worst`` the worst figure of the KPI's reference rows (``best``, ``p75``,
``median``, ``value`` / ``worst``, ``p25``, ...; the direction comes from the KPI, so a lower-is-better KPI
simply has ``frontier < worst`` and the formula is unchanged).  ``gap`` is the distance still to go to the
frontier in the KPI's unit (``frontier − x``, or ``x − frontier`` for lower-is-better; negative beyond it).

Uncertainty: the score is a monotone map of ``x``, so its interval ``[score_low, score_high]`` is the map of
the KPI's interval, and its standard error is the one that interval implies,

    se(s) = (score_high − score_low) / (2z).

Where the KPI's interval is ``x ± z·se(x)`` and lies between the worst figure and the frontier this is the
delta method ``100 · se(x) / |frontier − worst|``; for a share it is the Wilson-based se (the Wilson interval
keeps its width at 0 or 100 %, where ``√(p̂(1−p̂)/n)`` is 0); for a mean it is the t interval's half-width
over ``z``, i.e. ``t_{n−1}/z`` times the delta method, so a mean of 2 cases is not read with normal
precision.  As the clip cuts into the interval the se shrinks (a clipped score varies less), and it is 0
only where the whole interval lies beyond the frontier or the worst figure, i.e. where the score is 100 or
0 at the chosen confidence.  (Taking the slope of the map at ``x`` instead gave every clipped score an se of
0, however few answers it rested on.)  A KPI whose own se cannot be estimated (a mean of one case, or of
values that are all equal; see :mod:`~journeykit.insight.benchmark.measure`) has a score without se.

The index of a scope (the journey, a stage) is the weighted mean ``I = Σ wₖ sₖ / Σ wₖ`` with
``se(I) = √Σ (wₖ/Σw)² se(sₖ)²`` (KPIs taken as independent samples) and the interval ``I ± z·se(I)``
clipped to [0, 100].  Where a weighted KPI has no se, neither the index has: its se and interval are NaN
(not 0-100) and it is marked unreliable, as is an index resting on a KPI measured on fewer than ``min_n``
answers or customers.  References are frozen per reference-set version: compare indices only across
results with the same version and fingerprint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from journeykit.analytics.intervals import z_value
from journeykit.errors import JourneykitError
from journeykit.insight.benchmark.kpis import KPIS
from journeykit.insight.benchmark.reference import ReferenceRow, ReferenceSet

FORMULA = (
    "score = 100 · clip((x − worst) / (frontier − worst), 0, 1) per KPI (distance to frontier, "
    "OECD/JRC 2008); index = Σ w·score / Σ w with se = √Σ (w/Σw)²·se(score)²"
)

SCORE_COLUMNS = [
    "group", "kpi_id", "kpi", "stage", "unit", "n", "value", "ci_low", "ci_high", "frontier", "worst",
    "reference_median", "references", "sources", "score", "score_low", "score_high", "score_se", "gap",
    "weight", "small_sample",
]


def _figures(rows: list[ReferenceRow], keys: tuple[str, ...]) -> list[float]:
    return [getattr(r, k) for r in rows for k in keys if getattr(r, k) is not None]


def frontier_and_worst(rows: list[ReferenceRow], higher_is_better: bool) -> tuple[float, float, float]:
    """``(frontier, worst, median of the central figures)`` of a KPI's reference rows: the best and the worst
    of all their figures in the KPI's direction, and the median of their ``median`` / ``value`` figures."""
    figures = _figures(rows, ("worst", "p25", "median", "value", "p75", "best"))
    central = _figures(rows, ("median", "value"))
    frontier, worst = (max(figures), min(figures)) if higher_is_better else (min(figures), max(figures))
    return frontier, worst, float(np.median(central)) if central else float("nan")


def _scale(value, worst: float, frontier: float):
    return 100 * np.clip((np.asarray(value, dtype=float) - worst) / (frontier - worst), 0, 1)


def score_se(se: float, ends: np.ndarray, confidence: float) -> float:
    """Standard error of a KPI's score from its interval ``ends`` (module docstring); NaN where the KPI's
    ``se`` is not estimable."""
    if not np.isfinite(se):
        return float("nan")
    return float(abs(ends[1] - ends[0]) / (2 * z_value(confidence)))


def check_weight_keys(weights: dict[str, float], measured: pd.DataFrame) -> list[str]:
    """Refuse weight keys naming no KPI (neither a measured ``kpi_id`` nor a KPI kind); return notes on
    those naming a KPI kind that was not measured here."""
    ids, kinds = set(measured["kpi_id"]), set(measured["kpi"])
    unknown = sorted(k for k in weights if k not in ids and k not in kinds and k not in KPIS)
    if unknown:
        valid = ", ".join(sorted(ids | kinds))
        raise JourneykitError(
            f"benchmark weights: no KPI is called {' or '.join(map(repr, unknown))} (a weight is keyed by a kpi_id "
            f"or a KPI kind; measured here: {valid})"
        )
    return [f"weight for {k!r} not used: no such KPI was measured" for k in sorted(weights)
            if k not in ids and k not in kinds]


def score_kpis(
    measured: pd.DataFrame,
    reference: ReferenceSet,
    weights: dict[str, float] | None = None,
    industry: str | None = None,
    min_n: int = 30,
    confidence: float = 0.95,
) -> tuple[pd.DataFrame, list[str]]:
    """Distance-to-frontier score of every measured KPI that has a usable reference.

    Parameters
    ----------
    measured : DataFrame
        :func:`~journeykit.insight.benchmark.measure.measure_kpis` rows.
    reference : ReferenceSet
    weights : dict, optional
        Weight per ``kpi_id`` or per ``kpi`` (the ``kpi_id`` wins); default 1 for every scored KPI.
    industry : str, optional
        Use only reference rows whose industry contains this text.
    min_n : int
        KPIs measured on fewer answers or customers are flagged ``small_sample``.
    confidence : float
        The confidence of the measured intervals (``score_se`` is the score interval's half-width over
        ``z``); NaN where the KPI's sampling error cannot be estimated (``se`` NaN).

    Returns
    -------
    (DataFrame, list of str)
        The scored rows (:data:`SCORE_COLUMNS`) and notes on the KPIs that could not be scored.
    """
    weights = dict(weights or {})
    bad = [k for k, w in weights.items() if not np.isfinite(w) or w < 0]
    if bad:
        raise JourneykitError(f"benchmark weights must be finite and >= 0: {bad}")
    rows, notes = [], []
    missing: dict[str, list[str]] = {}
    for _, m in measured.iterrows():
        kpi = KPIS[m["kpi"]]
        refs = reference.for_kpi(m["kpi"], m["stage"] if m["kpi"] == "conversion" else None, industry)
        if m["kpi"] == "ces":
            refs = [r for r in refs if r.scale == m["scale"]]
        if not refs:
            what = m["kpi"] + (f" on scale {m['scale']}" if m["kpi"] == "ces" else "")
            missing.setdefault(what, []).append(m["kpi_id"])
            continue
        frontier, worst, median = frontier_and_worst(refs, kpi.higher_is_better)
        if frontier == worst:
            notes.append(f"{m['kpi_id']}: the references give a single figure ({frontier:g}); "
                         "a frontier and a worst value are needed")
            continue
        score = float(_scale(m["value"], worst, frontier))
        ends = _scale([m["ci_low"], m["ci_high"]], worst, frontier)
        rows.append(
            {
                "group": m["group"], "kpi_id": m["kpi_id"], "kpi": m["kpi"], "stage": m["stage"],
                "unit": m["unit"],
                "n": int(m["n"]), "value": m["value"], "ci_low": m["ci_low"], "ci_high": m["ci_high"],
                "frontier": frontier, "worst": worst, "reference_median": median, "references": len(refs),
                "sources": "; ".join(dict.fromkeys(f"{r.source} ({r.year})" for r in refs)),
                "score": score, "score_low": float(ends.min()), "score_high": float(ends.max()),
                "score_se": score_se(m["se"], ends, confidence),
                "gap": (frontier - m["value"]) * (1 if kpi.higher_is_better else -1),
                "weight": float(weights.get(m["kpi_id"], weights.get(m["kpi"], 1.0))),
                "small_sample": int(m["n"]) < min_n,
            }
        )
    notes += [f"no reference figure for {what}: {', '.join(dict.fromkeys(ids))} not scored"
              for what, ids in missing.items()]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS), notes


def composite_index(scores: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Journey and per-stage indices of each group (formula in the module docstring).

    Returns
    -------
    DataFrame
        ``group, scope ("journey" or "stage:<name>"), index, se, ci_low, ci_high, kpis, weight, min_n,
        reliable`` (``reliable`` is false when a KPI behind the index is a small sample or has no standard
        error; in the latter case the index's se and interval are NaN).
    """
    z = z_value(confidence)
    rows = []
    for group, g in scores.groupby("group", sort=False):
        stages = g.groupby("stage", sort=False, dropna=True)
        scopes = [("journey", g)] + [(f"stage:{s}", gs) for s, gs in stages]
        for scope, part in scopes:
            w = part["weight"].to_numpy(dtype=float)
            if w.sum() <= 0:
                continue
            used = part[w > 0]
            share = w[w > 0] / w.sum()
            index = float(share @ used["score"].to_numpy(dtype=float))
            ses = used["score_se"].to_numpy(dtype=float)
            no_se = int(np.isnan(ses).sum())
            se = float(np.sqrt(np.sum((share * ses) ** 2))) if not no_se else float("nan")
            rows.append(
                {
                    "group": group, "scope": scope, "index": index, "se": se,
                    "ci_low": max(0.0, index - z * se) if not no_se else float("nan"),
                    "ci_high": min(100.0, index + z * se) if not no_se else float("nan"),
                    "kpis": len(used), "weight": float(w.sum()), "min_n": int(part["n"].min()),
                    "reliable": not bool(used["small_sample"].any()) and not no_se,
                }
            )
    return pd.DataFrame(rows)
