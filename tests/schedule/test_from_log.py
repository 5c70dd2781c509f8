"""Plans discovered from an event log: synthetic cases with known durations, and the real helpdesk log."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from lxml import etree

from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError
from journeykit.schedule.from_log import main_path, plan_from_log
from tests.conftest import shared_file


def _synthetic(n_cases: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Cases open -> triage -> fix -> close with exponential waits (hours); every 5th case skips triage."""
    rng = np.random.default_rng(seed)
    rows, t0 = [], pd.Timestamp("2025-01-01", tz="UTC")
    # waits in hours, rounded to whole seconds (timestamps are stored in microseconds)
    w1, w2, w3 = (np.round(rng.exponential(s, n_cases) * 3600) for s in (2, 10, 1))
    for c in range(n_cases):
        steps = [("open", 0.0), ("triage", w1[c]), ("fix", w2[c]), ("close", w3[c])]
        if c % 5 == 0:
            steps.pop(1)
        t = t0 + pd.Timedelta(hours=c)
        for k, (ev, wait) in enumerate(steps):
            t = t + pd.Timedelta(seconds=int(wait))
            rows.append({"customer_id": f"cust{c % 50}", "case_id": f"T{c}", "timestamp": t, "event": ev,
                         "stage": "support", "touchpoint": ev})
        rows.append({"customer_id": f"cust{c % 50}", "case_id": f"T{c}", "timestamp": t, "event": "nps",
                     "stage": "loyalty", "touchpoint": "nps"})
    return pd.DataFrame(rows), w1 / 3600, w2 / 3600


def test_main_path_and_durations_from_synthetic_cases():
    events, w1, w2 = _synthetic()
    res = plan_from_log(engine_from_frames(events), "support", unit="hours")
    assert [a.id for a in res.plan.activities] == ["triage", "fix", "close"]
    t = res.table.set_index("id")
    keep = np.arange(400) % 5 != 0
    assert t.at["triage", "observations"] == keep.sum()
    assert t.at["triage", "mean"] == pytest.approx(w1[keep].mean(), rel=1e-6)
    # 'fix' follows 'triage' only in kept cases (the others go open -> fix)
    assert t.at["fix", "mean"] == pytest.approx(w2[keep].mean(), rel=1e-6)
    assert res.case_totals.size == keep.sum() and res.cases == 400
    # the loyalty-stage event is not part of the process
    assert "nps" not in set(res.dfg.to_step.dropna())


def test_selection_by_touchpoints_and_missing_process():
    events, _, _ = _synthetic(50)
    eng = engine_from_frames(events)
    res = plan_from_log(eng, ["open", "fix"], unit="minutes")
    assert [a.id for a in res.plan.activities] == ["fix"] and res.plan.unit == "minutes"
    with pytest.raises(EmptyResultError, match="no event"):
        plan_from_log(eng, "billing")
    # a misspelt step is named, whether the plan can still be built or not
    assert "never in the log (left out of the plan): fxi" in plan_from_log(eng, ["open", "fix", "fxi"]).notes
    with pytest.raises(EmptyResultError, match="single step .open.: nothing to plan; never in the log: fxi"):
        plan_from_log(eng, ["open", "fxi"])


def test_case_falls_back_to_customer_id():
    rows = [{"customer_id": "c1", "timestamp": f"2025-01-01 0{h}:00", "event": e} for h, e in [(0, "a"), (3, "b")]]
    rows += [{"customer_id": "c2", "timestamp": f"2025-01-02 0{h}:00", "event": e} for h, e in [(0, "a"), (5, "b")]]
    res = plan_from_log(engine_from_frames(pd.DataFrame(rows)), "a,b")
    assert res.table.at[0, "mean"] == pytest.approx(4.0)


def test_main_path_stops_where_more_cases_end():
    dfg = pd.DataFrame({"from_step": [None, "a", "a", "b"], "to_step": ["a", "b", None, None], "cases": [10, 3, 7, 3]})
    assert main_path(dfg) == ["a"]


def _read_xes(path) -> pd.DataFrame:
    """Case, event name and timestamp of every event of an XES log (a minimal lxml reader)."""
    rows = []
    with gzip.open(path) as fh:
        for _, trace in etree.iterparse(fh, tag="{*}trace"):
            case = next(c.get("value") for c in trace if c.get("key") == "concept:name" and not c.tag.endswith("event"))
            for ev in trace.iterfind("{*}event"):
                attrs = {c.get("key"): c.get("value") for c in ev}
                rows.append((case, attrs["concept:name"], attrs["time:timestamp"]))
            trace.clear()
    df = pd.DataFrame(rows, columns=["case_id", "event", "timestamp"])
    return df.assign(customer_id=df.case_id)


def test_helpdesk_ticket_resolution_probability_matches_the_log():
    """Helpdesk log (Polato 2017, 4TU.ResearchData): P(ticket resolved within 48 h) from the plan versus
    the observed share of the cases that follow the main path."""
    events = _read_xes(shared_file("helpdesk.xes.gz"))
    res = plan_from_log(engine_from_frames(events), ["Assign seriousness", "Take in charge ticket", "Resolve ticket"])
    assert [a.id for a in res.plan.activities] == ["Take in charge ticket", "Resolve ticket"]
    sim = res.plan.simulate(20_000, seed=3)
    for hours in (24, 48):
        assert sim.probability(hours) == pytest.approx(res.observed_probability(hours), abs=0.03)


def test_step_durations_between_two_touchpoints():
    from journeykit.schedule.estimates import estimate_duration
    from journeykit.schedule.from_log import step_durations

    events, w1, w2 = _synthetic(200)
    eng = engine_from_frames(events)
    # open -> fix spans both waits where triage happened, only the fix wait where it was skipped
    keep = np.arange(200) % 5 != 0
    expected = np.where(keep, w1 + w2, w2)
    got = step_durations(eng, "open", "fix", unit="hours")
    assert np.sort(got) == pytest.approx(np.sort(expected))
    assert estimate_duration(got).three_point.mean == pytest.approx(expected.mean())
    with pytest.raises(EmptyResultError, match="no case has 'close' followed by 'open'"):
        step_durations(eng, "close", "open")


T0 = pd.Timestamp("2025-01-01", tz="UTC")


def _two_kinds() -> pd.DataFrame:
    """One stage, two kinds of case with different ends (hours from ``T0``).

    Orders O0-O7 ship -> deliver -> survey (O0-O5) or -> refund (O6, O7); O8 is delivered at 1048 h and
    still waits for its survey.  Tickets T0-T2 contact -> fix -> resolved (T2 resolved at 1033 h); T3 is in
    'fix' since 1047 h.  X0 starts at 'survey' alone (a kind with no chain to plan).
    """
    orders = [[("ship", 0), ("deliver", 48 + k), ("survey", 72 + 2 * k)] for k in range(6)]
    orders += [[("ship", 0), ("deliver", 50), ("refund", 60 + k)] for k in range(2)] + [[("ship", 0), ("deliver", 48)]]
    tickets = [[("contact", 0), ("fix", 2 + k), ("resolved", 3 + k)] for k in range(3)] + [[("contact", 0), ("fix", 2)]]
    cases = {f"O{k}": (100 * k if k < 8 else 1000, steps) for k, steps in enumerate(orders)}
    cases |= {f"T{k}": (100 * k + 5 if k < 2 else 1030 + 15 * (k - 2), steps) for k, steps in enumerate(tickets)}
    cases["X0"] = (500, [("survey", 0)])
    rows = [{"customer_id": f"c{case}", "case_id": case, "timestamp": T0 + pd.Timedelta(hours=start + h),
             "event": step, "touchpoint": step, "stage": "post-purchase"}
            for case, (start, steps) in cases.items() for step, h in steps]
    return pd.DataFrame(rows)


def test_plans_by_kind_learn_main_path_and_closing_steps_per_kind():
    from journeykit.schedule.from_log import plans_by_kind

    engine = engine_from_frames(_two_kinds())
    orders, tickets = plans_by_kind(engine, "post-purchase")  # X0's kind has a single step: no plan
    assert (orders.start, orders.plan.ids, orders.kind_cases, orders.cases) == ("ship", ("deliver", "survey"), 9, 9)
    assert (tickets.start, tickets.plan.ids, tickets.kind_cases) == ("contact", ("fix", "resolved"), 4)
    # refunds end every order that has one; 8 of 9 deliveries and 3 of 4 fixes go on
    assert orders.closing == ["survey", "refund"] and tickets.closing == ["resolved"]
    assert orders.case_totals.size == 6 and tickets.case_totals.size == 3
    assert orders.notes[0].startswith("9 cases start at ship; 6 (67%) follow the main path ship -> deliver -> survey")
    assert tickets.notes[0].startswith("4 cases start at contact; 3 (75%) follow the main path")
    # the ticket durations come from the tickets alone
    assert tickets.table.set_index("id").at["fix", "observations"] == 4


def test_plan_without_start_counts_only_the_cases_of_its_kind():
    res = plan_from_log(engine_from_frames(_two_kinds()), "post-purchase")
    assert res.start == "ship" and (res.kind_cases, res.cases) == (9, 14)
    assert res.notes[0].startswith("9 cases of 14 start at ship; 6 (67%) follow the main path")
    assert res.closing == ["survey", "resolved", "refund"]
    with pytest.raises(EmptyResultError, match="no case of the process 'post-purchase' starts at 'fix'"):
        plan_from_log(engine_from_frames(_two_kinds()), "post-purchase", start="fix")


def test_closing_steps_are_where_most_occurrences_end():
    from journeykit.schedule.errors import ScheduleError
    from journeykit.schedule.from_log import closing_steps, plans_by_kind

    dfg = pd.DataFrame({"from_step": [None, "a", "a", "b", "b", "c"], "to_step": ["a", "b", None, "c", None, None],
                        "cases": [10, 6, 4, 3, 3, 3]})
    assert closing_steps(dfg) == ["b", "c"]  # a: 4 of 10 end; b: 3 of 6; c: 3 of 3 (ties by name)
    assert closing_steps(dfg, share=0.4) == ["a", "b", "c"]
    with pytest.raises(ScheduleError, match="closing share"):
        closing_steps(dfg, share=0)
    with pytest.raises(ScheduleError, match="kind share"):
        plans_by_kind(engine_from_frames(_two_kinds()), "post-purchase", min_share=1.5)
