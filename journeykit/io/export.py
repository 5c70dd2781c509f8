"""Export a workspace's canonical tables to Parquet (for Spark or other engines) or XES.

Parquet output is laid out for distributed engines: one folder per table, hive-partitioned by event month
(``month=YYYY-MM``) so date filters prune files; within a month, rows are sorted by customer so each file
holds whole customer histories in order.  XES output keeps every event's id and attributes, so it ingests
back to the same events (see :func:`export_xes`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from journeykit.engine import schema
from journeykit.errors import InputError
from journeykit.io.validate import lit
from journeykit.io.xes import EXTENSIONS, write_xes
from journeykit.workspace import Workspace

_JK = "journeykit:"
_XES_COLUMNS = ("event_id", "customer_id", "case_id", "timestamp", "event", "touchpoint", "stage", "channel",
                "value", "attributes", "source")
_XES_BATCH_ROWS = 10_000


def export_parquet(ws: Workspace, out_dir: str | Path, partition: bool = True) -> dict[str, Path]:
    """Write ``events`` and ``responses`` as Parquet under ``out_dir``; returns table -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = ws.engine.backend.con
    paths = {}
    for table in (schema.EVENTS, schema.RESPONSES):
        target = out / table
        cols = ", ".join(f'"{c}"' for c in schema.TABLES[table].names)
        if partition:
            con.execute(
                f"COPY (SELECT {cols}, strftime(timestamp, '%Y-%m') AS month FROM {table} "
                f"ORDER BY month, customer_id, timestamp, seq) TO {lit(str(target))} "
                "(FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE true)"
            )
        else:
            target = out / f"{table}.parquet"
            con.execute(f"COPY (SELECT {cols} FROM {table} ORDER BY customer_id, timestamp, seq) "
                        f"TO {lit(str(target))} (FORMAT parquet)")
        paths[table] = target
    return paths


def export_xes(ws: Workspace, path: str | Path, by: str = "case") -> Path:
    """Write the events as an XES log (gzip-compressed when the name ends in ``.gz``).

    One trace per case (``by="case"``, the trace's ``concept:name`` is the case id; events without a case
    id are left out) or per customer (``by="customer"``, named by the customer id).  Each event keeps:

    - its id as ``identity:id`` (Identity extension), its name as ``concept:name`` and its timestamp as
      ``time:timestamp``;
    - every free attribute as a string attribute under its own key (``org:resource``, ``product``, ...);
      the standard extensions of their prefixes (``org``, ``lifecycle``, ...) are declared;
    - the other canonical columns under the journeykit extension (:data:`~journeykit.io.xes.JOURNEYKIT_URI`):
      ``journeykit:customer``, ``journeykit:case`` (per-customer traces only), ``journeykit:touchpoint``,
      ``journeykit:stage``, ``journeykit:channel``, ``journeykit:value`` (a float) and
      ``journeykit:source`` (the file the event was ingested from); the log attribute
      ``journeykit:traces`` says what a trace is.

    Ingesting the file into the same workspace adds nothing (the ids are the same); into another
    workspace it gives the same events, attributes included (touchpoint, stage and source are derived
    again there, from that workspace's journey model and the file).  A free attribute whose key is one the
    export writes itself (``concept:name``, ``identity:id``, ``journeykit:...``) is not written.
    """
    if by not in ("case", "customer"):
        raise InputError("--by", f"unknown trace grouping '{by}' (expected case or customer)")
    key = "case_id" if by == "case" else "customer_id"
    e = ws.engine.events
    table = ws.engine.to_pyarrow(e.filter(e[key].notnull()).order_by([key, "timestamp", "seq"]))
    keys: set[str] = set()
    for chunk in table.column("attributes").chunks:
        keys.update(k for k in pc.unique(chunk.keys).to_pylist() if k is not None)
    prefixes = sorted({k.split(":", 1)[0] for k in keys if ":" in k} & (set(EXTENSIONS) - {"journeykit"}))
    return write_xes(_xes_traces(table, by), path, extensions=["identity", *prefixes, "journeykit"],
                     log_attributes={_JK + "traces": by})


def _xes_traces(table: pa.Table, by: str) -> Iterator[tuple[str, list[dict[str, object]]]]:
    """(trace name, events) of ``table`` (sorted by case or customer), one Arrow batch in Python at a time."""
    current: str | None = None
    events: list[dict[str, object]] = []
    for batch in table.select(list(_XES_COLUMNS)).to_batches(max_chunksize=_XES_BATCH_ROWS):
        cols = [batch.column(c).to_pylist() for c in _XES_COLUMNS]
        for eid, customer, case, ts, name, tp, stage, channel, value, attrs, source in zip(*cols):
            trace = case if by == "case" else customer
            if trace != current:
                if events:
                    yield current, events
                current, events = trace, []
            if ts.tzinfo is None:  # Spark returns naive timestamps in its session time zone, UTC
                ts = ts.replace(tzinfo=timezone.utc)
            event: dict[str, object] = {
                "identity:id": eid, "concept:name": name, "time:timestamp": ts, _JK + "customer": customer,
                _JK + "case": case if by == "customer" else None, _JK + "touchpoint": tp,
                _JK + "stage": stage, _JK + "channel": channel, _JK + "value": value, _JK + "source": source,
            }
            for k, v in attrs or ():
                event.setdefault(k, v)
            events.append(event)
    if events:
        yield current, events
