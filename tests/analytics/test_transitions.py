"""Transitions: pm4py's (performance) DFG on the real helpdesk log, a reference on random logs with ties."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from journeykit.analytics import Sessions, transitions
from journeykit.engine import Filters
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError
from tests.analytics import reference as ref
from tests.analytics.helpdesk import ACTIVITY, CASE, helpdesk_engine, helpdesk_log

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _pm4py():
    warnings.simplefilter("ignore")
    import pm4py

    return pm4py


def _as_dict(table: pd.DataFrame, column: str) -> dict:
    return {(s, t): v for s, t, v in zip(table["source"], table["target"], table[column])}


def _steps(df: pd.DataFrame) -> dict:
    return dict(zip(df["step"], df["count"]))


# ----------------------------------------------------------------------------------- helpdesk vs pm4py
@pytest.fixture(scope="module")
def helpdesk():
    return helpdesk_engine()


def test_helpdesk_dfg_equals_pm4py(helpdesk):
    pm4py = _pm4py()
    log = helpdesk_log()
    dfg, starts, ends = pm4py.discover_dfg(log)
    result = transitions(helpdesk, by="case", level="event")
    assert _as_dict(result.table, "count") == dfg
    assert _steps(result.starts) == starts
    assert _steps(result.ends) == ends
    assert result.starts["count"].sum() == log[CASE].nunique() == 4580
    assert result.table["count"].sum() + result.ends["count"].sum() == len(log) == 21348


def test_helpdesk_times_equal_pm4py_performance_dfg(helpdesk):
    perf = _pm4py().discover_performance_dfg(helpdesk_log())[0]
    table = transitions(helpdesk, by="case", level="event").table.set_index(["source", "target"])
    assert len(table) == len(perf) == 55
    for pair, stats in perf.items():
        assert math.isclose(table.loc[pair, "mean_seconds"], stats["mean"], rel_tol=1e-9)
        assert math.isclose(table.loc[pair, "median_seconds"], stats["median"], rel_tol=1e-9)


def test_helpdesk_ties_follow_seq_not_row_order():
    """Rows shuffled, seq kept: the 130 same-timestamp ties still order as pm4py's stable sort does."""
    log = helpdesk_log()
    events = pd.DataFrame(
        {"customer_id": log[CASE], "event": log[ACTIVITY], "timestamp": log["time:timestamp"], "seq": range(len(log))}
    ).sample(frac=1.0, random_state=7)
    result = transitions(engine_from_frames(events), level="event")
    assert _as_dict(result.table, "count") == _pm4py().discover_dfg(log)[0]


def test_helpdesk_probabilities_and_customers(helpdesk):
    result = transitions(helpdesk, by="case", level="event")
    t = result.table
    assert t.groupby("source")["probability"].sum().round(12).eq(1.0).all()
    assert (t["customers"] <= t["count"]).all() and (t["customers"] >= 1).all()
    self_loops = t[t["source"] == t["target"]]
    assert (self_loops["customers"] < self_loops["count"]).any()  # a ticket assigned twice over


def test_helpdesk_approximate_close_to_exact(helpdesk):
    exact = transitions(helpdesk, by="case", level="event").table.set_index(["source", "target"])
    approx = transitions(helpdesk, by="case", level="event", exact=False).table.set_index(["source", "target"])
    big = exact[exact["count"] >= 500].index
    assert (approx.loc[big, "count"] == exact.loc[big, "count"]).all()
    rel = (approx.loc[big, "customers"] - exact.loc[big, "customers"]).abs() / exact.loc[big, "customers"]
    assert (rel < 0.1).all()
    for col in ("median_seconds", "p90_seconds"):  # skewed durations: error on the scale of the p90
        err = (approx.loc[big, col] - exact.loc[big, col]).abs() / exact.loc[big, "p90_seconds"]
        assert (err < 0.05).all(), col
    assert (approx.loc[big, "customers"] != exact.loc[big, "customers"]).any()  # really approximate


def test_min_count_hides_rare_keeps_probabilities(helpdesk):
    full = transitions(helpdesk, by="case", level="event")
    shown = transitions(helpdesk, by="case", level="event", min_count=100)
    assert shown.table["count"].min() >= 100
    kept = full.table[full.table["count"] >= 100].reset_index(drop=True)
    pd.testing.assert_frame_equal(shown.table, kept)
    assert any("fewer than 100" in n for n in shown.notes)


# ------------------------------------------------------------------------------------ random logs
@SETTINGS
@given(log=ref.random_logs())
def test_matches_reference_on_random_logs(log):
    result = transitions(engine_from_frames(log), level="event")
    js = ref.journeys(log)
    expected = ref.dfg(js)
    got = result.table
    assert len(got) == len(expected)
    merged = expected.merge(got, on=["source", "target"], suffixes=("", "_got"))
    assert len(merged) == len(expected)
    for col in ("count", "customers"):
        assert (merged[col] == merged[col + "_got"]).all()
    for col in ("probability", "mean_seconds", "median_seconds", "p90_seconds"):
        assert ((merged[col] - merged[col + "_got"]).abs() < 1e-6).all(), col
    starts, ends = ref.starts_ends(js)
    assert _steps(result.starts) == dict(starts)
    assert _steps(result.ends) == dict(ends)


@SETTINGS
@given(log=ref.random_logs())
def test_by_case_and_collapse_match_reference(log):
    if log["case_id"].isna().all():
        with pytest.raises(EmptyResultError, match="case_id"):
            transitions(engine_from_frames(log), by="case", level="event")
        return
    result = transitions(engine_from_frames(log), by="case", level="event", collapse_repeats=True)
    js = {k: ref.collapse(j) for k, j in ref.journeys(log, key="case_id").items()}
    expected = ref.dfg(js)
    assert _as_dict(result.table, "count") == _as_dict(expected, "count")
    assert _as_dict(result.table, "customers") == _as_dict(expected, "customers")
    assert all(s != t for s, t in zip(result.table["source"], result.table["target"]))
    missing = int(log["case_id"].isna().sum())
    assert any(f"{missing:,} of {len(log):,} events have no case_id" in n for n in result.notes) == (missing > 0)


# ---------------------------------------------------------------------------------- levels, options
def _mapped_log() -> pd.DataFrame:
    t = pd.Timestamp("2024-03-01 09:00", tz="UTC")
    rows = [
        ("u1", "ad_click", "ad", "awareness", 0, "a"),
        ("u1", "view_1", "product_view", "consideration", 60, "a"),
        ("u1", "view_2", "product_view", "consideration", 120, "a"),
        ("u1", "pay", "payment", "purchase", 600, "a"),
        ("u2", "ad_click", "ad", "awareness", 0, "b"),
        ("u2", "mystery", None, None, 30, "b"),
        ("u2", "view_1", "product_view", "consideration", 4000, "b"),
    ]
    return pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "touchpoint": [r[2] for r in rows],
            "stage": [r[3] for r in rows],
            "timestamp": [t + pd.Timedelta(seconds=r[4]) for r in rows],
            "attributes": [{"segment": r[5]} for r in rows],
        }
    )


def test_stage_level_collapses_runs_and_times_from_run_start():
    result = transitions(engine_from_frames(_mapped_log()), level="stage")
    t = result.table.set_index(["source", "target"])
    assert t.loc[("awareness", "consideration"), "count"] == 2
    assert t.loc[("consideration", "purchase"), "mean_seconds"] == 540  # 09:01 (first view) -> 09:10
    assert ("consideration", "consideration") not in t.index
    assert result.params["collapse_repeats"] is True
    assert any("1 events have no stage" in n for n in result.notes)


def test_touchpoint_level_skips_unmapped_and_cleaning_renames():
    eng = engine_from_frames(_mapped_log())
    t = transitions(eng).table.set_index(["source", "target"])
    assert t.loc[("ad", "product_view"), "count"] == 2  # u2's unmapped event is skipped
    cleaned = transitions(eng, level="event", clean={r"view_\d": "view", "mystery": None}).table
    assert set(zip(cleaned["source"], cleaned["target"])) == {("ad_click", "view"), ("view", "view"), ("view", "pay")}


def test_sessions_cut_transitions_at_inactivity():
    eng = engine_from_frames(_mapped_log())
    t = transitions(eng, sessions=Sessions(timeout_minutes=30)).table
    # u2: ad (0 s) -> product_view (4000 s) is over 30 min apart: no transition; u1 keeps hers
    assert _as_dict(t, "count")[("ad", "product_view")] == 1


def test_filters_segment_and_channel_of_figures():
    eng = engine_from_frames(_mapped_log())
    result = transitions(eng, level="event", filters=Filters(segment={"segment": "b"}))
    assert set(_as_dict(result.table, "count")) == {("ad_click", "mystery"), ("mystery", "view_1")}
    fig = result.figure("sankey")
    assert sum(fig.data[0].link.value) == 2
    assert len(result.figure("map").layout.annotations) == 4  # an arrow and a label per transition


# --------------------------------------------------------------------------------------- bad input
def test_empty_workspace():
    eng = engine_from_frames(_mapped_log().iloc[:0])
    with pytest.raises(EmptyResultError, match="holds no events"):
        transitions(eng)


def test_unknown_segment_attribute_and_empty_dates():
    eng = engine_from_frames(_mapped_log())
    with pytest.raises(EmptyResultError, match="segment attribute 'tier' does not exist"):
        transitions(eng, filters=Filters(segment={"tier": "gold"}))
    with pytest.raises(EmptyResultError, match="no events match the filters"):
        transitions(eng, filters=Filters(start="2030-01-01"))


def test_unmapped_level_and_single_step_journeys():
    log = _mapped_log()
    eng = engine_from_frames(log.assign(touchpoint=None))
    with pytest.raises(EmptyResultError, match="mapped to a touchpoint"):
        transitions(eng)
    single = transitions(engine_from_frames(log.iloc[:1]), level="event")
    assert single.table.empty and _steps(single.starts) == {"ad_click": 1}
    assert any("no transitions" in n for n in single.notes)


# --------------------------------------------------------------------------------------------- CLI
def test_cli_transitions_paths_timing(tmp_path):
    from typer.testing import CliRunner

    from journeykit.cli import app
    from journeykit.engine.frames import canonical_table
    from journeykit.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    ws.engine.insert("events", canonical_table(_mapped_log()))
    ws.close()
    runner = CliRunner()
    out = tmp_path / "t.csv"
    args = ["analyze", "transitions", "-w", str(tmp_path / "ws"), "--level", "event", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out)
    assert list(written.columns) == ["source", "target", "count", "customers", "probability",
                                     "mean_seconds", "median_seconds", "p90_seconds"]
    assert written["count"].sum() == 5
    result = runner.invoke(app, ["analyze", "paths", "-w", str(tmp_path / "ws"), "--level", "event", "-a", "ad_click"])
    assert result.exit_code == 0 and "view_1" in result.output
    result = runner.invoke(app, ["analyze", "timing", "-w", str(tmp_path / "ws"), "--segment", "tier=gold"])
    assert isinstance(result.exception, EmptyResultError) and "tier" in str(result.exception)
