"""The fits reproduce the published CDNOW results (Fader, Hardie & Lee 2005; Fader & Hardie notes)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from journeykit.analytics.clv import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from journeykit.analytics.clv.clv import holdout_comparison
from journeykit.analytics.clv.tracking import cumulative_tracking, tracking_figure


def _fit(cls, s: pd.DataFrame):
    return cls().fit(s["frequency"], s["recency"], s["T"])


@pytest.fixture(scope="module")
def bgnbd(cdnow_summary) -> BetaGeoFitter:
    return _fit(BetaGeoFitter, cdnow_summary)


def test_summary_matches_the_paper(cdnow_summary):
    # FHL 2005: 2,357 customers, 2,457 repeat transactions in weeks 1-39, 946 of them repeat buyers
    assert len(cdnow_summary) == 2357
    assert cdnow_summary["frequency"].sum() == 2457
    assert (cdnow_summary["frequency"] > 0).sum() == 946
    assert cdnow_summary["T"].max() == pytest.approx(272 / 7)  # first purchase 1997-01-01 to 1997-09-30
    assert (cdnow_summary["duration_holdout"] == 39).all()


def test_bgnbd_reproduces_fhl_2005(bgnbd):
    model = bgnbd
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=2e-3), name
    assert model.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    # worked example of the paper: x=2, t_x=30.43, T=38.86 -> 1.226 purchases in the next 39 weeks
    assert float(model.conditional_expected_purchases(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=5e-4)
    assert (model.standard_errors_ > 0).all()


def test_pareto_nbd_reproduces_fader_hardie_note(cdnow_summary):
    model = _fit(ParetoNBDFitter, cdnow_summary)
    published = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-2), name
    assert model.log_likelihood_ == pytest.approx(-9594.98, abs=0.05)


def test_gamma_gamma_reproduces_fader_hardie_note(cdnow_summary):
    repeaters = cdnow_summary[cdnow_summary["frequency"] > 0]
    model = GammaGammaFitter().fit(repeaters["frequency"], repeaters["monetary_value"])
    published = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=2e-3), name
    assert model.n_ == 946


def test_conditional_expectations_track_the_holdout(cdnow_summary, bgnbd):
    # FHL 2005 Figure 5: customers with no calibration repeat bought 0.237 times in the holdout, the model
    # says 0.225; agreement holds across frequency groups
    table = holdout_comparison(bgnbd, cdnow_summary).set_index("calibration_frequency")
    assert table.loc["0", "customers"] == 1411
    assert table.loc["0", "actual"] == pytest.approx(0.237, abs=1e-3)
    assert table.loc["0", "predicted"] == pytest.approx(0.225, abs=2e-3)
    assert np.corrcoef(table["actual"], table["predicted"])[0, 1] > 0.98


def test_cumulative_tracking(cdnow_engine, bgnbd):
    table = cumulative_tracking(cdnow_engine, bgnbd, "purchase").set_index("period")
    assert len(table) == 78
    # the actual curve counts the calibration's 2,457 repeat transactions by the end of week 39
    assert table.loc[39, "actual"] == 2457
    assert table["actual"].is_monotonic_increasing and table["expected"].is_monotonic_increasing
    # the model tracks the cohort: within 3% at the end of calibration, 6% at the end of the holdout
    assert table.loc[39, "expected"] == pytest.approx(2457, rel=0.03)
    assert table.loc[78, "expected"] == pytest.approx(table.loc[78, "actual"], rel=0.06)
    figure = tracking_figure(table.reset_index(), date(1997, 9, 30))
    assert [trace.name for trace in figure.data] == ["actual", "model"]
