"""``neighbour``: the next / previous event of the same journey, on DuckDB from one sort of all rows.

The masked single-sort form must give exactly what the partitioned window gives (the form Spark uses),
ties in the timestamp included (they are ordered by ``seq``).
"""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.engine.expr import global_position, neighbour, ordered_window


def _reference(rows: list[tuple[str, str, int, int, str]], keys: list[str], offset: int) -> dict[int, str | None]:
    """seq -> label of the neighbouring event of the same journey, by sorting in Python."""
    index = {"customer": 0, "session": 1}
    journeys: dict[tuple, list] = {}
    for row in rows:
        journeys.setdefault(tuple(row[index[k]] for k in keys), []).append(row)
    out: dict[int, str | None] = {}
    for events in journeys.values():
        events.sort(key=lambda r: (r[2], r[3]))
        for i, row in enumerate(events):
            j = i + offset
            out[row[3]] = events[j][4] if 0 <= j < len(events) else None
    return out


events = st.lists(
    st.tuples(st.sampled_from("abcd"), st.sampled_from("xy"), st.integers(0, 3), st.sampled_from("PQR")),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize("keys", [["customer"], ["customer", "session"]])
@pytest.mark.parametrize("offset", [1, -1])
@given(rows=events)
@settings(max_examples=40, deadline=None)
def test_single_sort_equals_the_partitioned_window_and_python(rows, keys, offset):
    rows = [(c, s, ts, seq, label) for seq, (c, s, ts, label) in enumerate(rows)]
    table = pa.table(
        {
            "customer": [r[0] for r in rows],
            "session": [r[1] for r in rows],
            "timestamp": pa.array([r[2] for r in rows], pa.int64()).cast(pa.timestamp("s")),
            "seq": [r[3] for r in rows],
            "label": [r[4] for r in rows],
        }
    )
    con = ibis.duckdb.connect()
    t = ibis.memtable(table)
    single = t.mutate(n=neighbour(t, t.label, keys, offset))
    shift = t.label.lead() if offset == 1 else t.label.lag()
    partitioned = t.mutate(n=shift.over(ordered_window(keys)))
    got = dict(zip(*con.to_pyarrow(single.select("seq", "n")).to_pydict().values()))
    want = dict(zip(*con.to_pyarrow(partitioned.select("seq", "n")).to_pydict().values()))
    assert got == want == _reference(rows, keys, offset)


def _table(rows: list[tuple[str, str, int, str]]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "customer": [r[0] for r in rows],
                "session": [r[1] for r in rows],
                "timestamp": pa.array([r[2] for r in rows], pa.int64()).cast(pa.timestamp("s")),
                "seq": list(range(len(rows))),
                "label": [r[3] for r in rows],
            }
        )
    )


@pytest.mark.parametrize("keys", [["customer"], ["customer", "session"]])
@pytest.mark.parametrize("offset", [1, -1])
@given(rows=events)
@settings(max_examples=40, deadline=None)
def test_neighbour_by_a_stored_position_after_a_filter(rows, keys, offset):
    """Ranked before a filter (as repeat collapsing does), the kept rows' neighbours by their rank equal
    the neighbours found by sorting the kept rows again."""
    t = _table(rows)
    t = t.mutate(pos=global_position(keys)).filter(lambda r: r.label != "R")
    con = ibis.duckdb.connect()
    by_position = con.to_pyarrow(t.mutate(n=neighbour(t, t.label, keys, offset, "pos")).select("seq", "n"))
    resorted = con.to_pyarrow(t.mutate(n=neighbour(t, t.label, keys, offset)).select("seq", "n"))
    assert dict(zip(*by_position.to_pydict().values())) == dict(zip(*resorted.to_pydict().values()))


def test_offset_other_than_one_step_is_refused():
    t = ibis.table({"customer": "string", "timestamp": "timestamp", "seq": "int64"}, name="events")
    with pytest.raises(ValueError, match="offset must be 1 or -1"):
        neighbour(t, t.seq, ["customer"], 2)
