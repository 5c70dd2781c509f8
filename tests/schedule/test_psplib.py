"""Tests of the PSPLIB .sm reader (journeykit.io.psplib)."""

from __future__ import annotations

import csv

import pytest

from journeykit.errors import InputError
from journeykit.io.psplib import parse_psplib, read_psplib
from tests.conftest import shared_file

SMALL = """\
************************************************************************
file with basedata            : tiny.bas
initial value random generator: 7
************************************************************************
projects                      :  1
jobs (incl. supersource/sink ):  5
horizon                       :  9
RESOURCES
  - renewable                 :  2   R
  - nonrenewable              :  0   N
  - doubly constrained        :  0   D
************************************************************************
PROJECT INFORMATION:
pronr.  #jobs rel.date duedate tardcost  MPM-Time
    1      3      0       7        2       7
************************************************************************
PRECEDENCE RELATIONS:
jobnr.    #modes  #successors   successors
   1        1          2           2   3
   2        1          1           4
   3        1          1           5
   4        1          1           5
   5        1          0
************************************************************************
REQUESTS/DURATIONS:
jobnr. mode duration  R 1  R 2
------------------------------------------------------------------------
  1      1     0       0    0
  2      1     3       2    0
  3      1     2       1    1
  4      1     4       0    2
  5      1     0       0    0
************************************************************************
RESOURCEAVAILABILITIES:
  R 1  R 2
    2    2
************************************************************************
"""


def test_parse_small_instance_fields():
    inst = parse_psplib(SMALL, name="tiny")
    assert inst.n_jobs == 5
    assert inst.durations == (0, 3, 2, 4, 0)
    assert inst.successors == ((1, 2), (3,), (4,), (4,), ())
    assert inst.predecessors() == ((), (0,), (0,), (1,), (2, 3))
    assert inst.demands[2] == (1, 1)
    assert inst.capacities == (2, 2)
    assert inst.resource_names == ("R1", "R2")
    assert (inst.horizon, inst.mpm_time, inst.due_date, inst.tardiness_cost) == (9, 7, 7, 2)
    assert (inst.base_file, inst.seed, inst.n_resources) == ("tiny.bas", 7, 2)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("   2        1          1           4", "   2        1          2           4", "declares 2 successors but lists 1"),
        ("   2        1          1           4", "   2        1          1           9", r"invalid successor\(s\) \[9\]"),
        ("   2        1          1           4", "   2        2          1           4", "2 modes"),
        ("   4        1          1           5", "   4        1          1           2", "cycle: "),
        ("  3      1     2       1    1", "  3      1     2       1", "expected 5 integers"),
        ("  3      1     2       1    1", "  3      1    -2       1    1", "negative duration"),
        ("  3      1     2       1    1", "  4      1     2       1    1", "request row of job 3"),
        ("    1      3      0", "    1      4      0", "#jobs 4 disagrees"),
        ("PRECEDENCE RELATIONS:", "PRECEDENCES:", "section 'PRECEDENCE RELATIONS' not found"),
        ("    2    2\n", "    2    x\n", "resource availabilities as integers"),
        ("  - nonrenewable              :  0", "  - nonrenewable              :  1", "'nonrenewable' resources"),
        ("horizon                       :  9", "horizon :  nine", "'horizon' must be a non-negative integer"),
    ],
)
def test_malformed_files_raise_precise_errors(old, new, message):
    assert old in SMALL
    with pytest.raises(InputError, match=message):
        parse_psplib(SMALL.replace(old, new), file="bad.sm")


def test_error_names_file_and_line():
    text = SMALL.replace("   3        1          1           5", "   3        1          1           7")
    with pytest.raises(InputError) as info:
        parse_psplib(text, file="bad.sm")
    assert str(info.value).startswith("bad.sm: line 21: job 3 has invalid successor(s) [7]")


def test_truncated_file():
    with pytest.raises(InputError, match="unexpected end of file"):
        parse_psplib(SMALL.split("RESOURCEAVAILABILITIES")[0] + "RESOURCEAVAILABILITIES:\n  R 1  R 2\n")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot read the file"):
        read_psplib(tmp_path / "nope.sm")


def _critical_path_length(inst) -> int:
    """Longest path from source to sink (jobs are numbered topologically in PSPLIB)."""
    finish = [0] * inst.n_jobs
    for j in range(inst.n_jobs):
        start = max((finish[p] for p in inst.predecessors()[j]), default=0)
        finish[j] = start + inst.durations[j]
    return finish[-1]


def test_all_reference_instances_read_and_match_mpm_time():
    reference = shared_file("psplib/reference_makespans.csv")
    with reference.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 960
    for row in rows[::8]:
        inst = read_psplib(reference.parent / row["set"] / f"{row['instance']}.sm")
        assert inst.n_jobs == int(row["jobs"])
        assert inst.mpm_time == int(row["cpm_lb"]) == _critical_path_length(inst)
        assert inst.successors[-1] == () and inst.predecessors()[0] == ()
        assert sum(inst.durations) <= inst.horizon


def test_first_j30_instance_literal_values():
    inst = read_psplib(shared_file("psplib/j30/j301_1.sm"))
    assert inst.name == "j301_1"
    assert inst.capacities == (12, 13, 4, 12)
    assert inst.successors[0] == (1, 2, 3)
    assert inst.durations[1:4] == (8, 4, 6)
    assert inst.demands[2] == (10, 0, 0, 0)
    assert inst.mpm_time == 38
