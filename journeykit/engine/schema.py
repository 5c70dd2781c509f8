"""The canonical tables of a workspace.

``events``
    One row per customer event.  ``seq`` is a workspace-wide sequence number in input order: analytics
    order a customer's (or case's) events by ``(timestamp, seq)`` so that equal timestamps keep the order
    in which they were read, never an arbitrary one.
``responses``
    One row per survey answer (NPS 0-10, CSAT 1-5, CES 1-7 or as the model defines).
``rejects``
    Every input row that was not accepted, with the file, its row number, the raw row (JSON) and why.
``ingests``
    One row per ingest run with the counts, so that ``read = accepted + rejected`` can be audited.

All timestamps are stored as ``TIMESTAMP WITH TIME ZONE`` in UTC.  ``attributes`` holds the free columns
of the input as a ``MAP(VARCHAR, VARCHAR)``: a map (rather than JSON text) is read the same way by
DuckDB and Spark (``events.attributes.get("segment")`` in Ibis).
"""

from __future__ import annotations

import pyarrow as pa

EVENTS = "events"
RESPONSES = "responses"
REJECTS = "rejects"
INGESTS = "ingests"

ATTRIBUTES_TYPE = pa.map_(pa.string(), pa.string())
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("customer_id", pa.string()),
        ("case_id", pa.string()),
        ("timestamp", UTC_TIMESTAMP),
        ("seq", pa.int64()),
        ("event", pa.string()),
        ("touchpoint", pa.string()),
        ("stage", pa.string()),
        ("channel", pa.string()),
        ("value", pa.float64()),
        ("attributes", ATTRIBUTES_TYPE),
        ("source", pa.string()),
        ("ingest_id", pa.int64()),
    ]
)

RESPONSES_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        ("customer_id", pa.string()),
        ("case_id", pa.string()),
        ("timestamp", UTC_TIMESTAMP),
        ("seq", pa.int64()),
        ("survey", pa.string()),
        ("kind", pa.string()),
        ("score", pa.float64()),
        ("comment", pa.string()),
        ("touchpoint", pa.string()),
        ("attributes", ATTRIBUTES_TYPE),
        ("source", pa.string()),
        ("ingest_id", pa.int64()),
    ]
)

REJECTS_SCHEMA = pa.schema(
    [
        ("ingest_id", pa.int64()),
        ("file", pa.string()),
        ("row_number", pa.int64()),
        ("raw", pa.string()),
        ("column", pa.string()),
        ("reason", pa.string()),
    ]
)

INGESTS_SCHEMA = pa.schema(
    [
        ("ingest_id", pa.int64()),
        ("started", UTC_TIMESTAMP),
        ("files", pa.string()),
        ("target", pa.string()),
        ("rows_read", pa.int64()),
        ("accepted", pa.int64()),
        ("duplicates", pa.int64()),
        ("rejected", pa.int64()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    EVENTS: EVENTS_SCHEMA,
    RESPONSES: RESPONSES_SCHEMA,
    REJECTS: REJECTS_SCHEMA,
    INGESTS: INGESTS_SCHEMA,
}

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    UTC_TIMESTAMP: "TIMESTAMPTZ",
    ATTRIBUTES_TYPE: "MAP(VARCHAR, VARCHAR)",
}


def duckdb_ddl(name: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` statement of a canonical table for DuckDB."""
    cols = ", ".join(f'"{f.name}" {_DUCKDB_TYPES[f.type]}' for f in TABLES[name])
    return f"CREATE TABLE IF NOT EXISTS {name} ({cols})"


def empty_table(name: str) -> pa.Table:
    """An empty Arrow table with the schema of a canonical table."""
    return TABLES[name].empty_table()
