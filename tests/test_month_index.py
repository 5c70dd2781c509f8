"""``month_index`` on DuckDB (year and month of the naive UTC timestamp) equals the calendar month in UTC."""

from __future__ import annotations

import ibis
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.engine.expr import month_index

# microseconds from 1900 to 2100, plus the instants either side of some month ends and leap days
EDGES = ["1969-12-31T23:59:59.999999", "1970-01-01", "2000-02-29T23:59:59.999999", "2000-03-01",
         "2024-12-31T23:59:59.999999", "1900-03-01"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(min_value=-2_208_988_800_000_000, max_value=4_102_444_800_000_000), min_size=1,
                max_size=50))
def test_month_index_equals_the_utc_calendar_month(micros):
    edges = pd.to_datetime(EDGES, utc=True, format="ISO8601")
    ts = pd.Series(pd.to_datetime(micros, unit="us", utc=True).append(edges))
    con = ibis.duckdb.connect()
    t = ibis.memtable(pd.DataFrame({"ts": ts}))
    got = con.execute(t.select(m=month_index(t.ts)))["m"].tolist()
    assert got == (ts.dt.year * 12 + ts.dt.month - 1).tolist()
