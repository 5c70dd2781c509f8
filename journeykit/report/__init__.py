"""Plotly figures and the self-contained HTML report."""

from journeykit.report.builder import build_sections, write_report
from journeykit.report.document import Section, render_html

__all__ = ["Section", "build_sections", "render_html", "write_report"]
