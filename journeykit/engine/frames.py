"""Build canonical tables from in-memory data (tests, notebooks, the simulator).

:func:`canonical_table` completes a pandas DataFrame to the schema of a canonical table: missing optional
columns become NULL, ``seq`` defaults to row order, ``event_id``/``response_id`` to a row-number id, naive
timestamps are taken as UTC.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from journeykit.engine import schema
from journeykit.engine.backend import Engine


def canonical_table(df: pd.DataFrame, name: str = schema.EVENTS) -> pa.Table:
    """Arrow table with exactly the columns and types of canonical table ``name``."""
    target = schema.TABLES[name]
    n = len(df)
    df = df.reset_index(drop=True)
    cols = {}
    for field in target:
        if field.name in df.columns:
            col = df[field.name]
            if field.type == schema.UTC_TIMESTAMP:
                col = pd.to_datetime(col, utc=True, format="mixed")
            elif field.type == schema.ATTRIBUTES_TYPE:
                col = [list(v.items()) if isinstance(v, dict) else v for v in col]
            cols[field.name] = pa.array(col, type=field.type, from_pandas=True)
        elif field.name == "seq":
            cols[field.name] = pa.array(range(n), type=pa.int64())
        elif field.name in ("event_id", "response_id"):
            cols[field.name] = pa.array([f"r{i}" for i in range(n)], type=pa.string())
        else:
            cols[field.name] = pa.nulls(n, type=field.type)
    return pa.table(cols, schema=target)


def engine_from_frames(
    events: pd.DataFrame | None = None, responses: pd.DataFrame | None = None
) -> Engine:
    """An in-memory DuckDB :class:`Engine` holding the given events and responses."""
    tables = {}
    if events is not None:
        tables[schema.EVENTS] = canonical_table(events, schema.EVENTS)
    if responses is not None:
        tables[schema.RESPONSES] = canonical_table(responses, schema.RESPONSES)
    return Engine.from_arrow(tables)
