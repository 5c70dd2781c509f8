"""Tests of buffer management: zones at the band edges, forecasts, consumption, bad progress."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from journeykit.schedule import Activity, Plan
from journeykit.schedule.calendar import Calendar
from journeykit.schedule.ccpm.fever import Bands
from journeykit.schedule.ccpm.from_plan import ccpm
from journeykit.schedule.ccpm.progress import ProgressError, buffer_status, fever_chart
from journeykit.schedule.rcpsp import RcpspError


@pytest.mark.parametrize(
    ("completion", "consumption", "zone"),
    [
        (0.0, 0.0, "green"),
        (0.0, 1 / 3 - 1e-6, "green"),
        (0.0, 1 / 3, "yellow"),  # on the line: the worse zone
        (0.0, 2 / 3, "red"),
        (0.5, 0.5, "yellow"),  # yellow line at 1/3 + 1/6
        (0.5, 0.5 - 1e-6, "green"),
        (0.5, 5 / 6, "red"),
        (1.0, 2 / 3, "yellow"),
        (1.0, 0.999, "yellow"),
        (1.0, 1.0, "red"),
        (1.5, 0.9, "yellow"),  # completion clipped to 100 %
    ],
)
def test_default_bands_are_diagonal_thirds(completion, consumption, zone):
    assert Bands().zone(completion, consumption) == zone


def test_custom_bands_and_their_checks():
    flat = Bands(yellow=(0.5, 0.5), red=(0.9, 0.9))
    assert [flat.zone(c, 0.5) for c in (0.0, 1.0)] == ["yellow", "yellow"]
    assert flat.zone(0.3, 0.89) == "yellow" and flat.zone(0.3, 0.9) == "red"
    with pytest.raises(RcpspError, match="yellow line must not be above the red line"):
        Bands(yellow=(0.5, 0.9), red=(0.4, 1.0))


def chain_plan():
    """a -> b -> c, a single chain of fixed estimates 8, 4, 12 (aggressive 4, 2, 6); side activity s -> c."""
    plan = Plan(
        [Activity("a", 8.0), Activity("b", 4.0), Activity("c", 12.0), Activity("s", 2.0)],
        [("a", "b"), ("b", "c"), ("s", "c")],
        name="tiny", start=date(2026, 3, 2),
    )
    return ccpm(plan, buffer="cut_and_paste", schedules=30)


def test_plan_of_the_tiny_chain():
    r = chain_plan()
    assert r.chain_names == ["a", "b", "c"]
    assert (r.chain_end, r.project_buffer, r.due) == (12, 6, 18)  # 0.5 * (4 + 2 + 6)
    fb = r.buffers.iloc[1]
    assert (fb["protects"], fb["size"]) == ("c", 1)  # cut and paste on s: 0.5 * 1 rounded up
    assert r.table.set_index("activity").loc["s", "finish"] == 5  # buffer of 1 before c starts at 6


def test_status_consumption_completion_and_eaters():
    r = chain_plan()
    on_plan = buffer_status(r, {"a": 0, "b": 1, "s": 0}, 5.0)
    assert on_plan.consumption == 0.0 and on_plan.zone == "green"
    assert on_plan.completion == pytest.approx(1 - (1 + 6) / 12)
    late = buffer_status(r, {"a": 0, "b": 3, "s": 0}, 7.0)  # b planned to end at 6, now at 10: 4 of 6 periods used
    assert late.forecast_end == 16.0
    assert late.consumption == pytest.approx(4 / 6)
    assert late.completion == pytest.approx(1 - 9 / 12)
    assert late.zone == "yellow"  # 2/3 consumed at 25 % completion: red line at 2/3 + 0.25 / 3 = 0.75
    assert list(late.eating["activity"]) == ["b"]
    assert late.eating["delay_added"].iloc[0] == pytest.approx(4.0)
    forecast = late.forecast.set_index("activity")
    assert forecast.loc["c", "status"] == "not started" and forecast.loc["c", "forecast_start"] == 10.0


@pytest.mark.parametrize(
    ("remaining", "as_of", "message"),
    [
        ({"zz": 1}, 1.0, "progress for activities not in plan 'tiny': zz"),
        ({"a": -1}, 1.0, "remaining durations must be numbers >= 0: a=-1"),
        ({"a": 1}, -2.0, "before the plan starts"),
    ],
)
def test_bad_progress(remaining, as_of, message):
    with pytest.raises(ProgressError, match=message):
        buffer_status(chain_plan(), remaining, as_of)


def test_fever_chart_from_dated_progress():
    r = chain_plan()
    progress = pd.DataFrame({
        "date": ["2026-03-04", "2026-03-04", "2026-03-09", "2026-03-09"],
        "activity": ["a", "s", "a", "b"],
        "remaining": [4, 0, 0, 6],  # plan units (days); a slips by 2, then b by 4 more
    })
    chart = fever_chart(r, progress)
    assert chart.table["as_of"].tolist() == [2.0, 7.0]
    assert chart.table["consumption"].round(6).tolist() == [pytest.approx(2 / 6), pytest.approx(7 / 6)]
    assert chart.table["zone"].tolist() == ["yellow", "red"]
    assert chart.figure().data


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"date": ["2026-03-01"], "activity": ["a"], "remaining": [1]}), "dated before the plan starts"),
        (pd.DataFrame({"date": ["someday"], "activity": ["a"], "remaining": [1]}), "column 'date': cannot read 'someday'"),
        # day/month order is ambiguous: only ISO dates are read (this one was taken as 1 December before)
        (pd.DataFrame({"date": ["12/01/2026"], "activity": ["a"], "remaining": [1]}), "row 1.*expected an ISO date"),
        (pd.DataFrame({"activity": ["a"], "remaining": [1]}), "needs a 'date' or an 'as_of' column"),
        (pd.DataFrame({"as_of": [1], "activity": ["a"]}), "missing: remaining"),
        (pd.DataFrame({"as_of": [1], "activity": ["a"], "remaining": ["x"]}), "remaining 'x' is not a number"),
        (pd.DataFrame({"as_of": [1, 1], "activity": ["a", "a"], "remaining": [1, 2]}), "'a' is reported twice"),
        (pd.DataFrame({"as_of": [1], "activity": ["nope"], "remaining": [1]}), "not in plan 'tiny': nope"),
    ],
)
def test_bad_progress_tables(frame, message):
    with pytest.raises(ProgressError, match=message):
        fever_chart(chain_plan(), frame)


def test_dated_progress_reads_times_and_utc_offsets():
    r = chain_plan()
    progress = pd.DataFrame({"date": ["2026-03-04 12:00", "2026-03-04T14:00+02:00"], "activity": ["a", "s"],
                             "remaining": [4, 0]})
    assert fever_chart(r, progress).table["as_of"].tolist() == [2.5]


def test_dated_progress_needs_a_start():
    plan = Plan([Activity("a", 2.0)], [], name="undated")
    with pytest.raises(ProgressError, match="plan has no start date"):
        fever_chart(ccpm(plan, schedules=10), pd.DataFrame({"date": ["2026-01-01"], "activity": ["a"], "remaining": [1]}))


def test_dated_progress_counts_working_time_on_the_plans_calendar():
    """Start Friday 2 January 2026, Monday 5 January a holiday: Wednesday 7 January is 2 working days in
    (it was read as 5 elapsed days); a time of day adds its share of a working day."""
    plan = Plan([Activity("a", 4.0), Activity("b", 4.0)], [("a", "b")], name="cal", start=date(2026, 1, 2),
                calendar=Calendar(holidays=("2026-01-05",)))
    r = ccpm(plan, buffer="cut_and_paste", schedules=10)
    dated = pd.DataFrame({"date": ["2026-01-07", "2026-01-07 12:00", "2026-01-05"], "activity": ["a"] * 3,
                          "remaining": [1, 1, 2]})
    assert fever_chart(r, dated).table["as_of"].tolist() == [1.0, 2.0, 2.5]
    hours = Plan([Activity("a", 16.0)], name="h", unit="hours", start=date(2026, 1, 5),
                 calendar=Calendar(holidays=("2026-01-06",), hours_per_day=8))
    report = pd.DataFrame({"date": ["2026-01-07"], "activity": ["a"], "remaining": [8]})
    assert fever_chart(ccpm(hours, schedules=10), report).table["as_of"].tolist() == [8.0]


def test_dated_and_numbered_reports_can_share_one_table():
    mixed = pd.DataFrame({"as_of": [2.0, None], "date": [None, "2026-03-09"], "activity": ["a", "a"],
                          "remaining": [4, 0]})
    assert fever_chart(chain_plan(), mixed).table["as_of"].tolist() == [2.0, 7.0]
    bad = mixed.assign(date=[None, "someday"])
    with pytest.raises(ProgressError, match="progress row 2, column 'date'"):  # the row of the whole table
        fever_chart(chain_plan(), bad)
