"""Cohorts, lifecycle, churn, repeat purchase: hand-computed examples and a plain-Python reference."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from journeykit.analytics.cohorts import churn, cohorts, lifecycle, repeat_purchase_rate
from journeykit.engine import Filters
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError
from tests.analytics.engines import events_engine

# with the stored journey order (first entry by least rank, returns by greater rank) and without it (windows
# over timestamp and seq, as on Spark)
RANKED = pytest.mark.parametrize("ranked", [True, False], ids=["ranked", "unranked"])

BASE = pd.Timestamp("2024-01-10", tz="UTC")
DAY = 86_400.0


def log(rows: list[tuple]) -> pd.DataFrame:
    """Events from ``(customer, days after BASE, event[, attributes])``; seq is row order."""
    return pd.DataFrame(
        [
            {"customer_id": r[0], "timestamp": BASE + pd.Timedelta(days=r[1]), "event": r[2],
             "attributes": r[3] if len(r) > 3 else None}
            for r in rows
        ]
    )


# a pays 10 Jan, repeats 14 Feb and 20 Mar; b pays 10 Jan, repeats 14 Apr (the last event);
# c pays and repeats in February; d only views.
SHOP = log(
    [("a", 0, "pay", {"seg": "x"}), ("a", 35, "rep"), ("a", 70, "rep"), ("b", 0, "pay", {"seg": "y"}),
     ("b", 95, "rep"), ("c", 40, "pay", {"seg": "x"}), ("c", 41, "rep"), ("d", 40, "view")]
)


def cells(result) -> dict[tuple, tuple]:
    t = result.table
    return {(str(c.date()), p): (r, ok) for c, p, r, ok in t[["cohort", "period", "retained", "complete"]].itertuples(index=False)}


@RANKED
def test_monthly_retention_by_hand(ranked):
    r = cohorts(events_engine(SHOP, ranked), "pay", "rep")
    assert cells(r) == {
        ("2024-01-01", 0): (0, True), ("2024-01-01", 1): (1, True), ("2024-01-01", 2): (1, True),
        ("2024-01-01", 3): (1, False),
        ("2024-02-01", 0): (1, True), ("2024-02-01", 1): (0, True), ("2024-02-01", 2): (0, False),
    }
    assert r.table["size"].tolist()[:1] == [2]
    # averages over complete cells only, weighted by cohort size
    assert r.average.rate.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 2])
    m = r.matrix()
    assert m.shape == (2, 4) and math.isnan(m.iloc[1, 3]) and m.iloc[0, 1] == 0.5
    assert r.figure().data[0].type == "heatmap"


def test_unbounded_and_rolling_retention_by_hand():
    eng = engine_from_frames(SHOP)
    un = cells(cohorts(eng, "pay", "rep", unbounded=True))
    assert [un[("2024-01-01", p)][0] for p in range(4)] == [2, 2, 2, 1]
    rolling = cells(cohorts(eng, "pay", "rep", rolling=True))  # 30-day blocks from each entry
    assert rolling[("2024-01-01", 3)] == (1, False)  # b on day 95 of 95 observed
    assert rolling[("2024-01-01", 2)] == (1, True)
    assert rolling[("2024-02-01", 1)] == (0, False)  # c entered on day 40: day 70-100 not observed


@RANKED
def test_recurring_cohorts_enter_every_period(ranked):
    df = log([("a", 0, "pay"), ("a", 31, "pay"), ("a", 32, "rep")])
    first = cells(cohorts(events_engine(df, ranked), "pay", "rep"))
    again = cells(cohorts(events_engine(df, ranked), "pay", "rep", recurring=True))
    assert ("2024-02-01", 0) not in first and first[("2024-01-01", 1)][0] == 1
    assert again[("2024-02-01", 0)][0] == 1 and again[("2024-01-01", 1)][0] == 1


@RANKED
def test_the_entry_event_itself_is_no_return(ranked):
    # returning: any event, or the entry event again; a and b do nothing else in January
    eng = events_engine(SHOP, ranked)
    for returning in (None, "pay"):
        r = cells(cohorts(eng, "pay", returning))
        assert r[("2024-01-01", 0)][0] == 0, returning
    assert cells(cohorts(eng, "pay"))[("2024-02-01", 0)][0] == 1  # c repeats the next day


@RANKED
def test_returning_event_must_follow_the_entry_event(ranked):
    # same instant: seq decides; 'rep' read before 'pay' does not count
    df = log([("a", 0, "rep"), ("a", 0, "pay"), ("b", 0, "pay"), ("b", 0, "rep")])
    r = cells(cohorts(events_engine(df, ranked), "pay", "rep", period="day"))
    assert r[("2024-01-10", 0)] == (1, False)


def test_breakdown_at_entry_and_more_than_ten_periods():
    r = cohorts(engine_from_frames(SHOP), "pay", "rep", period="week", by="seg")
    assert set(r.table.group) == {"x", "y"}
    assert r.table.period.max() >= 10
    assert r.table.groupby("group").cohort_index.nunique().to_dict() == {"x": 2, "y": 1}
    assert set(r.table["size"]) == {1}


def test_matrix_keeps_breakdown_groups_apart():
    """Groups sharing a cohort and a size were merged into one row (the first group's rates)."""
    r = cohorts(engine_from_frames(SHOP), "pay", "rep", by="seg")
    m = r.matrix()
    assert m.index.names == ["group", "cohort", "size"] and len(m) == 3
    jan = pd.Timestamp("2024-01-01", tz="UTC")
    assert m.loc[("x", jan, 1), 1] == 1.0 and m.loc[("y", jan, 1), 1] == 0.0  # a came back in Feb, b did not
    assert r.matrix(group="y").index.names == ["cohort", "size"]
    assert not r.matrix("complete").loc[("y", jan, 1), 3]  # April: the last event's month


def test_a_start_date_is_noted_for_first_time_cohorts():
    r = cohorts(engine_from_frames(SHOP), "pay", "rep", filters=Filters(start="2024-02-01"))
    assert any(n.startswith("with a start date, customers whose first pay came before it") for n in r.notes)
    assert not any("start date" in n for n in cohorts(engine_from_frames(SHOP), "pay", "rep").notes)


def test_lifecycle_by_hand():
    t = lifecycle(engine_from_frames(SHOP), period="month").table
    got = t[["new", "returning", "resurrecting", "dormant"]].to_numpy().tolist()
    assert got == [[2, 0, 0, 0], [2, 1, 0, 1], [0, 1, 0, 2], [0, 0, 1, 1]]
    assert t.complete.tolist() == [True, True, True, False]


def test_churn_by_hand():
    t = churn(engine_from_frames(SHOP), 30, period="month").table
    assert t.active.tolist() == [2, 4, 3, 2]
    assert t.churned.tolist() == [0, 2, 3, 0]
    assert t.churn_rate.tolist() == pytest.approx([0, 0.5, 1, 0])


def test_repeat_purchase_rate():
    eng = engine_from_frames(SHOP)
    once = repeat_purchase_rate(eng, "pay")
    assert once.table.repeat_rate.tolist() == [0.0] and once.title == "Repeat purchase rate: buyers with 2+ 'pay' events"
    t = repeat_purchase_rate(eng, "pay|rep", by="seg").table
    assert t.set_index("group").repeat_rate.to_dict() == {"x": 1.0, "y": 1.0}


def test_bad_input_is_explained():
    with pytest.raises(EmptyResultError, match="holds no events"):
        cohorts(engine_from_frames(SHOP.iloc[:0]), "pay")
    eng = engine_from_frames(SHOP)
    with pytest.raises(EmptyResultError, match="entry event .nope. matches none of the 8 events"):
        cohorts(eng, "nope")
    with pytest.raises(EmptyResultError, match=r"no events match the filters \(2030"):
        churn(eng, filters=Filters(start="2030-01-01"))
    with pytest.raises(EmptyResultError, match="segment attribute 'plan' does not exist in the events"):
        lifecycle(eng, filters=Filters(segment={"plan": "gold"}))
    r = cohorts(eng, "pay", "rep", by="plan")
    assert any("plan" in n for n in r.notes)


# ------------------------------------------------------------------------- plain-Python reference
def ref_cohorts(df: pd.DataFrame, recurring: bool, unbounded: bool, rolling: bool) -> dict[tuple, int]:
    """(cohort day index, offset) -> retained, daily periods; entry 'a', returning 'b'."""
    rows = sorted(zip(df.t, df.seq, df.customer_id, df.event))
    last_day = int(max(df.t) // DAY)
    members = {}
    for t, s, c, e in rows:
        if e == "a":
            key = (c, int(t // DAY)) if recurring else c
            members.setdefault(key, (c, int(t // DAY), t, s))
    out: dict[tuple, set] = {}
    for c, cohort, t0, s0 in members.values():
        offsets = [
            int((t - t0) // DAY) if rolling else int(t // DAY) - cohort
            for t, s, cc, e in rows if cc == c and e == "b" and (t, s) > (t0, s0)
        ]
        top = int((max(df.t) - t0) // DAY) if rolling else last_day - cohort
        for p in range(top + 1):
            hit = any(o >= p for o in offsets) if unbounded else p in offsets
            out.setdefault((cohort, p), set())
            if hit:
                out[(cohort, p)].add(c)
    return {k: len(v) for k, v in out.items()}


@st.composite
def random_logs(draw):
    n = draw(st.integers(1, 30))
    hours = draw(st.lists(st.integers(0, 24 * 3), min_size=n, max_size=n))
    df = pd.DataFrame({
        "customer_id": draw(st.lists(st.sampled_from("pqrstu"), min_size=n, max_size=n)),
        "timestamp": [BASE + pd.Timedelta(hours=12 * (h // 12)) for h in hours],  # ties
        "event": draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n)),
        "seq": draw(st.permutations(range(n))),
    })
    df["t"] = [BASE.timestamp() + 12 * 3600 * (h // 12) for h in hours]
    return df


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(df=random_logs(), recurring=st.booleans(), unbounded=st.booleans(), rolling=st.booleans(),
       ranked=st.booleans())
def test_retention_agrees_with_reference(df, recurring, unbounded, rolling, ranked):
    if "a" not in set(df.event):
        return
    ref = ref_cohorts(df, recurring, unbounded, rolling)
    r = cohorts(events_engine(df.drop(columns="t"), ranked), "a", "b", period="day",
                recurring=recurring, unbounded=unbounded, rolling=rolling)
    got = {(int(c), int(p)): int(v) for c, p, v in r.table[["cohort_index", "period", "retained"]].itertuples(index=False)}
    # the engine reports cells up to the earliest member's horizon; the reference per member
    assert got == {k: ref.get(k, 0) for k in got}
    assert set(ref) <= set(got)


# ------------------------------------------------------------------------------ CLI and report
def _workspace(tmp_path):
    from journeykit.engine.frames import canonical_table
    from journeykit.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    df = SHOP.assign(touchpoint=SHOP.event.map({"pay": "payment", "rep": "repeat_purchase", "view": "product_view"}))
    ws.engine.insert("events", canonical_table(df))
    ws.close()
    return ws


def test_cli_cohorts_matrix_and_churn(tmp_path):
    from typer.testing import CliRunner

    from journeykit.cli import app

    ws = _workspace(tmp_path)
    run = CliRunner().invoke
    done = run(app, ["analyze", "cohorts", "-w", str(ws.path), "--entry", "payment", "--returning",
                     "repeat_purchase", "--matrix", "--out", str(tmp_path / "m.csv")])
    assert done.exit_code == 0, done.output
    m = pd.read_csv(tmp_path / "m.csv")
    assert m["cohort"].tolist() == ["2024-01-01", "2024-02-01"] and m["1"].tolist() == [0.5, 0.0]
    assert "Retention (%) by cohort and period" in done.output and " 50.0 " in done.output  # percent on screen
    assert " 50.0* " in done.output  # January's period 3 (April) was not complete at the last event
    churned = run(app, ["analyze", "churn", "-w", str(ws.path), "--days", "30", "--out", str(tmp_path / "c.csv")])
    assert churned.exit_code == 0 and pd.read_csv(tmp_path / "c.csv").churned.tolist() == [0, 2, 3, 0]
    bad = run(app, ["analyze", "cohorts", "-w", str(ws.path), "--entry", "nope"])
    assert isinstance(bad.exception, EmptyResultError)


def test_report_section(tmp_path):
    from journeykit.report.sections import cohorts as section

    s = section.build(_workspace(tmp_path))
    assert s.title == "Cohorts and retention" and len(s.figures) == 2
    assert s.tables[0][1].rate.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 2])
