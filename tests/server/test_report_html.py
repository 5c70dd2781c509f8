"""The static report: one self-contained file that opens offline in Chromium with every chart drawn."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from journeykit.cli import app as cli
from tests.server.browser import CHARTS, chromium, console_errors, require_browser, screenshot

EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


PLOTLY_DIV = re.compile(r'<div id="[^"]+" class="plotly-graph-div"')


@pytest.fixture(scope="module")
def report(demo_path, tmp_path_factory):
    """``journeykit report --out FILE`` on the demo workspace: the file and its number of charts."""
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(cli, ["report", "-w", str(demo_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    charts = len(PLOTLY_DIV.findall(out.read_text(encoding="utf-8")))
    assert charts > 0  # the demo's events give at least the journey map
    return out, charts


def test_report_has_no_external_references(report):
    html = report[0].read_text(encoding="utf-8")
    assert EXTERNAL.findall(html) == []
    assert "Plotly" in html


@pytest.mark.browser
def test_report_opens_offline_with_every_chart_drawn(report, tmp_path):
    require_browser()
    path, figures = report
    with chromium(tmp_path / "profile") as driver:
        driver.get(path.as_uri())
        divs = driver.execute_script(CHARTS)
        screenshot(driver, "report")
        assert len(divs) == figures
        assert [(i, d) for i, d in enumerate(divs) if not all(d)] == []
        assert console_errors(driver) == []
        assert driver.find_element("css selector", "header h1").text.endswith("customer journey report")
