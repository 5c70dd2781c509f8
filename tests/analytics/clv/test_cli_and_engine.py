"""CLV from a workspace: the engine path end to end, the CLI, and its clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from journeykit.analytics.clv import BetaGeoFitter, FitError, annual_discount_rate, period_discount_rate
from journeykit.analytics.clv.clv import customer_lifetime_value, discounted_purchases
from journeykit.analytics.clv.summary import calibration_holdout
from journeykit.cli import app
from journeykit.engine import schema
from journeykit.engine.frames import canonical_table, engine_from_frames
from journeykit.errors import OptionError
from journeykit.workspace import Workspace
from tests.analytics.clv.conftest import CALIBRATION_END, OBSERVATION_END


def test_clv_with_no_discount_is_spend_times_expected_purchases(cdnow_summary):
    model = BetaGeoFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    s = cdnow_summary.head(200)
    undiscounted = discounted_purchases(model, s["frequency"], s["recency"], s["T"], 52, 0.0)
    np.testing.assert_allclose(
        undiscounted,
        model.conditional_expected_purchases(52, s["frequency"], s["recency"], s["T"]),
        rtol=1e-10,
    )
    discounted = discounted_purchases(model, s["frequency"], s["recency"], s["T"], 52, 0.01)
    assert np.all(discounted < undiscounted) and np.all(discounted > undiscounted / 1.01**52)


def test_customer_lifetime_value_on_cdnow(cdnow_engine):
    result = customer_lifetime_value(cdnow_engine, "purchase", horizon=39, calibration_end=CALIBRATION_END)
    assert len(result.table) == 2357
    assert result.transaction_model.params_["r"] == pytest.approx(0.2426, rel=1e-3)
    assert result.spend_model.params_["p"] == pytest.approx(6.25, rel=2e-3)
    top = result.table.iloc[0]
    assert top["clv"] == pytest.approx(
        top["expected_spend"] * discounted_purchases(
            result.transaction_model, [top["frequency"]], [top["recency"]], [top["T"]], 39, 0.01
        )[0]
    )
    assert result.table["clv"].is_monotonic_decreasing
    assert set(result.model_summary["model"]) == {"BetaGeoFitter", "GammaGammaFitter"}
    assert result.figure().data[0].type == "heatmap"


def test_per_event_counting_and_day_units(cdnow_engine, cdnow_summary):
    per_event = calibration_holdout(cdnow_engine, "purchase", CALIBRATION_END, unit="week", per_day=False)
    # 223 same-day duplicates in the file
    assert per_event["frequency"].sum() > cdnow_summary["frequency"].sum()
    days = calibration_holdout(cdnow_engine, "purchase", CALIBRATION_END, unit="day")
    np.testing.assert_allclose(days["T"], 7 * cdnow_summary["T"])
    assert days["T"].max() == 272


def test_too_few_customers_is_a_clear_error():
    events = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "timestamp": ["2025-01-01", "2025-02-01", "2025-01-03"],
            "touchpoint": "payment",
        }
    )
    with pytest.raises(FitError, match="too few customers to fit: 2"):
        customer_lifetime_value(engine_from_frames(events=events), "payment")


@pytest.fixture(scope="module")
def cdnow_workspace(tmp_path_factory, cdnow_engine):
    ws = Workspace.init(tmp_path_factory.mktemp("cdnow"))
    events = cdnow_engine.execute(cdnow_engine.events).assign(touchpoint="payment")
    ws.engine.insert(schema.EVENTS, canonical_table(events, schema.EVENTS))
    ws.close()
    return ws.path


def test_cli_clv_with_holdout(cdnow_workspace, tmp_path):
    out = tmp_path / "clv.csv"
    res = CliRunner().invoke(
        app,
        ["analyze", "clv", "-w", str(cdnow_workspace), "--purchase", "payment", "--model", "pareto",
         "--calibration-end", CALIBRATION_END, "--holdout-end", OBSERVATION_END, "--horizon", "39",
         "--out", str(out)],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "ParetoNBDFitter" in res.output and "10.58" in res.output  # α of the Fader-Hardie note
    assert "Holdout" in res.output
    table = pd.read_csv(out)
    assert len(table) == 2357 and {"p_alive", "clv"} <= set(table.columns)


def test_cli_clv_errors_are_one_line(cdnow_workspace):
    res = CliRunner().invoke(app, ["analyze", "clv", "-w", str(cdnow_workspace), "--purchase", "refund"])
    assert res.exit_code != 0
    assert "no purchases (touchpoint in ['refund'])" in str(res.exception)
    args = ["analyze", "clv", "-w", str(cdnow_workspace), "--holdout-end", "1998-06-30"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "--holdout-end needs --calibration-end" in res.output


def test_report_section_on_cdnow(cdnow_workspace):
    from journeykit.report.sections import clv as section

    with Workspace.open(cdnow_workspace) as ws:
        built = section.build(ws)
    captions = [caption for caption, _ in built.tables]
    assert captions[0] == "Fitted models" and captions[-1].startswith("Top 20 customers")
    holdout = dict(built.tables)["Holdout check: mean purchases by calibration frequency"]
    assert holdout["customers"].sum() == 2357
    assert np.corrcoef(holdout["actual"], holdout["predicted"])[0, 1] > 0.95
    titles = [figure.layout.title.text for figure in built.figures]
    assert titles[1] == "Cumulative repeat transactions" and len(titles) == 3


LAST_EVENT = "1998-06-30"  # last purchase day of the CDNOW sample


def test_a_calibration_end_after_the_last_event_is_refused(cdnow_engine):
    with pytest.raises(OptionError, match=r"calibration_end 1999-01-01 is after the last event \(1998-06-30\): "
                       r"the 185 days without data"):
        calibration_holdout(cdnow_engine, "purchase", "1999-01-01")
    with pytest.raises(OptionError, match=r"after the last event \(1998-06-30\)"):
        customer_lifetime_value(cdnow_engine, "purchase", calibration_end="1998-07-01")
    at_last = calibration_holdout(cdnow_engine, "purchase", LAST_EVENT)
    pd.testing.assert_frame_equal(at_last, calibration_holdout(cdnow_engine, "purchase"))
    assert at_last["T"].max() == pytest.approx(77.86, abs=0.01)  # first purchase 1997-01-01


def test_a_holdout_end_after_the_last_event_is_refused(cdnow_engine, cdnow_summary):
    with pytest.raises(OptionError, match=r"observation_end 1999-06-30 is after the last event \(1998-06-30\): "
                       r"purchases in the last 365 days"):
        calibration_holdout(cdnow_engine, "purchase", CALIBRATION_END, "1999-06-30")
    with pytest.raises(OptionError, match=r"observation_end 1997-09-30 must be after calibration_end \(1997-09-30\)"):
        calibration_holdout(cdnow_engine, "purchase", CALIBRATION_END, CALIBRATION_END)
    assert OBSERVATION_END == LAST_EVENT and cdnow_summary["duration_holdout"].iloc[0] == 39


def test_cli_refuses_windows_the_data_do_not_cover(cdnow_workspace):
    base = ["analyze", "clv", "-w", str(cdnow_workspace), "--purchase", "payment"]
    res = CliRunner().invoke(app, [*base, "--calibration-end", CALIBRATION_END, "--holdout-end", "1999-06-30"])
    assert res.exit_code != 0
    assert "observation_end 1999-06-30 is after the last event (1998-06-30)" in str(res.exception)
    res = CliRunner().invoke(app, [*base, "--calibration-end", "1999-01-01", "--horizon", "10"])
    assert res.exit_code != 0
    assert "calibration_end 1999-01-01 is after the last event (1998-06-30)" in str(res.exception)


def test_discount_rates_convert_between_units():
    assert annual_discount_rate(0.01, "week") == pytest.approx(1.01 ** (365 / 7) - 1) == pytest.approx(0.680, abs=1e-3)
    assert annual_discount_rate(0.01, "day") == pytest.approx(36.78, abs=0.01)
    assert period_discount_rate(0.1, "week") == pytest.approx(0.001829, abs=1e-6)
    assert period_discount_rate(0.1, "day") == pytest.approx(0.000261, abs=1e-6)
    assert annual_discount_rate(period_discount_rate(0.25, "day"), "day") == pytest.approx(0.25)
    with pytest.raises(OptionError, match="discount_rate must be >= 0, got -2"):
        annual_discount_rate(-2, "week")


def test_an_implausible_discount_rate_is_noted(cdnow_engine):
    daily = customer_lifetime_value(cdnow_engine, "purchase", unit="day", horizon=30)
    assert daily.notes[0] == (
        "The discount rate 0.01 is per day, i.e. 3,678% a year ((1 + 0.01)^(365/1) − 1); for an annual rate r "
        "use (1 + r)^(1/365) − 1 per day (10% a year = 0.000261 per day)."
    )
    assert daily.params["annual_discount_rate"] == pytest.approx(36.78, abs=0.01)
    weekly = customer_lifetime_value(cdnow_engine, "purchase", unit="week", horizon=4)
    assert not any("discount rate" in note for note in weekly.notes)
    assert weekly.params["annual_discount_rate"] == pytest.approx(0.680, abs=1e-3)
