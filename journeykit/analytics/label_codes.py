"""Dictionary encoding of step labels: group, sort and collect small integers instead of strings.

Hashing and comparing strings dominates the directly-follows graph and the variants of a large log, while a
journey has few distinct labels (tens of touchpoints, hundreds of event names).  :func:`encode_labels`
replaces each label by its position in the sorted list of distinct labels (a join with a small in-memory
table, which Spark broadcasts; ``prepare_steps(encoded=True)`` does it before collapsing repeats), the
analysis groups the codes, and the result is decoded at the edge by :func:`decode_codes` /
:func:`decode_lists`.  Measured on 10.1M simulated events with 26 labels (DuckDB, 2 threads): the
performance DFG 4.8-5.6 s -> 2.7-3.4 s, the variants 11.8 s -> 4.6 s, the stage dwell 3.5-3.9 s -> 2.5 s.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def encode_labels(t: ir.Table, labels: Sequence[str]) -> ir.Table:
    """``t`` with its ``step`` labels replaced by ``int32`` codes, the index of each label in ``labels``.

    ``labels`` must hold every non-NULL label of ``t`` (rows with a NULL label are dropped); codes keep the
    order of ``labels``, so with sorted labels sorting codes sorts labels.
    """
    codes = ibis.memtable(
        {"_label": list(labels), "_code": np.arange(len(labels), dtype="int32")},
        schema={"_label": "string", "_code": "int32"},
    )
    return t.join(codes, t.step == codes._label).drop("step", "_label").rename(step="_code")


def decode_codes(codes: pd.Series, labels: Sequence[str]) -> pd.Series:
    """Labels of a column of codes; missing codes (NULL, NaN) stay missing."""
    return codes.map(dict(enumerate(labels)))


def decode_lists(lists: pa.Array | pa.ChunkedArray, labels: Sequence[str]) -> pa.Array:
    """A list array of codes as the list array of their labels (same lengths, same order)."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    values = pa.array(labels, type=pa.string()).take(lists.flatten())
    return type(lists).from_arrays(offsets, values)
