"""Read and write MS Project XML (MSPDI), the interchange format of MS Project and ProjectLibre.

What is kept: tasks (``UID``, ``Name``, ``Duration``), predecessor links with their type and lag,
resources with their maximum units, assignments (a task's per-period demand of a resource), the project
start date and a calendar's working weekdays, hours per day and holidays (exceptions).  Three-point
estimates travel in the task custom fields ``Duration1`` (optimistic), ``Duration2`` (most likely) and
``Duration3`` (pessimistic), the fields MS Project's PERT analysis used; ``Duration`` holds the PERT mean
``te``.  Other distributions are exported as their three-point summary.  Summary tasks are not
activities: a link from (to) a summary task becomes links from (to) every real task under it, which is
what the link means in MS Project.

MSPDI conventions (Microsoft, "XML Schema for the Project class", Office developer documentation):
durations are ISO 8601 work durations ``PT#H#M#S`` (``MinutesPerDay`` working minutes to the day),
``LinkLag`` is in tenths of a minute, link ``Type`` is 0 = FF, 1 = FS, 2 = SF, 3 = SS.  ``LagFormat``
says how the lag was entered: working time (3 minutes, 5 hours, 7 days, 9 weeks, 11 months) is read as
is; elapsed time (4, 6, 8, 10, 12: calendar time, nights and weekends included) is converted to working
days at the calendar's share of working weekdays (2 elapsed days on a Monday-Friday calendar: 2 × 5/7 =
1.43 working days; exact only on average, since a plan's lags are working time); percentage lags (19,
20) are refused with the link named (enter them as durations).

Non-working days come from the older ``WeekDay`` entries with ``DayType`` 0 and from the calendar's
``Exceptions`` (MS Project 2007 and later, ProjectLibre): a non-working exception of recurrence type 1
(daily, every ``Period`` days) or 2 (yearly on ``Month``/``MonthDay``, ``Month`` 0 = January) between its
``FromDate`` and ``ToDate``.  Other recurrences and working exceptions (extra working days) cannot be held
by a weekday-and-holiday calendar and are refused with the exception's name.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from lxml import etree

from journeykit.errors import InputError, JourneykitError
from journeykit.schedule.calendar import WEEKDAYS, Calendar
from journeykit.schedule.durations import BetaPert, Duration, Fixed
from journeykit.schedule.network import Activity, Dependency, Plan

NS = "http://schemas.microsoft.com/project"
LINK_TYPES = {"FF": 0, "FS": 1, "SF": 2, "SS": 3}
LINK_NAMES = {v: k for k, v in LINK_TYPES.items()}
#: Custom task fields holding the three-point estimate (Duration1, Duration2, Duration3).
THREE_POINT_FIELDS = (188743783, 188743784, 188743785)
_NUM = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(rf"^-?P(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$")
#: MSPDI DayType: 1 = Sunday .. 7 = Saturday.
_DAY_TYPE = {name: (i + 1) % 7 + 1 for i, name in enumerate(WEEKDAYS)}
#: LagFormat codes of elapsed time (calendar time) and of percentages of the predecessor's duration.
ELAPSED_LAGS = frozenset({4, 6, 8, 10, 12})
PERCENT_LAGS = frozenset({19, 20})
#: Exception recurrence types a weekday-and-holiday calendar can hold: 1 daily, 2 yearly by month day.
DAILY, YEARLY_BY_DAY = 1, 2


def _hours_per_unit(plan: Plan) -> float:
    hours_per_day = plan.calendar.hours_per_day if plan.calendar else 8.0
    unit = plan.unit.lower()
    if unit.startswith("hour") or unit == "h":
        return 1.0
    if unit.startswith("minute"):
        return 1 / 60
    if unit.startswith("week"):
        return hours_per_day * (len(plan.calendar.workdays) if plan.calendar else 5)
    return hours_per_day  # days and abstract periods are working days


def _iso(hours: float) -> str:
    seconds = round(hours * 3600)
    return f"PT{seconds // 3600}H{seconds % 3600 // 60}M{seconds % 60}S"


def _sub(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        el.text = str(text)
    return el


def write_mspdi(plan: Plan, path: str | Path) -> Path:
    """Write a plan as MS Project XML; durations are converted to working hours (see the module docstring)."""
    path = Path(path)
    hpu = _hours_per_unit(plan)
    hours_per_day = plan.calendar.hours_per_day if plan.calendar else 8.0
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS})
    _sub(root, "Name", plan.name)
    _sub(root, "Title", plan.name)
    if plan.start is not None:
        _sub(root, "StartDate", f"{plan.start.isoformat()}T08:00:00")
    _sub(root, "MinutesPerDay", round(hours_per_day * 60))
    _sub(root, "CalendarUID", 1)
    attrs = _sub(root, "ExtendedAttributes")
    for field_id, n, alias in zip(THREE_POINT_FIELDS, (1, 2, 3), ("Optimistic", "Most likely", "Pessimistic")):
        ea = _sub(attrs, "ExtendedAttribute")
        _sub(ea, "FieldID", field_id)
        _sub(ea, "FieldName", f"Duration{n}")
        _sub(ea, "Alias", alias)
    _write_calendar(_sub(root, "Calendars"), plan.calendar or Calendar(), hours_per_day)
    tasks = _sub(root, "Tasks")
    uid = {a.id: k + 1 for k, a in enumerate(plan.activities)}
    preds: dict[str, list[Dependency]] = {}
    for d in plan.dependencies:
        preds.setdefault(d.succ, []).append(d)
    for a in plan.activities:
        t = _sub(tasks, "Task")
        _sub(t, "UID", uid[a.id])
        _sub(t, "ID", uid[a.id])
        _sub(t, "Name", a.name)
        _sub(t, "WBS", a.id)
        _sub(t, "Duration", _iso(a.duration.mean * hpu))
        _sub(t, "DurationFormat", 7)
        _sub(t, "Milestone", int(a.duration.mean == 0))
        for d in preds.get(a.id, []):
            link = _sub(t, "PredecessorLink")
            _sub(link, "PredecessorUID", uid[d.pred])
            _sub(link, "Type", LINK_TYPES[d.type])
            _sub(link, "LinkLag", round(d.lag * hpu * 600))
            _sub(link, "LagFormat", 7)
        if not isinstance(a.duration, Fixed):
            for field_id, value in zip(THREE_POINT_FIELDS, a.duration.three_point()):
                ea = _sub(t, "ExtendedAttribute")
                _sub(ea, "FieldID", field_id)
                _sub(ea, "Value", _iso(value * hpu))
    names = list(plan.resources) or sorted({r for a in plan.activities for r in a.resources})
    res_uid = {r: k + 1 for k, r in enumerate(names)}
    resources = _sub(root, "Resources")
    for r in names:
        el = _sub(resources, "Resource")
        _sub(el, "UID", res_uid[r])
        _sub(el, "ID", res_uid[r])
        _sub(el, "Name", r)
        _sub(el, "Type", 1)
        if r in plan.resources:
            _sub(el, "MaxUnits", f"{plan.resources[r]:g}")
    assignments = _sub(root, "Assignments")
    k = 0
    for a in plan.activities:
        for r, units in a.resources.items():
            k += 1
            el = _sub(assignments, "Assignment")
            _sub(el, "UID", k)
            _sub(el, "TaskUID", uid[a.id])
            _sub(el, "ResourceUID", res_uid[r])
            _sub(el, "Units", f"{units:g}")
    path.parent.mkdir(parents=True, exist_ok=True)
    etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8", standalone=True,
                                  pretty_print=True)
    return path


def _write_calendar(parent: etree._Element, cal: Calendar, hours_per_day: float) -> None:
    c = _sub(parent, "Calendar")
    _sub(c, "UID", 1)
    _sub(c, "Name", "Standard")
    _sub(c, "IsBaseCalendar", 1)
    days = _sub(c, "WeekDays")
    for name in WEEKDAYS:
        wd = _sub(days, "WeekDay")
        _sub(wd, "DayType", _DAY_TYPE[name])
        _sub(wd, "DayWorking", int(name in cal.workdays))
        if name in cal.workdays:
            times = _sub(wd, "WorkingTimes")
            wt = _sub(times, "WorkingTime")
            end = 8 * 60 + round(hours_per_day * 60)
            _sub(wt, "FromTime", "08:00:00")
            _sub(wt, "ToTime", f"{end // 60:02d}:{end % 60:02d}:00" if end < 24 * 60 else "23:59:00")
    for h in cal.holidays:
        wd = _sub(days, "WeekDay")
        _sub(wd, "DayType", 0)
        _sub(wd, "DayWorking", 0)
        period = _sub(wd, "TimePeriod")
        _sub(period, "FromDate", f"{h.isoformat()}T00:00:00")
        _sub(period, "ToDate", f"{h.isoformat()}T23:59:00")


# ------------------------------------------------------------------------------------------ reading
class _Reader:
    def __init__(self, path: Path):
        self.file = str(path)
        try:
            self.root = etree.parse(str(path)).getroot()
        except (OSError, etree.XMLSyntaxError) as exc:
            raise InputError(self.file, f"not a readable XML file: {exc}") from None
        if etree.QName(self.root).localname != "Project":
            root = etree.QName(self.root).localname
            raise InputError(self.file, f"not an MS Project XML file (root element is <{root}>)")
        self.ns = etree.QName(self.root).namespace
        self.minutes_per_day = float(self.text(self.root, "MinutesPerDay") or 480)

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}" if self.ns else tag

    def text(self, el: etree._Element, tag: str) -> str | None:
        child = el.find(self.q(tag))
        return child.text.strip() if child is not None and child.text else None

    def hours(self, value: str, where: str) -> float:
        m = _DURATION.match(value)
        if not m:
            raise InputError(self.file, f"{where}: cannot read duration {value!r} (expected ISO 8601 like PT8H0M0S)")
        d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
        return d * 24 + h + mi / 60 + s / 3600


def read_mspdi(path: str | Path) -> Plan:
    """Read MS Project XML into a plan in working days (``MinutesPerDay`` to the day).

    Raises
    ------
    InputError
        Unreadable XML, not an MSPDI ``Project``, unreadable durations or lags, links to unknown tasks.
    PlanError
        The network read is invalid (cycle, bad three-point estimate, ...).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "file not found")
    rd = _Reader(path)
    hours_per_day = rd.minutes_per_day / 60
    tasks = rd.root.findall(f"{rd.q('Tasks')}/{rd.q('Task')}")
    acts: list[Activity] = []
    uid_to_id: dict[str, str] = {}
    leaves: dict[str, list[str]] = {}  # summary task UID -> ids of the real tasks under it
    open_summaries: list[tuple[int, str]] = []  # (outline level, UID) of the summaries enclosing a task
    links: list[tuple[str, etree._Element]] = []
    for k, t in enumerate(tasks):
        uid = rd.text(t, "UID")
        where = f"task {k + 1} (UID {uid})"
        if uid is None or uid == "0" or rd.text(t, "IsNull") == "1":
            continue
        level = int(rd.text(t, "OutlineLevel") or 1)
        while open_summaries and open_summaries[-1][0] >= level:
            open_summaries.pop()
        links += [(uid, link) for link in t.findall(rd.q("PredecessorLink"))]
        if rd.text(t, "Summary") == "1":
            leaves[uid] = []
            open_summaries.append((level, uid))
            continue
        aid = rd.text(t, "WBS") or uid
        for _, summary in open_summaries:
            leaves[summary].append(aid)
        name = rd.text(t, "Name") or aid
        hours = rd.hours(rd.text(t, "Duration") or "PT0H0M0S", where)
        three: dict[int, float] = {}
        for ea in t.findall(rd.q("ExtendedAttribute")):
            field_id, value = rd.text(ea, "FieldID"), rd.text(ea, "Value")
            if field_id and int(field_id) in THREE_POINT_FIELDS and value:
                three[int(field_id)] = rd.hours(value, where) / hours_per_day
        duration: Duration = Fixed(hours / hours_per_day)
        if len(three) == 3:
            duration = BetaPert(*(three[f] for f in THREE_POINT_FIELDS))
        try:
            acts.append(Activity(aid, duration, name))
        except JourneykitError as exc:
            raise InputError(rd.file, f"{where}: {exc}") from None
        uid_to_id[uid] = aid

    def members(uid: str | None, succ_uid: str) -> list[str]:
        if uid in leaves:
            return leaves[uid]
        if uid not in uid_to_id:
            who = uid_to_id.get(succ_uid, f"UID {succ_uid}")
            raise InputError(rd.file, f"task '{who}': predecessor UID {uid} is not a task of the file")
        return [uid_to_id[uid]]

    calendar = _read_calendar(rd, hours_per_day)
    deps: dict[tuple[str, str], Dependency] = {}
    for succ_uid, link in links:
        kind = LINK_NAMES.get(int(rd.text(link, "Type") or 1))
        if kind is None:
            raise InputError(rd.file, f"task UID {succ_uid}: unknown link type {rd.text(link, 'Type')!r} (0-3)")
        lag_format = int(rd.text(link, "LagFormat") or 7)
        pred_uid = rd.text(link, "PredecessorUID")
        if lag_format in PERCENT_LAGS:
            who = f"{uid_to_id.get(pred_uid, f'UID {pred_uid}')} -> {uid_to_id.get(succ_uid, f'UID {succ_uid}')}"
            raise InputError(rd.file, f"link {who}: a lag in percent of the predecessor (LagFormat {lag_format}) "
                                      "cannot be read; enter the lag as a duration")
        lag = _lag_days(float(rd.text(link, "LinkLag") or 0), lag_format, hours_per_day, calendar)
        # a link from or to a summary task links all the real tasks under it (MS Project's meaning)
        for pred in members(pred_uid, succ_uid):
            for succ in members(succ_uid, succ_uid):
                deps.setdefault((pred, succ), Dependency(pred, succ, kind, lag))
    deps_list = list(deps.values())
    resources, demands = _read_resources(rd)
    acts = [Activity(a.id, a.duration, a.name, demands.get(a.id, {})) for a in acts]
    start = rd.text(rd.root, "StartDate")
    return Plan(acts, deps_list, name=rd.text(rd.root, "Name") or rd.text(rd.root, "Title") or path.stem,
                unit="days", calendar=calendar,
                start=datetime.fromisoformat(start).date() if start else None,
                resources=resources or None, source=str(path))


def _lag_days(raw: float, lag_format: int, hours_per_day: float, calendar: Calendar | None) -> float:
    """A link's lag in working days from ``LinkLag`` (tenths of a minute) and its ``LagFormat``."""
    if lag_format in ELAPSED_LAGS:
        workdays = len(calendar.workdays) if calendar else 5
        return raw / 600 / 24 * workdays / 7
    return raw / 600 / hours_per_day


def _read_resources(rd: _Reader) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    names: dict[str, str] = {}
    caps: dict[str, float] = {}
    for r in rd.root.findall(f"{rd.q('Resources')}/{rd.q('Resource')}"):
        uid, name = rd.text(r, "UID"), rd.text(r, "Name")
        if uid is None or name is None or uid == "0":
            continue
        names[uid] = name
        caps[name] = float(rd.text(r, "MaxUnits") or 1)
    task_ids = {}
    for t in rd.root.findall(f"{rd.q('Tasks')}/{rd.q('Task')}"):
        task_ids[rd.text(t, "UID")] = rd.text(t, "WBS") or rd.text(t, "UID")
    demands: dict[str, dict[str, float]] = {}
    for a in rd.root.findall(f"{rd.q('Assignments')}/{rd.q('Assignment')}"):
        tid, rid = rd.text(a, "TaskUID"), rd.text(a, "ResourceUID")
        if rid in names and tid in task_ids:
            demands.setdefault(task_ids[tid], {})[names[rid]] = float(rd.text(a, "Units") or 1)
    return caps, demands


def _read_calendar(rd: _Reader, hours_per_day: float) -> Calendar | None:
    cal = rd.root.find(f"{rd.q('Calendars')}/{rd.q('Calendar')}")
    if cal is None:
        return None
    names = {v: k for k, v in _DAY_TYPE.items()}
    workdays, holidays = [], []
    for wd in cal.findall(f"{rd.q('WeekDays')}/{rd.q('WeekDay')}"):
        day_type = int(rd.text(wd, "DayType") or -1)
        working = rd.text(wd, "DayWorking") == "1"
        if day_type in names and working:
            workdays.append(names[day_type])
        elif day_type == 0 and not working:
            period = wd.find(rd.q("TimePeriod"))
            if period is not None:
                first = datetime.fromisoformat(rd.text(period, "FromDate")).date()
                last = datetime.fromisoformat(rd.text(period, "ToDate")).date()
                holidays += [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)]
    for exc in cal.findall(f"{rd.q('Exceptions')}/{rd.q('Exception')}"):
        holidays += _exception_days(rd, exc)
    return Calendar(tuple(workdays) or WEEKDAYS[:5], tuple(holidays), hours_per_day)


def _exception_days(rd: _Reader, exc: etree._Element) -> list[date]:
    """The non-working days of one calendar ``Exception`` (see the module docstring)."""
    name = rd.text(exc, "Name") or "(unnamed)"
    period = exc.find(rd.q("TimePeriod"))
    if rd.text(exc, "DayWorking") == "1":
        raise InputError(rd.file, f"calendar exception '{name}': extra working time cannot be read (the plan's "
                                  "calendar holds working weekdays and non-working days only)")
    if period is None or rd.text(period, "FromDate") is None or rd.text(period, "ToDate") is None:
        raise InputError(rd.file, f"calendar exception '{name}': no TimePeriod with FromDate and ToDate")
    first = datetime.fromisoformat(rd.text(period, "FromDate")).date()
    last = datetime.fromisoformat(rd.text(period, "ToDate")).date()
    kind = int(rd.text(exc, "Type") or DAILY)
    every = max(1, int(rd.text(exc, "Period") or 1))
    if kind == DAILY:
        return [first + timedelta(days=d) for d in range(0, (last - first).days + 1, every)]
    if kind == YEARLY_BY_DAY:
        month, day = int(rd.text(exc, "Month") or 0) + 1, int(rd.text(exc, "MonthDay") or first.day)
        days = []
        for year in range(first.year, last.year + 1, every):
            try:
                d = date(year, month, day)
            except ValueError:  # 29 February in a common year
                continue
            if first <= d <= last:
                days.append(d)
        return days
    raise InputError(rd.file, f"calendar exception '{name}': recurrence type {kind} is not supported (only 1 "
                              "daily and 2 yearly by day of the month); list its days as separate exceptions")


__all__ = ["read_mspdi", "write_mspdi"]
