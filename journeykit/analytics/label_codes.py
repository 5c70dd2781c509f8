"""Dictionary encoding of step labels: group, sort and collect small integers instead of strings.

Hashing and comparing strings dominates the directly-follows graph and the variants of a large log, while a
journey has few distinct labels (tens of touchpoints, hundreds of event names).  :func:`encode_steps`
replaces each label by its position in the sorted list of distinct labels (a join with a small in-memory
table, which Spark broadcasts), the analysis groups the codes, and the result is decoded at the edge by
:func:`decode_codes` / :func:`decode_lists`.  Measured on 10.1M simulated events with 26 labels (DuckDB,
2 threads): the performance DFG 4.8-5.6 s -> 2.7-3.4 s, the variants 11.8 s -> 4.6 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from journeykit.analytics.sequences import Steps


def encode_steps(steps: Steps) -> Steps:
    """The same steps with ``step`` replaced by its ``int32`` code: the index of the label in ``steps.labels``.

    ``steps.labels`` must hold every label of ``steps.table`` (as :func:`prepare_steps` sets it); codes
    keep the order of the labels, so sorting codes sorts labels.
    """
    codes = ibis.memtable({"_label": list(steps.labels), "_code": np.arange(len(steps.labels), dtype="int32")})
    t = steps.table
    t = t.join(codes, t.step == codes._label).drop("step", "_label").rename(step="_code")
    return replace(steps, table=t)


def decode_codes(codes: pd.Series, labels: Sequence[str]) -> pd.Series:
    """Labels of a column of codes; missing codes (NULL, NaN) stay missing."""
    return codes.map(dict(enumerate(labels)))


def decode_lists(lists: pa.Array | pa.ChunkedArray, labels: Sequence[str]) -> pa.Array:
    """A list array of codes as the list array of their labels (same lengths, same order)."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    values = pa.array(labels, type=pa.string()).take(lists.flatten())
    return type(lists).from_arrays(offsets, values)
