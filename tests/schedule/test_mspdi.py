"""MS Project XML (MSPDI) round trip and plan file formats (YAML, CSV)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from journeykit.errors import InputError
from journeykit.io.mspdi import read_mspdi, write_mspdi
from journeykit.schedule import Activity, BetaPert, Fixed, Plan, PlanError, Triangular
from journeykit.schedule.calendar import Calendar
from journeykit.schedule.generate import random_plan
from journeykit.schedule.plan_io import read_plan, write_plan


def _plan() -> Plan:
    acts = [
        Activity("confirm", (0.5, 1, 2), "Order confirmation", {"agent": 1}),
        Activity("inquiry", 2, "Answer inquiry", {"agent": 2}),
        Activity("fix", (1, 3, 8), "Troubleshooting", {"agent": 1, "engineer": 1}),
        Activity("return", Triangular(1, 2, 6), "Return"),
        Activity("feedback", 0, "Feedback collected"),
    ]
    deps = [("confirm", "inquiry"), ("confirm", "fix", "SS", 0.5), ("inquiry", "return", "FF", 1),
            ("fix", "feedback", "FS", -0.25), ("return", "feedback", "SF", 2)]
    cal = Calendar(workdays=["Mon", "Tue", "Wed", "Thu", "Fri"], holidays=["2026-05-01"], hours_per_day=7.5)
    return Plan(acts, deps, name="support", calendar=cal, start=date(2026, 4, 27),
                resources={"agent": 3, "engineer": 1})


def test_mspdi_round_trip_preserves_the_network(tmp_path):
    plan = _plan()
    back = read_mspdi(write_mspdi(plan, tmp_path / "plan.xml"))
    assert back.ids == plan.ids and [a.name for a in back.activities] == [a.name for a in plan.activities]
    links = [(d.pred, d.succ, d.type) for d in plan.dependencies]
    assert [(d.pred, d.succ, d.type) for d in back.dependencies] == links
    assert [d.lag for d in back.dependencies] == pytest.approx([d.lag for d in plan.dependencies])
    for a, b in zip(plan.activities, back.activities):
        assert b.duration.three_point() == pytest.approx(a.duration.three_point())
        assert b.resources == a.resources
    assert isinstance(back.activity("fix").duration, BetaPert) and isinstance(back.activity("inquiry").duration, Fixed)
    assert back.resources == plan.resources
    assert back.calendar == plan.calendar and back.start == plan.start
    # same schedule on both sides (triangular travels as its three points: compare on most likely)
    assert back.cpm("most_likely").table[["es", "ef", "ls", "lf"]].values == pytest.approx(
        plan.cpm("most_likely").table[["es", "ef", "ls", "lf"]].values)


def test_mspdi_units_follow_ms_project_conventions(tmp_path):
    path = write_mspdi(_plan(), tmp_path / "plan.xml")
    ns = {"p": "http://schemas.microsoft.com/project"}
    root = etree.parse(str(path)).getroot()
    assert root.findtext("p:MinutesPerDay", namespaces=ns) == "450"
    inquiry = root.xpath("//p:Task[p:WBS='inquiry']", namespaces=ns)[0]
    assert inquiry.findtext("p:Duration", namespaces=ns) == "PT15H0M0S"  # 2 days of 7.5 h
    fix = root.xpath("//p:Task[p:WBS='fix']", namespaces=ns)[0]
    link = fix.find("p:PredecessorLink", ns)
    assert link.findtext("p:Type", namespaces=ns) == "3"  # SS
    assert link.findtext("p:LinkLag", namespaces=ns) == str(round(0.5 * 7.5 * 600))  # tenths of minutes


def test_mspdi_errors_name_the_problem(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<Foo/>")
    with pytest.raises(InputError, match="not an MS Project XML file"):
        read_mspdi(bad)
    bad.write_text("<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task><UID>1</UID>"
                   "<Duration>eight hours</Duration></Task></Tasks></Project>")
    with pytest.raises(InputError, match="cannot read duration 'eight hours'"):
        read_mspdi(bad)
    bad.write_text("<Project xmlns='http://schemas.microsoft.com/project'><Tasks><Task><UID>1</UID>"
                   "<PredecessorLink><PredecessorUID>9</PredecessorUID></PredecessorLink></Task></Tasks></Project>")
    with pytest.raises(InputError, match="predecessor UID 9 is not a task"):
        read_mspdi(bad)


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xml"])
def test_every_format_round_trips_the_schedule(tmp_path, suffix):
    plan = _plan()
    if suffix == ".xml":  # MSPDI carries three points only: a triangular estimate comes back as beta-PERT
        plan = plan.with_durations({"return": (1, 2, 6)})
    back = read_plan(write_plan(plan, tmp_path / f"plan{suffix}"))
    assert back.ids == plan.ids
    assert back.cpm().duration == pytest.approx(plan.cpm().duration)
    assert back.pert().std == pytest.approx(plan.pert().std)


def test_yaml_errors_are_collected_with_their_location(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "activities:\n"
        "  - {id: a, estimate: [3, 2, 1]}\n"
        "  - {id: b, duration: -1}\n"
        "  - {id: c, duration: 2, estimate: [1, 2, 3]}\n"
        "  - {id: d, duration: 1, predecessors: ['a XX+1']}\n"
        "  - {name: nameless, duration: 1}\n"
    )
    with pytest.raises(PlanError) as err:
        read_plan(path)
    msg = str(err.value)
    assert "activities[0] ('a'): three-point estimate must satisfy" in msg
    assert "activities[1] ('b'): duration must be >= 0" in msg
    assert "activities[2] ('c'): give exactly one of estimate, duration or distribution" in msg
    assert "activities[3]: activity 'd': predecessor 'a XX+1' is not an activity" in msg
    assert "activities[4].id: missing activity id" in msg


def test_csv_reports_row_numbers(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("id,optimistic,most_likely,pessimistic,duration,predecessors\n"
                    "a,1,2,3,,\nb,,,,x,a\nc,,,,2,a;zz\n")
    with pytest.raises(PlanError) as err:
        read_plan(path)
    assert "row 2 ('b'): duration must be a number, got 'x'" in str(err.value)


def test_unknown_predecessor_in_a_file(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("id,duration,predecessors\na,1,\nc,2,a; zz SS+1\n")
    with pytest.raises(PlanError, match="activity 'c': predecessor 'zz' is not an activity"):
        read_plan(path)


@pytest.mark.parametrize("link", ["XX+1", "FS+x", "SS+"])
def test_a_known_predecessor_with_an_unreadable_link_names_the_link(tmp_path, link):
    path = tmp_path / "plan.yaml"
    path.write_text(f"name: x\nactivities:\n  - {{id: a, duration: 1}}\n  - {{id: b, duration: 1, predecessors: ['a {link}']}}\n")
    with pytest.raises(PlanError, match=rf"activity 'b': predecessor 'a': cannot read the link '{re.escape(link)}'"):
        read_plan(path)


def test_unknown_extension():
    with pytest.raises(InputError, match="unknown plan format '.txt'"):
        read_plan("plan.txt")


def _two_tasks(tmp_path, link: str = "", calendar: str = "") -> Path:
    """A project of tasks a (1 day) -> b (1 day) with the given link body extras and calendar XML."""
    xml = ("<Project xmlns='http://schemas.microsoft.com/project'><MinutesPerDay>480</MinutesPerDay>"
           f"<Calendars>{calendar}</Calendars><Tasks>"
           "<Task><UID>1</UID><Name>a</Name><WBS>a</WBS><Duration>PT8H0M0S</Duration></Task>"
           "<Task><UID>2</UID><Name>b</Name><WBS>b</WBS><Duration>PT8H0M0S</Duration>"
           f"<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type>{link}</PredecessorLink></Task>"
           "</Tasks></Project>")
    path = tmp_path / "two.xml"
    path.write_text(xml)
    return path


@pytest.mark.parametrize(("lag", "lag_format", "days"), [
    (2 * 8 * 60 * 10, 7, 2.0),              # 2 working days (8 h each)
    (2 * 24 * 60 * 10, 8, 2 * 5 / 7),       # 2 elapsed days: was read as 6 working days
    (12 * 60 * 10, 6, 0.5 * 5 / 7),         # 12 elapsed hours
])
def test_mspdi_lags_in_working_and_elapsed_time(tmp_path, lag, lag_format, days):
    plan = read_mspdi(_two_tasks(tmp_path, f"<LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat>"))
    assert plan.dependencies[0].lag == pytest.approx(days)


def test_mspdi_percent_lags_are_refused_with_the_link(tmp_path):
    path = _two_tasks(tmp_path, "<LinkLag>50</LinkLag><LagFormat>19</LagFormat>")
    with pytest.raises(InputError, match=r"link a -> b: a lag in percent of the predecessor \(LagFormat 19\)"):
        read_mspdi(path)


def _exception(body: str, name: str = "Holiday", working: int = 0) -> str:
    return (f"<Calendar><UID>1</UID><Exceptions><Exception><Name>{name}</Name><DayWorking>{working}</DayWorking>"
            f"{body}</Exception></Exceptions></Calendar>")


def test_mspdi_calendar_exceptions_are_holidays(tmp_path):
    """MS Project 2007+ and ProjectLibre write holidays as <Exceptions>; they were dropped."""
    daily = _exception("<Type>1</Type><Period>1</Period><TimePeriod><FromDate>2026-12-24T00:00:00</FromDate>"
                       "<ToDate>2026-12-26T23:59:00</ToDate></TimePeriod>")
    plan = read_mspdi(_two_tasks(tmp_path, calendar=daily))
    assert plan.calendar.holidays == (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26))
    yearly = _exception("<Type>2</Type><Month>4</Month><MonthDay>1</MonthDay><TimePeriod>"
                        "<FromDate>2026-01-01T00:00:00</FromDate><ToDate>2028-12-31T23:59:00</ToDate></TimePeriod>")
    plan = read_mspdi(_two_tasks(tmp_path, calendar=yearly))
    assert plan.calendar.holidays == (date(2026, 5, 1), date(2027, 5, 1), date(2028, 5, 1))


@pytest.mark.parametrize(("body", "working", "message"), [
    ("<Type>6</Type><TimePeriod><FromDate>2026-01-01T00:00:00</FromDate><ToDate>2026-02-01T00:00:00</ToDate>"
     "</TimePeriod>", 0, "calendar exception 'Closure': recurrence type 6 is not supported"),
    ("<Type>1</Type><TimePeriod><FromDate>2026-01-03T00:00:00</FromDate><ToDate>2026-01-03T23:59:00</ToDate>"
     "</TimePeriod>", 1, "calendar exception 'Closure': extra working time cannot be read"),
    ("<Type>1</Type>", 0, "calendar exception 'Closure': no TimePeriod"),
])
def test_mspdi_exceptions_a_calendar_cannot_hold_are_refused(tmp_path, body, working, message):
    with pytest.raises(InputError, match=message):
        read_mspdi(_two_tasks(tmp_path, calendar=_exception(body, "Closure", working)))


def test_links_to_summary_tasks_link_their_subtasks(tmp_path):
    """A link to a summary task constrains every task under it (MS Project semantics)."""
    def task(uid, name, level, hours=0, summary=0, preds=()):
        links = "".join(f"<PredecessorLink><PredecessorUID>{p}</PredecessorUID><Type>1</Type></PredecessorLink>"
                        for p in preds)
        return (f"<Task><UID>{uid}</UID><Name>{name}</Name><WBS>{name}</WBS><OutlineLevel>{level}</OutlineLevel>"
                f"<Summary>{summary}</Summary><Duration>PT{hours}H0M0S</Duration>{links}</Task>")

    xml = ("<Project xmlns='http://schemas.microsoft.com/project'><Tasks>"
           + task(0, "project", 0, summary=1)
           + task(1, "intake", 1, summary=1)
           + task(2, "log", 2, 8) + task(3, "triage", 2, 16)
           + task(4, "resolve", 1, summary=1, preds=[1])
           + task(5, "fix", 2, 24) + task(6, "reply", 2, 8, preds=[5])
           + "</Tasks></Project>")
    path = tmp_path / "summary.xml"
    path.write_text(xml)
    plan = read_mspdi(path)
    assert plan.ids == ("log", "triage", "fix", "reply")
    assert sorted((d.pred, d.succ) for d in plan.dependencies) == [
        ("fix", "reply"), ("log", "fix"), ("log", "reply"), ("triage", "fix"), ("triage", "reply")]
    assert plan.cpm().duration == 2 + 3 + 1  # triage (2 days) -> fix (3) -> reply (1)


def test_yaml_correlations_round_trip_and_drive_the_simulation(tmp_path):
    plan = read_plan(Path(__file__).resolve().parents[2] / "examples" / "support_plan.yaml")
    assert plan.correlations == {("diagnose", "fix"): 0.6}
    back = read_plan(write_plan(plan, tmp_path / "plan.yaml"))
    assert back.correlations == plan.correlations
    assert plan.simulate(500, seed=1).params["correlated_pairs"] == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("activities: [{id: a, duration: 1}, {id: b, duration: 2}]\n"
                   "correlations: [[a, b, 1.5], [a, zz, 0.1]]\n")
    with pytest.raises(PlanError) as err:
        read_plan(bad)
    assert "correlation a ~ b: must be a number in [-1, 1], got 1.5" in str(err.value)
    assert "correlation a ~ zz: needs two different activities" in str(err.value)


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 25), seed=st.integers(0, 10_000))
def test_mspdi_round_trip_of_random_networks(tmp_path_factory, n, seed):
    """Any network (all link types, leads and lags) survives MS Project XML up to its time resolution:
    durations in whole seconds, lags in tenths of a minute."""
    plan = random_plan(n, 2 * n, seed=seed, mixed_types=True)
    back = read_mspdi(write_mspdi(plan, tmp_path_factory.mktemp("x") / "p.xml"))
    links = sorted((d.pred, d.succ, d.type) for d in plan.dependencies)
    assert sorted((d.pred, d.succ, d.type) for d in back.dependencies) == links  # grouped by task in XML
    a, b = plan.cpm(), back.cpm()
    assert b.duration == pytest.approx(a.duration, abs=1e-3)
    assert b.table["total_float"].to_numpy() == pytest.approx(a.table["total_float"].to_numpy(), abs=1e-3)


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_ids_with_spaces_round_trip_with_their_relations(tmp_path, suffix):
    """Steps discovered from an event log have spaces in their ids ("Take in charge ticket"); an id that
    ends like a relation ("Review SS") is still that activity."""
    acts = [Activity("Assign seriousness", 1), Activity("Take in charge ticket", 2), Activity("Review SS", 3),
            Activity("Resolve ticket", 4), Activity("Reply, close", 1), Activity("Survey", 1)]
    deps = [("Assign seriousness", "Take in charge ticket"), ("Take in charge ticket", "Review SS", "SS", 1.5),
            ("Review SS", "Resolve ticket"), ("Assign seriousness", "Resolve ticket", "FF", -1),
            ("Resolve ticket", "Reply, close"), ("Reply, close", "Survey", "SS", 0.5)]
    plan = Plan(acts, deps, name="helpdesk")
    back = read_plan(write_plan(plan, tmp_path / f"plan{suffix}"))
    assert sorted((d.pred, d.succ, d.type, d.lag) for d in back.dependencies) == sorted(
        (d.pred, d.succ, d.type, d.lag) for d in plan.dependencies
    )
    assert back.cpm().duration == plan.cpm().duration == 1 + 1.5 + 3 + 4 + 0.5 + 1  # survey starts 0.5 after reply


def test_csv_predecessors_separated_by_commas_or_semicolons(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text('id,duration,predecessors\na,1,\nb,2,\n"Reply, close",1,"a, b"\nc,1,"Reply, close SS+1"\n'
                    'd,1,"Reply, close; a"\n')
    got = sorted((d.pred, d.succ, d.type, d.lag) for d in read_plan(path).dependencies)
    assert got == [("Reply, close", "c", "SS", 1.0), ("Reply, close", "d", "FS", 0.0), ("a", "Reply, close", "FS", 0.0),
                   ("a", "d", "FS", 0.0), ("b", "Reply, close", "FS", 0.0)]


def test_a_relation_after_an_unknown_id_is_an_error(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("activities:\n  - {id: Take in charge, duration: 1}\n"
                    "  - {id: fix, duration: 1, predecessors: ['Take in charge SS+1', 'Take in SS']}\n")
    with pytest.raises(PlanError, match=r"activities\[1\]: activity 'fix': predecessor 'Take in' is not an activity"):
        read_plan(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nstart: 2026-02-30\nactivities:\n  - {id: a, duration: 1}\n",
         r"a date that does not exist \(day is out of range for month\)"),
        ("name: x\ncalendar: {holidays: [2026-13-01]}\nactivities:\n  - {id: a, duration: 1}\n",
         r"a date that does not exist \(month must be in 1..12\)"),
        ("name: x\nactivities:\n  - id: a\n    duration: [1, 2\n",
         r"not valid YAML: line 5, column 1: expected ',' or '\]', but got '<stream end>'$"),
    ],
)
def test_yaml_plans_with_impossible_dates_or_broken_syntax_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_plan(path)
