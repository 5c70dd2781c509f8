"""Variants against pm4py on the helpdesk log; paths against a plain-Python reference on random tied logs."""

from __future__ import annotations

import math
import re
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeykit.analytics import Sessions, paths, variants
from journeykit.engine import Filters
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError, OptionError
from tests.analytics import reference as ref
from tests.analytics.helpdesk import CASE, helpdesk_engine, helpdesk_log

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def helpdesk():
    return helpdesk_engine()


def _path_counter(result) -> dict[tuple, int]:
    columns = [c for c in result.table.columns if c.startswith("step")]
    return {tuple(row[:-1]): row[-1] for row in result.table[columns + ["count"]].itertuples(index=False)}


# ------------------------------------------------------------------------------------------- variants
def test_helpdesk_variants_equal_pm4py(helpdesk):
    warnings.simplefilter("ignore")
    import pm4py

    log = helpdesk_log()
    expected = pm4py.get_variants(log)
    result = variants(helpdesk, by="case", level="event")
    assert len(result.table) == len(expected) == 226
    assert dict(zip(result.sequences, result.table["count"])) == expected
    assert result.table["count"].is_monotonic_decreasing
    assert math.isclose(result.table["share"].sum(), 1.0)


def test_helpdesk_variant_throughput_matches_reference(helpdesk):
    log = helpdesk_log()
    frame = pd.DataFrame(
        {
            "customer_id": log[CASE], "event": log["concept:name"], "timestamp": log["time:timestamp"],
            "seq": range(len(log)),
        }
    )
    expected = ref.variant_counts(ref.journeys(frame))
    result = variants(helpdesk, by="case", level="event")
    for seq, mean in zip(result.sequences, result.table["mean_throughput_seconds"]):
        assert math.isclose(mean, expected[seq][1], rel_tol=1e-9)


def test_top_variants_group_the_tail_keeping_totals(helpdesk):
    result = variants(helpdesk, by="case", level="event", top=5)
    assert len(result.table) == 6 and result.table["variant"].iloc[-1] == "other"
    assert result.table["count"].sum() == 4580
    assert math.isclose(result.table["share"].sum(), 1.0)
    full = variants(helpdesk, by="case", level="event")
    weighted = (full.table["count"] * full.table["mean_throughput_seconds"]).sum() / 4580
    got = (result.table["count"] * result.table["mean_throughput_seconds"]).sum() / 4580
    assert math.isclose(weighted, got, rel_tol=1e-9)
    assert result.sequences == [*full.sequences[:5], ()]


@SETTINGS
@given(log=ref.random_logs(), collapse=st.booleans())
def test_variants_match_reference(log, collapse):
    result = variants(engine_from_frames(log), level="event", collapse_repeats=collapse)
    expected = ref.variant_counts(ref.journeys(log), collapsed=collapse)
    table = result.table
    got = {s: (c, m) for s, c, m in zip(result.sequences, table["count"], table["mean_throughput_seconds"])}
    assert got.keys() == expected.keys()
    for key, (count, mean) in expected.items():
        assert got[key][0] == count and math.isclose(got[key][1], mean, abs_tol=1e-6)


def test_collapsed_repeats_at_the_end_still_end_the_journey():
    """A run of repeats shows once, but the journey lasts until its last event (it was cut at the run's
    first: 'Closed, Closed' lost the time between them)."""
    base = pd.Timestamp("2024-01-01", tz="UTC")
    log = pd.DataFrame({"customer_id": ["a"] * 4, "event": ["A", "A", "B", "B"],
                        "timestamp": [base + pd.Timedelta(seconds=s) for s in (0, 5, 10, 20)]})
    table = variants(engine_from_frames(log), level="event", collapse_repeats=True).table
    assert table["variant"].tolist() == ["A → B"] and table["mean_throughput_seconds"].tolist() == [20.0]


# ---------------------------------------------------------------------------------------------- paths
@SETTINGS
@given(
    log=ref.random_logs(labels="ABC"),
    direction=st.sampled_from(["after", "before", "between"]),
    steps=st.integers(1, 4),
)
def test_paths_match_reference(log, direction, steps):
    js = ref.journeys(log)
    until = "C" if direction == "between" else None
    expected = ref.path_counts(js, "A", direction, steps, until)
    eng = engine_from_frames(log)
    if not expected:
        with pytest.raises(EmptyResultError):
            paths(eng, "A", direction=direction, until=until, steps=steps, level="event")
        return
    result = paths(eng, "A", direction=direction, until=until, steps=steps, level="event", top_paths=None)
    assert _path_counter(result) == dict(expected)
    total = sum(expected.values())
    assert (result.steps.groupby("offset")["count"].sum() == total).all()
    assert (result.links.groupby("offset")["count"].sum() == total).all()


def test_long_tail_grouped_per_step_keeps_totals(helpdesk):
    full = paths(helpdesk, "Take in charge ticket", steps=3, by="case", level="event", top_per_step=50, top_paths=None)
    small = paths(helpdesk, "Take in charge ticket", steps=3, by="case", level="event", top_per_step=2, top_paths=4)
    anchored = full.table["count"].sum()
    assert small.table["count"].sum() == anchored
    assert len(small.table) == 5 and any("grouped into 'other'" in n for n in small.notes)
    per_step = small.steps.groupby("offset")["count"].sum()
    assert (per_step == anchored).all()
    assert set(small.steps["label"]) <= set(full.steps["label"]) | {"other"}
    assert "other" in set(small.steps["label"])
    # the kept labels keep their exact counts
    merged = small.steps.merge(full.steps, on=["offset", "label"], suffixes=("", "_full"))
    assert (merged["count"] == merged["count_full"]).all() and len(merged) > 0
    fig = small.figure()
    assert sum(fig.data[0].link.value) == anchored * 2


def test_helpdesk_between_leaves_out_journeys_without_the_end(helpdesk):
    result = paths(
        helpdesk, "Assign seriousness", direction="between", until="Closed", steps=4, by="case", level="event"
    )
    assert result.table["count"].sum() == 4478
    assert any("17 of 4,495 journeys" in n for n in result.notes)


def _sessions_log() -> pd.DataFrame:
    t = pd.Timestamp("2024-05-01 10:00", tz="UTC")
    minutes = [0, 5, 10, 100, 105, 0, 50]
    return pd.DataFrame(
        {
            "customer_id": ["a"] * 5 + ["b"] * 2,
            "event": ["home", "search", "cart", "home", "pay", "home", "search"],
            "timestamp": [t + pd.Timedelta(minutes=m) for m in minutes],
            "attributes": [{"visit": v} for v in ["1", "1", "1", "2", "2", "3", "4"]],
        }
    )


def test_sessions_by_inactivity_and_attribute():
    eng = engine_from_frames(_sessions_log())
    whole = paths(eng, "home", steps=2, level="event")
    assert _path_counter(whole) == {("search", "cart"): 1, ("search", "(end)"): 1}
    for sessions in (Sessions(timeout_minutes=30), Sessions(attribute="visit")):
        split = paths(eng, "home", steps=2, level="event", sessions=sessions)
        assert _path_counter(split) == {("search", "cart"): 1, ("pay", "(end)"): 1, ("(end)", "(end)"): 1}
    with pytest.raises(EmptyResultError, match="session attribute 'nope'"):
        paths(eng, "home", level="event", sessions=Sessions(attribute="nope"))


@pytest.mark.parametrize("gap", [0, -5, 0.0, float("nan"), "30", True, None])
def test_session_gap_must_be_a_positive_number(gap):
    message = f"timeout_minutes must be a number of minutes > 0, got {gap!r}"
    with pytest.raises(OptionError, match=f"^{re.escape(message)}$"):
        Sessions(timeout_minutes=gap)


def test_cleaning_and_collapse():
    eng = engine_from_frames(_sessions_log())
    result = paths(eng, "home", steps=2, level="event", clean={"search|cart": "browse"}, collapse_repeats=True)
    assert _path_counter(result) == {("browse", "home"): 1, ("browse", "(end)"): 1}


def test_bad_input_messages():
    eng = engine_from_frames(_sessions_log())
    with pytest.raises(EmptyResultError, match="'checkout' never occurs.*'home'"):
        paths(eng, "checkout", level="event")
    with pytest.raises(EmptyResultError, match="no journey reaches 'home' after 'pay'"):
        paths(eng, "pay", direction="between", until="home", level="event")
    with pytest.raises(EmptyResultError, match="no events match"):
        variants(eng, level="event", filters=Filters(end="2000-01-01"))
    with pytest.raises(ValueError, match="until"):
        paths(eng, "home", until="pay", level="event")


def test_portable_sequence_fallback_equals_ordered_collect(helpdesk):
    """The struct-sort route used off DuckDB (no ordered collect in Ibis for Spark) gives the same variants."""
    from journeykit.engine import Engine

    other = Engine(helpdesk.backend, "spark")
    native = variants(helpdesk, by="case", level="event")
    portable = variants(other, by="case", level="event")
    pd.testing.assert_frame_equal(native.table, portable.table)
    assert native.sequences == portable.sequences


def test_every_expression_compiles_for_pyspark():
    from journeykit.analytics import bottlenecks, case_throughput, stage_dwell, time_between, transitions
    from tests.analytics.portable import SparkCompilingEngine

    log = _sessions_log().assign(case_id="k", stage=lambda d: d["event"].str.len().astype(str))
    eng = SparkCompilingEngine(engine_from_frames(log))
    native = engine_from_frames(log)
    assert variants(eng, level="event").sequences == variants(native, level="event").sequences
    paths(eng, "home", level="event", sessions=Sessions(timeout_minutes=30), clean={"s.*": "s"})
    paths(eng, "home", direction="between", until="pay", level="event", sessions=Sessions(attribute="visit"))
    transitions(eng, level="event", exact=False)
    stage_dwell(eng)
    time_between(eng, "home", "pay", level="event")
    bottlenecks(eng, level="event")
    case_throughput(eng)
    with pytest.raises(EmptyResultError, match="segment attribute"):
        transitions(eng, filters=Filters(segment={"nope": "x"}))
    assert len(eng.compiled) > 20 and all("`" in sql for sql in eng.compiled)
