"""Tests of live support cases as critical chains with their SLA as due date."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

from journeykit.engine.frames import engine_from_frames
from journeykit.schedule import Activity, Plan
from journeykit.schedule.ccpm.cases import case_events, case_status, case_status_by_kind
from journeykit.schedule.errors import ScheduleError
from journeykit.schedule.from_log import plan_from_log
from tests.conftest import shared_file

T0 = pd.Timestamp("2026-01-05 08:00", tz="UTC")


def template() -> Plan:
    """Triage 2 h then fix 4 h (fixed durations: chain 6 h)."""
    return Plan([Activity("triage", 2.0), Activity("fix", 4.0)], [("triage", "fix")], name="support", unit="hours")


def events(rows):
    return pd.DataFrame([(c, s, T0 + pd.Timedelta(hours=h)) for c, s, h in rows], columns=["case", "step", "timestamp"])


def test_case_buffers_by_hand():
    ev = events([
        ("x", "open", 0), ("x", "triage", 3),  # triage done late at 3 h; fix running for 1 h at the status time
        ("y", "open", 3),  # nothing done yet, 1 h into triage
        ("z", "open", 0), ("z", "triage", 1), ("z", "fix", 3),  # closed
        ("w", "open", 5),  # after the status time: ignored
    ])
    status = case_status(template(), ev, sla=10.0, as_of=T0 + pd.Timedelta(hours=4))
    table = status.table.set_index("case")
    assert set(table.index) == {"x", "y"}
    x = table.loc["x"]
    # forecast end 4 + 3 = 7 h; planned chain end 6 h; buffer 10 - 6 = 4 h
    assert (x["steps_done"], x["forecast_end"]) == (1, pytest.approx(7.0))
    assert x["consumption"] == pytest.approx(1 / 4) and x["completion"] == pytest.approx(0.5)
    assert x["zone"] == "green" and x["p_breach"] == 0.0
    y = table.loc["y"]
    assert y["forecast_end"] == pytest.approx(1 + 1 + 4) and y["consumption"] == 0.0
    assert status.figure().data


def test_late_case_breaches_and_is_listed_first():
    ev = events([("a", "open", 0), ("a", "triage", 1), ("b", "open", 0), ("b", "triage", 7)])
    status = case_status(template(), ev, sla=10.0, as_of=T0 + pd.Timedelta(hours=8))
    first = status.table.iloc[0]
    assert first["case"] == "b" and first["p_breach"] == 1.0 and first["zone"] == "red"  # 8 + 3 > 10


def test_closed_steps_and_bad_input():
    ev = events([("a", "open", 0), ("a", "cancelled", 1)])
    assert case_status(template(), ev, sla=10.0, closed_steps=["cancelled"]).table.empty
    with pytest.raises(ScheduleError, match="SLA must be > 0"):
        case_status(template(), ev, sla=0)
    with pytest.raises(ScheduleError, match="missing: step"):
        case_status(template(), ev.drop(columns="step"), sla=5)
    branching = Plan([Activity("a", 1.0), Activity("b", 1.0), Activity("c", 1.0)], [("a", "c"), ("b", "c")],
                     unit="hours")
    with pytest.raises(ScheduleError, match="single chain"):
        case_status(branching, ev, sla=5)


@lru_cache(maxsize=1)
def _helpdesk():
    from tests.schedule.test_from_log import _read_xes

    engine = engine_from_frames(_read_xes(shared_file("helpdesk.xes.gz")))
    process = ["Assign seriousness", "Take in charge ticket", "Resolve ticket"]
    return plan_from_log(engine, process).plan, case_events(engine, process)


def test_helpdesk_breach_forecasts_match_what_happened():
    """Replay the real helpdesk log (Polato 2017) at monthly status dates: the predicted breach probability
    of the open tickets of a two-week SLA agrees with how many of them really breached."""
    plan, ev = _helpdesk()
    resolved = ev[ev["step"] == "Resolve ticket"].groupby("case")["timestamp"].min()
    started = ev.groupby("case")["timestamp"].min()
    sla = 14 * 24.0
    frames = []
    for day in pd.date_range("2011-01-01", "2013-06-01", freq="4MS", tz="UTC"):
        t = case_status(plan, ev, sla, as_of=day, samples=500).table
        t = t[t["case"].isin(resolved.index)]
        hours = (resolved[t["case"]].to_numpy() - started[t["case"]].to_numpy()) / np.timedelta64(1, "h")
        frames.append(t.assign(breached=hours > sla))
    pooled = pd.concat(frames)
    assert len(pooled) > 100
    assert pooled["p_breach"].mean() == pytest.approx(pooled["breached"].mean(), abs=0.1)
    likely = pooled["p_breach"] >= 0.5
    assert pooled.loc[likely, "breached"].mean() > pooled.loc[~likely, "breached"].mean()


def test_cases_idle_far_beyond_their_step_are_left_out_as_stale():
    # at 20 h: a has been in 'fix' (4 h) for 19 h > 2 x 4 h, so it is stale; b for 7 h is late but live
    ev = events([("a", "open", 0), ("a", "triage", 1), ("b", "open", 11), ("b", "triage", 13)])
    status = case_status(template(), ev, sla=10.0, as_of=T0 + pd.Timedelta(hours=20))
    assert status.table["case"].tolist() == ["b"] and status.params["stale_cases"] == 1
    assert any("1 more case without a closing step left out as stale" in n and "a (19)" in n for n in status.notes)
    everything = case_status(template(), ev, sla=10.0, as_of=T0 + pd.Timedelta(hours=20), stale=None)
    assert everything.table["case"].tolist() == ["a", "b"]
    with pytest.raises(ScheduleError, match="stale must be a positive multiple"):
        case_status(template(), ev, sla=10.0, stale=0)


def _two_kinds():
    from journeykit.schedule.from_log import plans_by_kind
    from tests.schedule.test_from_log import _two_kinds as log

    engine = engine_from_frames(log())
    return plans_by_kind(engine, "post-purchase"), case_events(engine, "post-purchase")


def test_each_case_is_read_against_the_template_of_its_kind():
    templates, ev = _two_kinds()
    status = case_status_by_kind(templates, ev, {"ship": 100.0, "contact": 8.0})
    table = status.table.set_index("case")
    # the resolved ticket T2 and the refunded orders are closed; the order O8 stopped before its survey and
    # the ticket T3 still in 'fix' are open, each against its own chain and SLA
    assert sorted(table.index) == ["O8", "T3"] and status.params["stale_cases"] == 0
    assert table.loc["O8", ["kind", "last_step", "steps_done", "due"]].tolist() == ["ship", "deliver", 1, 100.0]
    assert table.loc["T3", ["kind", "last_step", "steps_done", "due"]].tolist() == ["contact", "fix", 1, 8.0]
    assert status.table.columns[:2].tolist() == ["case", "kind"]
    assert status.notes[0].startswith("2 open cases as of 2025-02-13 16:00:00+00:00 (1 ship, 1 contact;")
    assert "1 case of kinds without a template of their own left out (first step: survey 1)" in status.notes
    assert status.params["sla"] == {"ship": 100.0, "contact": 8.0} and status.params["other_cases"] == 1
    assert "their SLA (ship 100, contact 8 hours)" in status.figure().layout.title.text
    # one template for every case: the resolved ticket never reaches the orders' survey and counts as open
    orders = case_status(templates[0].plan, ev, 100.0, stale=None).table.set_index("case")
    assert orders.at["T2", "last_step"] == "resolved" and orders.at["T2", "steps_done"] == 0


def test_case_status_by_kind_one_sla_closed_steps_and_bad_input():
    templates, ev = _two_kinds()
    status = case_status_by_kind(templates, ev, 100.0, closed_steps=["fix"])
    assert status.table["case"].tolist() == ["O8"] and status.params["sla"] == {"ship": 100.0, "contact": 100.0}
    with pytest.raises(ScheduleError, match="no SLA for the kind contact"):
        case_status_by_kind(templates, ev, {"ship": 100.0})
    with pytest.raises(ScheduleError, match="one template per kind"):
        case_status_by_kind([templates[0], templates[0]], ev, 100.0)
    with pytest.raises(ScheduleError, match="missing: case"):
        case_status_by_kind(templates, ev.drop(columns="case"), 100.0)
