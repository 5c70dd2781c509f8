"""Timestamps in report prose and tables: to the minute, dates at midnight."""

from __future__ import annotations

import pandas as pd

from journeykit.report.document import Section, render_html
from journeykit.report.text import readable_times, timestamp_text


def test_timestamps_are_shown_to_the_minute_or_as_dates():
    assert timestamp_text(pd.Timestamp("2026-06-29 21:51:44.956636", tz="UTC")) == "2026-06-29 21:51"
    assert timestamp_text(pd.Timestamp("2026-06-29 23:51:44", tz="Europe/Paris")) == "2026-06-29 21:51"
    assert timestamp_text(pd.Timestamp("2025-03-01", tz="UTC")) == "2025-03-01"
    note = "9 open cases as of 2026-06-29 21:51:44.956636+00:00; cells before 2025-03-01 00:00:00+00:00 (2025-03)"
    assert readable_times(note) == "9 open cases as of 2026-06-29 21:51; cells before 2025-03-01 (2025-03)"


def test_report_notes_and_tables_show_no_seconds():
    started = pd.to_datetime(["2026-04-27 04:59:12.500", "2026-05-01 00:00:00.000", None], utc=True)
    section = Section("Cases", intro="Open cases.", tables=[("Open", pd.DataFrame({"case": ["a", "b", "c"],
                                                                                   "started": started}))],
                      notes=["cells not complete at the last observed event (2026-06-29 16:41:26.540625+00:00)"])
    html = render_html([section])
    assert "(2026-06-29 16:41)" in html and "16:41:26" not in html
    assert "<td>2026-04-27 04:59</td>" in html and "<td>2026-05-01</td>" in html and "04:59:12" not in html
