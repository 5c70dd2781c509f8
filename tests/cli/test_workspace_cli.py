"""CLI conventions: init, ingest counts, info, one-line errors with exit code 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "journeykit", *args], capture_output=True, text=True, cwd=cwd,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})


def test_init_ingest_info(tmp_path):
    ws = tmp_path / "ws"
    assert run("init", str(ws)).returncode == 0
    csv = tmp_path / "e.csv"
    csv.write_text("cust,ts,event\nc1,2024-01-01T00:00:00Z,product_view\nc2,bad,cart_add\n")
    r = run("ingest", str(csv), "-w", str(ws), "--map", "customer=cust,timestamp=ts")
    assert r.returncode == 0, r.stderr
    assert "read 2 rows = accepted 1 (new 1, already present 0) + rejected 1" in r.stdout
    # the summary masks values to group reasons, then shows the first rejected row in full
    assert "rejected 1: unparseable timestamp '…'" in r.stdout
    assert f"first: {csv} row 2: unparseable timestamp 'bad'" in r.stdout
    r = run("info", "-w", str(ws), "--out", str(tmp_path / "reasons.csv"), "--rejects", str(tmp_path / "rows.csv"))
    assert r.returncode == 0 and "events" in r.stdout
    assert "unparseable timestamp" in (tmp_path / "reasons.csv").read_text()
    rows = (tmp_path / "rows.csv").read_text().splitlines()
    assert rows[0] == "ingest_id,file,row_number,column,reason,raw"
    assert rows[1].startswith(f"1,{csv},2,ts,unparseable timestamp 'bad'") and '""cust"":""c2""' in rows[1]


def test_errors_are_one_line(tmp_path):
    r = run("ingest", "x.csv", "-w", str(tmp_path))
    assert r.returncode == 1
    assert "not a journeykit workspace" in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_every_command_has_help():
    for cmd in ([], ["init"], ["ingest"], ["info"], ["report"], ["demo"], ["analyze"]):
        r = run(*cmd, "--help")
        assert r.returncode == 0, (cmd, r.stderr)
        assert "Usage" in r.stdout


def test_report_sections_announce_themselves_for_the_progress_bar(monkeypatch):
    from journeykit.report import builder, sections
    from journeykit.report.document import Section

    def journey_map(ws):
        return Section("Journey map")

    def moments(ws):
        return None  # a section the data does not support is left out

    journey_map.__module__ = "journeykit.report.sections.journey_map"
    moments.__module__ = "journeykit.report.sections.moments"
    monkeypatch.setattr(sections, "BUILDERS", [journey_map, moments])
    calls = []
    built = builder.build_sections(object(), lambda done, total, name: calls.append((done, total, name)))
    assert calls == [(0, 2, "journey map"), (1, 2, "moments")]
    assert [s.title for s in built] == ["Journey map"]
