"""The self-contained HTML report: sections of figures, tables and notes.

Plotly's JavaScript is inlined once from the installed ``plotly`` package (no CDN), so the file opens
offline.  Each section is produced by a builder in :mod:`journeykit.report.sections`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd

from journeykit.display import readable
from journeykit.report.text import readable_times, timestamps_to_minutes


@dataclass
class Section:
    """One report section.

    Attributes
    ----------
    title : str
    intro : str
        A short paragraph saying what the section shows and how to read it (plain text).
    figures : list of plotly figures
    tables : list of (caption, DataFrame)
    notes : list of str
        Caveats (sample sizes, associations not causes, ...); full timestamps in them are shown to the
        minute.
    """

    title: str
    intro: str = ""
    figures: list = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def anchor(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.title.lower()).strip("-")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
header{background:#243b53;color:#fff;padding:1.2rem 2rem}header h1{margin:0;font-size:1.5rem}
header p{margin:.3rem 0 0;opacity:.8}nav{padding:.6rem 2rem;background:#fff;border-bottom:1px solid #dde}
nav a{margin-right:1rem;color:#334e68;text-decoration:none;font-size:.9rem}
main{padding:1rem 2rem;max-width:1200px}section{background:#fff;border:1px solid #e4e7eb;border-radius:6px;
padding:1rem 1.4rem;margin:1rem 0}h2{margin-top:.2rem;color:#243b53}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}td,th{border:1px solid #e4e7eb;padding:.25rem .5rem;
text-align:right}th{background:#f0f4f8}.note{color:#8d2b0b;font-size:.9rem}.intro{color:#52606d}
caption{text-align:left;font-weight:600;padding:.3rem 0}
"""


def _table_html(caption: str, df: pd.DataFrame, max_rows: int = 30) -> str:
    body = readable(timestamps_to_minutes(df.head(max_rows))).to_html(index=False, border=0)
    more = f"<p class='intro'>… {len(df) - max_rows} more rows</p>" if len(df) > max_rows else ""
    return f"<div><p><strong>{html.escape(caption)}</strong></p>{body}{more}</div>"


def render_html(sections: list[Section], title: str = "Customer journey report", subtitle: str = "") -> str:
    """Render sections into one self-contained HTML document (Plotly JS inlined)."""
    from plotly.offline import get_plotlyjs

    nav = "".join(f"<a href='#{s.anchor()}'>{html.escape(s.title)}</a>" for s in sections)
    parts = []
    for s in sections:
        figs = "".join(
            f.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
            for f in s.figures
        )
        tables = "".join(_table_html(c, df) for c, df in s.tables)
        notes = "".join(f"<p class='note'>{html.escape(readable_times(n))}</p>" for n in s.notes)
        intro = f"<p class='intro'>{html.escape(s.intro)}</p>" if s.intro else ""
        heading = f"<h2>{html.escape(s.title)}</h2>"
        parts.append(f"<section id='{s.anchor()}'>{heading}{intro}{notes}{figs}{tables}</section>")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(subtitle)} · generated {stamp} by journeykit</p></header>"
        f"<nav>{nav}</nav><main>{''.join(parts)}</main></body></html>"
    )
