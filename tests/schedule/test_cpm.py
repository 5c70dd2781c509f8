"""Critical path method: textbook answers, all dependency types with lags, calendars, PSPLIB, cross-checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from journeykit.schedule import Activity, Plan, ScheduleError
from journeykit.schedule.calendar import Calendar
from journeykit.schedule.generate import random_plan
from journeykit.schedule.network import PRED_FINISH, SUCC_FINISH
from journeykit.schedule.plan_io import read_plan
from tests.conftest import shared_file

# Hillier & Lieberman, Introduction to Operations Research, chapter "Project Management with PERT/CPM":
# the Reliable Construction Co. project (durations in weeks, three-point estimates of table 22.4).
RELIABLE = {
    "A": (1, 2, 3), "B": (2, 3.5, 8), "C": (6, 9, 18), "D": (4, 5.5, 10), "E": (1, 4.5, 5),
    "F": (4, 4, 10), "G": (5, 6.5, 11), "H": (5, 8, 17), "I": (3, 7.5, 9), "J": (3, 9, 9),
    "K": (4, 4, 4), "L": (1, 5.5, 7), "M": (1, 2, 3), "N": (5, 5.5, 9),
}
RELIABLE_PREDS = {"B": "A", "C": "B", "D": "C", "E": "C", "F": "E", "G": "D", "H": "EG", "I": "C",
                  "J": "FI", "K": "J", "L": "J", "M": "H", "N": "KL"}


def reliable_plan() -> Plan:
    return Plan([Activity(k, v) for k, v in RELIABLE.items()],
                 [(p, s) for s, ps in RELIABLE_PREDS.items() for p in ps], name="reliable", unit="weeks")


def test_reliable_construction_textbook_schedule():
    r = reliable_plan().cpm()
    t = r.table.set_index("id")
    assert r.duration == pytest.approx(44)
    assert r.critical_paths() == [["A", "B", "C", "E", "F", "J", "L", "N"]]
    # published slacks (LS - ES): D 4, G 4, H 4, I 2, K 1, M 4, the rest 0
    slack = {"D": 4, "G": 4, "H": 4, "I": 2, "K": 1, "M": 4}
    for aid in RELIABLE:
        assert t.at[aid, "total_float"] == pytest.approx(slack.get(aid, 0))
    assert t.loc["H", ["es", "ef", "ls", "lf"]].tolist() == pytest.approx([29, 38, 33, 42])
    # free float: D and G share their float with H (0 free), I has 2 free, M 4
    assert t.loc[["D", "G", "H", "I", "K", "M"], "free_float"].tolist() == pytest.approx([0, 0, 0, 2, 1, 4])


def test_path_to_and_explanation():
    r = reliable_plan().cpm()
    assert r.path_to("M") == [["A", "B", "C", "D", "G", "H", "M"]]
    assert r.path_from("D") == [["D", "G", "H", "M"]]
    text = r.explain("I")
    assert "not critical" in text and "total float 2 weeks" in text and "A -> B -> C -> I" in text
    assert "I -> J -> L -> N" in text
    assert "'E' is critical" in r.explain("E")
    with pytest.raises(ScheduleError, match="no activity 'Z'"):
        r.explain("Z")


def test_tied_critical_paths_are_all_listed():
    plan = Plan([Activity(x, d) for x, d in zip("sabcdf", [1, 3, 2, 1, 4, 1])],
                [("s", "a"), ("s", "c"), ("a", "b"), ("c", "d"), ("b", "f"), ("d", "f")])
    r = plan.cpm()
    assert r.duration == 7
    assert sorted(r.critical_paths()) == [["s", "a", "b", "f"], ["s", "c", "d", "f"]]


def test_each_dependency_type_with_lags_hand_computed():
    # a (4) -> b (3) SS+2: b may start at 2.  a -> c (2) FF+1: c must finish at >= 5, starts 3.
    # b -> d (5) SF+0: d must finish at >= start(b) = 2, so d can start at 0 (not before the project start).
    # c -> e (1) FS-1 (a lead): e starts at 5 - 1 = 4.
    plan = Plan([Activity(x, d) for x, d in zip("abcde", [4, 3, 2, 5, 1])],
                [("a", "b", "SS", 2), ("a", "c", "FF", 1), ("b", "d", "SF", 0), ("c", "e", "FS", -1)])
    r = plan.cpm()
    t = r.table.set_index("id")
    assert t["es"].to_dict() == {"a": 0, "b": 2, "c": 3, "d": 0, "e": 4}
    assert r.duration == 5  # max(EF): a 4, b 5, c 5, d 5, e 5
    # backward: every activity finishing at 5 with nothing after it has LF 5
    assert t["lf"].to_dict() == {"a": 4, "b": 5, "c": 5, "d": 5, "e": 5}
    assert t.at["d", "total_float"] == 0 and t.at["b", "total_float"] == 0
    # a is bound by b (SS+2: LS_a <= LS_b - 2 = 0) and by c (FF+1: LF_a <= LF_c - 1 = 4)
    assert t.at["a", "critical"]
    # d is critical on its own: the SF constraint does not drive it (it is held at the project start)
    assert sorted(r.critical_paths()) == [["a", "b"], ["a", "c", "e"], ["d"]]


def _lp_schedule(plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Early and late starts as the least and greatest solutions of the difference constraints (LP)."""
    ar = plan.arrays()
    n, d = ar.n, ar.durations
    i, j = ar.pred_idx, ar.edge_succ
    a, b = PRED_FINISH[ar.pred_type], SUCC_FINISH[ar.pred_type]
    A = np.zeros((len(i), n))
    A[np.arange(len(i)), i] = 1
    A[np.arange(len(i)), j] -= 1
    rhs = b * d[j] - a * d[i] - ar.pred_lag  # S_i - S_j <= b d_j - a d_i - L
    early = linprog(np.ones(n), A_ub=A, b_ub=rhs, bounds=[(0, None)] * n, method="highs")
    T = float(np.max(early.x + d))
    late = linprog(-np.ones(n), A_ub=A, b_ub=rhs, bounds=[(0, T - dk) for dk in d], method="highs")
    return early.x, late.x


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 10_000))
def test_mixed_dependency_types_match_linear_programming(n, seed):
    plan = random_plan(n, 2 * n, layers=max(1, n // 4), seed=seed, mixed_types=True)
    es_lp, ls_lp = _lp_schedule(plan)
    t = plan.cpm().table
    assert np.allclose(t["es"], es_lp, atol=1e-7)
    assert np.allclose(t["ls"], ls_lp, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000))
def test_finish_to_start_with_lags_equals_networkx_longest_path(n, seed):
    rng = np.random.default_rng(seed)
    plan = random_plan(n, 3 * n, seed=seed)
    lags = {(d.pred, d.succ): float(rng.integers(0, 4)) for d in plan.dependencies}
    plan = Plan(plan.activities, [(p, s, "FS", g) for (p, s), g in lags.items()])
    g = nx.DiGraph()
    dur = dict(zip(plan.ids, plan.durations()))
    g.add_nodes_from(f"{a}:s" for a in plan.ids)
    for a in plan.ids:
        g.add_edge(f"{a}:s", f"{a}:f", weight=dur[a])
    for (p, s), lag in lags.items():
        g.add_edge(f"{p}:f", f"{s}:s", weight=lag)
    assert plan.cpm().duration == pytest.approx(nx.dag_longest_path_length(g, weight="weight"))


def test_psplib_mpm_time_is_reproduced_for_every_instance():
    """PSPLIB (Kolisch & Sprecher 1997): the header's MPM-Time is the critical-path length.

    All 960 j30/j60 instances are scheduled as one network (their disjoint union) in one CPM call.
    """
    from journeykit.io.psplib import read_psplib

    root = shared_file("psplib")
    files = sorted(root.glob("j*/*.sm"))
    assert len(files) == 960
    acts, deps, owner, expected = [], [], [], []
    for k, f in enumerate(files):
        inst = read_psplib(f)
        ids = [f"{k}.{j}" for j in range(inst.n_jobs)]
        acts += [Activity(i, d) for i, d in zip(ids, inst.durations)]
        deps += [(ids[j], ids[s]) for j, succ in enumerate(inst.successors) for s in succ]
        owner += [k] * inst.n_jobs
        expected.append(inst.mpm_time)
    r = Plan(acts, deps).cpm()
    per_instance = np.zeros(len(files))
    np.maximum.at(per_instance, np.array(owner), r.table["ef"].to_numpy())
    assert per_instance.tolist() == expected


def test_plan_from_psplib_matches_header():
    from journeykit.io.psplib import read_psplib
    from journeykit.schedule.plan_io import read_plan

    path = shared_file("psplib/j30/j301_1.sm")
    plan = read_plan(path)
    inst = read_psplib(path)
    assert plan.cpm().duration == inst.mpm_time
    assert plan.resources == {"R1": 12, "R2": 13, "R3": 4, "R4": 12}
    assert plan.arrays().demands.shape == (32, 4)


def test_calendar_dates_skip_weekends_and_holidays_and_keep_the_critical_path():
    # Monday 2026-12-21; Christmas Friday 2026-12-25 and New Year Friday 2027-01-01 are holidays.
    cal = Calendar(holidays=["2026-12-25", "2027-01-01"])
    acts = [Activity("a", 5), Activity("b", 3), Activity("c", 2), Activity("m", 0)]
    deps = [("a", "b", "FS", 2), ("a", "c", "SS", 1), ("b", "m"), ("c", "m")]
    with_cal = Plan(acts, deps, calendar=cal, start=date(2026, 12, 21))
    r = with_cal.cpm()
    t = r.table.set_index("id")
    # a: Mon 21, Tue 22, Wed 23, Thu 24, (Fri 25 holiday), Mon 28 -> finishes Mon 28
    assert str(t.at["a", "start_date"])[:10] == "2026-12-21" and str(t.at["a", "finish_date"])[:10] == "2026-12-28"
    # FS+2 working days: Tue 29, Wed 30; b starts Thu 31, works 31, (Jan 1 holiday), Mon 4, Tue 5
    assert str(t.at["b", "start_date"])[:10] == "2026-12-31" and str(t.at["b", "finish_date"])[:10] == "2027-01-05"
    # the milestone sits on the day its predecessors finish
    assert str(t.at["m", "start_date"])[:10] == str(t.at["m", "finish_date"])[:10] == "2027-01-05"
    # the calendar changes dates, never floats or the critical path
    plain = Plan(acts, deps).cpm()
    assert r.critical_paths() == plain.critical_paths() == [["a", "b", "m"]]
    assert t["total_float"].tolist() == plain.table["total_float"].tolist()


def test_calendar_in_hours_and_custom_workweek():
    cal = Calendar(workdays=["Sun", "Mon", "Tue", "Wed", "Thu"], hours_per_day=8)
    # 20 working hours from Thursday 2026-01-01: Thu (8 h), Sun (8 h), Mon (4 h) -> finishes Monday
    plan = Plan([Activity("x", 20)], unit="hours", calendar=cal, start=date(2026, 1, 1))
    t = plan.cpm().table
    assert str(t.at[0, "finish_date"])[:10] == "2026-01-05"
    assert cal.working_days_between(date(2026, 1, 1), date(2026, 1, 8)) == 5


def test_reverse_critical_activity_with_ff_in_and_ss_out():
    """Moder, Phillips & Davis (1983, ch. 5): an activity entered by FF and left by SS is *reverse
    critical*: lengthening it starts it earlier, so its SS successor and the project finish earlier."""
    plan = Plan([Activity("A", 10), Activity("B", 2), Activity("C", 5)], [("A", "B", "FF", 0), ("B", "C", "SS", 0)])
    assert plan.cpm().duration == 13  # B starts at 8, C runs 8..13
    longer = plan.with_durations({"B": 4}).cpm()
    assert longer.duration == 11 and longer.table.set_index("id").at["C", "es"] == 6


@settings(max_examples=12, deadline=None)
@given(n=st.integers(2, 25), seed=st.integers(0, 10_000), first=st.dates(date(2025, 1, 1), date(2027, 12, 31)))
def test_calendar_dates_respect_every_lag_in_working_days(n, seed, first):
    """On a calendar with weekends and holidays, every activity starts and finishes on a working day, spans
    exactly its duration in working days, and every FS link leaves at least its lag in working days."""
    rng = np.random.default_rng(seed)
    base = random_plan(n, 2 * n, seed=seed)
    acts = [Activity(a.id, int(rng.integers(0, 6))) for a in base.activities]
    deps = [(d.pred, d.succ, "FS", int(rng.integers(0, 3))) for d in base.dependencies]
    holidays = [first + np.timedelta64(int(k), "D").item() for k in rng.integers(0, 60, 6)]
    cal = Calendar(holidays=holidays)
    t = Plan(acts, deps, calendar=cal, start=first).cpm().table.set_index("id")
    day = np.timedelta64(1, "D")
    for aid, row in t.iterrows():
        s, f = np.datetime64(row.start_date, "D"), np.datetime64(row.finish_date, "D")
        assert cal.is_working(s.item()) and cal.is_working(f.item())
        if row.duration > 0:
            assert cal.working_days_between(s.item(), (f + day).item()) == row.duration
    for p, s, _, lag in deps:
        pred_end = np.datetime64(t.at[p, "finish_date"], "D") + day
        succ_start = np.datetime64(t.at[s, "start_date"], "D")
        if t.at[p, "duration"] > 0 and t.at[s, "duration"] > 0:
            assert cal.working_days_between(pred_end.item(), succ_start.item()) >= lag


def test_dates_carry_no_floating_point_residue():
    """The passes leave residue such as 9.4e-16 for a late start of 0; it is snapped to 0 (it was written
    to --out files as is)."""
    table = read_plan(Path(__file__).parents[2] / "examples" / "support_plan.yaml").cpm().table
    dates = table[["es", "ef", "ls", "lf", "total_float", "free_float"]].to_numpy()
    assert not ((dates != 0) & (np.abs(dates) < 1e-9)).any()
