"""Label codes: encoding on the engine and decoding at the edge give back exactly the labels."""

from __future__ import annotations

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from journeykit.analytics.label_codes import decode_codes, decode_lists, encode_labels
from journeykit.engine import Engine

labels_st = st.lists(st.one_of(st.none(), st.text(min_size=0, max_size=4)), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(values=labels_st)
def test_encode_then_decode_is_identity_and_drops_nulls(values: list[str | None]) -> None:
    engine = Engine.duckdb(None)
    t = ibis.memtable({"row": list(range(len(values))), "step": values}, schema={"row": "int64", "step": "string"})
    labels = sorted({v for v in values if v is not None})
    out = engine.execute(encode_labels(t, labels).order_by("row"))
    assert out["row"].tolist() == [i for i, v in enumerate(values) if v is not None]
    assert decode_codes(out["step"], labels).tolist() == [v for v in values if v is not None]
    # codes keep the order of the (sorted) labels
    assert sorted(out["step"].tolist()) == [labels.index(v) for v in sorted(v for v in values if v is not None)]


@settings(max_examples=40, deadline=None)
@given(
    lists=st.lists(st.lists(st.integers(0, 4), max_size=6), min_size=1, max_size=12),
    cut=st.integers(0, 11),
)
def test_decode_lists_of_sliced_chunked_arrays(lists: list[list[int]], cut: int) -> None:
    labels = ["a", "b", "c", "d", "e"]
    cut = min(cut, len(lists))
    chunked = pa.chunked_array([pa.array(lists[:cut], pa.list_(pa.int32())), pa.array(lists[cut:], pa.list_(pa.int32()))])
    assert decode_lists(chunked, labels).to_pylist() == [[labels[c] for c in row] for row in lists]
    sliced = pa.array(lists, pa.list_(pa.int32())).slice(cut)
    assert decode_lists(sliced, labels).to_pylist() == [[labels[c] for c in row] for row in lists[cut:]]


def test_decode_codes_keeps_missing_values_missing() -> None:
    import pandas as pd

    out = decode_codes(pd.Series([1, None, 0], dtype="float64"), ["x", "y"])
    assert out.iloc[0] == "y" and pd.isna(out.iloc[1]) and out.iloc[2] == "x"
