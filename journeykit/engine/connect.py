"""``journeykit.connect``: one entry point for both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeykit.engine.backend import Engine


def connect(
    path: str | Path | None = None,
    *,
    spark: Any | None = None,
    events: str | Path | None = None,
    responses: str | Path | None = None,
) -> Engine:
    """Connect to journey data.

    ``connect("ws")`` opens a workspace folder (or a ``.duckdb`` file) on the embedded DuckDB engine;
    ``connect(spark=session, events="s3://…/events")`` runs the same analyses on Apache Spark, reading
    Parquet written by ``journeykit export``.
    """
    if spark is not None:
        return Engine.spark(spark, events=events, responses=responses)
    if path is None:
        path = "."
    path = Path(path)
    if path.is_dir():
        from journeykit.workspace import Workspace

        return Workspace.open(path).engine
    return Engine.duckdb(path)
