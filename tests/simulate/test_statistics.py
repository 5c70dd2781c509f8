"""The generated data follow the model: transitions, entry, channels, delays, revenue, surveys, churn.

Every test measures the data as an analyst would (from events and responses only) and compares with
the example model's simulation section; the seed is fixed, so the tests are deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeykit.simulate import simulation_spec

P_MIN = 1e-4  # chi-square p-values of correct generation stay above this (fixed seed)
DAY = pd.Timedelta(days=1)
START, END = pd.Timestamp("2025-01-01", tz="UTC"), pd.Timestamp("2026-01-01", tz="UTC")  # the period


def _chi_square(observed: pd.Series, expected_p: dict[str, float]) -> float:
    """p-value of observed counts against probabilities; categories with p = 0 must be empty."""
    observed = observed.reindex(sorted(set(observed.index) | set(expected_p)), fill_value=0)
    p = pd.Series(expected_p).reindex(observed.index, fill_value=0.0)
    assert observed[p == 0].sum() == 0, observed[p == 0]
    obs, p = observed[p > 0], p[p > 0]
    if len(p) == 1:
        return 1.0
    return stats.chisquare(obs, p / p.sum() * obs.sum()).pvalue


@pytest.fixture(scope="module")
def spec(uncensored):
    return simulation_spec(uncensored[0])


@pytest.fixture(scope="module")
def events(uncensored) -> pd.DataFrame:
    """Events with the next touchpoint of the same cycle (``exit`` at its end) and the delay to it."""
    ev = uncensored[1].copy()
    grouped = ev.groupby(["customer_id", "cycle"], sort=False)
    ev["next"] = grouped["touchpoint"].shift(-1).fillna("exit")
    ev["wait"] = grouped["timestamp"].shift(-1) - ev["timestamp"]
    ev["event_id"] = ev["event_id"].astype(str)
    return ev


@pytest.fixture(scope="module")
def cycles(events) -> pd.DataFrame:
    """One row per (customer, cycle): what happened and whether it was the customer's last cycle."""
    ev = events
    flags = pd.DataFrame({
        "customer_id": ev["customer_id"], "cycle": ev["cycle"],
        "purchase": ev["touchpoint"].isin(["payment", "repeat_purchase"]),
        "late": (ev["touchpoint"] == "shipping") & (ev["wait"] > 5 * DAY),
        "loop": (ev["touchpoint"] == "troubleshooting") & (ev["next"] == "troubleshooting"),
        "long_wait": (ev["touchpoint"] == "support_contact") & (ev["wait"] > pd.Timedelta(hours=12)),
        "returned": ev["touchpoint"] == "return_request",
        "setup": ev["touchpoint"] == "setup_help",
        "delivered": ev["touchpoint"] == "delivery",
    })
    out = flags.groupby(["customer_id", "cycle"]).sum().reset_index()
    out["last"] = out["cycle"] == out.groupby("customer_id")["cycle"].transform("max")
    return out


def test_transition_frequencies_match_the_matrix(spec, events):
    table = pd.crosstab(events["touchpoint"], events["next"])
    assert set(table.index) <= set(spec.transitions)
    for source, row in spec.transitions.items():
        observed = table.loc[source]
        assert observed.sum() > 500, source
        observed = observed[observed > 0]
        assert _chi_square(observed, row) > P_MIN, (source, observed.to_dict(), row)


def test_entry_and_reentry_follow_their_distributions(spec, events):
    first = events.groupby(["customer_id", "cycle"], sort=False).head(1)
    new = first[first["cycle"] == 0]["touchpoint"].value_counts()
    assert new.sum() == 40_000
    assert _chi_square(new, spec.entry) > P_MIN
    bought = events.loc[events["touchpoint"].isin(["payment", "repeat_purchase"]), ["customer_id", "cycle"]]
    following = bought.drop_duplicates().assign(cycle=lambda d: d["cycle"] + 1)
    after_purchase = first.merge(following, on=["customer_id", "cycle"])
    assert len(after_purchase) > 10_000
    assert _chi_square(after_purchase["touchpoint"].value_counts(), spec.retention.reentry) > P_MIN


def test_channel_mix_of_support_contacts(events):
    contacts = events[events["touchpoint"] == "support_contact"]
    mix = {"phone": 0.45, "chat": 0.4, "email": 0.15}
    assert _chi_square(contacts["channel"].value_counts(), mix) > P_MIN
    assert dict(contacts.groupby("channel")["event"].first()) == {
        "phone": "support_call", "chat": "support_chat", "email": "support_email"}


def test_first_touches_follow_the_weekday_weights(spec, events):
    first = events[events["cycle"] == 0].groupby("customer_id")["timestamp"].min()
    assert START <= first.min() < first.max() < END
    days = pd.date_range("2025-01-01", periods=365, freq="D")
    expected = pd.Series(np.asarray(spec.weekday_weights)[days.day_of_week]).groupby(days.day_of_week).sum()
    observed = first.dt.day_of_week.value_counts()
    assert _chi_square(observed, (expected / expected.sum()).to_dict()) > P_MIN


def test_delivery_times_are_lognormal_as_configured(events):
    shipping = events[events["touchpoint"] == "shipping"]
    assert (shipping["next"] == "delivery").all()
    log_days = np.log(shipping["wait"] / DAY)
    se = 0.5 / np.sqrt(len(log_days))
    assert abs(log_days.mean() - np.log(3)) < 4 * se
    assert abs(log_days.std() - 0.5) < 0.02
    assert stats.kstest((log_days - np.log(3)) / 0.5, "norm").pvalue > P_MIN


def test_revenue_by_segment_and_refunds(events):
    orders = events[events["touchpoint"].isin(["payment", "repeat_purchase"])]
    assert orders["value"].notna().all() and (orders["value"] > 0).all()
    medians = orders.groupby("segment")["value"].median()
    assert medians["consumer"] == pytest.approx(95, rel=0.04)
    assert medians["business"] == pytest.approx(380, rel=0.08)
    refunds = events[events["touchpoint"] == "refund"].merge(
        orders[["case_id", "value"]], on="case_id", suffixes=("", "_order"))
    assert len(refunds) == (events["touchpoint"] == "refund").sum() > 100
    assert np.allclose(refunds["value"], -refunds["value_order"])
    valued = events["touchpoint"].isin(["payment", "repeat_purchase", "refund"])
    assert events.loc[~valued, "value"].isna().all()


def test_cases_orders_and_tickets(events):
    cased = events[events["case_id"].notna()]
    opener = cased.groupby("case_id", sort=False)["touchpoint"].first()
    assert set(opener[opener.index.str.startswith("T")]) == {"support_contact"}
    assert set(opener[opener.index.str.startswith("O")]) == {"payment", "repeat_purchase"}
    purchases = cased[cased["touchpoint"].isin(["payment", "repeat_purchase"])].groupby("case_id").size()
    assert (purchases == 1).all() and len(purchases) == opener.index.str.startswith("O").sum()
    assert (cased.groupby("case_id")["customer_id"].nunique() == 1).all()
    assert cased["case_id"].str.fullmatch(r"[OT]\d{8}-\d+").all()
    assert events.loc[events["touchpoint"].isin(["product_view", "checkout"]), "case_id"].isna().all()


def _rate(cycles: pd.DataFrame) -> tuple[float, float, int]:
    n = len(cycles)
    p = cycles["last"].mean()
    return p, np.sqrt(p * (1 - p) / n), n


def test_planted_churn_effects(cycles):
    bought = cycles[(cycles["cycle"] == 0) & (cycles["purchase"] > 0)]
    other_effects = (bought["loop"] + bought["long_wait"] + bought["returned"]) > 0
    clean = bought[(bought["late"] == 0) & ~other_effects]
    late_only = bought[(bought["late"] == 1) & ~other_effects]
    p, se, n = _rate(clean)
    assert n > 5_000 and abs(p - 1 / (1 + np.exp(1.6))) < 4 * se  # logistic(-1.6) = 0.168
    p, se, n = _rate(late_only)
    assert n > 1_000 and abs(p - 1 / (1 + np.exp(0.1))) < 4 * se  # logistic(-1.6 + 1.5) = 0.475
    loops = bought[bought["loop"] > 0]
    assert _rate(loops)[0] > 0.45


def test_setup_help_is_a_placebo(cycles):
    delivered = cycles[(cycles["cycle"] == 0) & (cycles["delivered"] > 0)]
    with_setup, without = _rate(delivered[delivered["setup"] > 0]), _rate(delivered[delivered["setup"] == 0])
    assert with_setup[2] > 1_500
    assert abs(with_setup[0] - without[0]) < 4 * np.hypot(with_setup[1], without[1])


def test_surveys_are_on_their_scales_and_rates(uncensored, events):
    model, _, responses = uncensored
    for name, answers in responses.groupby("survey"):
        low, high = model.survey_by_name[name].scale
        assert answers["score"].between(low, high).all() and (answers["score"] % 1 == 0).all(), name
    counts = responses["survey"].value_counts()
    visits = events["touchpoint"].value_counts()
    spec = simulation_spec(model)
    for name, sim in spec.surveys.items():
        n = visits[model.survey_by_name[name].touchpoint]
        assert abs(counts[name] - sim.rate * n) < 4 * np.sqrt(n * sim.rate * (1 - sim.rate)), name
    commented = responses.groupby("survey")["comment"].apply(lambda c: c.notna().mean())
    assert commented["nps"] == pytest.approx(0.4, abs=0.02)


def test_experience_lowers_survey_scores(events, uncensored):
    responses = uncensored[2].copy()
    responses["event_id"] = responses["response_id"].str.rsplit("-", n=1).str[0]
    delivery = responses[responses["survey"] == "delivery_csat"].merge(
        events.loc[events["touchpoint"] == "shipping", ["case_id", "wait"]], on="case_id")
    late = delivery["wait"] > 5 * DAY
    assert delivery.loc[~late, "score"].mean() - delivery.loc[late, "score"].mean() > 1.2
    ces = responses[responses["survey"] == "support_ces"].merge(events[["event_id", "wait"]], on="event_id")
    long_wait = ces["wait"] > pd.Timedelta(hours=12)
    assert ces.loc[~long_wait, "score"].mean() - ces.loc[long_wait, "score"].mean() > 1.4
    negative = delivery[late & (delivery["score"] <= 2) & delivery["comment"].notna()]
    assert len(negative) > 50
    assert negative["comment"].str.contains("late|slow|long", case=False).mean() > 0.9
