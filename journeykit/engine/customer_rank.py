"""The stored journey order of a DuckDB workspace: each event's rank in ``(customer_id, timestamp, seq)`` order,
and each customer's ordinal in ``customer_id`` order.

Every journey analysis sorts a customer's events by time and sequence number.  Sorting 10.1M events by
``(customer_id, timestamp, seq)`` (a 9-character string and two 8-byte integers) costs DuckDB about 0.8 s
more per sort than sorting by one integer that ranks them in that order, so the workspace keeps that rank
in the column :data:`~journeykit.engine.expr.CUSTOMER_RANK` of ``events``.  The same sort numbers the
customers (:data:`~journeykit.engine.expr.CUSTOMER_ORDINAL`): counting the distinct customers of each of
10.1M transitions takes about 0.6 s less on that integer than on the id.  The rank is an order, not a
position: filtering rows keeps it valid (the rows left are still in journey order, and a customer's events
stay contiguous), and deleting rows needs no refresh.  Inserting does, so the ingest ranks the table again
inside its own transaction and an in-memory engine ranks what it was given.

The columns belong to the DuckDB storage only: they are not part of the canonical schema
(:data:`~journeykit.engine.schema.EVENTS_SCHEMA`), exports leave them out and Spark, reading exported files,
keeps its partitioned windows.  A workspace created before the columns existed gets them when it is next
opened for writing; read-only, its analyses sort by the columns and count the ids as before.
"""

from __future__ import annotations

import duckdb

from journeykit.engine.expr import CUSTOMER_ORDINAL, CUSTOMER_RANK, JOURNEY_ORDER
from journeykit.engine.schema import EVENTS

_ADD = [f"ALTER TABLE {EVENTS} ADD COLUMN IF NOT EXISTS {c} BIGINT" for c in JOURNEY_ORDER]
_RANK = f"""
    UPDATE {EVENTS} SET {CUSTOMER_RANK} = r.k, {CUSTOMER_ORDINAL} = r.o
    FROM (SELECT rowid AS rid, row_number() OVER (ORDER BY customer_id, timestamp, seq) AS k,
                 CASE WHEN customer_id IS NOT NULL THEN dense_rank() OVER (ORDER BY customer_id) END AS o
          FROM {EVENTS}) r
    WHERE {EVENTS}.rowid = r.rid"""
_UNRANKED = f"""
    SELECT count(*) FROM {EVENTS}
    WHERE {CUSTOMER_RANK} IS NULL OR ({CUSTOMER_ORDINAL} IS NULL AND customer_id IS NOT NULL)"""


def rank_events(con: duckdb.DuckDBPyConnection) -> None:
    """Rank every event of ``con``'s ``events`` table again and number the customers (after an insert).

    Measured on 10.1M events (2 cores): 3.3 s (2.6 s without the ordinals).  Events without a customer id
    are ranked last and have no ordinal.
    """
    con.execute(_RANK).fetchall()


def ensure_ranked(con: duckdb.DuckDBPyConnection) -> None:
    """Add the rank and ordinal columns to a workspace that lacks them; rank again if any event lacks one."""
    for statement in _ADD:
        con.execute(statement).fetchall()
    if con.execute(_UNRANKED).fetchall()[0][0]:
        rank_events(con)
