"""CLI commands (pert, plan from-log/explain/convert) and the report section."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from journeykit.cli import app, main
from journeykit.engine.frames import canonical_table
from journeykit.report.sections import pert as pert_section
from journeykit.schedule.plan_io import read_plan
from journeykit.workspace import Workspace
from tests.schedule.test_from_log import _synthetic

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "support_plan.yaml"


def test_pert_command_prints_and_writes(tmp_path):
    out = tmp_path / "activities.csv"
    res = CliRunner().invoke(app, ["pert", str(EXAMPLE), "--deadline", "40", "-n", "2000", "--seed", "1",
                                   "--out", str(out), "--figure", str(tmp_path / "pert.html")],
                             env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    plan = read_plan(EXAMPLE)
    assert f"critical path ({plan.cpm().duration:.4g} hours)" in res.output
    assert "P(finish <= 40)" in res.output
    assert "finish dates from 2026-01-05: P50 2026-01-" in res.output
    table = pd.read_csv(out)
    assert list(table["id"]) == list(plan.ids) and {"criticality", "sensitivity", "total_float"} <= set(table)
    assert (tmp_path / "pert.html").stat().st_size > 100_000  # plotly inlined


def test_pert_command_error_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("activities:\n  - {id: a, duration: 1, predecessors: [b]}\n")
    monkeypatch.setattr(sys, "argv", ["journeykit", "pert", str(bad)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "predecessor 'b' is not an activity of the plan" in err and len(err.splitlines()) == 1


def test_plan_explain_and_convert(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["plan", "explain", str(EXAMPLE), "fix"], env={"COLUMNS": "300"})
    assert res.exit_code == 0 and "'fix' is not critical" in res.output
    target = tmp_path / "plan.xml"
    assert runner.invoke(app, ["plan", "convert", str(EXAMPLE), str(target)]).exit_code == 0
    assert read_plan(target).ids == read_plan(EXAMPLE).ids
    # a CSV cannot hold the example's unit, start, calendar, capacities, correlation and lognormal
    lossy = tmp_path / "plan.csv"
    res = runner.invoke(app, ["plan", "convert", str(EXAMPLE), str(lossy)])
    assert res.exit_code != 0 and not lossy.exists()
    assert "a CSV plan cannot hold the unit (hours" in str(res.exception) and "capacities" in str(res.exception)
    res = runner.invoke(app, ["plan", "convert", str(EXAMPLE), str(lossy), "--allow-loss"], env={"COLUMNS": "300"})
    assert res.exit_code == 0 and "not in the CSV: the start date (2026-01-05)" in res.output
    assert read_plan(lossy).ids == read_plan(EXAMPLE).ids


def _workspace_with_cases(tmp_path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws")
    events, _, _ = _synthetic(100)
    events["stage"] = events["stage"].replace({"support": "post-purchase"})
    ws.engine.backend.insert("events", canonical_table(events))
    return ws


def test_plan_from_log_command_writes_a_plan(tmp_path):
    ws = _workspace_with_cases(tmp_path)
    out = tmp_path / "plan.yaml"
    res = CliRunner().invoke(app, ["plan", "from-log", "--process", "post-purchase", "--out", str(out),
                                   "--deadline", "24", "-w", str(ws.path)], env={"COLUMNS": "200"})
    ws.close()
    assert res.exit_code == 0, res.output
    assert read_plan(out).ids == ("triage", "fix", "close")
    assert "P(done within 24 hours) = " in res.output and "observed on the main-path cases" in res.output


def test_plan_estimate_command(tmp_path):
    ws = _workspace_with_cases(tmp_path)
    res = CliRunner().invoke(app, ["plan", "estimate", "--from", "triage", "--to", "fix", "--fit", "empirical",
                                   "-w", str(ws.path), "--out", str(tmp_path / "est.csv")], env={"COLUMNS": "200"})
    ws.close()
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "est.csv")
    assert table.at[0, "n"] == 80 and table.at[0, "fitted"] == "empirical"  # 100 cases, every 5th skips triage


def test_report_section_from_the_log_and_from_plan_yaml(tmp_path):
    ws = _workspace_with_cases(tmp_path)
    section = pert_section.build(ws)
    assert section is not None and "triage -> fix -> close" in section.intro and len(section.figures) == 4
    (ws.path / "plan.yaml").write_text(EXAMPLE.read_text())
    section = pert_section.build(ws)
    assert "plan.yaml" in section.intro
    ws.close()


def test_report_section_is_absent_without_data(tmp_path):
    ws = Workspace.init(tmp_path / "empty")
    assert pert_section.build(ws) is None
    ws.close()


def test_pert_command_reads_psplib():
    from tests.conftest import shared_file

    path = shared_file("psplib/j30/j301_1.sm")
    res = CliRunner().invoke(app, ["pert", str(path), "-n", "0"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "critical path (38 periods)" in res.output  # MPM-Time of j301_1
