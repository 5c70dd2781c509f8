"""The stored journey order (``customer_rank``) and customer ordinals (``customer_ordinal``): kept up to date by
the ingest and by in-memory engines, added to older workspaces, and the analyses that sort by the rank and
count the ordinals give exactly what sorting by customer, timestamp and sequence number and counting the ids
gives (ties in the timestamp included)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from journeykit.analytics import Sessions, stage_dwell, transitions, variants
from journeykit.analytics.sequences import prepare_steps
from journeykit.engine import Engine
from journeykit.engine.expr import CUSTOMER_ORDINAL, CUSTOMER_RANK
from journeykit.engine.frames import engine_from_frames
from journeykit.io.ingest import ingest_files
from journeykit.workspace import Workspace
from tests.analytics import reference as ref
from tests.analytics.engines import events_engine

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _expected_ranks(events: pd.DataFrame) -> list[int]:
    """1-based rank of each row (in ``seq`` order) when sorted by customer, timestamp and seq."""
    order = events.sort_values(["customer_id", "timestamp", "seq"]).reset_index(drop=True)
    rank = {seq: i + 1 for i, seq in enumerate(order["seq"])}
    return [rank[s] for s in events.sort_values("seq")["seq"]]


def _expected_ordinals(events: pd.DataFrame) -> list:
    """Each row's (in ``seq`` order) 1-based position of its customer among the sorted distinct ids."""
    ids = sorted(events["customer_id"].dropna().unique())
    number = {c: i + 1 for i, c in enumerate(ids)}
    return [number.get(c) for c in events.sort_values("seq")["customer_id"]]


def _ranks(engine: Engine) -> tuple[list[int], pd.DataFrame]:
    ev = engine.execute(engine.events.order_by("seq"))
    assert ev[CUSTOMER_ORDINAL].astype(object).where(ev[CUSTOMER_ORDINAL].notna(), None).tolist() == (
        _expected_ordinals(ev))
    return ev[CUSTOMER_RANK].tolist(), ev


@SETTINGS
@given(log=ref.random_logs(labels="ABC"))
def test_analyses_sorted_by_the_rank_equal_those_sorted_by_the_columns(log):
    log = log.assign(stage=log["event"].map({"A": "s1", "B": "s1", "C": "s2"}))
    ranked, plain = events_engine(log), events_engine(log, ranked=False)
    steps = prepare_steps(ranked, level="event")
    assert steps.position == CUSTOMER_RANK and steps.ordinals == log["customer_id"].nunique()  # bitmap counts
    assert prepare_steps(plain, level="event").position is None and prepare_steps(plain, level="event").ordinals is None
    runs = {
        "transitions": lambda e: transitions(e, level="event").table,
        "collapsed": lambda e: transitions(e, level="event", collapse_repeats=True).table,
        "sessions": lambda e: transitions(e, level="event", sessions=Sessions(timeout_minutes=30)).table,
        "variants": lambda e: variants(e, level="event").table,
        "dwell": lambda e: stage_dwell(e).table,
    }
    for name, run in runs.items():
        pd.testing.assert_frame_equal(run(ranked), run(plain), obj=name)


@SETTINGS
@given(log=ref.random_logs())
def test_an_in_memory_engine_ranks_its_events(log):
    ranks, ev = _ranks(engine_from_frames(log))
    assert ranks == _expected_ranks(ev)


@pytest.fixture
def ws(tmp_path: Path):
    w = Workspace.init(tmp_path / "ws")
    yield w
    w.close()


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text("customer_id,timestamp,event\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_each_ingest_ranks_all_events_again_and_a_failed_one_changes_nothing(ws, tmp_path):
    ingest_files(ws, [_csv(tmp_path / "a.csv", ["c2,2024-01-02T00:00:00Z,x", "c1,2024-01-03T00:00:00Z,y"])])
    assert _ranks(ws.engine)[0] == [2, 1]
    # the second file's events fall between and before the first's: every rank moves
    ingest_files(ws, [_csv(tmp_path / "b.csv", ["c1,2024-01-01T00:00:00Z,z", "c2,2024-01-02T00:00:00Z,w"])])
    ranks, ev = _ranks(ws.engine)
    assert ranks == _expected_ranks(ev) == [3, 2, 1, 4]  # the tie of c2 at 01-02 is ordered by seq
    bad = tmp_path / "bad.csv"
    bad.write_text("who\nx\n", encoding="utf-8")
    with pytest.raises(Exception, match="bad.csv"):
        ingest_files(ws, [_csv(tmp_path / "c.csv", ["c0,2024-01-01T00:00:00Z,v"]), bad])
    assert _ranks(ws.engine)[0] == [3, 2, 1, 4]


def test_events_without_a_customer_are_ranked_last_without_an_ordinal():
    log = pd.DataFrame({"customer_id": ["b", None, "a", "b"], "event": list("wxyz"),
                        "timestamp": pd.to_datetime(["2024-01-01"] * 4, utc=True)})
    ranks, ev = _ranks(engine_from_frames(log))
    assert ranks == [2, 4, 1, 3]
    assert ev[CUSTOMER_ORDINAL].isna().tolist() == [False, True, False, False]


@pytest.mark.parametrize("dropped", [[CUSTOMER_RANK, CUSTOMER_ORDINAL], [CUSTOMER_ORDINAL]])
def test_a_workspace_without_the_rank_gets_it_when_opened_for_writing(ws, tmp_path, dropped):
    ingest_files(ws, [_csv(tmp_path / "a.csv", ["c2,2024-01-02T00:00:00Z,x", "c1,2024-01-03T00:00:00Z,y"])])
    for column in dropped:
        ws.engine.backend.raw_sql(f"ALTER TABLE events DROP COLUMN {column}")
    path = ws.db_path
    ws.close()
    read_only = Engine.duckdb(path, read_only=True)
    assert not set(dropped) & set(read_only.events.columns)  # read as it is: analyses use what is there
    steps = prepare_steps(read_only, level="event")
    assert steps.position == (None if CUSTOMER_RANK in dropped else CUSTOMER_RANK)
    assert steps.table.entity.type().is_string()  # counted by id
    read_only.close()
    assert _ranks(Engine.duckdb(path))[0] == [2, 1]
