"""``journeykit benchmark`` and ``journeykit insight ...`` on a workspace of simulated journeys."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from journeykit.cli import app
from journeykit.model import load_model
from journeykit.simulate import simulate
from journeykit.workspace import EXAMPLE_MODEL, Workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "ws"
    data = simulate(load_model(EXAMPLE_MODEL), customers=6000, seed=5)
    with Workspace.init(path) as ws:
        ws.engine.insert("events", data.events)
        ws.engine.insert("responses", data.responses)
    return path


def _run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def test_benchmark_command_prints_the_formula_and_writes_scores(workspace, tmp_path):
    out = tmp_path / "scores.csv"
    result = _run("benchmark", "-w", str(workspace), "--by", "segment", "--support", "support_contact",
                  "-r", "default", "-r", str(EXAMPLES / "benchmark_reference.yaml"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "clip((x − worst) / (frontier − worst), 0, 1)" in result.output
    assert "2026.1+2026-Q1" in result.output  # the combined, versioned reference set
    scores = pd.read_csv(out)
    assert {"all", "segment=consumer", "segment=business"} == set(scores["group"])
    assert "conversion:purchase" in set(scores["kpi_id"])  # scored only thanks to the user's reference


def test_benchmark_rejects_a_bad_reference(workspace, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '1'\nrows:\n  - {kpi: csat, unit: points, value: 80, source: x, year: '2024'}\n", encoding="utf-8")
    result = _run("benchmark", "-w", str(workspace), "-r", str(bad))
    assert result.exit_code != 0
    assert "rows[0].unit: 'points' is not a unit of csat" in str(result.exception)


def test_insight_commands(workspace, tmp_path):
    moments = _run("insight", "moments", "-w", str(workspace), "-e", "slow:shipping>5d", "-e", "visit:setup_help",
                   "-e", "loop:troubleshooting", "--replicates", "200", "--out", str(tmp_path / "m.csv"))
    assert moments.exit_code == 0, moments.output
    assert "not proven causes" in moments.output
    assert pd.read_csv(tmp_path / "m.csv").iloc[0]["driver"] == "slow:shipping>5d"
    chain = _run("insight", "value-chain", "-w", str(workspace), "--chain", str(EXAMPLES / "value_chain.yaml"))
    assert chain.exit_code == 0, chain.output
    assert "warehouse_staff" in chain.output and "Improvements" in chain.output
    fb = _run("insight", "feedback", "-w", str(workspace), "-k", "4")
    assert fb.exit_code == 0, fb.output
    assert "NPS impact" in fb.output
    process = _run("insight", "process", "-w", str(workspace), "--a-segment", "segment=consumer",
                   "--b-segment", "segment=business", "--min-count", "20")
    assert process.exit_code == 0, process.output
    assert "segment=consumer vs segment=business" in process.output
    # per stage, the table's steps are stage names; --by case takes the case id as the journey
    stages = _run("insight", "process", "-w", str(workspace), "--a-segment", "segment=consumer",
                  "--b-segment", "segment=business", "--level", "stage", "--out", str(tmp_path / "p.csv"))
    assert stages.exit_code == 0, stages.output
    assert set(pd.read_csv(tmp_path / "p.csv")["source"]) <= {"awareness", "consideration", "purchase",
                                                             "post-purchase", "loyalty"}


def test_insight_errors_are_one_line(workspace):
    result = _run("insight", "moments", "-w", str(workspace), "-e", "slow:shiping>5d")
    assert result.exit_code != 0
    assert "unknown touchpoint 'shiping'" in str(result.exception)
    weight = _run("benchmark", "-w", str(workspace), "--weight", "nps")
    assert weight.exit_code == 2 and "expected KPI=WEIGHT" in weight.output
