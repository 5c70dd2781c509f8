"""The caches of an engine: analysis expressions kept by their arguments, compiled SQL by expression; a hit
runs the same query."""

from __future__ import annotations

import ibis
import pandas as pd

from journeykit.analytics import cohorts
from journeykit.engine import Filters
from journeykit.engine.compiled_sql import CompiledSQL
from journeykit.engine.frames import engine_from_frames

LOG = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "c"],
    "event": ["pay", "rep", "pay", "view", "pay"],
    "timestamp": pd.to_datetime(["2024-01-05", "2024-02-07", "2024-01-20", "2024-03-01", "2024-02-02"], utc=True),
})


def test_an_analysis_run_again_builds_and_compiles_nothing_and_gives_the_same_result():
    eng = engine_from_frames(LOG)
    first = cohorts(eng, "pay", "rep").table
    built, compiled = eng.built_expressions.misses, eng.compiled_sql.misses
    again = cohorts(eng, "pay", "rep", filters=Filters()).table
    assert (eng.built_expressions.misses, eng.compiled_sql.misses) == (built, compiled)
    assert eng.built_expressions.hits == 1 and eng.compiled_sql.hits >= 1
    pd.testing.assert_frame_equal(first, again)
    other = cohorts(eng, "pay", "view").table  # other arguments: another query
    assert eng.built_expressions.misses == built + 1 and eng.compiled_sql.misses > compiled
    assert not other["retained"].equals(first["retained"])
    later = cohorts(eng, "pay", "rep", filters=Filters(start="2024-01-10")).table  # other filters too
    assert eng.built_expressions.misses == built + 2 and later["size"].iloc[0] == 1


def test_an_unhashable_key_is_built_every_time():
    eng = engine_from_frames(LOG)
    built = []
    for _ in range(2):
        eng.expression(("x", {"tier": ["gold"]}), lambda: built.append(1) or eng.events)
    assert len(built) == 2 and eng.built_expressions.misses == 0


def test_a_compiled_expression_built_anew_is_found():
    eng = engine_from_frames(LOG)
    ev = eng.events
    eng.execute(ev.filter(ev.event == "pay").count())
    compiled = eng.compiled_sql.misses
    ev = eng.events
    assert eng.execute(ev.filter(ev.event == "pay").count()) == 3  # equal, not the same object
    assert eng.compiled_sql.misses == compiled


def test_filters_key_equal_for_equal_filters():
    key = Filters(start="2024-01-01", segment={"tier": ["gold", "silver"]}, channel=["web"]).key()
    assert key == Filters(start="2024-01-01", segment={"tier": ["gold", "silver"]}, channel=["web"]).key()
    hash(key)
    others = [Filters(start="2024-01-02", segment={"tier": ["gold", "silver"]}, channel=["web"]),
              Filters(start="2024-01-01", segment={"tier": ["gold"]}, channel=["web"]),
              Filters(start="2024-01-01", segment={"tier": ["gold", "silver"]}),
              Filters(start="2024-01-01", segment={"tier": "1"}), Filters(start="2024-01-01", segment={"tier": 1})]
    assert len({key, *(f.key() for f in others)}) == 1 + len(others)


def test_the_cache_keeps_the_most_recently_used_and_passes_parameters_through():
    compiled = []

    def compile_sql(expr, /, *, limit=None, params=None, pretty=False):
        compiled.append(expr)
        return f"SQL {len(compiled)}"

    t = ibis.table({"x": "int64"}, name="t")
    cache = CompiledSQL(compile_sql, size=2)
    a, b, c = t.filter(t.x > 1), t.filter(t.x > 2), t.filter(t.x > 3)
    assert cache(a) == "SQL 1" and cache(b) == "SQL 2" and cache(t.filter(t.x > 1)) == "SQL 1"
    assert cache(c) == "SQL 3"  # evicts b, the least recently used
    assert cache(a) == "SQL 1" and cache(b) == "SQL 4"
    assert cache(a, limit=5) == "SQL 5"  # the limit is part of the query
    p = ibis.param("int64")
    assert cache(t.filter(t.x > p), params={p: 1}) == "SQL 6" and cache(t.filter(t.x > p), params={p: 1}) == "SQL 7"
    assert (cache.hits, cache.misses) == (2, 5)  # parameterised calls are neither
