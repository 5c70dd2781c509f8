"""Report sections of the insight analyses on a workspace holding simulated journeys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeykit.report.document import render_html
from journeykit.report.sections import BUILDERS, benchmark, feedback, moments, value_chain
from journeykit.workspace import Workspace

EXAMPLE_CHAIN = Path(__file__).resolve().parents[2] / "examples" / "value_chain.yaml"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, simulated):
    ws = Workspace.init(tmp_path_factory.mktemp("insight") / "ws")
    ws.engine.insert("events", simulated.events)
    ws.engine.insert("responses", simulated.responses)
    yield ws
    ws.close()


def test_sections_are_registered():
    for module in (moments, value_chain, benchmark, feedback):
        assert module.build in BUILDERS


def test_insight_sections_render(workspace):
    sections = [module.build(workspace) for module in (moments, value_chain, benchmark, feedback)]
    assert [s.title for s in sections] == ["Moments of truth", "Value chain", "Benchmark", "Feedback themes"]
    mot = sections[0]
    assert "not proven causes" in mot.intro and any("not proven causes" in n for n in mot.notes)
    drivers = mot.tables[0][1]
    assert drivers.sort_values("rank")["driver"].iloc[0].startswith("slow:shipping>")
    assert sections[1].notes[0].startswith("No value_chain.yaml in the workspace")
    assert "clip((x − worst) / (frontier − worst), 0, 1)" in sections[2].intro
    assert len(sections[2].figures) == 2  # scores and the monthly trend of the index
    html = render_html(sections)
    assert html.count("<section") == 4 and "Moments of truth" in html


def test_value_chain_section_uses_the_workspace_file(workspace):
    shutil.copyfile(EXAMPLE_CHAIN, workspace.path / value_chain.VALUE_CHAIN_FILE)
    section = value_chain.build(workspace)
    assert "Online shop value chain" in section.intro
    resources = section.tables[3][1]
    assert "warehouse_staff" in set(resources["resource"])
