"""Spark fixtures (a pytest plugin of the root conftest): one local session for the whole run, the same seeded data on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeykit.engine import Engine
from journeykit.io.export import export_parquet
from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.simulate import write_parquet
from journeykit.workspace import Workspace


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory):
    pyspark = pytest.importorskip("pyspark", reason="the [spark] extra is not installed")
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("journeykit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    assert pyspark.__version__ >= "3.5"
    yield session
    session.stop()


@pytest.fixture(scope="session")
def parity_workspace(tmp_path_factory) -> tuple[Workspace, Path]:
    """A workspace of simulated journeys (2,000 customers, seed 7) and the folder it was exported to."""
    root: Path = tmp_path_factory.mktemp("parity")
    ws = Workspace.init(root / "ws")
    events, responses = write_parquet(ws.model, root / "sim", customers=2_000, seed=7)
    ingest_files(ws, [events], IngestOptions(target="events"))
    ingest_files(ws, [responses], IngestOptions(target="responses"))
    export_parquet(ws, root / "export")
    return ws, root / "export"


@pytest.fixture(scope="session")
def parity_engines(spark_session, parity_workspace) -> tuple[Engine, Engine]:
    """(DuckDB engine, Spark engine) holding the same simulated journeys."""
    ws, export = parity_workspace
    spark = Engine.spark(spark_session, events=export / "events", responses=export / "responses")
    return ws.engine, spark
