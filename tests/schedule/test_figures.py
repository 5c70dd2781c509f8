"""Schedule figures show what the schedule says (critical colouring, deadline, ordering)."""

from __future__ import annotations

import numpy as np

from journeykit.schedule.figures import CRITICAL, finish_distribution, gantt, pert_chart, tornado
from tests.schedule.test_cpm import reliable_plan


def test_pert_chart_boxes_and_critical_edges():
    r = reliable_plan().cpm()
    fig = pert_chart(r)
    nodes = fig.data[-1]
    assert len(nodes.x) == 14
    colors = dict(zip(r.table["id"], nodes.marker.line.color))
    assert colors["A"] == CRITICAL and colors["D"] != CRITICAL
    assert "29 | 38" in nodes.text[list(r.table["id"]).index("H")]  # ES | EF of H
    red = fig.data[1]
    assert red.line.color == CRITICAL and len(red.x) == 3 * 7  # the 7 links of the critical path


def test_gantt_bars_start_at_es_and_float_follows():
    r = reliable_plan().cpm()
    fig = gantt(r)
    bars, floats = fig.data
    t = r.table.iloc[::-1]
    assert list(bars.base) == list(t["es"]) and list(floats.base) == list(t["ef"])
    assert list(floats.x) == list(t["total_float"])


def test_finish_distribution_marks_the_deadline_and_tornado_orders_by_magnitude():
    sim = reliable_plan().simulate(2000, seed=0, deadline=47)
    fig = finish_distribution(sim)
    assert f"P(finish <= 47) = {sim.probability(47):.2f}" in fig.layout.title.text
    s_curve = fig.data[1]
    assert np.all(np.diff(s_curve.y) >= 0) and s_curve.y[-1] == 1
    bars = tornado(sim, top=5).data[0]
    mags = np.abs(np.array(bars.x))
    assert len(mags) == 5 and np.all(np.diff(mags) >= 0)  # drawn bottom-up: largest on top


def test_gantt_on_a_calendar_uses_dates():
    from datetime import date

    from journeykit.schedule import Activity, Calendar, Plan

    plan = Plan([Activity("a", 5), Activity("b", 2), Activity("c", 1)], [("a", "b"), ("a", "c")],
                calendar=Calendar(holidays=["2026-01-07"]), start=date(2026, 1, 5))
    fig = gantt(plan.cpm())
    bars, floats = fig.data
    assert fig.layout.xaxis.type == "date"
    i = list(bars.y).index("a")
    # a: Mon 5, Tue 6, (Wed 7 holiday), Thu 8, Fri 9, Mon 12 -> bar from Jan 5 to the end of Jan 12
    assert bars.base[i] == "2026-01-05" and bars.x[i] == 8 * 86_400_000
    j = list(floats.y).index("c")
    # c (1 day, Tue 13) may slip 1 working day: its float bar covers Wed 14
    assert floats.base[j] == "2026-01-14" and floats.x[j] == 86_400_000
