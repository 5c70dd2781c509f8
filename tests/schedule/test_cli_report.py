"""CLI commands (pert, plan from-log/explain/convert) and the report section."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
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
    ws.engine.insert("events", canonical_table(events))
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


def _workspace(tmp_path, events: pd.DataFrame, model: dict | None = None) -> Workspace:
    """A workspace holding ``events`` (stage and touchpoint set), with the example model or ``model``."""
    source = None
    if model is not None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        source = tmp_path / "journey.yaml"
        source.write_text(yaml.safe_dump(model))
    ws = Workspace.init(tmp_path / "ws", model=source)
    ws.engine.insert("events", canonical_table(events))
    return ws


HELPDESK_STAGES = {"open": "intake", "triage": "handling", "fix": "handling", "close": "resolution"}


def _helpdesk_model(**extra) -> dict:
    touchpoints = [{"name": tp, "stage": stage} for tp, stage in HELPDESK_STAGES.items()] + [
        {"name": "nps", "stage": "loyalty"}]
    return {"stages": ["intake", "handling", "resolution", "loyalty"], "touchpoints": touchpoints, **extra}


def test_support_process_is_named_in_the_model_or_found_by_name(tmp_path):
    events, _, _ = _synthetic(100)
    events["stage"] = events["touchpoint"].map(HELPDESK_STAGES).fillna(events["stage"])
    ws = _workspace(tmp_path / "a", events, _helpdesk_model())
    assert pert_section.support_process(ws) is None and pert_section.build(ws) is None  # no stage by the name rule
    ws.close()
    ws = _workspace(tmp_path / "b", events, _helpdesk_model(support_stages=["intake", "handling", "resolution"]))
    assert pert_section.support_process(ws) == ("intake, handling, resolution", ["open", "triage", "fix", "close"])
    section = pert_section.build(ws)
    assert "'intake, handling, resolution' cases that start at open" in section.intro
    assert "triage -> fix -> close" in section.intro
    ws.close()
    ws = _workspace(tmp_path / "c", events, _helpdesk_model(support_stages="handling"))
    assert pert_section.support_process(ws) == ("handling", "handling")
    ws.close()
    ws = _workspace(tmp_path / "d", events.assign(stage="post-purchase"))  # the example model: by name
    assert pert_section.support_process(ws) == ("post-purchase", "post-purchase")
    ws.close()
    model = _helpdesk_model()
    model["stages"].append("customer support")
    ws = _workspace(tmp_path / "e", events, model)
    assert pert_section.support_process(ws) == ("customer support", "customer support")  # found by name
    ws.close()
    ws = _workspace(tmp_path / "f", events, {**model, "support_stages": []})  # ... unless turned off
    assert pert_section.support_process(ws) is None and pert_section.build(ws) is None
    ws.close()


def test_report_sections_plan_each_kind_of_case(tmp_path):
    from journeykit.report.sections import ccpm as ccpm_section
    from tests.schedule.test_from_log import _two_kinds

    ws = _workspace(tmp_path, _two_kinds())
    pert = pert_section.build(ws)
    assert "cases that start at ship" in pert.intro and "deliver -> survey" in pert.intro
    assert pert.notes[0].startswith("9 cases start at ship; 6 (67%) follow the main path")
    assert any(n.startswith("another kind of 'post-purchase' case: 4 cases start at contact") for n in pert.notes)
    live = ccpm_section.build(ws)
    table = live.tables[0][1].set_index("case")
    assert sorted(table.index) == ["O8", "T3"] and table.loc["T3", "kind"] == "contact"
    assert "cases that start at contact (closed at resolved)" in live.intro and "2 cases are open" in live.intro
    ws.close()


def test_ccpm_cases_command_closes_each_kind_at_its_own_end(tmp_path):
    from tests.schedule.test_from_log import _two_kinds

    ws = _workspace(tmp_path, _two_kinds())
    ws.close()
    out = tmp_path / "cases.csv"
    res = CliRunner().invoke(app, ["ccpm", "cases", "--sla", "4d", "-p", "post-purchase", "-w", str(ws.path),
                                   "--out", str(out)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "open cases: 2 " in res.output and "4 cases start at contact" in res.output
    table = pd.read_csv(out)
    assert dict(zip(table["case"], table["kind"])) == {"O8": "ship", "T3": "contact"}
    assert (table["due"] == 96.0).all()


def test_helpdesk_stages_named_in_the_model_get_a_support_plan(tmp_path):
    from tests.report.conftest import HELPDESK_MODEL, helpdesk_workspace

    assert pert_section.build(ws := helpdesk_workspace(tmp_path / "plain")) is None  # no stage by the name rule
    ws.close()
    ws = helpdesk_workspace(tmp_path / "named", HELPDESK_MODEL + "support_stages: [intake, handling, resolution]\n")
    section = pert_section.build(ws)
    ws.close()
    assert "'intake, handling, resolution' cases that start at insert" in section.intro
    assert section.notes[0].startswith("80 cases start at insert;")
