"""Export a workspace's canonical tables to Parquet (for Spark or other engines) or XES.

Parquet output is laid out for distributed engines: one folder per table, hive-partitioned by event month
(``month=YYYY-MM``) so date filters prune files; within a month, rows are sorted by customer so each file
holds whole customer histories in order.
"""

from __future__ import annotations

from pathlib import Path

from journeykit.engine import schema
from journeykit.io.validate import lit
from journeykit.io.xes import write_xes
from journeykit.workspace import Workspace


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
    """Write the events as an XES log, one trace per case (``by="case"``) or per customer."""
    key = "case_id" if by == "case" else "customer_id"
    e = ws.engine.events
    df = ws.engine.execute(e.filter(e[key].notnull()).order_by([key, "timestamp", "seq"]))

    def traces():
        for case, g in df.groupby(key, sort=False):
            yield case, (
                {"concept:name": ev, "time:timestamp": ts.to_pydatetime(), "customer": c, "touchpoint": tp}
                for ev, ts, c, tp in zip(g.event, g.timestamp, g.customer_id, g.touchpoint)
            )

    return write_xes(traces(), path)
