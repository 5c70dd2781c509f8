"""Reader for PSPLIB single-mode RCPSP instances (``.sm`` files).

PSPLIB (Kolisch, R. and Sprecher, A. (1997) "PSPLIB - A project scheduling problem library", European
Journal of Operational Research 96(1), 205-216) is the standard benchmark of the resource-constrained
project scheduling problem.  A ``.sm`` file holds one project: jobs ``1..n`` including a dummy source
(job 1) and a dummy sink (job n), finish-to-start successors, one duration and the per-period demand of
each renewable resource per job, and the resources' capacities.  The header's ``MPM-Time`` is the
critical-path length (the makespan without resource limits).

The reader checks every section it reads and raises :class:`journeykit.errors.InputError` naming the file,
the line and what was expected; it never guesses.  Jobs are renumbered from 0 (file job ``j`` is index
``j - 1``).
"""

from __future__ import annotations

import graphlib
import re
from dataclasses import dataclass
from pathlib import Path

from journeykit.errors import InputError

@dataclass(frozen=True)
class PsplibInstance:
    """One single-mode RCPSP instance read from PSPLIB.

    Attributes
    ----------
    name : str
        The file name without extension, e.g. ``"j301_1"``.
    n_jobs : int
        Number of jobs including the dummy source (index 0) and sink (index ``n_jobs - 1``).
    durations : tuple of int
        Duration of each job (0 for the dummies).
    successors : tuple of tuple of int
        0-based finish-to-start successors of each job, in file order.
    demands : tuple of tuple of int
        ``demands[j][k]``: units of renewable resource ``k`` job ``j`` needs in every period it runs.
    capacities : tuple of int
        Units of each renewable resource available in every period.
    resource_names : tuple of str
        The resources' names in the file (``"R1"``, ``"R2"``, ...).
    horizon : int
        The file's horizon (an upper bound on the makespan: the sum of durations).
    mpm_time : int
        Critical-path length stated in the file's project information.
    release_date, due_date, tardiness_cost : int
        The other project-information fields.
    base_file : str
        The ProGen base data file the instance was generated from (e.g. ``"j30_17.bas"``).
    seed : int
        ProGen's random seed.
    """

    name: str
    n_jobs: int
    durations: tuple[int, ...]
    successors: tuple[tuple[int, ...], ...]
    demands: tuple[tuple[int, ...], ...]
    capacities: tuple[int, ...]
    resource_names: tuple[str, ...]
    horizon: int
    mpm_time: int
    release_date: int = 0
    due_date: int = 0
    tardiness_cost: int = 0
    base_file: str = ""
    seed: int = 0

    @property
    def n_resources(self) -> int:
        """Number of renewable resources."""
        return len(self.capacities)

    def predecessors(self) -> tuple[tuple[int, ...], ...]:
        """0-based immediate predecessors of each job (the inverse of :attr:`successors`)."""
        preds: list[list[int]] = [[] for _ in range(self.n_jobs)]
        for j, succ in enumerate(self.successors):
            for s in succ:
                preds[s].append(j)
        return tuple(tuple(p) for p in preds)


class _Lines:
    """The file's lines with a cursor; errors name the file and the 1-based line."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.lines = text.splitlines()
        self.pos = 0

    def error(self, message: str, line: int | None = None) -> InputError:
        line = self.pos if line is None else line
        return InputError(self.file, f"line {line}: {message}")

    def next(self, what: str) -> str:
        """The next line (cursor advances); ``what`` names it in the end-of-file error."""
        if self.pos >= len(self.lines):
            raise InputError(self.file, f"unexpected end of file: expected {what}")
        self.pos += 1
        return self.lines[self.pos - 1]

    def seek(self, title: str) -> None:
        """Move the cursor past the line starting with ``title`` (a section heading)."""
        for i in range(self.pos, len(self.lines)):
            if self.lines[i].strip().upper().startswith(title):
                self.pos = i + 1
                return
        raise InputError(self.file, f"section '{title}' not found (is this a PSPLIB .sm file?)")

    def ints(self, what: str, count: int | None = None) -> list[int]:
        """The next line as integers; ``count`` is the exact number expected (None: any, at least one)."""
        raw = self.next(what)
        tokens = raw.split()
        try:
            values = [int(t) for t in tokens]
        except ValueError:
            raise self.error(f"expected {what} as integers, got {raw.strip()!r}") from None
        if count is not None and len(values) != count:
            raise self.error(f"expected {count} integers ({what}), got {len(values)}: {raw.strip()!r}")
        if not values:
            raise self.error(f"expected {what}, got an empty line")
        return values


def _header_value(lines: _Lines, key: str) -> int:
    """Integer after the colon of the header line starting with ``key`` (searched from the top)."""
    for i, line in enumerate(lines.lines):
        head, sep, value = line.partition(":")
        if sep and head.strip().lower().startswith(key):
            token = value.split()[0] if value.split() else ""
            if not token.isdigit():
                raise lines.error(f"'{key}' must be a non-negative integer, got {value.strip()!r}", i + 1)
            return int(token)
    raise InputError(lines.file, f"header field '{key}' not found (is this a PSPLIB .sm file?)")


def _header_text(lines: _Lines, key: str) -> str:
    for line in lines.lines:
        head, sep, value = line.partition(":")
        if sep and head.strip().lower().startswith(key):
            return value.strip()
    return ""


def parse_psplib(text: str, name: str = "instance", file: str = "<string>") -> PsplibInstance:
    """Parse the text of a PSPLIB ``.sm`` file; see :func:`read_psplib`."""
    lines = _Lines(file, text)
    if _header_value(lines, "projects") != 1:
        raise InputError(file, "only single-project files are supported ('projects' must be 1)")
    n = _header_value(lines, "jobs")
    if n < 2:
        raise InputError(file, f"'jobs' must count at least the dummy source and sink, got {n}")
    horizon = _header_value(lines, "horizon")
    n_renewable = _header_value(lines, "- renewable")
    for other in ("- nonrenewable", "- doubly constrained"):
        if _header_value(lines, other) != 0:
            raise InputError(file, f"'{other.lstrip('- ')}' resources are not supported (must be 0)")

    lines.seek("PROJECT INFORMATION")
    lines.next("the project information column titles")
    _, n_real, release, due, tardcost, mpm = lines.ints("the project information", 6)
    if n_real != n - 2:
        raise lines.error(f"#jobs {n_real} disagrees with the header's {n} jobs including source and sink")

    lines.seek("PRECEDENCE RELATIONS")
    lines.next("the precedence column titles")
    successors: list[tuple[int, ...]] = []
    for j in range(1, n + 1):
        row = lines.ints(f"the precedence row of job {j}")
        if len(row) < 3 or row[0] != j:
            raise lines.error(f"expected the precedence row of job {j} (jobnr, #modes, #successors, ...)")
        if row[1] != 1:
            raise lines.error(f"job {j} has {row[1]} modes; only single-mode (.sm) instances are supported")
        succ = row[3:]
        if len(succ) != row[2]:
            raise lines.error(f"job {j} declares {row[2]} successors but lists {len(succ)}")
        bad = [s for s in succ if not 1 <= s <= n or s == j]
        if bad:
            raise lines.error(f"job {j} has invalid successor(s) {bad} (jobs are 1..{n}, not itself)")
        successors.append(tuple(s - 1 for s in succ))

    lines.seek("REQUESTS/DURATIONS")
    lines.next("the requests column titles")
    if not set(lines.next("the dashed rule under the requests titles").strip()) <= {"-"}:
        raise lines.error("expected a dashed rule under the requests column titles")
    durations: list[int] = []
    demands: list[tuple[int, ...]] = []
    for j in range(1, n + 1):
        row = lines.ints(f"the request row of job {j}", 3 + n_renewable)
        if row[0] != j or row[1] != 1:
            raise lines.error(f"expected the request row of job {j} in mode 1, got job {row[0]} mode {row[1]}")
        if min(row[2:]) < 0:
            raise lines.error(f"job {j} has a negative duration or demand")
        durations.append(row[2])
        demands.append(tuple(row[3:]))

    lines.seek("RESOURCEAVAILABILITIES")
    titles = lines.next("the resource names")
    names = tuple(t.replace(" ", "") for t in re.findall(r"[A-Za-z]+\s*\d+", titles))
    if len(names) != n_renewable:
        raise lines.error(f"expected {n_renewable} resource names, got {titles.strip()!r}")
    capacities = tuple(lines.ints("the resource availabilities", n_renewable))

    try:
        graphlib.TopologicalSorter(dict(enumerate(successors))).prepare()
    except graphlib.CycleError as exc:
        cycle = " -> ".join(str(j + 1) for j in reversed(exc.args[1]))
        raise InputError(file, f"the precedence relations contain a cycle: {cycle}") from None
    return PsplibInstance(
        name=name,
        n_jobs=n,
        durations=tuple(durations),
        successors=tuple(successors),
        demands=tuple(demands),
        capacities=capacities,
        resource_names=names,
        horizon=horizon,
        mpm_time=mpm,
        release_date=release,
        due_date=due,
        tardiness_cost=tardcost,
        base_file=_header_text(lines, "file with basedata"),
        seed=_header_value(lines, "initial value random generator"),
    )


def read_psplib(path: str | Path) -> PsplibInstance:
    """Read a PSPLIB single-mode RCPSP instance (``.sm`` file).

    Parameters
    ----------
    path : str or Path
        The ``.sm`` file.

    Returns
    -------
    PsplibInstance
        Jobs renumbered from 0 (file job ``j`` is index ``j - 1``), the dummy source first and the
        dummy sink last.

    Raises
    ------
    journeykit.errors.InputError
        The file is missing or malformed: a missing section or header field, a row of the wrong job or
        with the wrong number of fields, a multi-mode job, a successor outside ``1..n``, a negative
        duration or demand, or a precedence cycle.  The message names the file and the line.

    Examples
    --------
    >>> inst = read_psplib("psplib/j30/j301_1.sm")  # doctest: +SKIP
    >>> inst.n_jobs, inst.mpm_time, inst.capacities  # doctest: +SKIP
    (32, 38, (12, 13, 4, 12))
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    return parse_psplib(text, name=path.stem, file=str(path))


__all__ = ["PsplibInstance", "parse_psplib", "read_psplib"]
