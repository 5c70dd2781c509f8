"""Tables for people (terminal, report, dashboard): times in readable units, no exponents, no NaN."""

import math

import pandas as pd
import pytest
from rich.console import Console

from journeykit import display
from journeykit.cli import common


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.5, "0.5 s"),
        (59.0, "59.0 s"),
        (90.0, "1.5 min"),
        (3_600 * 3.2, "3.2 h"),
        (86_400 * 41, "41.0 d"),
        (86_400 * 250.4, "250 d"),
        (-120.0, "-2.0 min"),
        (0, "0.0 s"),
        (float("nan"), ""),
        (None, ""),
        (math.inf, "∞"),
    ],
)
def test_duration_in_the_largest_unit_it_reaches(seconds, shown):
    assert display.duration_text(seconds) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(323_100.4, "323,100"), (0.916544, "0.9165"), (999.96, "1,000"), (12.0, "12"), (float("nan"), ""),
     (None, ""), (pd.NaT, ""), ("Closed", "Closed"), (7, "7"), (7.651e-05, "0.00007651"),
     (-2.5e-07, "-0.0000002500"), (9.43689570931383e-16, "0"), (math.inf, "∞"), (-math.inf, "−∞")],
)
def test_numbers_without_exponents_and_missing_values_blank(value, shown):
    assert display.number_text(value) == shown


def test_time_columns_are_shown_as_times_under_a_time_header(monkeypatch):
    console = Console(record=True, width=200)
    monkeypatch.setattr(common, "console", console)
    df = pd.DataFrame({"step": [1, 2], "median_seconds_to_convert": [float("nan"), 15_210.0], "seconds_spent": [1, 2],
                       "customers": [391.0, 382.0]})
    common.show_table(df)
    text = console.export_text()
    assert "median_time_to_convert" in text and "4.2 h" in text and "nan" not in text
    assert "seconds_spent" not in text and "time_spent" in text and "1.0 s" in text
    assert "391" in text and "e+" not in text


def test_readable_copy_for_html_keeps_the_values_apart():
    df = pd.DataFrame({"metric": ["resolution"], "mean_seconds": [3_530_166.0], "cases": [4580]})
    shown = display.readable(df)
    assert shown.columns.tolist() == ["metric", "mean_time", "cases"]
    assert shown.iloc[0].tolist() == ["resolution", "40.9 d", "4580"]
    assert df["mean_seconds"].iloc[0] == 3_530_166.0  # the result itself is untouched


def test_notebook_repr_shows_times_readably_and_keeps_the_table():
    from journeykit.result import Result

    r = Result(table=pd.DataFrame({"step": [1, 2], "median_seconds_to_convert": [float("nan"), 15_210.0]}), title="F")
    shown = r._repr_html_()
    assert "median_time_to_convert" in shown and "4.2 h" in shown and "NaN" not in shown
    assert r.table["median_seconds_to_convert"].iloc[1] == 15_210.0


def test_period_numbers_give_way_to_period_start_dates():
    df = pd.DataFrame({"period_index": [24300], "period_start": [pd.Timestamp("2025-01-01", tz="UTC")],
                       "active": [216]})
    shown = display.readable(df)
    assert shown.columns.tolist() == ["period_start", "active"]
    assert shown["period_start"].tolist() == ["2025-01-01"]
    assert display.readable(df[["period_index", "active"]]).columns.tolist() == ["period_index", "active"]
    cohort = pd.DataFrame({"cohort": [pd.Timestamp("1997-01-01", tz="UTC")], "cohort_index": [23964], "size": [7]})
    assert display.readable(cohort).columns.tolist() == ["cohort", "size"]  # year*12+month is internal
    assert display.cell_text(pd.Timestamp("2025-01-01 08:30", tz="UTC"), "started") == "2025-01-01 08:30:00+00:00"
