"""Build the whole report of a workspace."""

from __future__ import annotations

from pathlib import Path

from journeykit.report.document import Section, render_html
from journeykit.workspace import Workspace


def build_sections(ws: Workspace) -> list[Section]:
    """Every section the workspace's data supports, in report order."""
    from journeykit.report.sections import BUILDERS

    sections = []
    for build in BUILDERS:
        section = build(ws)
        if section is not None:
            sections.append(section)
    return sections


def write_report(ws: Workspace, out: str | Path) -> Path:
    """Write the self-contained HTML report of ``ws`` to ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = render_html(build_sections(ws), title=f"{ws.model.name}: customer journey report", subtitle=str(ws.path))
    out.write_text(html, encoding="utf-8")
    return out
