"""The stored journey order of a DuckDB workspace: each event's rank in ``(customer_id, timestamp, seq)`` order.

Every journey analysis sorts a customer's events by time and sequence number.  Sorting 10.1M events by
``(customer_id, timestamp, seq)`` (a 9-character string and two 8-byte integers) costs DuckDB about 0.8 s
more per sort than sorting by one integer that ranks them in that order, so the workspace keeps that rank
in the column :data:`~journeykit.engine.expr.CUSTOMER_RANK` of ``events``.  The rank is an order, not a
position: filtering rows keeps it valid (the rows left are still in journey order, and a customer's events
stay contiguous), and deleting rows needs no refresh.  Inserting does, so the ingest ranks the table again
inside its own transaction and an in-memory engine ranks what it was given.

The column belongs to the DuckDB storage only: it is not part of the canonical schema
(:data:`~journeykit.engine.schema.EVENTS_SCHEMA`), exports leave it out and Spark, reading exported files,
keeps its partitioned windows.  A workspace created before the column existed gets it when it is next
opened for writing; read-only, its analyses sort by the columns as before.
"""

from __future__ import annotations

import duckdb

from journeykit.engine.expr import CUSTOMER_RANK
from journeykit.engine.schema import EVENTS

_ADD = f"ALTER TABLE {EVENTS} ADD COLUMN IF NOT EXISTS {CUSTOMER_RANK} BIGINT"
_RANK = f"""
    UPDATE {EVENTS} SET {CUSTOMER_RANK} = r.k
    FROM (SELECT rowid AS rid, row_number() OVER (ORDER BY customer_id, timestamp, seq) AS k FROM {EVENTS}) r
    WHERE {EVENTS}.rowid = r.rid"""


def rank_events(con: duckdb.DuckDBPyConnection) -> None:
    """Rank every event of ``con``'s ``events`` table again (after an insert).

    Measured on 10.1M events (2 cores): 3.6 s.  Events without a customer id are ranked last.
    """
    con.execute(_RANK).fetchall()


def ensure_ranked(con: duckdb.DuckDBPyConnection) -> None:
    """Add the rank column to a workspace that lacks it and rank any event that has none."""
    con.execute(_ADD).fetchall()
    missing = con.execute(f"SELECT count(*) FROM {EVENTS} WHERE {CUSTOMER_RANK} IS NULL").fetchall()[0][0]
    if missing:
        rank_events(con)
