"""Tests of the ``journeykit ccpm`` commands."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from journeykit.cli import app
from tests.conftest import shared_file

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "ccpm_plan.yaml")
runner = CliRunner()


def test_ccpm_plan_writes_table_and_figures(tmp_path):
    out, fig = tmp_path / "plan.csv", tmp_path / "plan.html"
    res = runner.invoke(app, ["ccpm", "plan", EXAMPLE, "--schedules", "60", "--buffer", "cut_and_paste",
                              "--out", str(out), "--figure", str(fig)])
    assert res.exit_code == 0, res.output
    assert "critical chain:" in res.output and "project buffer" in res.output
    table = pd.read_csv(out)
    assert table["on_chain"].any() and set(table["activity"]) >= {"interviews", "rollout"}
    assert "plotly" in fig.read_text()


def test_ccpm_takes_the_plan_file_as_its_first_argument(tmp_path):
    short, long = tmp_path / "short.csv", tmp_path / "long.csv"
    options = ["--schedules", "60", "--buffer", "cut_and_paste"]
    res = runner.invoke(app, ["ccpm", EXAMPLE, *options, "--out", str(short)])
    assert res.exit_code == 0, res.output
    assert "critical chain:" in res.output and "project buffer" in res.output
    assert runner.invoke(app, ["ccpm", "plan", EXAMPLE, *options, "--out", str(long)]).exit_code == 0
    pd.testing.assert_frame_equal(pd.read_csv(short), pd.read_csv(long))  # the same command


def test_ccpm_plan_file_form_keeps_commands_and_reports_missing_files(tmp_path):
    res = runner.invoke(app, ["ccpm", str(tmp_path / "missing.yaml")])
    assert res.exit_code != 0 and "missing.yaml" in str(res.exception) + res.output
    assert "No such command" not in res.output
    res = runner.invoke(app, ["ccpm", "nonsense"])
    assert res.exit_code == 2 and "No such command 'nonsense'" in res.output
    res = runner.invoke(app, ["ccpm", "--help"])
    assert res.exit_code == 0 and "PLAN [OPTIONS] | COMMAND" in res.output
    assert all(command in res.output for command in ("plan", "status", "portfolio", "cases", "rcpsp"))


def test_ccpm_status_reports_zone_and_eaters(tmp_path):
    progress = tmp_path / "progress.csv"
    progress.write_text("as_of,activity,remaining\n20,interviews,0\n20,log_analysis,0\n20,journey_map,0\n20,concepts,6\n")
    out = tmp_path / "fever.csv"
    res = runner.invoke(app, ["ccpm", "status", EXAMPLE, str(progress), "--schedules", "60", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Activities eating the buffer" in res.output
    fever = pd.read_csv(out)
    assert fever["as_of"].tolist() == [20] and fever["zone"].iloc[0] in {"yellow", "red"}


def test_ccpm_status_rejects_unknown_activity(tmp_path):
    progress = tmp_path / "progress.csv"
    progress.write_text("as_of,activity,remaining\n3,nope,1\n")
    res = runner.invoke(app, ["ccpm", "status", EXAMPLE, str(progress), "--schedules", "30"])
    assert res.exit_code != 0
    assert "nope" in str(res.exception)


def test_ccpm_status_names_the_file_row_and_column_of_a_non_iso_date(tmp_path):
    progress = tmp_path / "progress.csv"
    progress.write_text("date,activity,remaining\n12/01/2026,interviews,3\n")
    res = runner.invoke(app, ["ccpm", "status", EXAMPLE, str(progress), "--start", "2026-01-05", "--schedules", "30"])
    assert res.exit_code != 0
    message = str(res.exception) + res.output
    assert str(progress) in message and "row 1, column 'date'" in message and "ISO date" in message


def test_ccpm_rcpsp_on_psplib():
    res = runner.invoke(app, ["ccpm", "rcpsp", str(shared_file("psplib/j30/j301_1.sm")), "--schedules", "200"])
    assert res.exit_code == 0, res.output
    assert "makespan 43" in res.output and "critical-path bound 38" in res.output


def test_sla_parsing():
    from journeykit.cli.ccpm_cmds import parse_sla
    from journeykit.errors import InputError

    assert parse_sla("48h", "hours") == 48.0
    assert parse_sla("2d", "hours") == 48.0
    assert parse_sla("90m", "hours") == 1.5
    assert parse_sla("36", "hours") == 36.0
    for bad in ("h", "-2h", "3x", "soon"):
        with pytest.raises(InputError, match="positive duration"):
            parse_sla(bad, "hours")


def test_report_section_shows_the_plan_of_the_workspace(tmp_path):
    import shutil

    from journeykit.report.sections import BUILDERS, ccpm
    from journeykit.workspace import Workspace

    assert ccpm.build in BUILDERS
    ws = Workspace.init(tmp_path / "ws")
    assert ccpm.build(ws) is None  # no plan and no support cases yet
    shutil.copy(EXAMPLE, ws.path / "plan.yaml")
    section = ccpm.build(ws)
    assert section.title == "Critical chain plan (CCPM)"
    assert "critical chain interviews" in section.intro or "critical chain log_analysis" in section.intro
    assert [caption for caption, _ in section.tables] == ["Buffers", "Activities"] and len(section.figures) == 2
