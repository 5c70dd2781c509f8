"""Tests of multi-project staggering on the drum and portfolio ranking."""

from __future__ import annotations

import pandas as pd
import pytest

from journeykit.schedule import Activity, Plan
from journeykit.schedule.ccpm.from_plan import ccpm
from journeykit.schedule.ccpm.multiproject import rank_open_work, stagger
from journeykit.schedule.ccpm.progress import ProgressError, buffer_status, fever_chart
from journeykit.schedule.rcpsp import RcpspError


def project(name: str, dev_days: float, qa_cap: float = 1.0):
    """spec (4 days, no resource) -> build (dev 2 of 2) -> test (qa 1)."""
    plan = Plan(
        [Activity("spec", 4.0), Activity("build", dev_days, resources={"dev": 2}), Activity("test", 2.0, resources={"qa": 1})],
        [("spec", "build"), ("build", "test")],
        name=name, resources={"dev": 2, "qa": qa_cap},
    )
    return ccpm(plan, buffer="cut_and_paste", schedules=30)


def test_projects_are_staggered_on_the_drum_with_a_capacity_buffer():
    a, b = project("A", 8.0), project("B", 4.0)
    portfolio = stagger([a, b], capacity_buffer=0.5)
    assert portfolio.drum == "dev"  # dev work 2*(4+2)=12 over 2 units; qa 1+1 over 1
    rows = portfolio.table.set_index("project")
    # A: build starts at 2 (aggressive spec 2), drum work 4 periods of the whole drum; B waits 4 * 1.5
    assert rows.loc["A", "drum_start"] == 2 and rows.loc["A", "drum_work"] == 4
    assert rows.loc["B", "drum_start"] == 8 and rows.loc["B", "offset"] == 6
    assert rows.loc["B", "due"] == 6 + b.due
    load = portfolio.load.set_index("resource")
    assert load.loc["dev", "work"] == 12 and load.loc["dev", "overloaded_periods"] == 0
    assert portfolio.notes == []


def test_drum_can_be_forced_and_errors_are_precise():
    a, b = project("A", 8.0), project("B", 4.0)
    assert stagger([a, b], drum="qa").table["offset"].tolist()[0] == 0
    with pytest.raises(RcpspError, match="unknown drum resource 'ops'"):
        stagger([a, b], drum="ops")
    with pytest.raises(RcpspError, match="shared resource 'qa' has capacity 1 in one project and 2 in 'C'"):
        stagger([a, project("C", 4.0, qa_cap=2.0)])
    with pytest.raises(RcpspError, match="at least one project"):
        stagger([])


def test_no_capacity_buffer_can_overload_and_says_so():
    a, b = project("A", 8.0), project("B", 8.0)
    overlapping = stagger([a, b], capacity_buffer=0.0, drum="qa")
    assert any("over capacity" in note for note in overlapping.notes)


def test_open_work_ranked_by_zone_then_burn():
    a, b = project("A", 8.0), project("B", 8.0)
    statuses = {
        "calm": buffer_status(a, {"spec": 0}, 2.0),
        "late": buffer_status(b, {"spec": 3}, 2.0),  # spec overruns by 3 of a 4-period buffer
    }
    assert statuses["late"].zone == "red" and statuses["calm"].zone == "green"
    ranked = rank_open_work(statuses)
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["project"].iloc[0] == "late" and ranked["activity"].iloc[0] == "spec"
    assert set(ranked[ranked["project"] == "calm"]["activity"]) == {"build", "test"}  # done work left out
    assert rank_open_work({}).empty


def test_progress_on_the_portfolio_clock_is_shifted_by_each_projects_offset():
    """B starts at 6: reported at 7 with 1 of its aggressive 2 spec days left, it is on time; read on its own
    clock from 0 it would look 6 periods late."""
    a, b = project("A", 8.0), project("B", 4.0)
    offset = float(stagger([a, b], capacity_buffer=0.5).table.set_index("project").loc["B", "offset"])
    report = pd.DataFrame({"as_of": [offset + 1], "activity": ["spec"], "remaining": [1.0]})
    assert fever_chart(b, report, shift=offset).latest.consumption == 0
    assert fever_chart(b, report).latest.consumption > 0
    with pytest.raises(ProgressError, match=r"dated before the plan starts \(time 6\)"):
        fever_chart(b, report.assign(as_of=[offset - 1]), shift=offset)
