"""Moments of truth: which touchpoint experiences go with customers staying or leaving (key-driver analysis).

For each experience (a 0/1 flag per customer, :mod:`journeykit.insight.experiences`) and a loyalty outcome:

Lift and phi (the Amplitude Compass view)
    Outcome rate with and without the experience, their difference with Newcombe's hybrid score
    interval and the test that inverts it (:mod:`journeykit.analytics._proportions`), and the phi
    coefficient
    ``φ = (n₁₁n₀₀ − n₁₀n₀₁) / √(n₁·n₀·n·₁n·₀)``.  A score experience is split at its low cut here
    ("with" = a low score) and enters the models as a number.
Odds ratios (:mod:`journeykit.insight.logistic`)
    A multivariable logistic model of the outcome on all experiences: each odds ratio is adjusted for the
    others, so a driver that only rides along with a real one has an interval covering 1.  ``significant``
    uses Holm's (1979) step-down correction of the p-values for the number of drivers screened (the
    intervals are per driver).
Relative importance (:mod:`journeykit.insight.drivers.relative_importance`)
    The LMG / Shapley decomposition of R² (Johnson's relative weights beyond :data:`MAX_EXACT` drivers),
    bootstrap percentile intervals and rank stability.  Correlated drivers share credit here: a driver
    with no effect can get a share whose interval excludes zero.  Read both views.
Priorities
    ``priority = share × gap × reach``: importance (% of R²), the performance gap (share of the customers
    reaching the touchpoint who had the bad experience) and the reach (customers reaching it), counted only
    for experiences whose association is harmful; ``revenue_at_stake = CLV × customers affected``, the
    affected customers being the exposed ones times the excess outcome risk (risk difference).

Everything here is an association in observational data, not a proven cause: confounders, selection into
touchpoints and reverse timing can all produce it.  Experiments settle causes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from journeykit.analytics._empty import why_no_events
from journeykit.analytics._proportions import two_proportion_test
from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.errors import (
    MODEL_EXAMPLE,
    EmptyResultError,
    JourneykitError,
    as_list,
    check_at_least,
    check_confidence,
    check_kind,
)
from journeykit.insight.drivers.patterns import compress
from journeykit.insight.drivers.relative_importance import MAX_EXACT, RelativeImportance, relative_importance
from journeykit.insight.experiences import Experience, Outcome, default_experiences
from journeykit.insight.features import customer_features, purchase_touchpoints, wait_experiences
from journeykit.insight.logistic import LogisticFit, fit_logistic
from journeykit.model import JourneyModel
from journeykit.result import Result

#: Fewest exposed (and unexposed) customers for an experience to enter the models.
MIN_EXPOSED = 30

CAVEAT = (
    "Associations, not proven causes: customers who meet an experience may differ in other ways. "
    "Importance shares are split among correlated drivers (a driver with no effect of its own can get a "
    "share); the adjusted odds ratio tells whether a driver adds anything once the others are known."
)


@dataclass
class MomentsOfTruthResult(Result):
    """Key drivers of a loyalty outcome.

    Attributes
    ----------
    table : DataFrame
        One row per experience, by priority: ``driver``, ``kind``, ``touchpoint``, ``stage``, ``reach``,
        ``exposed``, ``gap``, ``rate_with``, ``rate_without``, ``difference`` (percentage points) with
        ``diff_low`` / ``diff_high`` and ``p_value_lift``, ``phi``, ``direction``, ``odds_ratio`` with
        ``or_low`` / ``or_high`` / ``p_value`` / ``p_holm`` / ``significant`` (Holm-adjusted), ``share``
        (% of R²) with ``share_low`` / ``share_high``, ``rank``, ``rank_stability``, ``priority``,
        ``revenue_at_stake`` and its ``revenue_rank``, ``small_sample``.
    stages : DataFrame
        Importance summed per stage (LMG shares add up), with the stage's reach and revenue at stake.
    importance : RelativeImportance
    logistic : LogisticFit
    """

    stages: pd.DataFrame = field(default_factory=pd.DataFrame)
    importance: RelativeImportance | None = None
    logistic: LogisticFit | None = None
    title: str = "Moments of truth"

    def figure(self):
        """Two panels: importance (% of R², bootstrap interval) and adjusted odds ratio (log scale)."""
        import plotly.graph_objects as go
        from plotly.subplots import make_subplots

        t = self.table.sort_values("share")
        fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                            subplot_titles=["Importance: % of R² (shared among correlated drivers)",
                                            "Adjusted odds ratio (1 = no association)"])
        colour = np.where(t["significant"], "#486581", "#bcccdc")
        fig.add_trace(go.Bar(
            x=t["share"], y=t["driver"], orientation="h", marker_color=colour, showlegend=False,
            error_x=dict(type="data", symmetric=False, array=t["share_high"] - t["share"],
                         arrayminus=t["share"] - t["share_low"]),
        ), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=t["odds_ratio"], y=t["driver"], mode="markers", marker=dict(color=colour, size=9),
            showlegend=False,
            error_x=dict(type="data", symmetric=False, array=t["or_high"] - t["odds_ratio"],
                         arrayminus=t["odds_ratio"] - t["or_low"]),
        ), row=1, col=2)
        fig.add_vline(x=1, line_dash="dot", row=1, col=2)
        fig.update_xaxes(type="log", row=1, col=2)
        outcome = self.params.get("outcome", "")
        return fig.update_layout(
            title=f"{self.title}: {outcome} (grey: odds-ratio interval covers 1) — associations, not causes",
            height=max(320, 28 * len(t) + 140),
        )


def moments_of_truth(
    engine: Engine,
    model: JourneyModel,
    outcome: str = "churned",
    experiences: str | Experience | list[str | Experience] | None = None,
    anchor: str | list[str] | None = None,
    window_days: float = 30.0,
    purchase: str | list[str] | None = None,
    survey: str | None = None,
    clv: pd.Series | None = None,
    method: str = "auto",
    replicates: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_exposed: int = MIN_EXPOSED,
    filters: Filters | None = None,
) -> MomentsOfTruthResult:
    """Find the touchpoint experiences most associated with a loyalty outcome.

    Parameters
    ----------
    engine, model
        An engine (or a Workspace, whose engine is used) and the journey model.
    outcome : {"churned", "retained", "repurchased", "promoter"}
    experiences : list of Experience or str, optional
        Candidate drivers, as :class:`Experience` objects or in the text form of the command line
        (``"slow:shipping>5d"``, :func:`~journeykit.insight.experiences.parse_experience`); default:
        visits of the touchpoints from the anchor's stage on, a low-score flag per survey, long waits (above
        the 90th percentile) after touchpoints with a median wait of an hour or more, and loops
        (:func:`~journeykit.insight.features.wait_experiences`).
    anchor : list of str, optional
        Touchpoints that start a customer's experience window; default: the touchpoint whose events most
        often carry revenue.  Here, in ``purchase`` and in ``experiences`` one value alone is a list of one.
    window_days : float
        Length of the experience window; the outcome is observed after it.
    purchase : list of str, optional
        Purchase touchpoints for ``repurchased`` (default: every touchpoint whose events carry revenue).
    survey : str, optional
        NPS survey for ``promoter``.
    clv : Series, optional
        Customer id -> lifetime value; default: each customer's observed revenue.
    method : {"auto", "lmg", "relative_weights"}
    replicates : int
        Bootstrap replicates (at least 1000 recommended).
    confidence : float
    seed : int
    min_exposed : int
        Experiences with fewer exposed or unexposed customers are left out of the models (with a note).
    filters : Filters, optional

    Raises
    ------
    OptionError
        A confidence outside (0, 1), ``replicates`` below 0 or ``min_exposed`` below 1, arguments of the
        wrong kind (engine, model, filters, lists).
    DriverSpecError
        Unknown touchpoints or surveys, an invalid experience text, a bad outcome.
    EmptyResultError
        No anchored customers, or fewer than two usable experiences.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
    anchor, purchase = as_list("anchor", anchor), as_list("purchase", purchase)
    chosen = as_list("experiences", experiences, (str, Experience))
    check_at_least("replicates", replicates, 0)
    check_at_least("min_exposed", min_exposed, 1)
    check_confidence(confidence)
    revenue_touchpoints = purchase_touchpoints(engine, filters) if not (anchor and purchase) else []
    anchors = anchor or revenue_touchpoints[:1]
    if not anchors:
        if int(engine.execute(filters.apply(engine.events).count())) == 0:
            raise EmptyResultError(why_no_events(engine, engine.events, filters))
        raise EmptyResultError("no event carries revenue: name the anchor touchpoint (e.g. the purchase)")
    purchases = tuple(purchase or revenue_touchpoints or anchors)
    spec = Outcome(outcome, tuple(anchors), window_days, purchases, survey).validate(model)
    if chosen is None:
        experiences = default_experiences(model, anchors, outcome)
        scope = [e.target for e in experiences if e.kind == "visit"] + anchors
        experiences += wait_experiences(engine, scope, window_days, min_loops=min_exposed, filters=filters)
    else:
        experiences = [Experience.of(e) for e in chosen]
    candidates = [e.validate(model) for e in experiences]
    frame = customer_features(engine, model, candidates, spec, filters)
    frame = frame[frame["outcome"].notna()]
    notes = [CAVEAT]
    scores = [e for e in candidates if e.numeric]
    if scores:
        answered = frame.dropna(subset=[f"x{candidates.index(e)}" for e in scores])
        notes.append(
            f"Score experiences ({', '.join(e.name for e in scores)}) restrict the analysis to the "
            f"{len(answered):,} of {len(frame):,} customers who answered; their odds ratios are per scale "
            "point."
        )
        frame = answered
    if frame.empty:
        raise EmptyResultError(f"no anchored customer has a {outcome} outcome (an NPS answer for 'promoter')")
    x_all = frame[[f"x{i}" for i in range(len(candidates))]].to_numpy(dtype=float)
    y = frame["outcome"].to_numpy(dtype=float)
    low = np.array([e.threshold if e.numeric else np.nan for e in candidates])
    flags_all = np.where(np.isnan(low), x_all, (x_all <= low).astype(float))  # scores split at their low cut
    exposed = flags_all.sum(axis=0)
    usable = (exposed >= min_exposed) & (len(y) - exposed >= min_exposed)
    dropped = [e.name for e, ok in zip(candidates, usable) if not ok]
    if dropped:
        notes.append(
            f"Left out (fewer than {min_exposed} customers with or without the experience among {len(y):,}): "
            + ", ".join(dropped)
        )
    if usable.sum() < 2:
        raise EmptyResultError(
            f"fewer than two experiences have {min_exposed}+ customers with and without them "
            f"among {len(y):,} customers"
        )
    used = [e for e, ok in zip(candidates, usable) if ok]
    names = [e.name for e in used]
    x, flags = x_all[:, usable], flags_all[:, usable]
    patterns = compress(x, y)
    fit = fit_logistic(patterns.x, patterns.y, names, weights=patterns.counts, confidence=confidence)
    importance = relative_importance(patterns, names, method, replicates, confidence, seed)
    if importance.method == "relative_weights":
        notes.append(
            f"{len(names)} drivers: more than {MAX_EXACT}, so Johnson's relative weights approximate LMG."
        )
    value = _customer_value(frame, clv)
    reach = frame[[f"reach{i}" for i in np.flatnonzero(usable)]].to_numpy(dtype=float)
    table = _driver_table(used, model, flags, y, reach, value, fit, importance, spec, confidence)
    table["small_sample"] = table["exposed"] < 100
    if table["small_sample"].any():
        notes.append(
            "Experiences met by fewer than 100 customers have wide intervals: "
            "read the intervals, not the value."
        )
    stages = _stage_table(table, model)
    params = {
        "outcome": outcome, "anchor": anchors, "purchase": list(purchases), "window_days": window_days,
        "customers": int(len(y)),
        "outcome_rate": float(y.mean()), "method": importance.method, "replicates": replicates,
        "confidence": confidence, "clv": "given" if clv is not None else "observed revenue",
        "filters": filters.describe(),
    }
    return MomentsOfTruthResult(table=table, params=params, notes=notes, stages=stages, importance=importance,
                                logistic=fit, title=f"Moments of truth ({outcome})")


def _customer_value(frame: pd.DataFrame, clv: pd.Series | None) -> np.ndarray:
    if clv is None:
        return frame["revenue"].to_numpy(dtype=float)
    values = frame["customer_id"].map(clv)
    if values.isna().all():
        raise JourneykitError(
            "the CLV series has no value for any analysed customer (its index must be customer ids)"
        )
    return values.fillna(0.0).to_numpy(dtype=float)


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's (1979) step-down adjusted p-values: ``p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j))``."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    m = len(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def _phi(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n11 = x.T @ y
    n1_ = x.sum(axis=0)
    n_1 = y.sum()
    n = len(y)
    n10, n01 = n1_ - n11, n_1 - n11
    n00 = n - n11 - n10 - n01
    with np.errstate(divide="ignore", invalid="ignore"):
        return (n11 * n00 - n10 * n01) / np.sqrt(n1_ * (n - n1_) * n_1 * (n - n_1))


def _driver_table(
    used: list[Experience], model: JourneyModel, x: np.ndarray, y: np.ndarray, reach: np.ndarray,
    # x holds 0/1 flags (scores split at their low cut): lift, phi, gap and stake are descriptive
    value: np.ndarray, fit: LogisticFit, importance: RelativeImportance, spec: Outcome, confidence: float,
) -> pd.DataFrame:
    exposed = x.sum(axis=0)
    hits_with = x.T @ y
    hits_without = y.sum() - hits_with
    lift = two_proportion_test(hits_without, len(y) - exposed, hits_with, exposed, confidence)
    reach_n = np.maximum(reach.sum(axis=0), exposed)
    harm = lift["difference"].to_numpy() * (1 if spec.bad else -1)
    touchpoints = [e.touchpoint(model) for e in used]
    table = pd.DataFrame(
        {
            "driver": [e.name for e in used], "kind": [e.kind for e in used], "touchpoint": touchpoints,
            "stage": [model.touchpoint_by_name[t].stage if t else None for t in touchpoints],
            "reach": reach_n.astype("int64"), "exposed": exposed.astype("int64"), "gap": exposed / reach_n,
            "rate_with": 100 * lift["rate_b"], "rate_without": 100 * lift["rate_a"],
            "difference": 100 * lift["difference"], "diff_low": 100 * lift["ci_low"],
            "diff_high": 100 * lift["ci_high"], "p_value_lift": lift["p_value"], "phi": _phi(x, y),
            "direction": np.where(harm > 0, "harmful", "protective"),
        }
    )
    odds = fit.table[["driver", "odds_ratio", "or_low", "or_high", "p_value"]]
    odds = odds.assign(p_holm=holm(odds["p_value"].to_numpy()))
    odds["significant"] = odds["p_holm"] < 1 - confidence
    table = table.merge(odds, on="driver")
    table = table.merge(
        importance.table[["driver", "share", "share_low", "share_high", "rank", "rank_stability"]],
        on="driver",
    )
    order = {e.name: i for i, e in enumerate(used)}
    table = table.sort_values("driver", key=lambda s: s.map(order)).reset_index(drop=True)
    harmful = np.clip(harm, 0, None)
    table["priority"] = table["share"] * table["gap"] * table["reach"] * (harm > 0)
    table["revenue_at_stake"] = (x.T @ value) * harmful
    table["revenue_rank"] = table["revenue_at_stake"].rank(ascending=False, method="min").astype("int64")
    return table.sort_values(["priority", "share"], ascending=False).reset_index(drop=True)


def _stage_table(table: pd.DataFrame, model: JourneyModel) -> pd.DataFrame:
    stages = table.groupby("stage", sort=False).agg(
        drivers=("driver", "size"), share=("share", "sum"), priority=("priority", "sum"),
        revenue_at_stake=("revenue_at_stake", "sum"), reach=("reach", "max"),
    ).reset_index()
    stages["_order"] = stages["stage"].map(model.stage_order)
    return stages.sort_values("_order").drop(columns="_order").reset_index(drop=True)
