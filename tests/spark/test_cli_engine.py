"""``journeykit --engine spark``: the same CLI commands on Spark give the same tables as on DuckDB."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from journeykit.cli import app
from journeykit.errors import JourneykitError

pytestmark = pytest.mark.spark

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "transitions", "--level", "stage"],
        ["analyze", "funnel", "--steps", "product_view,cart_add,checkout", "--window", "7d"],
        ["analyze", "cohorts", "--entry", "payment", "--returning", "repeat_purchase", "--period", "month"],
    ],
    ids=["transitions", "funnel", "cohorts"],
)
def test_same_table_on_both_engines(spark_session, parity_workspace, tmp_path, command):
    ws, export = parity_workspace
    on_duckdb, on_spark = tmp_path / "duckdb.csv", tmp_path / "spark.csv"
    r = _run(*command, "-w", str(ws.path), "--out", str(on_duckdb))
    assert r.exit_code == 0, r.output
    r = _run("--engine", "spark", "--data", str(export), *command, "-w", str(ws.path), "--out", str(on_spark))
    assert r.exit_code == 0, r.output
    a, b = pd.read_csv(on_duckdb), pd.read_csv(on_spark)
    assert len(a) > 0
    keys = list(a.columns)
    pd.testing.assert_frame_equal(
        a.sort_values(keys).reset_index(drop=True), b.sort_values(keys).reset_index(drop=True), rtol=1e-9
    )
    # the CLI reused the test's session and left it running
    assert spark_session.range(3).count() == 3


def test_duckdb_only_commands_refuse_spark(spark_session, parity_workspace):
    ws, export = parity_workspace
    r = _run("--engine", "spark", "--data", str(export), "ingest", "x.csv", "-w", str(ws.path))
    assert r.exit_code != 0
    assert isinstance(r.exception, JourneykitError) and "DuckDB database only" in str(r.exception)


def test_missing_data_location_is_named(spark_session, parity_workspace, tmp_path):
    ws, _ = parity_workspace
    r = _run("--engine", "spark", "--data", str(tmp_path / "nowhere"), "analyze", "transitions", "-w", str(ws.path))
    assert isinstance(r.exception, JourneykitError)
    assert "nowhere: no events/ folder" in str(r.exception)


def test_spark_options_need_spark_engine(parity_workspace):
    ws, export = parity_workspace
    r = _run("--data", str(export), "analyze", "transitions", "-w", str(ws.path))
    assert r.exit_code == 2 and "need --engine spark" in r.output


def test_info_counts_the_spark_tables(spark_session, parity_workspace):
    ws, export = parity_workspace
    r = _run("--engine", "spark", "--data", str(export), "info", "-w", str(ws.path))
    assert r.exit_code == 0, r.output
    events = ws.engine.count("events")
    assert f"{events:,}" in r.output
    assert "rejects" not in r.output  # the housekeeping tables live in the DuckDB file only
