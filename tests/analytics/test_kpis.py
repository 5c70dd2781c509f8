"""Survey and operational KPIs on the engine: hand-computed values, pandas cross-checks, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from journeykit.analytics.intervals import nps_difference_test
from journeykit.analytics.kpis import operational_kpis, survey_kpis
from journeykit.engine import Filters
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError, JourneykitError
from journeykit.model import parse_model

MODEL = parse_model(
    {
        "stages": ["buy", "after"],
        "touchpoints": [
            {"name": "payment", "stage": "buy"},
            {"name": "delivery", "stage": "after"},
            {"name": "support", "stage": "after"},
        ],
        "surveys": [
            {"name": "nps", "kind": "nps"},
            {"name": "csat", "kind": "csat", "touchpoint": "delivery"},
            {"name": "ces", "kind": "ces", "scale": [1, 5], "touchpoint": "support"},
        ],
    }
)

NPS_SCORES = [10, 9, 9, 8, 7, 6, 5, 0, 10, 9]  # 5 promoters, 3 detractors: NPS +20
CSAT_SCORES = [5, 4, 3, 2, 5]  # top-2-box 60%
CES_SCORES = [1, 2, 2, 3, 5, 4]


def _responses(survey: str, scores, touchpoint=None, start="2025-03-01", **attrs) -> pd.DataFrame:
    n = len(scores)
    return pd.DataFrame(
        {
            "customer_id": [f"{survey}{i}" for i in range(n)],
            "timestamp": pd.date_range(start, periods=n, freq="D", tz="UTC"),
            "survey": survey,
            "score": np.asarray(scores, dtype=float),
            "touchpoint": touchpoint,
            "attributes": [dict(attrs) for _ in range(n)],
        }
    )


@pytest.fixture(scope="module")
def small_engine():
    frames = [
        _responses("nps", NPS_SCORES, touchpoint="payment", region="north"),
        _responses("csat", CSAT_SCORES, region="south"),
        _responses("ces", CES_SCORES, region="south"),
    ]
    return engine_from_frames(responses=pd.concat(frames, ignore_index=True))


def test_headline_values_match_hand_computation(small_engine):
    t = survey_kpis(small_engine, MODEL, min_n=5).table.set_index("survey")
    assert t.loc["nps", "value"] == pytest.approx(20.0)
    assert (t.loc["nps", "promoters"], t.loc["nps", "detractors"], t.loc["nps", "n"]) == (5, 3, 10)
    # trinomial variance: [0.5 + 0.3 - 0.2²] / 10
    assert t.loc["nps", "se"] == pytest.approx(100 * np.sqrt(0.76 / 10))
    assert t.loc["csat", "value"] == pytest.approx(60.0)
    ci = stats.binomtest(3, 5).proportion_ci(method="wilson")
    assert (t.loc["csat", "ci_low"], t.loc["csat", "ci_high"]) == pytest.approx((100 * ci.low, 100 * ci.high))
    low, high = stats.t.interval(0.95, 5, loc=np.mean(CES_SCORES), scale=stats.sem(CES_SCORES))
    assert (t.loc["ces", "value"], t.loc["ces", "ci_low"], t.loc["ces", "ci_high"]) == pytest.approx(
        (np.mean(CES_SCORES), low, high)
    )
    assert t.loc["ces", "scale"] == "1-5" and t.loc["ces", "unit"] == "mean on 1-5"
    assert list(t["small_sample"]) == [False, False, False]


def test_adjusted_wald_changes_the_interval_not_the_value(small_engine):
    wald = survey_kpis(small_engine, MODEL, surveys=["nps"]).table.iloc[0]
    adjusted = survey_kpis(small_engine, MODEL, surveys=["nps"], nps_method="adjusted_wald").table.iloc[0]
    assert adjusted["value"] == wald["value"] == pytest.approx(20.0)
    centre = 100 * ((5 + 0.75) - (3 + 0.75)) / 13
    assert (adjusted["ci_low"] + adjusted["ci_high"]) / 2 == pytest.approx(centre)


def test_touchpoint_falls_back_to_the_survey_and_stage_follows_the_model(small_engine):
    by_tp = survey_kpis(small_engine, MODEL, by="touchpoint", min_n=1).table
    expected = {"nps": "payment", "csat": "delivery", "ces": "support"}
    assert dict(zip(by_tp["survey"], by_tp["group"])) == expected
    by_stage = survey_kpis(small_engine, MODEL, by="stage", min_n=1).table
    assert dict(zip(by_stage["survey"], by_stage["group"])) == {"nps": "buy", "csat": "after", "ces": "after"}


def test_small_samples_are_flagged_and_noted(small_engine):
    result = survey_kpis(small_engine, MODEL)
    assert result.table["small_sample"].all()
    assert any("fewer than 30 answers" in note for note in result.notes)


@pytest.fixture(scope="module")
def random_responses():
    rng = np.random.default_rng(4)
    n = 3000
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "timestamp": pd.Timestamp("2024-11-20", tz="UTC")
            + pd.to_timedelta(rng.uniform(0, 150, n), unit="D").floor("s"),
            "survey": "nps",
            "score": rng.integers(0, 11, n).astype(float),
            "attributes": [{"segment": s} for s in rng.choice(["consumer", "business", "vip"], n)],
        }
    )


def test_segments_and_months_agree_with_pandas(random_responses):
    engine = engine_from_frames(responses=random_responses)
    df = random_responses.assign(
        segment=[a["segment"] for a in random_responses["attributes"]],
        month=random_responses["timestamp"].dt.strftime("%Y-%m"),
        coded=np.select([random_responses["score"] >= 9, random_responses["score"] <= 6], [100, -100], 0),
    )
    for by, column in [("segment:segment", "segment"), ("period:month", "month")]:
        got = survey_kpis(engine, MODEL, by=by, surveys=["nps"]).table.set_index("group")["value"]
        expected = df.groupby(column)["coded"].mean()
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    months = survey_kpis(engine, MODEL, by="period:month", surveys=["nps"]).table["group"].tolist()
    assert months == ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]


def test_weeks_start_on_monday_utc():
    frame = _responses("nps", [10, 0, 9], start="2025-01-12")  # Sunday, Monday, Tuesday
    times = ["2025-01-12 23:59:59", "2025-01-13 00:00:00", "2025-01-14 12:00:00"]
    frame["timestamp"] = pd.to_datetime(times, utc=True)
    t = survey_kpis(engine_from_frames(responses=frame), MODEL, by="period:week", min_n=1).table
    assert t["group"].tolist() == ["2025-01-06", "2025-01-13"]
    assert t["n"].tolist() == [1, 2]


def test_compare_two_groups_is_the_difference_test(random_responses):
    result = survey_kpis(engine_from_frames(responses=random_responses), MODEL, by="segment:segment")
    row = result.compare("consumer", "vip").iloc[0]
    t = result.table.set_index("group")
    a, b = t.loc["consumer"], t.loc["vip"]
    test = nps_difference_test(a.promoters, a.detractors, a.n, b.promoters, b.detractors, b.n)
    assert row["difference"] == pytest.approx(b.value - a.value)
    assert row["p_value"] == pytest.approx(float(test.p_value))
    assert row["ci_low"] == pytest.approx(100 * float(test.low))
    with pytest.raises(JourneykitError, match="no group 'gold'"):
        result.compare("consumer", "gold")
    # a result with adjusted-Wald intervals compares with the adjusted-Wald test
    adjusted = survey_kpis(engine_from_frames(responses=random_responses), MODEL, by="segment:segment",
                           nps_method="adjusted_wald")
    row = adjusted.compare("consumer", "vip").iloc[0]
    test = nps_difference_test(a.promoters, a.detractors, a.n, b.promoters, b.detractors, b.n,
                               method="adjusted_wald")
    assert row["ci_low"] == pytest.approx(100 * float(test.low)) and row["p_value"] == pytest.approx(float(test.p_value))


def test_out_of_scale_scores_are_left_out_with_a_note():
    frame = _responses("csat", [5, 4, 9, 0, 1])
    result = survey_kpis(engine_from_frames(responses=frame), MODEL, min_n=1)
    assert result.table.iloc[0]["n"] == 3
    assert result.table.iloc[0]["value"] == pytest.approx(200 / 3)
    assert any("2 responses to 'csat' lie outside its scale 1-5" in n for n in result.notes)


def test_bad_requests_are_clear_errors(small_engine):
    with pytest.raises(JourneykitError, match="survey 'csta' is not in the journey model"):
        survey_kpis(small_engine, MODEL, surveys=["csta"])
    with pytest.raises(JourneykitError, match="unknown grouping 'channel'"):
        survey_kpis(small_engine, MODEL, by="channel")
    with pytest.raises(EmptyResultError, match="no survey response has the attribute 'nosuch'"):
        survey_kpis(small_engine, MODEL, by="segment:nosuch")
    with pytest.raises(EmptyResultError, match="no responses"):
        survey_kpis(small_engine, MODEL, filters=Filters(start="2030-01-01"))
    with pytest.raises(EmptyResultError, match="no responses"):
        survey_kpis(engine_from_frames(responses=pd.DataFrame({"survey": [], "score": []})), MODEL)


def test_operational_kpis_from_events():
    rows = [
        # customer, day, touchpoint
        ("a", "2025-01-01", "payment"), ("a", "2025-01-01", "payment"), ("a", "2025-01-01", "delivery"),
        ("b", "2025-01-02", "payment"), ("b", "2025-02-10", "payment"), ("b", "2025-06-01", "support"),
        ("c", "2025-03-01", "delivery"),
        ("d", "2025-01-05", None),
    ]
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "touchpoint"])
    events["stage"] = events["touchpoint"].map({"payment": "buy", "delivery": "after", "support": "after"})
    result = operational_kpis(engine_from_frames(events=events), MODEL, purchase="payment", inactive_days=90)
    t = result.table.set_index("kpi", append=True).reset_index(level=0, drop=True)
    reached = result.table[result.table["kpi"] == "reached_stage"].set_index("group")
    assert reached["value"].to_dict() == {"buy": 50.0, "after": 75.0}
    assert reached["n"].tolist() == [4, 4]
    # a bought twice on one day (one purchase day), b on two days
    assert t.loc["repeat_purchase_rate", "value"] == 50.0
    assert t.loc["repeat_purchase_rate", "group"] == "purchasers (payment): purchases on 2+ days"
    # a's last event is 2025-01-01, more than 90 days before the data end 2025-06-01; b was seen then
    assert t.loc["inactive", "value"] == 50.0
    assert t.loc["inactive", "n"] == 2


def test_report_section(tmp_path, random_responses):
    from journeykit.engine import schema
    from journeykit.engine.frames import canonical_table
    from journeykit.report.sections import kpis as section
    from journeykit.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    assert section.build(ws) is None  # no responses, no events
    ws.engine.insert(schema.RESPONSES, canonical_table(random_responses, schema.RESPONSES))
    built = section.build(ws)
    captions = [caption for caption, _ in built.tables]
    assert captions == ["Survey KPIs", "Per touchpoint"]
    overall = built.tables[0][1]
    assert overall["n"].tolist() == [3000] and overall["survey"].tolist() == ["nps"]
    assert len(built.figures) == 1
    ws.close()


def test_cli(tmp_path, random_responses):
    from typer.testing import CliRunner

    from journeykit.cli import app
    from journeykit.engine import schema
    from journeykit.engine.frames import canonical_table
    from journeykit.workspace import Workspace

    with Workspace.init(tmp_path / "ws") as ws:
        ws.engine.insert(schema.RESPONSES, canonical_table(random_responses, schema.RESPONSES))
    out = tmp_path / "kpis.csv"
    args = ["analyze", "kpis", "-w", str(tmp_path / "ws"), "--by", "segment:segment"]
    args += ["--compare", "consumer", "vip"]
    res = CliRunner().invoke(app, [*args, "--out", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "NPS: vip minus consumer" in res.output
    table = pd.read_csv(out)
    assert sorted(table["group"]) == ["business", "consumer", "vip"] and table["n"].sum() == 3000
    res = CliRunner().invoke(app, ["analyze", "kpis", "-w", str(tmp_path / "ws"), "--survey", "nope"])
    assert res.exit_code != 0 and "survey 'nope' is not in the journey model" in str(res.exception)


def test_operational_kpis_figure_has_a_panel_per_kpi():
    import pandas as pd

    from journeykit.analytics.kpis import KpiResult

    table = pd.DataFrame({
        "group": ["all", "all"], "survey": [None, None], "kpi": ["reached_purchase", "repeat_purchase_rate"],
        "unit": ["share", "share"], "n": [100, 80], "value": [0.5, 0.2], "ci_low": [0.4, 0.12],
        "ci_high": [0.6, 0.3], "small_sample": [False, False],
    })
    fig = KpiResult(table=table, title="Operational KPIs").figure()
    assert [t.y[0] for t in fig.data] == [0.5, 0.2]
    assert [a.text for a in fig.layout.annotations] == ["reached_purchase", "repeat_purchase_rate"]
