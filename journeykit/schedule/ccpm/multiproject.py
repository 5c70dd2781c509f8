"""Multi-project critical chain: stagger projects on the drum, rank open work across the portfolio.

Projects that share resources are staggered on the *drum*, the resource with the highest load across the
portfolio (work in resource-periods over capacity).  In priority order each project's drum work gets a
window; a capacity buffer (a share of the previous project's drum work) separates consecutive windows, and
each project starts so that its first use of the drum falls at the start of its window.  Open work is
ranked by the buffer status of its project: red before yellow before green, then by how much more buffer
than chain has been used (``consumption - completion``), chain activities first.

Reference: Goldratt, E. M. (1997) *Critical Chain*, North River Press, ch. 24-25 (drum, capacity buffer);
Leach, L. P. (2000) *Critical Chain Project Management*, Artech House, ch. 10 (multi-project).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from journeykit.result import Result
from journeykit.schedule.ccpm.fever import ZONES
from journeykit.schedule.ccpm.plan import CcpmPlan
from journeykit.schedule.ccpm.progress import BufferStatus
from journeykit.schedule.rcpsp.problem import RcpspError


class Portfolio(Result):
    """Staggered projects.

    ``table``: one row per project in priority order: ``project``, ``drum_work`` (periods of the whole
    drum), ``drum_start``, ``offset`` (project start), ``due`` (offset + the project's due date).

    Attributes
    ----------
    drum : str
        The most loaded resource.
    load : DataFrame
        Per resource: ``resource``, ``capacity``, ``work``, ``load`` (work / capacity), ``peak`` (highest
        use of the staggered portfolio in one period), ``overloaded_periods``.
    """

    title = "Multi-project portfolio"

    def __init__(self, table: pd.DataFrame, load: pd.DataFrame, drum: str, params: dict, notes: list[str]):
        super().__init__(table=table, params=params, notes=notes, title=type(self).title)
        self.load, self.drum = load, drum


def _capacities(plans: Sequence[CcpmPlan]) -> dict[str, float]:
    caps: dict[str, float] = {}
    for plan in plans:
        for name, cap in zip(plan.problem.resource_names, plan.problem.capacities):
            if name in caps and caps[name] != cap:
                raise RcpspError(f"shared resource '{name}' has capacity {caps[name]:g} in one project and {cap:g} "
                                 f"in '{plan.problem.name}': give every project the same capacities")
            caps[name] = cap
    return caps


def stagger(plans: Sequence[CcpmPlan], capacity_buffer: float = 0.25, drum: str | None = None) -> Portfolio:
    """Stagger projects (in the given priority order) on the drum resource.

    Parameters
    ----------
    plans : sequence of CcpmPlan
        Projects in priority order; resources with the same name are shared.
    capacity_buffer : float
        Drum idle time kept after each project's drum work, as a share of it.
    drum : str, optional
        Force the drum resource (default: the most loaded).

    Raises
    ------
    RcpspError
        No plans, no resources, a negative capacity buffer, an unknown drum, or a shared resource with
        different capacities.
    """
    if not plans:
        raise RcpspError("a portfolio needs at least one project")
    if capacity_buffer < 0:
        raise RcpspError(f"the capacity buffer must be >= 0, got {capacity_buffer}")
    caps = _capacities(plans)
    if not caps:
        raise RcpspError("the projects use no resources: there is no drum to stagger them on")
    work = {name: 0.0 for name in caps}
    per_project = []
    for plan in plans:
        p = plan.problem
        mine = {name: sum(d * row[k] for d, row in zip(p.durations, p.demands)) for k, name in enumerate(p.resource_names)}
        for name, w in mine.items():
            work[name] += w
        per_project.append(mine)
    load = {name: work[name] / caps[name] if caps[name] else 0.0 for name in caps}
    drum = drum or max(load, key=load.get)
    if drum not in caps:
        raise RcpspError(f"unknown drum resource '{drum}' (resources: {', '.join(caps)})")
    rows, window = [], 0.0
    for plan, mine in zip(plans, per_project):
        p = plan.problem
        k = p.resource_names.index(drum) if drum in p.resource_names else None
        users = [j for j in range(p.n) if k is not None and p.durations[j] and p.demands[j][k] > 0]
        first_use = min((plan.start[j] for j in users), default=0)
        drum_work = mine.get(drum, 0.0) / caps[drum]
        offset = max(0, int(np.ceil(window - first_use - 1e-9)))
        rows.append((p.name, drum_work, float(offset + first_use), offset, offset + plan.due))
        window = offset + first_use + drum_work * (1.0 + capacity_buffer)
    table = pd.DataFrame(rows, columns=["project", "drum_work", "drum_start", "offset", "due"])
    load_table, notes = _combined_load(plans, table["offset"].tolist(), caps, work)
    params = {"drum": drum, "capacity_buffer": capacity_buffer, "projects": len(plans)}
    return Portfolio(table, load_table, drum, params, notes)


def _combined_load(plans, offsets, caps, work) -> tuple[pd.DataFrame, list[str]]:
    end = max(o + max(s + d for s, d in zip(pl.start, pl.problem.durations)) for pl, o in zip(plans, offsets))
    names = list(caps)
    use = np.zeros((end + 1, len(names)))
    for plan, offset in zip(plans, offsets):
        p = plan.problem
        for s, d, row in zip(plan.start, p.durations, p.demands):
            if d:
                for k, name in enumerate(p.resource_names):
                    use[offset + s, names.index(name)] += row[k]
                    use[offset + s + d, names.index(name)] -= row[k]
    profile = np.cumsum(use, axis=0)[:-1]
    capacity = np.array([caps[n] for n in names])
    over = (profile > capacity + 1e-9).sum(axis=0)
    table = pd.DataFrame({
        "resource": names, "capacity": capacity, "work": [work[n] for n in names],
        "load": [work[n] / caps[n] if caps[n] else 0.0 for n in names],
        "peak": profile.max(axis=0) if len(profile) else 0.0, "overloaded_periods": over,
    }).sort_values("load", ascending=False, kind="stable").reset_index(drop=True)
    notes = [f"resource '{n}' is over capacity in {int(o)} periods of the staggered portfolio: re-level those "
             f"projects together or add capacity" for n, o in zip(names, over) if o]
    return table, notes


def rank_open_work(statuses: Mapping[str, BufferStatus]) -> pd.DataFrame:
    """All unfinished activities of all projects, most urgent first.

    Parameters
    ----------
    statuses : mapping of project name to BufferStatus
        The latest status of each project.

    Returns
    -------
    DataFrame
        ``rank``, ``project``, ``zone``, ``consumption``, ``completion``, ``activity``, ``status``,
        ``on_chain``, ``forecast_start``, ``forecast_finish``.
    """
    frames = []
    for project, status in statuses.items():
        f = status.forecast
        open_work = f[f["status"] != "done"].copy()
        open_work.insert(0, "project", project)
        open_work["zone"] = status.zone
        open_work["consumption"] = status.consumption
        open_work["completion"] = status.completion
        frames.append(open_work)
    if not frames:
        return pd.DataFrame(columns=["rank", "project", "zone", "consumption", "completion", "activity", "status",
                                     "on_chain", "forecast_start", "forecast_finish"])
    work = pd.concat(frames, ignore_index=True)
    work["_zone"] = work["zone"].map({z: -i for i, z in enumerate(ZONES)})
    work["_burn"] = work["consumption"] - work["completion"]
    work = work.sort_values(["_zone", "_burn", "project", "on_chain", "forecast_start"],
                            ascending=[True, False, True, False, True], kind="stable")
    work.insert(0, "rank", np.arange(1, len(work) + 1))
    cols = ["rank", "project", "zone", "consumption", "completion", "activity", "status", "on_chain",
            "forecast_start", "forecast_finish"]
    return work[cols].reset_index(drop=True)


__all__ = ["Portfolio", "rank_open_work", "stagger"]
