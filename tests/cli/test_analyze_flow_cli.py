"""``analyze paths`` and ``analyze timing``: options that do not apply are refused in one line naming them."""

from __future__ import annotations

import pytest

from tests.cli.test_workspace_cli import run

LOG = """cust,case,ts,event
c1,k1,2024-01-01T00:00:00Z,open
c1,k1,2024-01-01T01:00:00Z,wait
c1,k1,2024-01-01T03:00:00Z,close
c2,k2,2024-01-02T00:00:00Z,open
c2,k2,2024-01-02T02:00:00Z,close
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> str:
    """A workspace of two cases whose events are mapped to no stage."""
    root = tmp_path_factory.mktemp("flow")
    csv = root / "e.csv"
    csv.write_text(LOG)
    assert run("init", str(root / "ws")).returncode == 0
    r = run("ingest", str(csv), "-w", str(root / "ws"), "--map", "customer=cust,case=case,timestamp=ts")
    assert r.returncode == 0, r.stderr
    return str(root / "ws")


def refused(*args: str) -> str:
    """The one-line error of a command that must fail with exit code 1."""
    r = run("analyze", *args)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


@pytest.mark.parametrize("gap", ["-5", "0"])
def test_session_gap_must_be_positive(ws, gap):
    line = refused("paths", "-w", ws, "--level", "event", "--anchor", "open", "--session-gap", gap)
    assert line == f"error: --session-gap must be > 0 minutes, got {gap}"


def test_path_options_without_anchor_are_refused(ws):
    line = refused("paths", "-w", ws, "--by", "case", "--level", "event", "--direction", "between", "--until", "close",
                   "--steps", "2", "--top-per-step", "3")
    assert line == (
        "error: --direction, --until, --steps, --top-per-step: only with --anchor "
        "(without it the command shows whole variants)"
    )
    assert refused("paths", "-w", ws, "--level", "event", "-n", "2").startswith("error: --steps: only with --anchor")
    # --top is the number of variants: it applies without an anchor
    r = run("analyze", "paths", "-w", ws, "--by", "case", "--level", "event", "--top", "1")
    assert r.returncode == 0, r.stderr
    assert "Variants of events (by case): 2 journeys" in r.stdout
    assert "1 less frequent variants are grouped into 'other'" in r.stdout


@pytest.mark.parametrize("options", [["--until", "close"], ["--direction", "between"]])
def test_until_and_between_named_as_options(ws, options):
    line = refused("paths", "-w", ws, "--level", "event", "--anchor", "open", *options)
    assert line == "error: --until is required with --direction between and only allowed with it"


def test_between_with_until_runs(ws, tmp_path):
    out = tmp_path / "paths.csv"
    r = run("analyze", "paths", "-w", ws, "--by", "case", "--level", "event", "--anchor", "open",
            "--direction", "between", "--until", "close", "--steps", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text().splitlines() == ["step+1,step+2,count,share", "close,(end),1,0.5", "wait,close,1,0.5"]


@pytest.mark.parametrize(
    ("kind", "options", "named", "why"),
    [
        ("dwell", ["--level", "event"], "--level", "dwell times are per customer and stage"),
        ("dwell", ["--by", "case"], "--by", "dwell times are per customer and stage"),
        ("throughput", ["--by", "customer", "--level", "stage"], "--by, --level",
         "throughput is per case, over all its events"),
    ],
)
def test_timing_refuses_by_and_level_it_ignores(ws, kind, options, named, why):
    line = refused("timing", "-w", ws, "--kind", kind, *options)
    assert line == f"error: --kind {kind} does not take {named} ({why})"


def test_dwell_without_stages_says_what_to_do(ws):
    line = refused("timing", "-w", ws, "--kind", "dwell")
    assert line == (
        "error: none of the 5 events is mapped to a stage "
        "(dwell times are per stage: map events to stages in journey.yaml)"
    )


def test_timing_kinds_taking_by_and_level_run(ws):
    r = run("analyze", "timing", "-w", ws, "--kind", "throughput")
    assert r.returncode == 0, r.stderr
    assert "resolution" in r.stdout
    r = run("analyze", "timing", "-w", ws, "--kind", "between", "--from", "open", "--to", "close", "--by", "case",
            "--level", "event")
    assert r.returncode == 0, r.stderr
    assert "Time from open to close" in r.stdout


