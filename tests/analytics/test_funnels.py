"""Funnels: hand-computed examples, a brute-force reference on random logs with ties, bad input."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from journeykit.analytics._proportions import two_proportion_test
from journeykit.analytics._steps import StepSpecError
from journeykit.analytics.funnels import Funnel, compare_funnels, funnel
from journeykit.engine import Engine, Filters
from journeykit.engine.expr import CUSTOMER_RANK
from journeykit.engine.frames import engine_from_frames
from journeykit.errors import EmptyResultError
from tests.analytics.engines import events_engine

BASE = pd.Timestamp("2024-03-04", tz="UTC")  # a Monday
H = 3600.0


def log(rows: list[tuple]) -> pd.DataFrame:
    """Events from ``(customer, hours after BASE, event[, attributes])``; seq is row order."""
    out = pd.DataFrame(
        [
            {
                "customer_id": r[0],
                "timestamp": BASE + pd.Timedelta(hours=r[1]),
                "event": r[2],
                "attributes": r[3] if len(r) > 3 else None,
            }
            for r in rows
        ]
    )
    return out


SHOP = log(
    [
        ("a", 0, "view", {"seg": "x"}), ("a", 0, "cart"), ("a", 24, "buy"),
        ("b", 0, "view", {"seg": "y"}), ("b", 1, "other"), ("b", 2, "cart"),
        ("c", 96, "view"), ("c", 96 + 15 * 24, "cart"),
    ]
)


def counts(result) -> list[int]:
    return result.table[result.count_column].tolist()


@pytest.fixture(params=[True, False], ids=["ranked", "unranked"])
def make_engine(request) -> Callable[[pd.DataFrame], Engine]:
    """Builds the test engines both ways: every funnel test runs on both matching paths."""
    return partial(events_engine, ranked=request.param)


# ------------------------------------------------------------------------------ hand-computed
def test_ordered_strict_any_by_hand(make_engine):
    eng = make_engine(SHOP)
    ordered = funnel(eng, ["view", "cart", "buy"], window="7d")
    assert counts(ordered) == [3, 2, 1]
    t = ordered.table
    assert t.conversion_from_start.tolist() == pytest.approx([1, 2 / 3, 1 / 3])
    assert t.conversion_from_previous.tolist() == pytest.approx([1, 2 / 3, 1 / 2])
    assert t.dropoff.tolist() == [0, 1, 1]
    # cart: a after 0 h, b after 2 h -> mean 1 h, median 1 h; buy: a after 24 h
    assert t.mean_seconds_to_convert.iloc[1] == pytest.approx(1 * H)
    assert t.median_seconds_to_convert.iloc[2] == pytest.approx(24 * H)
    assert np.isnan(t.median_seconds_to_convert.iloc[0])
    # strict: b has 'other' between view and cart
    assert counts(funnel(eng, ["view", "cart", "buy"], window="7d", order="strict")) == [3, 1, 1]
    # any order: c's cart is 15 days after its view -> one step only
    assert counts(funnel(eng, ["buy", "cart", "view"], window="7d", order="any")) == [3, 2, 1]


def test_same_timestamp_ties_follow_seq(make_engine):
    # cart and view at the same instant: seq says cart came first, so the ordered funnel view->cart fails
    df = log([("a", 0, "cart"), ("a", 0, "view")])
    assert counts(funnel(make_engine(df), ["view", "cart"], window="1d")) == [1, 0]
    df = log([("a", 0, "view"), ("a", 0, "cart")])
    assert counts(funnel(make_engine(df), ["view", "cart"], window="1d")) == [1, 1]


def test_window_is_measured_from_step_one_and_inclusive(make_engine):
    df = log([("a", 0, "view"), ("a", 20, "cart"), ("a", 24, "buy"), ("b", 0, "view"), ("b", 24.5, "cart")])
    eng = make_engine(df)
    assert counts(funnel(eng, ["view", "cart", "buy"], window="24h")) == [2, 1, 1]
    assert counts(funnel(eng, ["view", "cart", "buy"], window="23h")) == [2, 1, 0]


def test_uniques_keep_furthest_then_earliest_attempt_totals_keep_all(make_engine):
    df = log([("a", 0, "view"), ("a", 48, "view"), ("a", 49, "cart"), ("a", 200, "view"), ("a", 201, "cart")])
    eng = make_engine(df)
    uniq = funnel(eng, ["view", "cart"], window="1d")
    assert counts(uniq) == [1, 1]
    assert uniq.table.median_seconds_to_convert.iloc[1] == pytest.approx(H)  # the 48 h attempt, not the first
    assert uniq.trend.period_start.tolist() == [BASE]  # entry at 48 h falls in the same week
    tot = funnel(eng, ["view", "cart"], window="1d", count="totals")
    assert tot.count_column == "attempts"
    assert counts(tot) == [3, 2]


def test_exclusion_voids_the_attempt_between_its_steps(make_engine):
    df = log(
        [
            ("a", 0, "view"), ("a", 1, "support"), ("a", 2, "cart"), ("a", 3, "buy"),  # excluded 1-2
            ("b", 0, "view"), ("b", 1, "cart"), ("b", 2, "support"), ("b", 3, "buy"),  # kept for 1-2
            ("c", 0, "view"), ("c", 1, "support"),  # never reaches 2: excluded within the window
        ]
    )
    eng = make_engine(df)
    assert counts(funnel(eng, ["view", "cart", "buy"], window="1d", exclusions=["support@1-2"])) == [1, 1, 1]
    with pytest.raises(EmptyResultError, match="voided by the exclusion"):
        funnel(eng, ["view", "cart", "buy"], window="1d", exclusions=["support"])


def test_optional_step_counts_only_between_its_neighbours(make_engine):
    df = log(
        [
            ("a", 0, "view"), ("a", 1, "reviews"), ("a", 2, "cart"),  # optional done
            ("b", 0, "view"), ("b", 1, "cart"), ("b", 2, "reviews"),  # reviews after cart: not counted
            ("c", 0, "view"), ("c", 1, "reviews"),  # no cart: reviews within the window counts
        ]
    )
    r = funnel(make_engine(df), ["view", "reviews?", "cart"], window="1d")
    assert r.table.optional.tolist() == [False, True, False]
    assert counts(r) == [3, 2, 2]
    # the required step converts from the previous *required* step
    assert r.table.conversion_from_previous.tolist() == pytest.approx([1, 2 / 3, 2 / 3])


def test_alternatives_and_column_prefixes(make_engine):
    df = log([("a", 0, "view"), ("a", 1, "wish"), ("b", 0, "view"), ("b", 1, "cart"), ("c", 0, "view")])
    df["stage"] = ["browse", "keep", "browse", "keep", "browse"]
    eng = make_engine(df)
    assert counts(funnel(eng, ["view", ["cart", "wish"]], window="1d")) == [3, 2]
    assert counts(funnel(eng, ["view", "cart|wish"], window="1d")) == [3, 2]
    assert counts(funnel(eng, ["stage:browse", "stage:keep"], window="1d")) == [3, 2]
    assert counts(funnel(eng, ["event:view", "event:keep"], window="1d")) == [3, 0]


def test_breakdown_uses_the_attribute_at_step_one(make_engine):
    df = log([("a", 0, "view", {"seg": "x"}), ("a", 1, "cart", {"seg": "y"}), ("b", 0, "view", {"seg": "y"})])
    r = funnel(make_engine(df), ["view", "cart"], window="1d", by="seg")
    got = {(g, s): c for g, s, c in r.table[["group", "step", "customers"]].itertuples(index=False)}
    assert got == {("x", 1): 1, ("x", 2): 1, ("y", 1): 1, ("y", 2): 0}
    cmp = r.compare("x", "y")
    assert cmp.table.count_a.tolist() == [1, 1] and cmp.table.count_b.tolist() == [1, 0]
    one_each = cmp.table.iloc[1]  # 1/1 against 0/1: no evidence either way (the Wald interval was [−1, −1])
    assert one_each.ci_low == pytest.approx(-1) and one_each.ci_high > 0 and not one_each.significant


def test_missing_breakdown_attribute_is_explained():
    r = funnel(engine_from_frames(SHOP), ["view", "cart"], window="1d", by="no_such_attribute")
    assert set(r.table.group) == {"(none)"}
    assert any("no_such_attribute" in n for n in r.notes)


def test_customers_at_and_dropped_at_a_step(make_engine):
    eng = make_engine(SHOP)
    r = funnel(eng, ["view", "cart", "buy"], window="7d")
    ids = lambda expr: sorted(eng.execute(expr).customer_id)  # noqa: E731
    assert ids(r.customers(2)) == ["a", "b"]
    assert ids(r.customers(2, dropped=True)) == ["c"]
    assert ids(r.customers(3, dropped=True)) == ["b"]
    other = funnel(eng, ["cart", "buy", "view"], window="7d", order="any")  # same scratch table
    assert counts(other) == [3, 2, 1] and counts(r) == [3, 2, 1]
    assert ids(r.customers(2)) == ["a", "b"]


def test_trend_and_histogram(make_engine):
    df = log([("a", 0, "view"), ("a", 2, "cart"), ("b", 24 * 8, "view"), ("c", 24 * 8, "view"), ("c", 24 * 8 + 0.5, "cart")])
    eng = make_engine(df)
    r = funnel(eng, ["view", "cart"], window="1d", period="week", bins=2)
    tr = r.trend
    assert tr.period_start.tolist() == [BASE, BASE + pd.Timedelta(days=7)]
    assert tr.entered.tolist() == [1, 2] and tr.converted.tolist() == [1, 1]
    assert tr.conversion.tolist() == pytest.approx([1, 0.5])
    # week 1 ends at 168 h, its 1-day window at 192 h <= the last event (192.5 h); week 2's window is still open
    assert tr.complete.tolist() == [True, False]
    assert any("conversion window had not ended at the last observed event (2024-03-12 00:30)" in n for n in r.notes)
    h = r.time_histogram
    assert h.bin_start_seconds.tolist() == [0.0, H] and h["count"].tolist() == [1, 1]
    assert h.bin_end_seconds.iloc[-1] == pytest.approx(2 * H)
    months = funnel(eng, ["view", "cart"], window="1d", period="month").trend
    assert months.period_start.tolist() == [pd.Timestamp("2024-03-01", tz="UTC")]
    assert months.complete.tolist() == [False]


def test_a_single_string_is_not_a_list_of_steps():
    eng = engine_from_frames(log([("a", 0, "view"), ("a", 2, "cart")]))
    with pytest.raises(StepSpecError, match="steps must be a list of at least 2 steps, got the single string 'view'"):
        funnel(eng, "view")


def test_two_proportion_test_by_hand():
    out = two_proportion_test(np.array([50]), np.array([100]), np.array([60]), np.array([100])).iloc[0]

    def wilson(p, n, z=1.959964):
        centre, half = p + z * z / (2 * n), z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)

    (l1, u1), (l2, u2) = wilson(0.5, 100), wilson(0.6, 100)
    # Newcombe (1998) method 10 for p_b − p_a
    assert out.ci_low == pytest.approx(0.1 - np.hypot(0.6 - l2, u1 - 0.5), abs=1e-6)
    assert out.ci_high == pytest.approx(0.1 + np.hypot(u2 - 0.6, 0.5 - l1), abs=1e-6)
    assert out.ci_low < 0 < out.ci_high and not out.significant
    # close to the pooled z-test (p = 0.15519) at this size, and = 2(1 − Φ(|z|))
    assert out.p_value == pytest.approx(0.155, abs=1e-3) and out.p_value == pytest.approx(2 * norm.sf(out.z))


def test_comparison_interval_and_significance_agree_at_a_rate_of_one():
    """13 of 13 against 284 of 315 (the helpdesk case): the interval must not exclude 0 while p = 0.23."""
    rows = [(f"a{i}", 0, "assign", {"lvl": "1"}) for i in range(13)] + [(f"a{i}", 1, "take", {"lvl": "1"}) for i in range(13)]
    rows += [(f"b{i}", 0, "assign", {"lvl": "2"}) for i in range(315)]
    rows += [(f"b{i}", 1, "take", {"lvl": "2"}) for i in range(284)]
    cmp = funnel(engine_from_frames(log(rows)), ["assign", "take"], window="1d", by="lvl").compare("1", "2")
    step1, step2 = cmp.table.iloc[0], cmp.table.iloc[1]
    assert (step1.ci_low, step1.ci_high) == (0, 0) and np.isnan(step1.p_value) and not step1.significant
    assert (step2.count_a, step2.entered_a, step2.count_b, step2.entered_b) == (13, 13, 284, 315)
    assert step2.ci_low < 0 < step2.ci_high and step2.p_value > 0.05 and not step2.significant


def test_compare_funnels_of_two_periods(make_engine):
    eng = make_engine(SHOP)
    a = funnel(eng, ["view", "cart"], window="30d", filters=Filters(end=BASE + pd.Timedelta(days=2)))
    b = funnel(eng, ["view", "cart"], window="30d", filters=Filters(start=BASE + pd.Timedelta(days=2)))
    cmp = compare_funnels(a, b, labels=("early", "late"))
    assert cmp.table.rate_a.tolist() == pytest.approx([1, 1]) and cmp.table.rate_b.tolist() == pytest.approx([1, 1])
    assert cmp.table.difference.iloc[1] == 0
    assert cmp.figure().data[0].name == "early"


def test_figure_is_a_funnel_chart():
    fig = funnel(engine_from_frames(SHOP), ["view", "cart", "buy"], window="7d").figure()
    assert fig.data[0].type == "funnel" and list(fig.data[0].x) == [3, 2, 1]


# ---------------------------------------------------------------------------------- bad input
def test_empty_workspace_and_empty_filters():
    with pytest.raises(EmptyResultError, match="holds no events"):
        funnel(engine_from_frames(SHOP.iloc[:0]), ["view", "cart"])
    eng = engine_from_frames(SHOP)
    with pytest.raises(EmptyResultError, match=r"no events match the filters \(2030"):
        funnel(eng, ["view", "cart"], filters=Filters(start="2030-01-01"))
    with pytest.raises(EmptyResultError, match="segment attribute 'plan' does not exist in the events"):
        funnel(eng, ["view", "cart"], filters=Filters(segment={"plan": "gold"}))


def test_step_that_never_occurs(make_engine):
    eng = make_engine(SHOP)
    with pytest.raises(EmptyResultError, match="step 1 'nope' matches none of the 8 events"):
        funnel(eng, ["nope", "cart"])
    r = funnel(eng, ["view", "nope", "cart"], window="7d")
    assert counts(r) == [3, 0, 0]
    assert r.table.conversion_from_previous.tolist() == [1, 0, 0]
    assert any("step 2 'nope' never occurs" in n for n in r.notes)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(steps=["view"]), "at least 2 steps"),
        (dict(steps=["view?", "cart"]), "cannot be optional"),
        (dict(steps=["view", "cart?"], order="strict"), "optional steps need order='ordered'"),
        (dict(steps=["view", "cart"], order="any", exclusions=["x"]), "exclusion steps need"),
        (dict(steps=["view", "cart"], exclusions=["x@2-1"]), "from_step < to_step"),
        (dict(steps=["view", "cart"], order="sideways"), "unknown funnel order"),
        (dict(steps=["view", "cart"], window="7 days"), "expected a number with a unit"),
    ],
)
def test_invalid_definitions(kwargs, message):
    with pytest.raises(StepSpecError, match=message):
        Funnel.define(**kwargs)


# ------------------------------------------------------------- brute-force reference (plain Python)
def _chains(seq: list[tuple], start: int, steps: list[set], window: float, strict: bool):
    """Every valid chain of event positions for ``steps`` starting at ``start`` (by definition)."""
    t0 = seq[start][0]
    later = range(start + 1, len(seq))
    for depth in range(len(steps), 0, -1):
        if strict:
            cands = [tuple(range(start + 1, start + depth))] if start + depth <= len(seq) else []
        else:
            cands = itertools.combinations(later, depth - 1)
        for rest in cands:
            chain = (start, *rest)
            if all(seq[p][2] in steps[i] for i, p in enumerate(chain)) and seq[chain[-1]][0] - t0 <= window:
                yield chain


def ref_attempts(df: pd.DataFrame, f: Funnel) -> dict[str, list[tuple]]:
    """customer -> list of attempts ``(entry_rank, reached, times)`` following the documented semantics."""
    sets = [set(s.values) for s in f.steps]
    req = [k for k, s in enumerate(f.steps) if not s.optional]
    out: dict[str, list[tuple]] = defaultdict(list)
    for cust, part in df.groupby("customer_id"):
        seq = sorted(zip(part.t, part.seq, part.event))
        if f.order == "any":
            for i, (t0, _, ev) in enumerate(seq):
                if not any(ev in s for s in sets):
                    continue
                firsts = [next((t for t, _, e in seq[i:] if e in s and t - t0 <= f.window), None) for s in sets]
                times = sorted(x for x in firsts if x is not None)
                out[cust].append((i, len(times), times + [None] * (len(sets) - len(times))))
            continue
        for i, (t0, _, ev) in enumerate(seq):
            if ev not in sets[0]:
                continue
            req_sets = [sets[k] for k in req]
            chains = list(_chains(seq, i, req_sets, f.window, f.order == "strict"))
            depth = max(len(c) for c in chains)
            # earliest position of each required step over all chains reaching it
            pos = {req[j]: min(c[j] for c in chains if len(c) > j) for j in range(depth)}
            times = [None] * len(sets)
            for k, p in pos.items():
                times[k] = seq[p][0]
            for k, s in enumerate(f.steps):
                if not s.optional:
                    continue
                a = max(j for j in req if j < k)
                b = min((j for j in req if j > k), default=None)
                hi = pos[b] if b in pos else len(seq)
                if a in pos:
                    hit = [seq[p][0] for p in range(pos[a] + 1, hi) if seq[p][2] in sets[k] and seq[p][0] - t0 <= f.window]
                    times[k] = hit[0] if hit else None
            void = False
            for x in f.exclusions:
                lo, hi_step = x.from_step - 1, x.to_step - 1
                if lo not in pos:
                    continue
                xs = set(x.step.values)
                end = pos.get(hi_step, None)
                for p in range(pos[lo] + 1, len(seq)):
                    inside = p < end if end is not None else seq[p][0] - t0 <= f.window
                    void |= seq[p][2] in xs and inside
            if not void:
                out[cust].append((i, req[depth - 1] + 1, times))
    return out


def ref_counted(df: pd.DataFrame, f: Funnel) -> list[tuple]:
    rows = []
    for cust, atts in ref_attempts(df, f).items():
        if f.count == "uniques":
            atts = [min(atts, key=lambda a: (-a[1], a[0]))] if atts else []
        rows += [(cust, reached, tuple(times)) for _, reached, times in atts]
    return sorted(rows, key=repr)


EVENTS = ["a", "b", "c", "d"]


@st.composite
def random_logs(draw):
    n = draw(st.integers(1, 60))
    customers = draw(st.lists(st.sampled_from("pqrstuvw"), min_size=n, max_size=n))
    hours = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))  # few distinct times: many ties
    events = draw(st.lists(st.sampled_from(EVENTS), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))  # seq is not the row order of equal timestamps
    df = pd.DataFrame({"customer_id": customers, "timestamp": [BASE + pd.Timedelta(hours=h) for h in hours],
                       "event": events, "seq": order})
    df["t"] = [h * H + BASE.timestamp() for h in hours]
    return df


step_specs = st.lists(
    st.lists(st.sampled_from(EVENTS), min_size=1, max_size=2, unique=True).map(lambda v: "|".join(v)),
    min_size=2, max_size=4,
)
# No shrinking: each example runs real queries, and shrinking a failure would take minutes.
QUICK = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
                 phases=(Phase.explicit, Phase.reuse, Phase.generate))


def _engine_attempts(make_engine, df: pd.DataFrame, f: Funnel, skip: str | None = None) -> list[tuple]:
    """The engine's counted attempts; ``skip``: filter out that event first (ranks then have gaps)."""
    eng = make_engine(df.drop(columns="t"))
    events = eng.events if skip is None else eng.events.filter(eng.events.event != skip)
    got = eng.execute(f.attempts(events))
    n = len(f.steps)
    rows = []
    for r in got.itertuples(index=False):
        times = tuple(None if pd.isna(getattr(r, f"t{k}")) else float(getattr(r, f"t{k}")) for k in range(1, n + 1))
        rows.append((r.customer_id, int(r.reached), times))
    return sorted(rows, key=repr)


@QUICK
@given(df=random_logs(), steps=step_specs, order=st.sampled_from(["ordered", "strict", "any"]),
       count=st.sampled_from(["uniques", "totals"]), window_h=st.sampled_from([0, 1, 2, 3, 48]),
       skip=st.sampled_from([None, "b"]))
def test_attempts_agree_with_reference(make_engine, df, steps, order, count, window_h, skip):
    f = Funnel.define(steps, window=max(window_h * H, 1), order=order, count=count)
    assert _engine_attempts(make_engine, df, f, skip) == ref_counted(df[df.event != skip], f)


@QUICK
@given(df=random_logs(), steps=step_specs, optional=st.integers(1, 3), window_h=st.sampled_from([1, 2, 3, 48]),
       exclusion=st.sampled_from([None, "d", "c@1-2", "a|d@2-3"]))
def test_optional_and_exclusions_agree_with_reference(make_engine, df, steps, optional, window_h, exclusion):
    steps = [s + "?" if k == optional and k < len(steps) - 1 else s for k, s in enumerate(steps)]
    f0 = Funnel.define(steps, window=window_h * H)
    exclusions = []
    if exclusion is not None:
        what, _, rng = exclusion.partition("@")
        lo, hi = (int(v) for v in rng.split("-")) if rng else (1, len(steps))
        req = [k for k, s in enumerate(f0.steps, 1) if not s.optional]
        if hi <= len(steps) and lo in req and hi in req:
            exclusions = [f"{what}@{lo}-{hi}"]
    f = Funnel.define(steps, window=window_h * H, exclusions=exclusions)
    assert _engine_attempts(make_engine, df, f) == ref_counted(df, f)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(df=random_logs(), steps=step_specs)
def test_summary_table_agrees_with_reference(make_engine, df, steps):
    f = Funnel.define(steps, window=5 * H)
    ref = ref_counted(df, f)
    if not ref:
        return
    r = f.run(make_engine(df.drop(columns="t")))
    times = np.array([[np.nan if v is None else v for v in row[2]] for row in ref])
    assert counts(r) == [int(np.sum(~np.isnan(times[:, k]))) for k in range(len(steps))]
    for k in range(1, len(steps)):
        d = times[:, k] - times[:, k - 1]
        d = d[~np.isnan(d)]
        got = r.table.iloc[k]
        if len(d):
            assert got.median_seconds_to_convert == pytest.approx(np.median(d))
            assert got.p90_seconds_to_convert == pytest.approx(np.percentile(d, 90))
            assert got.mean_seconds_to_convert == pytest.approx(d.mean())
        else:
            assert np.isnan(got.median_seconds_to_convert)


def test_only_ordered_funnels_on_ranked_events_match_by_asof_joins(make_engine):
    eng = make_engine(SHOP)
    ranked = CUSTOMER_RANK in eng.events.columns

    def sql(f: Funnel) -> str:
        return str(eng.backend.compile(f.attempts(eng.events)))

    assert ("ASOF" in sql(Funnel.define(["view", "cart?", "buy"], exclusions=["other@1-3"]))) == ranked
    assert "ASOF" not in sql(Funnel.define(["view", "cart", "buy"], order="strict"))


# ------------------------------------------------------------------------------ CLI and report
def _workspace(tmp_path):
    from journeykit.engine.frames import canonical_table
    from journeykit.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    df = log([("a", 0, "product_view", {"segment": "consumer"}), ("a", 1, "cart_add"), ("a", 2, "checkout"),
              ("b", 0, "product_view", {"segment": "business"}), ("b", 3, "cart_add")])
    df["touchpoint"], df["stage"] = df["event"], ["consideration", "consideration", "purchase", "consideration",
                                                  "consideration"]
    ws.engine.insert("events", canonical_table(df))
    ws.close()
    return ws


def test_cli_funnel_writes_the_table_and_reports_errors(tmp_path):
    from typer.testing import CliRunner

    from journeykit.cli import app

    ws = _workspace(tmp_path)
    out = tmp_path / "f.csv"
    args = ["analyze", "funnel", "-w", str(ws.path), "--steps", "product_view,cart_add,checkout", "--window", "1d"]
    done = CliRunner().invoke(app, [*args, "--by", "segment", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "nan" not in done.output  # step 1 has no time to convert: blank, not NaN
    table = pd.read_csv(out)
    assert table[table.group == "consumer"].customers.tolist() == [1, 1, 1]
    assert table[table.group == "business"].customers.tolist() == [1, 1, 0]
    ids = CliRunner().invoke(app, [*args, "--customers-at", "3", "--dropped", "--out", str(tmp_path / "ids.csv")])
    assert ids.exit_code == 0 and pd.read_csv(tmp_path / "ids.csv").customer_id.tolist() == ["b"]
    repeated = ["analyze", "funnel", "-w", str(ws.path), "-s", "product_view", "-s", "cart_add", "-s", "checkout",
                "--window", "1d", "--out", str(tmp_path / "r.csv")]  # -s repeated: every step, in order
    assert CliRunner().invoke(app, repeated).exit_code == 0
    assert pd.read_csv(tmp_path / "r.csv")["name"].tolist() == ["product_view", "cart_add", "checkout"]
    bad = CliRunner().invoke(app, [*args, "--start", "2030-01-01"])
    assert isinstance(bad.exception, EmptyResultError)


def test_report_section_on_a_small_workspace(tmp_path):
    from journeykit.report.sections import funnel as section

    s = section.build(_workspace(tmp_path))
    # no awareness event: the stage funnel is left out, the purchase funnel stays
    assert s.title == "Funnels" and len(s.figures) == 1
    assert s.tables[0][0].startswith("Funnel: purchase steps")
    assert s.tables[0][1].customers.tolist() == [2, 2, 1, 0, 0]
    assert any("step 4 'payment' never occurs" in n for n in s.notes)


def test_two_connections_to_one_file_keep_their_own_scratch_tables(tmp_path):
    from journeykit.engine import Engine
    from journeykit.engine.frames import canonical_table

    first = Engine.duckdb(tmp_path / "db.duckdb")
    first.insert("events", canonical_table(SHOP))
    second = Engine.duckdb(tmp_path / "db.duckdb")  # an equal Ibis backend, another connection
    assert counts(funnel(first, ["view", "cart"], window="7d")) == [3, 2]
    assert counts(funnel(second, ["view", "cart"], window="1d")) == [3, 2]
    assert counts(funnel(first, ["view", "buy"], window="7d")) == [3, 1]


def test_more_than_ten_steps(make_engine):
    names = [f"e{i}" for i in range(11)]
    df = log([("a", i, e) for i, e in enumerate(names)] + [("b", i, e) for i, e in enumerate(names[:7])])
    assert counts(funnel(make_engine(df), names, window="1d")) == [2] * 7 + [1] * 4
