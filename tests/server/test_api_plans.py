"""Plans over the API: store, CPM / PERT / Monte Carlo / CCPM equal the library, progress and fever chart."""

from __future__ import annotations

import pandas as pd
import pytest

from journeykit.schedule import cpm, pert
from journeykit.schedule.plan_io import plan_from_dict
from tests.server.conftest import SUPPORT_PLAN

@pytest.fixture()
def plans(empty_app):
    _, client = empty_app
    assert client.put("/api/v1/plans/support", json=SUPPORT_PLAN).status_code == 200
    return client


def _frame(payload) -> pd.DataFrame:
    return pd.DataFrame(payload["rows"], columns=payload["columns"])


def test_stored_plan_round_trips(plans):
    assert plans.get("/api/v1/plans").json() == ["support"]
    stored = plans.get("/api/v1/plans/support").json()
    assert [a["id"] for a in stored["activities"]] == ["triage", "fix", "docs", "reply"]
    assert stored["activities"][1]["predecessors"] == ["triage"]


def test_cpm_and_pert_equal_the_library(plans):
    plan = plan_from_dict(SUPPORT_PLAN)
    got = _frame(plans.get("/api/v1/plans/support/cpm").json())
    assert list(got["ef"]) == pytest.approx(list(cpm(plan).table["ef"]))
    got = _frame(plans.get("/api/v1/plans/support/pert").json())
    assert list(got["te"]) == pytest.approx(list(pert(plan).table["te"]))
    summary = {r["measure"]: r["value"] for r in plans.get("/api/v1/plans/support/pert", params={"deadline": 30})
               .json()["summary"]}
    assert summary["mean"] == pytest.approx(pert(plan).mean)
    assert summary["P(finish <= 30)"] == pytest.approx(pert(plan).probability(30))


def test_montecarlo_is_seeded_and_ccpm_is_levelled(plans):
    one = plans.get("/api/v1/plans/support/montecarlo", params={"iterations": 2000, "seed": 5}).json()
    two = plans.get("/api/v1/plans/support/montecarlo", params={"iterations": 2000, "seed": 5}).json()
    assert one["rows"] == two["rows"] and one["params"]["iterations"] == 2000
    # the project-level answer: the probability of the deadline (the rows are per activity)
    late, early = (
        {r["measure"]: r["value"] for r in plans.get("/api/v1/plans/support/montecarlo", params={
            "iterations": 2000, "seed": 5, "deadline": d}).json()["summary"]}
        for d in (9, 7)
    )
    assert 0 <= early["P(finish <= 7)"] < late["P(finish <= 9)"] <= 1 and "P95" in late
    chain = plans.get("/api/v1/plans/support/ccpm", params={"format": "csv"})
    assert chain.status_code == 200 and chain.headers["content-type"].startswith("text/csv")


def test_progress_updates_the_fever_chart(plans):
    assert plans.get("/api/v1/plans/support/fever").status_code == 400  # no progress yet
    first = plans.post("/api/v1/plans/support/progress", json=[
        {"activity": "triage", "remaining": 0, "as_of": 2}, {"activity": "fix", "remaining": 3, "as_of": 2}])
    assert first.status_code == 200 and len(first.json()["rows"]) == 1
    second = plans.post("/api/v1/plans/support/progress", json=[
        {"activity": "triage", "remaining": 0, "as_of": 5}, {"activity": "fix", "remaining": 1, "as_of": 5}])
    fever = _frame(second.json())
    assert list(fever["as_of"]) == [2.0, 5.0] and fever["completion"].is_monotonic_increasing
    assert _frame(plans.get("/api/v1/plans/support/fever").json()).equals(fever)


def test_dated_and_numbered_reports_mix_and_an_unknown_plan_is_404(plans):
    assert plans.get("/api/v1/plans/nope/fever").status_code == 404
    assert plans.put("/api/v1/plans/dated", json={**SUPPORT_PLAN, "start": "2026-01-05"}).status_code == 200
    plans.post("/api/v1/plans/dated/progress", json=[{"activity": "triage", "remaining": 0, "as_of": 2}])
    dated = plans.post("/api/v1/plans/dated/progress", json=[{"activity": "triage", "remaining": 0,
                                                               "date": "2026-01-08"}])
    assert dated.status_code == 200, dated.text  # it was refused: "progress row 2: 'as_of' must be a number"
    assert list(_frame(plans.get("/api/v1/plans/dated/fever").json())["as_of"]) == [2.0, 3.0]
    timed = plans.post("/api/v1/plans/dated/progress", json=[{"activity": "triage", "remaining": 0,
                                                               "date": "2026-01-09T12:00:00+00:00"}])
    assert timed.status_code == 200, timed.text  # a time of day is accepted, as in the CLI's CSV
    both = plans.post("/api/v1/plans/dated/progress", json=[{"activity": "triage", "remaining": 0, "as_of": 1,
                                                              "date": "2026-01-09"}])
    assert both.status_code == 422 and "exactly one" in both.text


def test_progress_that_no_longer_fits_a_replaced_plan_can_be_deleted(plans):
    plans.post("/api/v1/plans/support/progress", json=[{"activity": "fix", "remaining": 1, "as_of": 1}])
    smaller = {**SUPPORT_PLAN, "activities": [a for a in SUPPORT_PLAN["activities"] if a["id"] != "fix"]}
    smaller["activities"] = [{**a, "predecessors": [p for p in a.get("predecessors", []) if p != "fix"]}
                             for a in smaller["activities"]]
    assert plans.put("/api/v1/plans/support", json=smaller).status_code == 200
    stuck = plans.get("/api/v1/plans/support/fever")
    assert stuck.status_code == 400 and "DELETE /api/v1/plans/support/progress" in stuck.json()["detail"]
    assert plans.delete("/api/v1/plans/support/progress").status_code == 204
    fresh = plans.post("/api/v1/plans/support/progress", json=[{"activity": "triage", "remaining": 0, "as_of": 1}])
    assert fresh.status_code == 200 and len(fresh.json()["rows"]) == 1
    assert plans.delete("/api/v1/plans/nope/progress").status_code == 404


def test_bad_progress_is_refused_and_not_stored(plans):
    plans.post("/api/v1/plans/support/progress", json=[{"activity": "triage", "remaining": 0, "as_of": 1}])
    bad = plans.post("/api/v1/plans/support/progress", json=[{"activity": "nope", "remaining": 0, "as_of": 3}])
    assert bad.status_code == 400 and "nope" in bad.json()["detail"]
    assert plans.post("/api/v1/plans/support/progress", json=[{"activity": "fix", "remaining": -1}]).status_code == 422
    assert len(plans.get("/api/v1/plans/support/fever").json()["rows"]) == 1


def test_invalid_plans_and_names(plans):
    bad = plans.put("/api/v1/plans/broken", json={"activities": [{"id": "a", "predecessors": ["zz"]}]})
    assert bad.status_code == 400 and "activities[0]" in bad.json()["detail"]
    assert plans.get("/api/v1/plans").json() == ["support"]
    assert plans.get("/api/v1/plans/missing/pert").status_code == 404
    assert plans.get("/api/v1/plans/..%2Fetc/pert").status_code in (404, 422)
