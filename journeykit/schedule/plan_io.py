"""Read and write plans: YAML, CSV, MS Project XML (MSPDI) and PSPLIB ``.sm``, chosen by extension.

YAML form (``examples/support_plan.yaml``)::

    name: Post-purchase support
    unit: hours
    start: 2026-01-05                 # optional, with a calendar
    calendar: {workdays: [Mon, Tue, Wed, Thu, Fri], holidays: [2026-01-06], hours_per_day: 8}
    resources: {agent: 3}             # optional capacities (CCPM)
    correlations:                     # optional, between activity durations (Monte Carlo)
      - [triage, fix, 0.5]
    activities:
      - id: triage
        name: Triage the ticket
        estimate: [0.5, 1, 3]         # three-point (o, m, p): beta-PERT
        resources: {agent: 1}
      - id: fix
        duration: 4                   # or a fixed duration
        predecessors: [triage]
      - id: reply
        distribution: {kind: lognormal, mean: 2, std: 1}   # or any distribution
        predecessors: ["fix SS+1", {id: triage, type: FF, lag: 0}]

CSV form: one row per activity with columns ``id``, ``name`` (optional), either ``optimistic``,
``most_likely``, ``pessimistic`` (and optionally ``distribution`` = ``beta_pert``/``triangular``) or
``duration``, ``predecessors`` (``"a; b SS+2; c FF-1"``; commas also separate them when the cell has no
``;``) and ``resources`` (``"agent=1; desk=2"``).

Every problem is collected and reported at once with its location (``activities[2].estimate``, ``row 3``).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from journeykit.errors import InputError
from journeykit.schedule.calendar import Calendar
from journeykit.schedule.durations import BetaPert, Duration, Fixed, duration_from
from journeykit.schedule.errors import DurationError, PlanError
from journeykit.schedule.network import Activity, Dependency, Plan

_PRED = re.compile(r"^\s*(?P<id>\S.*?)(?:\s+(?P<type>FS|SS|FF|SF)\s*(?P<lag>[+-]\s*\d+(?:\.\d*)?)?)?\s*$", re.I)


def parse_predecessor(text: str, succ: str, ids: Collection[str] | None = None) -> Dependency:
    """``"b"``, ``"b FS"``, ``"b SS+2"``, ``"b FF-1.5"`` -> a dependency ``b -> succ``.

    Ids may contain spaces (steps discovered from an event log: ``"Take in charge ticket SS+1"``).  Given
    the plan's activity ``ids``, a text that is an id names that activity whatever it ends with, and an id
    followed by a relation must be one of them.
    """
    text = text.strip()
    if ids is not None and text in ids:
        return Dependency(text, succ, "FS", 0.0)
    m = _PRED.match(text)
    if not m:
        raise PlanError([f"activity '{succ}': cannot read predecessor {text!r} (expected 'id', 'id SS' or 'id SS+2')"])
    if ids is not None and m["id"] not in ids:
        known = max((i for i in ids if text.startswith(f"{i} ")), key=len, default=None)
        if known is not None:  # 'a XX+1', 'a FS+x': a known activity followed by something that is no link
            rest = text[len(known):].strip()
            raise PlanError([f"activity '{succ}': predecessor '{known}': cannot read the link {rest!r} (expected "
                             "FS, SS, FF or SF with an optional lag in the plan's unit, e.g. SS+2)"])
        raise PlanError([f"activity '{succ}': predecessor '{m['id']}' is not an activity of the plan"])
    lag = float(m["lag"].replace(" ", "")) if m["lag"] else 0.0
    return Dependency(m["id"], succ, (m["type"] or "FS").upper(), lag)


def _read_predecessors(
    written: list[tuple[str, str, str]], ids: Collection[str], problems: list[str]
) -> list[Dependency]:
    """The predecessors given as text ``(location, text, successor)``, read against the plan's activity
    ``ids``; unreadable ones are added to ``problems`` with their location."""
    deps = []
    for where, text, aid in written:
        try:
            deps.append(parse_predecessor(text, aid, ids))
        except PlanError as exc:
            problems += [f"{where}: {p}" for p in exc.problems]
    return deps


def _format_predecessor(dep: Dependency) -> str:
    if dep.type == "FS" and dep.lag == 0:
        return dep.pred
    lag = f"{dep.lag:+g}" if dep.lag else ""
    return f"{dep.pred} {dep.type}{lag}"


def _duration_of(spec: dict[str, Any]) -> Duration:
    given = [k for k in ("estimate", "duration", "distribution") if spec.get(k) is not None]
    if len(given) != 1:
        raise DurationError(f"give exactly one of estimate, duration or distribution (got {given or 'none'})")
    key = given[0]
    value = spec[key]
    if key == "estimate" and not (isinstance(value, (list, tuple)) and len(value) == 3):
        raise DurationError(f"estimate must be [optimistic, most_likely, pessimistic], got {value!r}")
    if key == "duration" and isinstance(value, (list, tuple, dict)):
        raise DurationError(f"duration must be one number (use estimate or distribution), got {value!r}")
    if key == "distribution" and not isinstance(value, dict):
        raise DurationError(f"distribution must be a mapping with a 'kind', got {value!r}")
    return duration_from(value)


def plan_from_dict(data: Any, source: str = "plan") -> Plan:
    """Build a plan from the YAML structure described in the module docstring."""
    if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
        raise PlanError(["expected a mapping with an 'activities' list"], source)
    allowed = {"name", "unit", "start", "calendar", "resources", "correlations", "activities"}
    problems = [f"unknown key '{k}' (expected one of {sorted(allowed)})" for k in data if k not in allowed]
    activities: list[Activity] = []
    deps: list[Dependency] = []
    written: list[tuple[str, str, str]] = []  # (where, predecessor text, successor): read once all ids are known
    keys = {"id", "name", "estimate", "duration", "distribution", "predecessors", "resources"}
    for i, spec in enumerate(data["activities"]):
        where = f"activities[{i}]"
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected a mapping, got {spec!r}")
            continue
        problems += [f"{where}: unknown key '{k}'" for k in spec if k not in keys]
        aid = str(spec.get("id", "")).strip()
        if not aid:
            problems.append(f"{where}.id: missing activity id")
            continue
        try:
            duration = _duration_of(spec)
        except DurationError as exc:
            problems.append(f"{where} ('{aid}'): {exc}")
            continue
        try:
            activities.append(Activity(aid, duration, str(spec.get("name") or ""), spec.get("resources") or {}))
            for j, pred in enumerate(spec.get("predecessors") or []):
                if isinstance(pred, dict):
                    deps.append(Dependency(str(pred.get("id", "")), aid, pred.get("type", "FS"), pred.get("lag", 0.0)))
                else:
                    written.append((where, str(pred), aid))
        except PlanError as exc:
            problems += [f"{where}: {p}" for p in exc.problems]
    deps += _read_predecessors(written, {a.id for a in activities}, problems)
    try:
        calendar = Calendar(**data["calendar"]) if data.get("calendar") else None
        start = data.get("start")
        if start is not None and not isinstance(start, date):
            start = date.fromisoformat(str(start))
    except (PlanError, TypeError, ValueError) as exc:
        problems.append(str(exc).split("invalid plan: ")[-1])
        calendar, start = None, None
    correlations = {}
    for k, item in enumerate(data.get("correlations") or []):
        if not (isinstance(item, (list, tuple)) and len(item) == 3):
            problems.append(f"correlations[{k}]: expected [activity, activity, rho], got {item!r}")
        else:
            correlations[(str(item[0]), str(item[1]))] = item[2]
    if problems:
        raise PlanError(problems, source)
    return Plan(activities, deps, name=str(data.get("name", Path(source).stem)), unit=str(data.get("unit", "days")),
                calendar=calendar, start=start, resources=data.get("resources"), correlations=correlations,
                source=source)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The YAML structure of a plan (inverse of :func:`plan_from_dict`)."""
    preds: dict[str, list[str]] = {}
    for d in plan.dependencies:
        preds.setdefault(d.succ, []).append(_format_predecessor(d))
    acts = []
    for a in plan.activities:
        spec: dict[str, Any] = {"id": a.id}
        if a.name != a.id:
            spec["name"] = a.name
        if isinstance(a.duration, Fixed):
            spec["duration"] = a.duration.value
        elif isinstance(a.duration, BetaPert):
            spec["estimate"] = list(a.duration.three_point())
        else:
            spec["distribution"] = a.duration.to_dict()
        if a.id in preds:
            spec["predecessors"] = preds[a.id]
        if a.resources:
            spec["resources"] = dict(a.resources)
        acts.append(spec)
    out: dict[str, Any] = {"name": plan.name, "unit": plan.unit}
    if plan.start is not None:
        out["start"] = plan.start.isoformat()
    if plan.calendar is not None:
        out["calendar"] = plan.calendar.to_dict()
    if plan.resources:
        out["resources"] = dict(plan.resources)
    if plan.correlations:
        out["correlations"] = [[a, b, rho] for (a, b), rho in plan.correlations.items()]
    out["activities"] = acts
    return out


def read_yaml_plan(path: str | Path) -> Plan:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(str(path), f"not valid YAML: {_yaml_problem(exc)}") from None
    except ValueError as exc:  # the YAML loader builds dates: 2026-02-30 fails inside it
        raise InputError(
            str(path), f"a date that does not exist ({exc}); dates are YYYY-MM-DD calendar dates"
        ) from None
    return plan_from_dict(data, source=str(path))


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error in one line: what is wrong and where (line and column), not the parser's dump."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def _csv_number(row: dict[str, str], key: str) -> float | None:
    raw = (row.get(key) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise DurationError(f"{key} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise DurationError(f"{key} must be finite, got {raw!r}")
    return value


def read_csv_plan(path: str | Path) -> Plan:
    """Read a plan from CSV (see the module docstring for the columns)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise InputError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    if not rows or "id" not in rows[0]:
        raise InputError(
            str(path), "expected a header with at least 'id' and 'duration' or optimistic/most_likely/pessimistic"
        )
    problems: list[str] = []
    activities: list[Activity] = []
    deps: list[Dependency] = []
    cells: list[tuple[str, str, str]] = []  # (row, predecessors cell, successor): split once all ids are known
    for r, row in enumerate(rows, start=1):
        aid = (row.get("id") or "").strip()
        if not aid:
            problems.append(f"row {r}: missing id")
            continue
        try:
            three = [_csv_number(row, k) for k in ("optimistic", "most_likely", "pessimistic")]
            fixed = _csv_number(row, "duration")
            kind = (row.get("distribution") or "beta_pert").strip() or "beta_pert"
            if fixed is not None and all(v is None for v in three):
                duration: Duration = Fixed(fixed)
            elif fixed is None and all(v is not None for v in three):
                duration = duration_from({"kind": kind, "o": three[0], "m": three[1], "p": three[2]})
            else:
                raise DurationError("give either duration or all of optimistic, most_likely, pessimistic")
            resources = {}
            for item in filter(None, (s.strip() for s in (row.get("resources") or "").split(";"))):
                name, _, units = item.partition("=")
                try:
                    resources[name.strip()] = float(units)
                except ValueError:
                    raise DurationError(f"resources: expected 'name=units', got {item!r}") from None
            activities.append(Activity(aid, duration, (row.get("name") or "").strip(), resources))
            if (row.get("predecessors") or "").strip():
                cells.append((f"row {r}", row["predecessors"], aid))
        except DurationError as exc:
            problems.append(f"row {r} ('{aid}'): {exc}")
        except PlanError as exc:
            problems += [f"row {r}: {p}" for p in exc.problems]
    ids = {a.id for a in activities}
    written = [(where, text, aid) for where, cell, aid in cells for text in _split_cell(cell, ids)]
    deps += _read_predecessors(written, ids, problems)
    if problems:
        raise PlanError(problems, str(path))
    return Plan(activities, deps, name=path.stem, source=str(path))


def _split_cell(cell: str, ids: Collection[str]) -> list[str]:
    """The predecessors of a CSV cell: separated by ``;``, or by ``,`` when the cell has no ``;`` and is not
    itself one predecessor (an id may contain a comma: ``"Review, approve SS+1"``)."""
    if ";" not in cell:
        try:
            parse_predecessor(cell, "", ids)
            return [cell]
        except PlanError:
            pass
    return [text for text in cell.split(";" if ";" in cell else ",") if text.strip()]


def csv_losses(plan: Plan) -> list[str]:
    """What a CSV plan cannot carry of ``plan`` (empty: the CSV holds all of it).

    The CSV has one row per activity: id, name, three-point or fixed duration, predecessors and resource
    demands.  Its reader takes days as the unit and the file name as the plan's name.
    """
    lost = []
    if plan.unit != "days":
        lost.append(f"the unit ({plan.unit}; a CSV plan is read in days)")
    if plan.start is not None:
        lost.append(f"the start date ({plan.start})")
    if plan.calendar is not None:
        lost.append("the calendar (workdays, holidays, hours per day)")
    if plan.resources:
        lost.append(f"the resource capacities ({', '.join(f'{k}={v:g}' for k, v in plan.resources.items())})")
    if plan.correlations:
        lost.append(f"{len(plan.correlations)} duration correlations")
    other = [a.id for a in plan.activities if not isinstance(a.duration, Fixed)
             and a.duration.kind not in ("beta_pert", "triangular")]
    if other:
        lost.append(f"the distributions of {', '.join(other[:5])}{' …' if len(other) > 5 else ''} (written as "
                    "beta-PERT three-point estimates, which changes their mean)")
    return lost


def write_csv_plan(plan: Plan, path: str | Path) -> Path:
    """Write the CSV form; distributions other than three-point and fixed are written as their summary."""
    path = Path(path)
    preds: dict[str, list[str]] = {}
    for d in plan.dependencies:
        preds.setdefault(d.succ, []).append(_format_predecessor(d))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "optimistic", "most_likely", "pessimistic", "distribution", "duration",
                    "predecessors", "resources"])
        for a in plan.activities:
            fixed = isinstance(a.duration, Fixed)
            o, m, p = ("", "", "") if fixed else a.duration.three_point()
            kind = "" if fixed else (a.duration.kind if a.duration.kind == "triangular" else "beta_pert")
            res = "; ".join(f"{k}={v:g}" for k, v in a.resources.items())
            w.writerow([a.id, a.name, o, m, p, kind, a.duration.mean if fixed else "",
                        "; ".join(preds.get(a.id, [])), res])
    return path


def plan_from_psplib(path: str | Path) -> Plan:
    """A plan from a PSPLIB single-mode ``.sm`` file (jobs named by their file number ``"1".."n"``)."""
    from journeykit.io.psplib import read_psplib

    inst = read_psplib(path)
    ids = [str(j + 1) for j in range(inst.n_jobs)]
    acts = [
        Activity(ids[j], Fixed(inst.durations[j]), resources=dict(zip(inst.resource_names, inst.demands[j])))
        for j in range(inst.n_jobs)
    ]
    deps = [Dependency(ids[j], ids[s]) for j, succ in enumerate(inst.successors) for s in succ]
    return Plan(acts, deps, name=inst.name, unit="periods",
                resources=dict(zip(inst.resource_names, inst.capacities)), source=str(path))


READERS = {".yaml": read_yaml_plan, ".yml": read_yaml_plan, ".csv": read_csv_plan, ".sm": plan_from_psplib}


def read_plan(path: str | Path) -> Plan:
    """Read a plan; the extension picks the format: .yaml/.yml, .csv, .xml (MSPDI) or .sm (PSPLIB)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xml":
        from journeykit.io.mspdi import read_mspdi

        return read_mspdi(path)
    if suffix not in READERS:
        raise InputError(str(path), f"unknown plan format '{suffix}' (expected .yaml, .yml, .csv, .xml or .sm)")
    if not path.exists():
        raise InputError(str(path), "file not found")
    return READERS[suffix](path)


def write_plan(plan: Plan, path: str | Path) -> Path:
    """Write a plan; the extension picks the format: .yaml/.yml, .csv or .xml (MSPDI)."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".yaml", ".yml"):
        data = plan_to_dict(plan)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)
        path.write_text(text, encoding="utf-8")
        return path
    if suffix == ".csv":
        return write_csv_plan(plan, path)
    if suffix == ".xml":
        from journeykit.io.mspdi import write_mspdi

        return write_mspdi(plan, path)
    raise InputError(str(path), f"cannot write plan format '{suffix}' (expected .yaml, .yml, .csv or .xml)")


__all__ = ["parse_predecessor", "plan_from_dict", "plan_from_psplib", "plan_to_dict", "read_plan", "write_plan"]
