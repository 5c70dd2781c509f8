"""Benchmarking: reference files, distance-to-frontier scores and index, internal and process benchmarks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from journeykit.analytics._proportions import two_proportion_test
from journeykit.analytics.intervals import nps_interval, wilson_interval
from journeykit.engine import Filters
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import JourneykitError
from journeykit.insight.benchmark import (
    FORMULA,
    BenchmarkReferenceError,
    benchmark,
    compare_groups,
    compare_process,
    composite_index,
    internal_benchmark,
    load_reference,
    measure_kpis,
    parse_reference,
    score_kpis,
)
from journeykit.insight.benchmark.measure import normalise_grouping, sampling_se
from tests.conftest import shared_file

SOURCE = {"source": "test", "year": "2024"}


def _ref(*rows: dict) -> object:
    return parse_reference({"name": "test", "version": "1", "rows": [{**SOURCE, **r} for r in rows]}, "test.yaml")


# ---------------------------------------------------------------------------------------- references
def test_default_reference_rows_carry_their_evidence():
    ref = load_reference()
    assert ref.version and len(ref.fingerprint()) == 12
    for row in ref.rows:
        assert row.source and row.year and row.url.startswith("http") and row.evidence
    acsi = [r for r in ref.rows if "ACSI" in r.source]
    assert acsi and all(r.kpi == "acsi" and r.unit == "index 0-100" for r in acsi)  # an index, never a CSAT %
    assert load_reference().fingerprint() == ref.fingerprint()  # frozen: same rows, same fingerprint


def test_default_reference_matches_the_shared_compilation():
    shared = pd.read_csv(shared_file("cx_benchmarks_reference.csv"))
    ref = load_reference()
    zendesk = shared[(shared["metric"] == "CSAT_support") & shared["segment"].str.startswith("All Zendesk accounts")]
    ours = [r for r in ref.rows if r.kpi == "csat" and r.year == "2012-03" and r.worst is not None][0]
    assert ours.value == zendesk["value"].iloc[0] == 86
    industries = shared[(shared["metric"] == "CSAT_support") & (shared["year"] == "2012-03") & (shared["statistic"] == "industry")]
    assert (ours.best, ours.worst) == (industries["value"].max(), industries["value"].min())
    temkin = shared[shared["source"].str.startswith("Temkin Group NPS Benchmark Study 2018")]["value"]
    row = [r for r in ref.rows if r.kpi == "nps" and r.year == "2018" and r.worst is not None][0]
    assert (row.worst, row.best) == (temkin.min(), temkin.max())


def test_reference_csv_converts_units(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        "kpi,unit,value,best,worst,source,year\n"
        "first_response_time,minutes,90,30,600,Competitor X,2025\n"
        "nps,points,40,,,Leader Y,2025\n",
        encoding="utf-8",
    )
    ref = load_reference(path)
    frt = ref.rows[0]
    assert (frt.unit, frt.value, frt.best, frt.worst) == ("hours", 1.5, 0.5, 10.0)
    assert ref.name == "mine" and len(ref.version) == 12


@pytest.mark.parametrize(
    "row, message",
    [
        ({"kpi": "nsp", "unit": "points", "value": 1}, "rows[0].kpi: unknown KPI 'nsp'"),
        ({"kpi": "nps", "value": 30}, "rows[0].unit: Field required"),
        ({"kpi": "csat", "unit": "index 0-100", "value": 78}, "rows[0].unit: 'index 0-100' is not a unit of csat"),
        ({"kpi": "nps", "unit": "points", "p25": 30, "median": 20, "p75": 40},
         "rows[0].median: percentiles out of order: p25 = 30 > median = 20"),
        ({"kpi": "first_response_time", "unit": "hours", "best": 5, "p25": 2},
         "rows[0].p25: percentiles out of order: best = 5 > p25 = 2"),
        ({"kpi": "csat", "unit": "%", "value": 120}, "rows[0].value: 120 % is outside the range of csat"),
        ({"kpi": "ces", "unit": "mean", "value": 5.5}, "rows[0].scale: a CES figure needs its scale"),
        ({"kpi": "nps", "unit": "points"}, "rows[0].value: a value or at least one percentile is required"),
        ({"kpi": "conversion", "unit": "%", "value": 30}, "rows[0].stage: a conversion figure needs the stage"),
    ],
)
def test_bad_reference_rows_are_reported_with_their_key_path(row, message):
    with pytest.raises(BenchmarkReferenceError) as info:
        _ref(row)
    assert str(info.value).startswith("test.yaml: invalid benchmark reference: ")
    assert message in str(info.value)


def test_unreadable_or_empty_reference(tmp_path):
    with pytest.raises(BenchmarkReferenceError, match=r"\(file\): cannot read"):
        load_reference(tmp_path / "missing.yaml")
    (tmp_path / "empty.yaml").write_text("name: x\nversion: '1'\nrows: []\n", encoding="utf-8")
    with pytest.raises(BenchmarkReferenceError, match="rows: List should have at least 1 item"):
        load_reference(tmp_path / "empty.yaml")


def test_a_csv_in_another_format_is_one_error_about_its_columns(tmp_path):
    path = tmp_path / "other.csv"
    rows = "".join(f"ACSI,all,US,2023,{77 + i},index 0-100,score,ACSI\n" for i in range(60))
    path.write_text("metric,segment,region,year,value,unit,statistic,source\n" + rows, encoding="utf-8")
    with pytest.raises(BenchmarkReferenceError) as info:
        load_reference(path)
    message = str(info.value)
    assert "(columns): missing kpi; unknown metric; expected columns: kpi, unit, value" in message
    assert "rows[" not in message and len(info.value.problems) == 1


def test_many_bad_rows_are_summarised_after_the_first_eight():
    rows = [{"kpi": "nps", "unit": "points", "year": "2024", "source": "s", "value": 200 + i} for i in range(20)]
    with pytest.raises(BenchmarkReferenceError) as info:
        parse_reference({"name": "x", "version": "1", "rows": rows}, "many.yaml")
    assert len(info.value.problems) == 20 and str(info.value).endswith("; … and 12 more")


# ------------------------------------------------------------------------------------ scores and index
def _measured(rows: list[dict]) -> pd.DataFrame:
    base = {"group": "all", "survey": None, "stage": "s1", "scale": None}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_distance_to_frontier_scores_both_directions_and_clip():
    ref = _ref(
        {"kpi": "nps", "unit": "points", "worst": 0, "best": 40},
        {"kpi": "nps", "unit": "points", "value": 62},
        {"kpi": "first_response_time", "unit": "hours", "best": 1, "worst": 13},
    )
    measured = _measured([
        {"kpi_id": "nps:a", "kpi": "nps", "unit": "points", "n": 400, "value": 15.5, "se": 4.0, "ci_low": 7.66, "ci_high": 23.34},
        {"kpi_id": "frt", "kpi": "first_response_time", "unit": "hours", "n": 20, "value": 4.0, "se": 0.5,
         "ci_low": 3.0, "ci_high": 5.0, "stage": "s2"},
        {"kpi_id": "nps:b", "kpi": "nps", "unit": "points", "n": 100, "value": 70.0, "se": 5.0, "ci_low": 60.2, "ci_high": 79.8},
    ])
    scores, notes = score_kpis(measured, ref, weights={"frt": 3.0}, min_n=30)
    s = scores.set_index("kpi_id")
    assert s.loc["nps:a", ["frontier", "worst"]].tolist() == [62, 0]
    assert s.loc["nps:a", "score"] == pytest.approx(100 * 15.5 / 62)
    # se of the score: the half-width of its interval over z (the delta method 100·se/|frontier − worst| here)
    assert s.loc["nps:a", "score_se"] == pytest.approx(100 * (23.34 - 7.66) / 62 / (2 * 1.959964))
    assert s.loc["nps:a", "score_se"] == pytest.approx(100 * 4 / 62, rel=1e-4)
    assert s.loc["nps:a", ["score_low", "score_high"]].tolist() == pytest.approx([100 * 7.66 / 62, 100 * 23.34 / 62])
    assert s.loc["nps:a", "gap"] == pytest.approx(62 - 15.5)
    # lower is better: the same formula with frontier < worst
    assert s.loc["frt", "score"] == pytest.approx(100 * (4 - 13) / (1 - 13))
    assert s.loc["frt", "gap"] == pytest.approx(3.0) and s.loc["frt", "small_sample"]
    assert s.loc["frt", "score_se"] == pytest.approx(100 * 2 / 12 / (2 * 1.959964))  # its t interval 3-5
    assert s.loc["nps:b", "score"] == 100 and s.loc["nps:b", "gap"] < 0
    # clipped, but its interval (60.2-79.8) reaches below the frontier (62): not 0 (the slope at the
    # clipped value), the half-width of the score interval over z
    assert s.loc["nps:b", ["score_low", "score_high"]].tolist() == pytest.approx([100 * 60.2 / 62, 100])
    assert s.loc["nps:b", "score_se"] == pytest.approx((100 - 100 * 60.2 / 62) / (2 * 1.959964))
    index = composite_index(scores).set_index("scope")
    w = np.array([1.0, 3.0, 1.0]) / 5
    expected = w @ s.loc[["nps:a", "frt", "nps:b"], "score"].to_numpy()
    se = np.sqrt(np.sum((w * s.loc[["nps:a", "frt", "nps:b"], "score_se"].to_numpy()) ** 2))
    assert index.loc["journey", "index"] == pytest.approx(expected)
    assert index.loc["journey", "se"] == pytest.approx(se)
    assert index.loc["journey", "ci_low"] == pytest.approx(expected - 1.959964 * se, abs=1e-4)
    assert not index.loc["journey", "reliable"] and index.loc["journey", "min_n"] == 20
    assert index.loc["stage:s1", "index"] == pytest.approx((s.loc["nps:a", "score"] + 100) / 2)
    assert notes == []


def test_kpis_without_a_usable_reference_are_noted():
    ref = _ref({"kpi": "nps", "unit": "points", "value": 30}, {"kpi": "ces", "unit": "mean", "value": 5, "scale": "1-5"},
               {"kpi": "csat", "unit": "%", "worst": 70, "best": 95, "industry": "retail"})
    measured = _measured([
        {"kpi_id": "nps:a", "kpi": "nps", "unit": "points", "n": 400, "value": 15, "se": 4, "ci_low": 7, "ci_high": 23},
        {"kpi_id": "ces:a", "kpi": "ces", "unit": "mean", "scale": "1-7", "n": 400, "value": 5, "se": 0.1, "ci_low": 4.8, "ci_high": 5.2},
        {"kpi_id": "csat:a", "kpi": "csat", "unit": "%", "n": 400, "value": 80, "se": 2, "ci_low": 76, "ci_high": 84},
    ])
    scores, notes = score_kpis(measured, ref)
    assert "nps:a: the references give a single figure (30)" in notes[0]
    assert notes[1] == "no reference figure for ces on scale 1-7: ces:a not scored"
    assert scores["kpi_id"].tolist() == ["csat:a"] and scores["score"].iloc[0] == pytest.approx(40)
    assert score_kpis(measured, ref, industry="Retail")[0]["kpi_id"].tolist() == ["csat:a"]
    scores, notes = score_kpis(measured, ref, industry="banking")
    assert scores.empty and notes[2] == "no reference figure for csat: csat:a not scored"


def test_benchmark_on_simulated_journeys(engine, model):
    result = benchmark(engine, model, support=["support_contact"], by="segment:segment")
    assert result.params["version"] == load_reference().version
    assert result.notes[0] == f"Formula: {FORMULA}."
    scored = set(result.table.loc[result.table["group"] == "all", "kpi_id"])
    assert {"nps:nps", "csat:delivery_csat", "csat:support_csat", "first_response_time"} <= scored
    assert "acsi" not in set(result.table["kpi"])  # an index of its own survey, never scored against CSAT
    journey = result.index.set_index(["group", "scope"]).loc[("all", "journey")]
    assert 0 <= journey["ci_low"] <= journey["index"] <= journey["ci_high"] <= 100
    groups = set(result.index["group"])
    assert groups == {"all", "segment=consumer", "segment=business"}
    nps = result.measured[(result.measured["group"] == "all") & (result.measured["kpi_id"] == "nps:nps")].iloc[0]
    responses = engine.execute(engine.responses.filter(engine.responses.survey == "nps").select("score"))["score"]
    iv = nps_interval((responses >= 9).sum(), (responses <= 6).sum(), len(responses), method="adjusted_wald")
    assert nps["value"] == pytest.approx(100 * float(iv.estimate)) and nps["ci_low"] == pytest.approx(100 * float(iv.low))
    assert len(result.figure().data) == 1


def _monthly_nps_log() -> tuple[pd.DataFrame, pd.DataFrame]:
    scores = {"2025-01-15": [10] * 30 + [0] * 10, "2025-02-15": [10] * 20 + [7] * 20, "2025-03-15": [9] * 5}
    rows = [(f"c{m}{i}", pd.Timestamp(m, tz="UTC"), s) for m, ss in scores.items() for i, s in enumerate(ss)]
    responses = pd.DataFrame(rows, columns=["customer_id", "timestamp", "score"]).assign(survey="nps", kind="nps")
    events = responses[["customer_id", "timestamp"]].assign(touchpoint="feedback_survey", stage="post-purchase")
    return events, responses


def test_index_per_period_warns_on_small_samples(model):
    events, responses = _monthly_nps_log()
    ref = _ref({"kpi": "nps", "unit": "points", "worst": -100, "best": 100})
    result = benchmark(engine_from_frames(events, responses), model, reference=ref, periods="month", min_n=30)
    trend = result.trend[result.trend["scope"] == "journey"].set_index("group")
    # NPS 50, 50 and 100 points -> scores 75, 75, 100
    assert trend["index"].round(6).to_dict() == {"2025-01": 75.0, "2025-02": 75.0, "2025-03": 100.0}
    assert trend["reliable"].to_dict() == {"2025-01": True, "2025-02": True, "2025-03": False}
    assert any(n.startswith("Warning: the index of 2025-03 rests on a KPI measured on fewer than 30") and "smallest n = 5" in n
               for n in result.notes)
    assert len(result.figure("trend").data) == 1


def test_weights_must_name_a_kpi(model):
    """A misspelt weight key was ignored without a word (every weight stayed 1)."""
    events, responses = _monthly_nps_log()
    engine = engine_from_frames(events, responses)
    ref = _ref({"kpi": "nps", "unit": "points", "worst": -100, "best": 100})
    with pytest.raises(JourneykitError, match=r"no KPI is called 'nsp' .*measured here: .*nps, nps:nps\)"):
        benchmark(engine, model, reference=ref, weights={"nsp": 2})
    result = benchmark(engine, model, reference=ref, weights={"nps": 2, "ces": 1})
    assert result.index.set_index("scope").loc["journey", "weight"] == 2
    assert "weight for 'ces' not used: no such KPI was measured" in result.notes


def _monthly_survey_log(answers: dict[tuple[str, str, str], list[int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and responses from ``{(day, survey, kind): scores}``, one customer per answer."""
    rows = [(f"c{day}{survey}{i}", pd.Timestamp(day, tz="UTC"), survey, kind, score)
            for (day, survey, kind), scores in answers.items() for i, score in enumerate(scores)]
    responses = pd.DataFrame(rows, columns=["customer_id", "timestamp", "survey", "kind", "score"])
    events = responses[["customer_id", "timestamp"]].assign(touchpoint="delivery", stage="post-purchase")
    return events, responses


def test_shares_at_0_or_100_percent_keep_a_wilson_standard_error():
    measured = _measured([
        {"kpi_id": "csat:a", "kpi": "csat", "unit": "%", "n": 1, "value": 100.0, "se": 0.0,
         "ci_low": 20.654931, "ci_high": 100.0},
        {"kpi_id": "conversion:s1", "kpi": "conversion", "unit": "%", "n": 2, "value": 0.0, "se": 0.0,
         "ci_low": 0.0, "ci_high": 65.762},
        {"kpi_id": "ces:a", "kpi": "ces", "unit": "mean", "n": 3, "value": 7.0, "se": 0.0, "ci_low": 7.0, "ci_high": 7.0},
        {"kpi_id": "ces:b", "kpi": "ces", "unit": "mean", "n": 1, "value": 6.0, "se": np.nan, "ci_low": np.nan,
         "ci_high": np.nan},
        {"kpi_id": "nps:a", "kpi": "nps", "unit": "points", "n": 400, "value": 15.5, "se": 4.0, "ci_low": 7.66,
         "ci_high": 23.34},
    ])
    se = sampling_se(measured, 0.95).tolist()
    assert se[0] == pytest.approx((100 - 20.654931) / (2 * 1.959964), rel=1e-5)  # was 0 (binomial √(p̂(1−p̂)/n))
    assert se[1] == pytest.approx(65.762 / (2 * 1.959964), rel=1e-5)
    assert np.isnan(se[2]) and np.isnan(se[3])  # no spread / one answer: not estimable (was 0 / NaN)
    assert se[4] == 4.0


def test_a_mean_of_two_cases_keeps_the_width_of_its_t_interval():
    """First response 1.8 h on 2 cases: t₁ = 12.7 makes the interval −18.8 … 22.4 h, the score's 0 … 100."""
    ref = _ref({"kpi": "first_response_time", "unit": "hours", "best": 1, "worst": 13})
    measured = _measured([{"kpi_id": "frt", "kpi": "first_response_time", "unit": "hours", "n": 2, "value": 1.806854,
                           "se": 1.618975, "ci_low": -18.764180, "ci_high": 22.377888}])
    row = score_kpis(measured, ref)[0].iloc[0]
    assert (row["score_low"], row["score_high"]) == (0, 100)
    assert row["score_se"] == pytest.approx(100 / (2 * 1.959964))  # the delta method gave 100·1.62/12 = 13.5
    index = composite_index(score_kpis(measured, ref)[0]).iloc[0]
    assert index["se"] == pytest.approx(row["score_se"]) and not index["reliable"]
    assert (index["ci_low"], index["ci_high"]) == pytest.approx((row["score"] - 50, 100), abs=1e-3)


def test_clipped_scores_on_tiny_samples_are_not_precise(model):
    """The user's symptom: a period whose KPI is at 100 % on 2 answers had index 100, se 0, ci 100-100."""
    events, responses = _monthly_survey_log({
        ("2025-01-15", "delivery_csat", "csat"): [5] * 30 + [2] * 10,  # 75 %: score 62.5, unclipped
        ("2025-02-15", "delivery_csat", "csat"): [5, 5],  # 100 % of 2: clipped at the frontier
    })
    ref = _ref({"kpi": "csat", "unit": "%", "worst": 50, "best": 90})
    result = benchmark(engine_from_frames(events, responses), model, reference=ref, periods="month", min_n=30)
    trend = result.trend[result.trend["scope"] == "journey"].set_index("group")
    z = 1.959964
    feb = trend.loc["2025-02"]
    # Wilson 2/2 = [l, 1]; score interval [0, 100]: se(x)·100/(100 − 100l) with se(x) = 100(1 − l)/2z = 100/2z
    assert feb["index"] == 100 and feb["se"] == pytest.approx(100 / (2 * z), rel=1e-5)
    assert (feb["ci_low"], feb["ci_high"]) == pytest.approx((50, 100), abs=1e-3)
    assert not feb["reliable"] and feb["min_n"] == 2
    # unclipped: the delta method 100·se(x)/|frontier − worst|, se(x) from the Wilson interval of 30/40
    jan_low, jan_high = (float(v) for v in wilson_interval(30, 40)[2:])
    assert trend.loc["2025-01", "index"] == pytest.approx(62.5)
    assert trend.loc["2025-01", "se"] == pytest.approx(100 * (jan_high - jan_low) / (2 * z) * 100 / 40, rel=1e-5)
    assert any(n.startswith("Warning: the index of 2025-02 rests on a KPI measured on fewer than 30")
               for n in result.notes)


def test_means_without_an_estimable_error_get_no_interval(model):
    """One answer (se NaN: the index showed se blank, ci 0-100) and three equal answers (se 0: ci 100-100)."""
    events, responses = _monthly_survey_log({
        ("2025-01-15", "support_ces", "ces"): [4, 5, 6, 7] * 10,
        ("2025-02-15", "support_ces", "ces"): [6],
        ("2025-03-15", "support_ces", "ces"): [7, 7, 7],
    })
    ref = _ref({"kpi": "ces", "unit": "mean", "scale": "1-7", "worst": 3, "best": 6})
    result = benchmark(engine_from_frames(events, responses), model, reference=ref, periods="month", min_n=2)
    trend = result.trend[result.trend["scope"] == "journey"].set_index("group")
    assert trend.loc["2025-01", "se"] > 0 and trend.loc["2025-01", "reliable"]
    for month in ("2025-02", "2025-03"):
        row = trend.loc[month]
        assert np.isnan(row["se"]) and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"]) and not row["reliable"]
    assert trend.loc["2025-03", "index"] == 100
    assert any(n.startswith("Warning: the sampling error of ces:support_ces could not be estimated in "
                            "2025-02, 2025-03") for n in result.notes)


def test_internal_benchmark_of_shares_uses_the_newcombe_interval(model):
    """1 answer of 5 against 20 of 40: a zero standard error made the single answer 'better'."""
    events, responses = _monthly_survey_log({
        ("2025-01-15", "delivery_csat", "csat"): [5] * 20 + [1] * 20,
        ("2025-02-15", "delivery_csat", "csat"): [5],
    })
    result = internal_benchmark(engine_from_frames(events, responses), model, "period:month", baseline="2025-01")
    feb = result.table[result.table["kpi_id"] == "csat:delivery_csat"].set_index("group").loc["2025-02"]
    expected = two_proportion_test([20], [40], [1], [1]).iloc[0]
    assert feb["difference"] == pytest.approx(50)
    assert (feb["diff_low"], feb["diff_high"]) == pytest.approx((100 * expected["ci_low"], 100 * expected["ci_high"]))
    assert feb["diff_low"] < 0 < feb["diff_high"] and feb["better"] == "same" and feb["small_sample"]


def test_internal_benchmark_against_best_and_named_groups(model):
    events, responses = _monthly_nps_log()
    engine = engine_from_frames(events, responses)
    result = internal_benchmark(engine, model, "period:month", baseline="2025-01")
    nps = result.table[result.table["kpi_id"] == "nps:nps"].set_index("group")
    feb, jan = nps.loc["2025-02"], nps.loc["2025-01"]
    se_jan = float(nps_interval(30, 10, 40, method="adjusted_wald").se)
    se_feb = float(nps_interval(20, 0, 40, method="adjusted_wald").se)
    assert feb["difference"] == pytest.approx(0.0)
    assert feb["diff_high"] == pytest.approx(100 * 1.959964 * np.hypot(se_jan, se_feb), rel=1e-5)
    assert jan["baseline"] == "2025-01" and feb["better"] == "same"
    # the baseline's own row is not tested against itself
    assert jan["better"] == "baseline" and jan[["diff_low", "diff_high", "p_value"]].isna().all()
    best = compare_groups(result_measured := measure_kpis(engine, model), "best")
    assert set(best["baseline"]) == {"all"} and (best["difference"] == 0).all() and len(result_measured)
    with pytest.raises(Exception, match="baseline group '2024-12' is not among the groups"):
        internal_benchmark(engine, model, "period:month", baseline="2024-12")
    with pytest.raises(Exception, match="unknown grouping 'region'"):
        internal_benchmark(engine, model, "region")


def test_process_benchmark_finds_the_slower_step():
    rows = []
    for i in range(40):
        for seg, days in (("fast", 2), ("slow", 5)):
            t0 = pd.Timestamp("2025-03-01", tz="UTC") + pd.Timedelta(hours=i)
            for tp, offset in (("payment", 0), ("shipping", 1), ("delivery", 1 + 24 * days)):
                rows.append({"customer_id": f"{seg}{i}", "timestamp": t0 + pd.Timedelta(hours=offset), "touchpoint": tp,
                             "attributes": {"speed": seg}})
    engine = engine_from_frames(pd.DataFrame(rows))
    result = compare_process(engine, Filters(segment={"speed": "fast"}), Filters(segment={"speed": "slow"}), "fast", "slow")
    first = result.table.iloc[0]
    assert (first["source"], first["target"], first["slower"]) == ("shipping", "delivery", "b")
    assert first["median_hours_a"] == pytest.approx(48) and first["median_hours_b"] == pytest.approx(120)
    same = result.table.set_index(["source", "target"]).loc[("payment", "shipping")]
    assert same["slower"] == "" and same["ratio"] == pytest.approx(1)
    assert result.variants["difference"].abs().max() == 0  # the same single variant on both sides
    assert "slow is slower on 1 and fast on 0 transitions" in result.notes[0]


def test_channel_groups_have_event_kpis_only(engine, model):
    result = internal_benchmark(engine, model, "channel")
    assert set(result.table["kpi"]) == {"conversion"}  # responses carry no channel
    web = result.table[(result.table["group"] == "channel=web") & (result.table["kpi_id"] == "conversion:consideration")]
    assert web["value"].iloc[0] == 100  # every customer with a web event reached consideration on the web
    assert (result.table.groupby("kpi_id")["difference"].max() == 0).all()  # the best group is the baseline


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, None), ("channel", "channel"), ("segment", "segment:segment"), ("region", "segment:region"),
     ("segment:region", "segment:region"), ("period:month", "period:month")],
)
def test_normalise_grouping(given, expected):
    assert normalise_grouping(given) == expected
