"""Timing: dwell per stage, time between steps, bottlenecks and case throughput, against references."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from journeykit.analytics import bottlenecks, case_throughput, stage_dwell, time_between, transitions
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError
from tests.analytics import reference as ref
from tests.analytics.helpdesk import ACTIVITY, CASE, helpdesk_engine, helpdesk_log

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def helpdesk():
    return helpdesk_engine()


def _stats(values: list[float]) -> tuple[float, float, float]:
    return float(np.mean(values)), float(np.median(values)), float(np.quantile(values, 0.9))


def _close(got: pd.Series, expected: tuple[float, float, float]) -> bool:
    cols = ("mean_seconds", "median_seconds", "p90_seconds")
    return all(math.isclose(got[c], e, rel_tol=1e-9, abs_tol=1e-6) for c, e in zip(cols, expected))


# ------------------------------------------------------------------------------------------- throughput
def test_helpdesk_case_throughput_matches_pm4py_and_pandas(helpdesk):
    warnings.simplefilter("ignore")
    import pm4py

    log = helpdesk_log()
    result = case_throughput(helpdesk).table.set_index("metric")
    durations = pm4py.get_all_case_durations(log)
    assert result.loc["resolution", "cases"] == len(durations) == 4580
    assert _close(result.loc["resolution"], _stats(durations))
    ordered = log.assign(seq=range(len(log))).sort_values([CASE, "time:timestamp", "seq"])
    second = ordered.groupby(CASE)["time:timestamp"].nth(1).groupby(ordered[CASE]).first()
    first = ordered.groupby(CASE)["time:timestamp"].min()
    response = (second - first.loc[second.index]).dt.total_seconds().tolist()
    assert _close(result.loc["first_response"], _stats(response))


def test_helpdesk_time_between_matches_reference(helpdesk):
    log = helpdesk_log()
    frame = pd.DataFrame(
        {"customer_id": log[CASE], "event": log[ACTIVITY], "timestamp": log["time:timestamp"], "seq": range(len(log))}
    )
    having, seconds = ref.first_to_next(ref.journeys(frame), "Take in charge ticket", "Resolve ticket")
    row = time_between(helpdesk, "Take in charge ticket", "Resolve ticket", by="case", level="event").table.iloc[0]
    assert (row["journeys"], row["reached"]) == (having, len(seconds))
    assert _close(row, _stats(seconds))
    assert row["min_seconds"] == min(seconds) and row["max_seconds"] == max(seconds)


def test_helpdesk_bottlenecks_rank_by_total_wait(helpdesk):
    result = bottlenecks(helpdesk, by="case", level="event")
    t = result.table
    tr = transitions(helpdesk, by="case", level="event").table
    assert len(t) == len(tr)
    assert np.allclose(t["total_wait_seconds"], t["count"] * t["mean_seconds"])
    assert t["total_wait_seconds"].is_monotonic_decreasing
    assert (t["source"].iloc[0], t["target"].iloc[0]) == ("Resolve ticket", "Closed")
    assert math.isclose(t["share_of_wait"].sum(), 1.0)
    worst_p90 = t.loc[t["rank_p90"] == 1].iloc[0]
    assert worst_p90["p90_seconds"] == t["p90_seconds"].max()
    assert len(result.figure().data[0].y) == 15


# ----------------------------------------------------------------------------------- random references
@pytest.mark.parametrize("target", ["B", "A"])  # "A" to "A": from the first to the second occurrence
@SETTINGS
@given(log=ref.random_logs(labels="ABC"))
def test_time_between_matches_reference(log, target):
    eng = engine_from_frames(log)
    js = ref.journeys(log)
    having, seconds = ref.first_to_next(js, "A", target)
    if having == 0 or not any(target in [e[2] for e in j] for j in js.values()):
        with pytest.raises(EmptyResultError, match="never occurs"):
            time_between(eng, "A", target, level="event")
        return
    row = time_between(eng, "A", target, level="event").table.iloc[0]
    assert (row["journeys"], row["reached"]) == (having, len(seconds))
    if seconds:
        assert _close(row, _stats(seconds))
    else:
        assert pd.isna(row["mean_seconds"])


@SETTINGS
@given(log=ref.random_logs(labels="ABC"))
def test_stage_dwell_matches_reference(log):
    log = log.assign(stage=log["event"])
    result = stage_dwell(engine_from_frames(log), stage_order=["C", "B", "A"]).table
    runs = ref.stage_runs(ref.journeys(log, label="stage"))
    assert result["stage"].tolist() == [s for s in ["C", "B", "A"] if s in runs]
    for row in result.itertuples(index=False):
        dwell = [d for d in runs[row.stage] if d is not None]
        assert row.visits == len(runs[row.stage]) and row.completed == len(dwell)
        if dwell:
            assert _close(pd.Series(row._asdict()), _stats(dwell))


def test_stage_dwell_by_hand():
    t = pd.Timestamp("2024-02-01", tz="UTC")
    hours = [0, 1, 3, 10, 0, 2]
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "b"],
            "stage": ["aware", "aware", "buy", "aware", "aware", "buy"],
            "timestamp": [t + pd.Timedelta(hours=h) for h in hours],
        }
    )
    table = stage_dwell(engine_from_frames(log), stage_order=["aware", "buy"]).table.set_index("stage")
    # aware runs: a 0h->3h (3h), a 10h (open), b 0h->2h (2h); buy runs: a 3h->10h (7h), b (open)
    assert table.loc["aware", ["visits", "customers", "completed"]].tolist() == [3, 2, 2]
    assert table.loc["aware", "mean_seconds"] == 2.5 * 3600
    assert table.loc["buy", ["visits", "completed", "median_seconds"]].tolist() == [2, 1, 7 * 3600]


# ------------------------------------------------------------------------------------------- bad input
def test_bad_input():
    t = pd.Timestamp("2024-02-01", tz="UTC")
    log = pd.DataFrame({"customer_id": ["a", "a"], "event": ["x", "y"], "timestamp": [t, t]})
    eng = engine_from_frames(log)
    with pytest.raises(EmptyResultError, match="event 'z' never occurs"):
        time_between(eng, "x", "z", level="event")
    # dwell and throughput have a fixed level and journey: the message says what they need, not to change them
    with pytest.raises(EmptyResultError, match=r"has a case_id \(throughput is per case: ingest the log with a case"):
        case_throughput(eng)
    with pytest.raises(EmptyResultError, match=r"mapped to a stage \(dwell times are per stage: map events to stages"):
        stage_dwell(eng)
    single = case_throughput(engine_from_frames(log.assign(case_id=["k1", "k2"])))
    assert single.table["cases"].tolist() == [0, 0]
    assert any("2 of 2 cases have a single event" in n for n in single.notes)


# ---------------------------------------------------------------------------------------------- report
def test_report_sections(tmp_path):
    from journeykit.engine.frames import canonical_table
    from journeykit.report.sections import journey_map, paths, timing
    from journeykit.workspace import Workspace

    t = pd.Timestamp("2024-02-01", tz="UTC")
    log = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b"],
            "case_id": [None, "k1", "k1", None, None],
            "event": ["social_ad_click", "product_view", "cart_add", "search_ad_click", "product_view"],
            "touchpoint": ["social_ad", "product_view", "cart_add", "search_ad", "product_view"],
            "stage": ["awareness", "consideration", "consideration", "awareness", "consideration"],
            "timestamp": [t + pd.Timedelta(hours=h) for h in (0, 1, 2, 0, 5)],
        }
    )
    empty = Workspace.init(tmp_path / "empty")
    assert journey_map.build(empty) is None and paths.build(empty) is None and timing.build(empty) is None
    ws = Workspace.init(tmp_path / "ws")
    ws.engine.insert("events", canonical_table(log))
    section = journey_map.build(ws)
    assert section.title == "Journey map" and len(section.figures) == 2
    assert section.tables[0][1]["count"].sum() == 3
    section = paths.build(ws)
    assert section.tables[1][1]["variant"].tolist() == ["awareness → consideration"]
    section = timing.build(ws)
    dwell = section.tables[0][1].set_index("stage")
    assert dwell.loc["awareness", "mean_seconds"] == 3 * 3600  # (1 h + 5 h) / 2
    assert section.tables[2][0] == "Case first response and resolution"
    assert section.tables[2][1]["cases"].tolist() == [1, 1]
