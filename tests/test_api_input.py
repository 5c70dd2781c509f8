"""Wrong input to the Python API (as typed in a notebook) is refused with a JourneykitError naming the argument,
and unambiguous shorthands (one name for a list of one, a Workspace for its engine, experience texts) work."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

import journeykit as jk
from journeykit.analytics.sequences import CleaningRuleError
from journeykit.engine import Engine
from journeykit.engine.filters import FilterError
from journeykit.insight import DriverSpecError, parse_experience
from journeykit.simulate import simulate


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """A workspace (the example model) whose engine holds 3,000 simulated customers."""
    path = tmp_path_factory.mktemp("api_input") / "ws"
    jk.Workspace.init(path).close()
    model = jk.load_model(path / "journey.yaml")
    data = simulate(model, customers=3000, seed=7)
    engine = Engine.from_arrow({"events": data.events, "responses": data.responses})
    yield jk.Workspace.open(path, engine=engine)
    engine.close()


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


# ------------------------------------------------------------------------------ one name for a list
def test_one_survey_name_is_a_list_of_one(ws):
    one = jk.survey_kpis(ws.engine, ws.model, surveys="nps")
    _assert_same(one.table, jk.survey_kpis(ws.engine, ws.model, surveys=["nps"]).table)
    assert set(one.table["survey"]) == {"nps"} and one.params["surveys"] == ["nps"]


def test_one_purchase_touchpoint_is_a_list_of_one(ws):
    one = jk.operational_kpis(ws.engine, ws.model, purchase="payment")
    _assert_same(one.table, jk.operational_kpis(ws.engine, ws.model, purchase=["payment"]).table)


def test_one_stage_name_orders_that_stage_first(ws):
    one = jk.stage_dwell(ws.engine, stage_order="purchase")
    _assert_same(one.table, jk.stage_dwell(ws.engine, stage_order=["purchase"]).table)
    assert one.table["stage"].iloc[0] == "purchase"


def test_moments_of_truth_take_one_anchor_name_and_experience_texts(ws):
    texts = ["slow:shipping>5d", "visit:support_contact"]
    options = dict(window_days=30, replicates=20, seed=1)
    from_text = jk.moments_of_truth(ws.engine, ws.model, anchor="payment", experiences=texts, **options)
    parsed = [parse_experience(t) for t in texts]
    from_objects = jk.moments_of_truth(ws.engine, ws.model, anchor=["payment"], experiences=parsed, **options)
    _assert_same(from_text.table, from_objects.table)
    assert from_text.params["anchor"] == ["payment"]
    assert set(from_text.table["driver"]) == {"slow:shipping>5d", "visit:support_contact"}


def test_one_experience_text_is_one_experience_not_its_characters(ws):
    # one driver is too few for the models: the text was read whole (its characters would be invalid specs)
    with pytest.raises(jk.EmptyResultError, match="fewer than two experiences"):
        jk.moments_of_truth(ws.engine, ws.model, anchor="payment", experiences="slow:shipping>5d", replicates=0)


def test_a_bad_experience_text_is_refused_by_the_cli_parser(ws):
    with pytest.raises(DriverSpecError, match="invalid experience 'slow:shipping': slow needs '>DURATION'"):
        jk.moments_of_truth(ws.engine, ws.model, anchor="payment", experiences=["slow:shipping", "visit:refund"])
    with pytest.raises(jk.OptionError, match="experiences must hold str or Experience values, got int 5"):
        jk.moments_of_truth(ws.engine, ws.model, anchor="payment", experiences=[5, "visit:refund"])


def test_a_mapping_is_not_a_list_of_names(ws):
    with pytest.raises(jk.OptionError, match=r"surveys must be a str or a list of them, got dict \{'nps': 1\}"):
        jk.survey_kpis(ws.engine, ws.model, surveys={"nps": 1})


# --------------------------------------------------------------------------- objects of the wrong kind
def test_a_workspace_stands_for_its_engine(ws):
    _assert_same(jk.transitions(ws).table, jk.transitions(ws.engine).table)
    _assert_same(jk.survey_kpis(ws, ws.model).table, jk.survey_kpis(ws.engine, ws.model).table)


@pytest.mark.parametrize("call", [
    lambda e, m: jk.funnel(e, ["product_view", "payment"]).table,
    lambda e, m: jk.feedback(e, m, k=3).table,
    lambda e, m: jk.customer_lifetime_value(e, "payment").table,
    lambda e, m: jk.benchmark(e, m).table,
    lambda e, m: jk.internal_benchmark(e, m, "channel").table,
    lambda e, m: jk.compare_process(e, jk.Filters(end="2026-01-01"), jk.Filters(start="2026-01-01")).table,
], ids=["funnel", "feedback", "clv", "benchmark", "internal_benchmark", "compare_process"])
def test_every_analysis_takes_a_workspace_for_its_engine(ws, call):
    """funnel(ws), feedback(ws, m), customer_lifetime_value(ws, ...) raised AttributeError."""
    _assert_same(call(ws, ws.model), call(ws.engine, ws.model))


def test_one_survey_name_for_feedback_is_a_list_of_one(ws):
    one = jk.feedback(ws.engine, ws.model, k=3, surveys="nps")
    assert one.params["surveys"] == ["nps"]
    _assert_same(one.table, jk.feedback(ws.engine, ws.model, k=3, surveys=["nps"]).table)


def test_the_filters_of_a_process_comparison_are_named(ws):
    with pytest.raises(jk.OptionError, match=r"^b must be a Filters"):
        jk.compare_process(ws.engine, jk.Filters(), {"segment": "consumer"})


def test_an_engine_of_the_wrong_kind_says_what_to_pass(ws):
    with pytest.raises(jk.OptionError, match=r"engine must be an Engine \(ws.engine of a Workspace.*got str 'ws'"):
        jk.transitions("ws")


def test_filters_must_be_a_filters_object(ws):
    with pytest.raises(jk.OptionError, match=r"must be a Filters \(e.g. Filters\(.*got dict \{'segment': 'consumer'\}"):
        jk.compare_process(ws.engine, {"segment": "consumer"}, jk.Filters())
    with pytest.raises(jk.OptionError, match="filters must be a Filters"):
        jk.paths(ws.engine, "payment", filters={"channel": "web"})


def test_the_model_must_be_a_journey_model(ws):
    expected = r"model must be a JourneyModel \(ws.model .*load_model\(path\)\), got str 'ws/journey.yaml'"
    with pytest.raises(jk.OptionError, match=expected):
        jk.survey_kpis(ws.engine, "ws/journey.yaml")
    with pytest.raises(jk.OptionError, match="model must be a JourneyModel"):
        jk.moments_of_truth(ws.engine, "ws/journey.yaml")


def test_sessions_and_cleaning_rules_of_the_wrong_kind(ws):
    with pytest.raises(jk.OptionError, match=r"sessions must be a Sessions \(e.g. Sessions\(timeout_minutes=30\)"):
        jk.transitions(ws.engine, sessions=30)
    with pytest.raises(CleaningRuleError, match="clean must be a dict {pattern: alias} or a list of"):
        jk.transitions(ws.engine, clean="payment")


# ------------------------------------------------------------------------------------------- filters
def test_a_bad_date_names_the_parameter_and_the_iso_format():
    with pytest.raises(FilterError, match=r"start: '2025-13-45' is not an ISO date or date-time \(YYYY-MM-DD"):
        jk.Filters(start="2025-13-45")
    with pytest.raises(jk.JourneykitError, match="end: 'tomorrow' is not an ISO date"):
        jk.Filters(end="tomorrow")
    with pytest.raises(ValueError, match="end must be an ISO date string, a date or a datetime, got int"):
        jk.Filters(end=20250101)


def test_a_date_object_is_a_day_start():
    assert jk.Filters(start=datetime.date(2025, 3, 1), end="2025-03-02").describe() == "2025-03-01 to 2025-03-02"
    with pytest.raises(FilterError, match="is not before end"):
        jk.Filters(start=datetime.date(2025, 3, 2), end="2025-03-01T23:59")


def test_a_segment_must_be_a_mapping():
    with pytest.raises(FilterError, match=r"segment must be a dict \{attribute: value or \[values\]\}.*got str"):
        jk.Filters(segment="consumer")


# ----------------------------------------------------------------------------------- option values
OPTION_ERRORS = [
    (lambda e, m: jk.transitions(e, level="stages"), r"level must be one of \['touchpoint', 'stage', 'event'\], "
                                                     r"got 'stages'"),
    (lambda e, m: jk.transitions(e, by="ticket"), r"by must be one of \['customer', 'case'\], got 'ticket'"),
    (lambda e, m: jk.transitions(e, min_count=-1), "min_count must be >= 1, got -1"),
    (lambda e, m: jk.transitions(e, min_count="5"), "min_count must be an integer >= 1, got str '5'"),
    (lambda e, m: jk.paths(e, "payment", steps=0), "steps must be >= 1, got 0"),
    (lambda e, m: jk.paths(e, "payment", top_paths=0), "top_paths must be >= 1, got 0"),
    (lambda e, m: jk.paths(e, "payment", direction="around"), "direction must be one of"),
    (lambda e, m: jk.paths(e, "payment", until="refund"), "'until' is required with direction='between'"),
    (lambda e, m: jk.variants(e, top=0), "top must be >= 1, got 0"),
    (lambda e, m: jk.survey_kpis(e, m, confidence=95), "confidence must be a level between 0 and 1 such as 0.95, "
                                                       "got 95"),
    (lambda e, m: jk.survey_kpis(e, m, min_n=-5), "min_n must be >= 0, got -5"),
    (lambda e, m: jk.survey_kpis(e, m, nps_method="exact"), r"nps_method must be one of \['wald', 'adjusted_wald'\]"),
    (lambda e, m: jk.operational_kpis(e, m, confidence=0), "confidence must be a level between 0 and 1"),
    (lambda e, m: jk.cohorts(e, "payment", periods=-1), "periods must be >= 0, got -1"),
    (lambda e, m: jk.moments_of_truth(e, m, replicates=-1), "replicates must be >= 0, got -1"),
    (lambda e, m: jk.moments_of_truth(e, m, confidence=1.5), "confidence must be a level between 0 and 1"),
]


@pytest.mark.parametrize(("call", "message"), OPTION_ERRORS)
def test_a_bad_option_is_a_journeykit_error_and_a_value_error(ws, call, message):
    with pytest.raises(jk.OptionError, match=message) as caught:
        call(ws.engine, ws.model)
    assert isinstance(caught.value, jk.JourneykitError) and isinstance(caught.value, ValueError)


def test_filter_errors_are_option_errors():
    assert issubclass(FilterError, jk.OptionError)
