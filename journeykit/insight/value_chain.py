"""Value chain analysis: what the activities behind each touchpoint cost and what the touchpoint adds.

Costs follow time-driven activity-based costing (Kaplan & Anderson 2004, "Time-Driven Activity-Based
Costing", *Harvard Business Review* 82(11)), with activities grouped by Porter's (1985) value chain:

* capacity cost rate of resource ``r``: ``c_r = cost_r / practical capacity minutes_r`` (per period);
* cost of activity ``k`` per interaction: ``a_k = Σ_r minutes_kr · c_r + direct_cost_k``;
* cost of touchpoint ``j`` per interaction: ``t_j = Σ_k q_jk · a_k`` (``q`` = times per interaction);
* with ``V_j`` interactions per period (events in the log divided by the periods it spans), resource
  minutes used ``u_r = Σ_k minutes_kr Σ_j q_jk V_j`` and unused capacity ``capacity_r − u_r`` (its cost
  ``(capacity_r − u_r) · c_r``);
* cost-to-serve of a customer: ``Σ_j (their interactions at j) · t_j``.

Value per touchpoint: the revenue recorded at it, the revenue (and optionally CLV) of the customers who
pass it, and, given a moments-of-truth result, the loyalty lift and revenue at stake of its experiences
whose adjusted odds ratio is significant.
Per stage: cost, revenue recorded in the stage, margin and value/cost ratio.  Revenue of the customers
passing a touchpoint is not additive across touchpoints (a customer passes many): it says how valuable the
customers served there are, and the loyalty figures are associations, not proven causes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis
import numpy as np
import pandas as pd

from journeykit.engine import Engine, Filters, as_engine, as_filters
from journeykit.engine.expr import seconds_between
from journeykit.errors import MODEL_EXAMPLE, EmptyResultError, check_kind
from journeykit.insight.moments_of_truth import MomentsOfTruthResult
from journeykit.model import JourneyModel
from journeykit.model.value_chain import PERIOD_DAYS, PRIMARY, SUPPORT, ValueChain
from journeykit.result import Result

#: Utilisation below which a resource's unused capacity is listed as an improvement.
LOW_UTILISATION = 0.7


@dataclass
class ValueChainResult(Result):
    """Costs and value per touchpoint, with resources, activities, stages, customers and improvements.

    Attributes
    ----------
    table : DataFrame
        Per touchpoint: ``touchpoint, stage, interactions, per_period, unit_cost, cost_per_period,
        cost_share, customers, revenue_per_period, customer_revenue, customer_clv, value_per_cost,
        loyalty_lift, revenue_at_stake`` (``customer_clv`` is NaN without ``clv``, the loyalty figures
        without ``moments``).
    resources : DataFrame
        ``resource, rate, capacity_minutes, used_minutes, used_cost, utilisation, unused_minutes,
        unused_cost`` (per period; ``used_cost = used_minutes · rate``; the capacity columns are NaN for a
        resource paid per minute, which has no capacity).
    activities : DataFrame
        ``activity, category, primary, unit_cost, per_period, cost_per_period``.
    stages : DataFrame
        ``stage, cost_per_period, revenue_per_period, margin_per_period, value_per_cost, customers``.
    customers : DataFrame
        ``customer_id, interactions, cost_to_serve, revenue, margin`` (whole period of the data).
    improvements : DataFrame
        ``rank, item, kind, issue, amount_per_period, action``, largest amount first.
    """

    resources: pd.DataFrame = field(default_factory=pd.DataFrame)
    activities: pd.DataFrame = field(default_factory=pd.DataFrame)
    stages: pd.DataFrame = field(default_factory=pd.DataFrame)
    customers: pd.DataFrame = field(default_factory=pd.DataFrame)
    improvements: pd.DataFrame = field(default_factory=pd.DataFrame)
    title: str = "Value chain"

    def figure(self, kind: str = "chain"):
        """``"chain"``: Porter's value chain with the cost per period of each category; ``"scatter"``: cost
        vs value (revenue of the customers served) per touchpoint."""
        if kind == "chain":
            return _chain_figure(self)
        if kind == "scatter":
            return _scatter_figure(self)
        raise ValueError(f"kind must be 'chain' or 'scatter', got {kind!r}")


def _labels(categories: tuple[str, ...]) -> list[str]:
    return [c.replace("_and_", " & ").replace("_", " ") for c in categories]


def _chain_figure(result: ValueChainResult):
    import plotly.graph_objects as go

    cost = result.activities.groupby("category")["cost_per_period"].sum()
    currency, period = result.params.get("currency", ""), result.params.get("period", "period")
    fig = go.Figure()
    width = 1.0 / len(PRIMARY)
    for i, (name, label) in enumerate(zip(SUPPORT, _labels(SUPPORT))):
        y0 = 1 - (i + 1) * 0.12
        fig.add_shape(type="rect", x0=0, x1=0.88, y0=y0, y1=y0 + 0.11, fillcolor="#d9e2ec",
                      line=dict(color="#829ab1"))
        fig.add_annotation(x=0.44, y=y0 + 0.055, showarrow=False,
                           text=f"<b>{label}</b>: {cost.get(name, 0):,.0f} {currency}")
    for i, (name, label) in enumerate(zip(PRIMARY, _labels(PRIMARY))):
        x0 = i * width * 0.88
        fig.add_shape(type="rect", x0=x0, x1=x0 + width * 0.88 - 0.005, y0=0, y1=0.5, fillcolor="#bcccdc",
                      line=dict(color="#486581"))
        fig.add_annotation(x=x0 + width * 0.44, y=0.25, showarrow=False,
                           text=f"<b>{label}</b><br>{cost.get(name, 0):,.0f} {currency}")
    stages = result.stages
    margin = stages["margin_per_period"].sum() if not stages.empty else float("nan")
    fig.add_shape(type="path", path="M 0.89 0 L 0.89 0.98 L 1.0 0.49 Z", fillcolor="#f0b429",
                  line=dict(color="#cb6e17"))
    fig.add_annotation(x=0.93, y=0.49, showarrow=False, text=f"<b>margin</b><br>{margin:,.0f}")
    fig.update_xaxes(visible=False, range=[0, 1.01])
    fig.update_yaxes(visible=False, range=[-0.02, 1.0])
    return fig.update_layout(
        title=f"Value chain (Porter): cost per {period} by activity category, TDABC", height=520,
        plot_bgcolor="white", margin=dict(l=20, r=20),
    )


def _scatter_figure(result: ValueChainResult):
    import plotly.graph_objects as go

    t = result.table[result.table["cost_per_period"] > 0]
    size = np.sqrt(t["per_period"].to_numpy(dtype=float))
    size = 8 + 30 * size / size.max() if len(size) and size.max() > 0 else 10
    fig = go.Figure(go.Scatter(
        x=t["cost_per_period"], y=t["customer_revenue"], mode="markers+text", text=t["touchpoint"],
        textposition="top center", marker=dict(size=size, color="#486581", opacity=0.7),
    ))
    currency, period = result.params.get("currency", ""), result.params.get("period", "period")
    return fig.update_layout(
        title="Cost vs value per touchpoint (marker size: interactions)",
        xaxis=dict(type="log", title=f"cost per {period} ({currency})"),
        yaxis=dict(type="log", title=f"revenue of the customers served ({currency}, whole data)"),
    )


def _matrices(
    chain: ValueChain, touchpoints: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``Q`` (touchpoints × activities), ``M`` (activities × resources), direct costs and rates."""
    resources = [r.name for r in chain.resources]
    q = np.array([[a.touchpoints.get(t, 0.0) for a in chain.activities] for t in touchpoints])
    q = q.reshape(len(touchpoints), -1)
    m = np.array([[a.resources.get(r, 0.0) for r in resources] for a in chain.activities])
    direct = np.array([a.direct_cost for a in chain.activities])
    rates = np.array([r.rate for r in chain.resources])
    return q, m, direct, rates


def _periods(engine: Engine, ev: ibis.Table, period: str) -> float:
    row = engine.execute(ev.aggregate(span=seconds_between(ev.timestamp.min(), ev.timestamp.max()))).iloc[0]
    days = float(row["span"]) / 86_400 if pd.notna(row["span"]) else 0.0
    return max(days / PERIOD_DAYS[period], 1.0 / PERIOD_DAYS[period])


def value_chain(
    engine: Engine,
    model: JourneyModel,
    chain: ValueChain,
    moments: MomentsOfTruthResult | None = None,
    clv: pd.Series | None = None,
    filters: Filters | None = None,
) -> ValueChainResult:
    """Cost-to-serve, unused capacity and value per touchpoint, stage and customer (see module docstring).

    Parameters
    ----------
    engine, model
    chain : ValueChain
        Resources and activities (:func:`journeykit.model.value_chain.load_value_chain`).
    moments : MomentsOfTruthResult, optional
        Adds each touchpoint's loyalty lift (percentage points) and revenue at stake.
    clv : Series, optional
        Customer id -> lifetime value; adds the CLV of the customers passing each touchpoint.
    filters : Filters, optional

    Raises
    ------
    ValueChainError
        Activities naming touchpoints not in the model.
    EmptyResultError
        No events at the value chain's touchpoints.
    """
    engine, filters = as_engine(engine), as_filters(filters)
    check_kind("model", model, JourneyModel, MODEL_EXAMPLE)
    chain.check_touchpoints(model)
    ev = filters.apply(engine.events)
    touchpoints = [t.name for t in model.touchpoints]
    q, m, direct, rates = _matrices(chain, touchpoints)
    unit = q @ (m @ rates + direct)
    unit_cost = dict(zip(touchpoints, unit.tolist()))
    costed = [t for t, c in unit_cost.items() if c > 0]
    mapped = ev.filter(ev.touchpoint.notnull())
    volumes = engine.execute(
        mapped.group_by("touchpoint").aggregate(
            interactions=mapped.count(), revenue=mapped.value.sum().fill_null(0.0),
            customers=mapped.customer_id.nunique(),
        )
    ).set_index("touchpoint")
    if volumes.reindex(costed)["interactions"].fillna(0).sum() == 0:
        raise EmptyResultError(f"no events at the value chain's touchpoints {costed}")
    periods = _periods(engine, ev, chain.period)
    v = volumes["interactions"].reindex(touchpoints).fillna(0).to_numpy(dtype=float) / periods
    activity_volume = q.T @ v
    used = m.T @ activity_volume
    resources = _resource_table(chain, used)
    activities = pd.DataFrame({
        "activity": [a.name for a in chain.activities], "category": [a.category for a in chain.activities],
        "primary": [a.primary for a in chain.activities], "unit_cost": m @ rates + direct,
        "per_period": activity_volume, "cost_per_period": activity_volume * (m @ rates + direct),
    })
    customers = _customer_costs(engine, ev, unit_cost)
    table = _touchpoint_table(engine, ev, model, touchpoints, unit, v, volumes, periods, moments, clv)
    stages = _stage_table(table, model)
    improvements = _improvements(resources, table, periods, LOW_UTILISATION)
    notes = [
        f"Interactions per {chain.period}: events in the data divided by the {periods:.1f} "
        f"{chain.period}s it spans.",
        "Revenue of the customers served is not additive across touchpoints; loyalty lift and revenue at "
        "stake are associations from the moments-of-truth analysis, not proven causes.",
    ]
    over = resources[resources["utilisation"] > 1]
    if len(over):
        pairs = zip(over["resource"], over["utilisation"])
        notes.append("Over practical capacity: " + ", ".join(f"{r} ({u:.0%})" for r, u in pairs))
    return ValueChainResult(
        table=table, resources=resources, activities=activities, stages=stages, customers=customers,
        improvements=improvements, notes=notes, title=f"Value chain: {chain.name}",
        params={"chain": chain.name, "currency": chain.currency, "period": chain.period, "periods": periods,
                "filters": filters.describe()},
    )


def _resource_table(chain: ValueChain, used: np.ndarray) -> pd.DataFrame:
    capacity = np.array([r.capacity_minutes or np.nan for r in chain.resources])
    rates = np.array([r.rate for r in chain.resources])
    unused = capacity - used
    return pd.DataFrame({
        "resource": [r.name for r in chain.resources], "rate": rates, "capacity_minutes": capacity,
        "used_minutes": used, "used_cost": used * rates, "utilisation": used / capacity, "unused_minutes": unused,
        "unused_cost": unused * rates,
    })


def _customer_costs(engine: Engine, ev: ibis.Table, unit_cost: dict[str, float]) -> pd.DataFrame:
    cost = ev.touchpoint.substitute(unit_cost, else_=0.0).fill_null(0.0)
    per = engine.execute(
        ev.group_by("customer_id").aggregate(
            interactions=ev.count(), cost_to_serve=cost.sum(), revenue=ev.value.sum().fill_null(0.0)
        )
    )
    per["margin"] = per["revenue"] - per["cost_to_serve"]
    return per.sort_values("cost_to_serve", ascending=False).reset_index(drop=True)


def _touchpoint_table(
    engine: Engine, ev: ibis.Table, model: JourneyModel, touchpoints: list[str], unit: np.ndarray,
    v: np.ndarray, volumes: pd.DataFrame, periods: float, moments: MomentsOfTruthResult | None,
    clv: pd.Series | None,
) -> pd.DataFrame:
    revenue = ev.group_by("customer_id").aggregate(customer_revenue=ev.value.sum().fill_null(0.0))
    pairs = ev.filter(ev.touchpoint.notnull()).select("customer_id", "touchpoint").distinct()
    served = pairs.join(revenue, "customer_id")
    by_tp = engine.execute(
        served.group_by("touchpoint").aggregate(customer_revenue=served.customer_revenue.sum())
    ).set_index("touchpoint")["customer_revenue"]
    table = pd.DataFrame({
        "touchpoint": touchpoints, "stage": [model.touchpoint_by_name[t].stage for t in touchpoints],
        "interactions": volumes["interactions"].reindex(touchpoints).fillna(0).astype("int64").to_numpy(),
        "per_period": v, "unit_cost": unit, "cost_per_period": unit * v,
        "customers": volumes["customers"].reindex(touchpoints).fillna(0).astype("int64").to_numpy(),
        "revenue_per_period": volumes["revenue"].reindex(touchpoints).fillna(0).to_numpy() / periods,
        "customer_revenue": by_tp.reindex(touchpoints).fillna(0).to_numpy(),
    })
    total = table["cost_per_period"].sum()
    table["cost_share"] = table["cost_per_period"] / total if total > 0 else np.nan
    table["customer_clv"] = np.nan
    if clv is not None:
        pair_frame = engine.execute(pairs)
        pair_frame["clv"] = pair_frame["customer_id"].map(clv).fillna(0.0)
        clv_sum = pair_frame.groupby("touchpoint")["clv"].sum()
        table["customer_clv"] = clv_sum.reindex(touchpoints).fillna(0).to_numpy()
    cost_total = (table["cost_per_period"] * periods).where(table["cost_per_period"] > 0)
    table["value_per_cost"] = table["customer_revenue"] / cost_total
    table["loyalty_lift"] = np.nan
    table["revenue_at_stake"] = np.nan
    if moments is not None:
        mot = moments.table[moments.table["significant"]]
        mot = mot.assign(lift=mot["difference"] * (1 if moments.params["outcome"] == "churned" else -1))
        per_tp = mot.groupby("touchpoint").agg(
            loyalty_lift=("lift", "max"), revenue_at_stake=("revenue_at_stake", "sum")
        )
        table["loyalty_lift"] = table["touchpoint"].map(per_tp["loyalty_lift"])
        table["revenue_at_stake"] = table["touchpoint"].map(per_tp["revenue_at_stake"])
    columns = ["touchpoint", "stage", "interactions", "per_period", "unit_cost", "cost_per_period",
               "cost_share", "customers", "revenue_per_period", "customer_revenue", "customer_clv",
               "value_per_cost", "loyalty_lift", "revenue_at_stake"]
    return table[columns].sort_values("cost_per_period", ascending=False).reset_index(drop=True)


def _stage_table(table: pd.DataFrame, model: JourneyModel) -> pd.DataFrame:
    stages = table.groupby("stage").agg(
        cost_per_period=("cost_per_period", "sum"), revenue_per_period=("revenue_per_period", "sum"),
        customers=("customers", "max"),
    ).reindex([s.name for s in model.stages]).fillna(0).reset_index()
    stages["margin_per_period"] = stages["revenue_per_period"] - stages["cost_per_period"]
    with np.errstate(divide="ignore", invalid="ignore"):
        stages["value_per_cost"] = stages["revenue_per_period"] / stages["cost_per_period"]
    return stages[["stage", "cost_per_period", "revenue_per_period", "margin_per_period", "value_per_cost",
                   "customers"]]


def _improvements(resources: pd.DataFrame, table: pd.DataFrame, periods: float, low: float) -> pd.DataFrame:
    """Unused or exceeded capacity, harmful moments of truth (revenue at stake per period) and costly
    touchpoints of below-median value per cost, largest amount per period first."""
    rows = []
    for _, r in resources.iterrows():
        if r["utilisation"] < low:
            issue = f"{1 - r['utilisation']:.0%} of practical capacity unused"
            rows.append((r["resource"], "resource", issue, r["unused_cost"],
                         "redeploy or reduce the unused capacity"))
        elif r["utilisation"] > 1:
            rows.append((r["resource"], "resource", f"demand at {r['utilisation']:.0%} of practical capacity",
                         -r["unused_cost"], "add capacity or cut the minutes per interaction"))
    for _, t in table[table["revenue_at_stake"] > 0].iterrows():
        issue = f"harmful experience (+{t['loyalty_lift']:.1f} pp worse outcome)"
        rows.append((t["touchpoint"], "touchpoint", issue, t["revenue_at_stake"] / periods,
                     "improve the experience (moment of truth)"))
    low_value = table["value_per_cost"] < table["value_per_cost"].median()
    costly = table[(table["cost_share"] > 0.05) & low_value]
    for _, t in costly.iterrows():
        issue = f"{t['cost_share']:.0%} of cost, value/cost {t['value_per_cost']:.1f}"
        rows.append((t["touchpoint"], "touchpoint", issue, t["cost_per_period"],
                     "review the activities behind it (cost to serve)"))
    out = pd.DataFrame(rows, columns=["item", "kind", "issue", "amount_per_period", "action"])
    out = out.sort_values("amount_per_period", ascending=False).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out
