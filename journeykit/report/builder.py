"""Build the whole report of a workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from journeykit.report.document import Section, render_html
from journeykit.workspace import Workspace

#: Called before each section is built with (sections done, sections in all, name of the next one).
OnSection = Callable[[int, int, str], None]


def build_sections(ws: Workspace, on_section: OnSection | None = None) -> list[Section]:
    """Every section the workspace's data supports, in report order.

    ``on_section(done, total, name)`` is called before each section is built (a progress bar's hook).
    """
    from journeykit.report.sections import BUILDERS

    sections = []
    for done, build in enumerate(BUILDERS):
        if on_section is not None:
            on_section(done, len(BUILDERS), build.__module__.rsplit(".", 1)[-1].replace("_", " "))
        section = build(ws)
        if section is not None:
            sections.append(section)
    return sections


def write_report(ws: Workspace, out: str | Path, on_section: OnSection | None = None) -> Path:
    """Write the self-contained HTML report of ``ws`` to ``out`` (``on_section``: see :func:`build_sections`)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sections = build_sections(ws, on_section)
    html = render_html(sections, title=f"{ws.model.name}: customer journey report", subtitle=str(ws.path))
    out.write_text(html, encoding="utf-8")
    return out
