"""The cache of compiled SQL: identical expressions built anew hit it, and a hit runs the same query."""

from __future__ import annotations

import ibis
import pandas as pd

from journeykit.analytics import cohorts
from journeykit.engine.compiled_sql import CompiledSQL
from journeykit.engine.frames import engine_from_frames

LOG = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "c"],
    "event": ["pay", "rep", "pay", "view", "pay"],
    "timestamp": pd.to_datetime(["2024-01-05", "2024-02-07", "2024-01-20", "2024-03-01", "2024-02-02"], utc=True),
})


def test_an_analysis_run_again_compiles_nothing_and_gives_the_same_result():
    eng = engine_from_frames(LOG)
    first = cohorts(eng, "pay", "rep").table
    misses = eng.compiled_sql.misses
    again = cohorts(eng, "pay", "rep").table  # a new expression, equal to the first
    assert eng.compiled_sql.misses == misses and eng.compiled_sql.hits >= 1
    pd.testing.assert_frame_equal(first, again)
    other = cohorts(eng, "pay", "view").table  # other arguments: another query
    assert eng.compiled_sql.misses > misses
    assert not other["retained"].equals(first["retained"])


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
