"""CLV from a workspace: the engine path end to end, the CLI, and its clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from journeykit.analytics.clv import BetaGeoFitter, FitError
from journeykit.analytics.clv.clv import customer_lifetime_value, discounted_purchases
from journeykit.analytics.clv.summary import calibration_holdout
from journeykit.cli import app
from journeykit.engine import schema
from journeykit.engine.frames import canonical_table, engine_from_frames
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
    ws.engine.backend.insert(schema.EVENTS, canonical_table(events, schema.EVENTS))
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
