"""Obtain a SparkSession for the command line, and the Spark engine over a data location.

Library users pass their own session to :func:`journeykit.connect`; the CLI (``--engine spark``) needs
one made from a master URL and ``key=value`` settings, and must stop it afterwards only if it created it
(under ``spark-submit`` or in a notebook the session belongs to someone else).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from journeykit.engine import schema
from journeykit.engine.backend import Engine
from journeykit.errors import JourneykitError


def spark_session(master: str | None, conf: Mapping[str, str], app_name: str = "journeykit") -> tuple[Any, bool]:
    """The active SparkSession, or a new one on ``master`` with ``conf``.

    Returns
    -------
    (session, created)
        ``created`` is True when this call started the session (the caller then stops it).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise JourneykitError("--engine spark needs the [spark] extra: pip install 'journeykit[spark]'") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    # no console progress bars: they interleave with the command's own output
    builder = SparkSession.builder.appName(app_name).config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session, True


def spark_engine(session: Any, data: str | None) -> Engine:
    """The Spark engine reading the canonical tables under ``data``.

    Parameters
    ----------
    session : pyspark.sql.SparkSession
    data : str or None
        A folder or URI holding ``events/`` and ``responses/`` Parquet in the layout ``journeykit export``
        writes (``s3://…``, ``abfss://…``, ``hdfs://…`` or a local path).  ``None``: the session catalogue's
        tables ``events`` and ``responses``.
    """
    if data is None:
        if not session.catalog.tableExists(schema.EVENTS):
            raise JourneykitError(
                "--engine spark: no --data location given and the Spark catalogue has no table 'events'"
            )
        return Engine.spark(session)
    local = "://" not in data
    paths = {t: f"{data.rstrip('/')}/{t}" for t in (schema.EVENTS, schema.RESPONSES)}
    if local:
        if not Path(paths[schema.EVENTS]).exists():
            raise JourneykitError(
                f"{data}: no events/ folder (write one with 'journeykit export --out {data}')"
            )
        if not Path(paths[schema.RESPONSES]).exists():
            paths[schema.RESPONSES] = None  # type: ignore[assignment]
    return Engine.spark(session, events=paths[schema.EVENTS], responses=paths[schema.RESPONSES])
