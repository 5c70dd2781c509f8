"""Live support cases as small critical chains with their SLA as the due date.

Every open case follows the template of its kind (a chain of steps estimated from the event log, see
:func:`journeykit.schedule.from_log.plan_from_log`).  A case is closed once it reaches the template's last
step or another step given as closing.  One process often mixes kinds of case (on the simulated shop,
orders and support tickets share the post-purchase stage), so :func:`case_status_by_kind` reads each case
against the template of its first step (:func:`journeykit.schedule.from_log.plans_by_kind`), closed at
the closing steps learned for that kind: the steps where most cases of the kind end (a resolved ticket is
closed although it never reaches the orders' feedback survey).  The chain's aggressive length is the sum of the
steps' medians; the SLA leaves ``SLA - chain`` as the case's buffer.  From the events seen so far:

* the step in progress has run for ``e`` since the case's last template step; its remaining time is drawn
  from the step's distribution conditioned on lasting more than ``e`` (median: the forecast);
* later steps take their median (forecast) or a random draw (simulation);
* buffer consumption is how far the forecast end is past ``start + chain``, as a share of the buffer;
  chain completion is ``1 - remaining / chain`` (both medians); the zone comes from :class:`.fever.Bands`;
* the breach probability is the simulated share of ends after the SLA.

A case idle in its current step for more than ``stale`` times the step's longest duration (its 99.9 %
quantile; twice by default) is not live: it was closed without a closing event in the log, or forgotten.
Such cases are left out of the table (a note counts them and names the oldest): listed with the live
ones they would all be certain breaches with a complete chain, hiding the cases someone can still save.

Cases are sorted by breach probability: the tickets that will breach their SLA unless someone acts come
first.  A status "as of" a past time ignores later events, so the forecasts can be checked against what
happened.

Reference: Goldratt, E. M. (1997) *Critical Chain*; Leach, L. P. (2000) *Critical Chain Project
Management*, ch. 9 (buffer management applied to a stream of small projects).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from journeykit.engine import Engine, Filters
from journeykit.result import Result
from journeykit.schedule.ccpm.fever import Bands, fever_figure
from journeykit.schedule.errors import ScheduleError
from journeykit.schedule.from_log import UNIT_SECONDS, PlanFromLog, select_process
from journeykit.schedule.network import Plan

_GRID = np.linspace(0.0, 1.0, 2001)
#: The quantile taken as a step's longest duration (the maximum of a lognormal is infinite).
STALE_QUANTILE = 0.999


class CaseStatus(Result):
    """Buffer status of every open case.

    ``table``: ``case``, ``started``, ``last_step``, ``steps_done``, ``elapsed`` (plan units since the
    start), ``due``, ``forecast_end``, ``completion``, ``consumption``, ``zone``, ``p_breach``; most
    likely breaches first.  :func:`case_status_by_kind` adds ``kind`` (the case's first step) after
    ``case``; its ``params["sla"]`` maps each kind to its SLA.
    """

    title = "Live cases against their SLA"

    def __init__(self, table: pd.DataFrame, params: dict, notes: list[str], bands: Bands):
        super().__init__(table=table, params=params, notes=notes, title=type(self).title)
        self.bands = bands

    def figure(self):
        """The live portfolio fever chart: one point per open case."""
        points = self.table.assign(
            project=self.table["kind"] if "kind" in self.table else "open cases",
            label=[f"case {c}: P(breach) {p:.0%}" for c, p in zip(self.table["case"], self.table["p_breach"])],
        )
        sla, unit = self.params["sla"], self.params["unit"]
        due = (f"their SLA ({', '.join(f'{k} {v:g}' for k, v in sla.items())} {unit})" if isinstance(sla, Mapping)
               else f"a {sla:g} {unit} SLA")
        return fever_figure(points, self.bands, title=f"Open cases against {due}")


def _chain_steps(template: Plan) -> list[str]:
    preds = {a.id: [] for a in template.activities}
    for d in template.dependencies:
        if d.type != "FS":
            raise ScheduleError(
                f"the case template must be a chain of finish-to-start steps; {d.pred} -> {d.succ} is {d.type}")
        preds[d.succ].append(d.pred)
    order = [template.ids[i] for i in np.argsort(template.level, kind="stable")]
    for prev, step in zip(order, order[1:]):
        if preds[step] != [prev]:
            raise ScheduleError(
                f"the case template must be a single chain of steps; '{step}' does not simply follow '{prev}'")
    return order


def case_status(
    template: Plan,
    events: pd.DataFrame,
    sla: float,
    *,
    as_of: pd.Timestamp | None = None,
    closed_steps: Sequence[str] = (),
    bands: Bands = Bands(),
    samples: int = 2000,
    seed: int | None = 0,
    stale: float | None = 2.0,
) -> CaseStatus:
    """Buffer status and breach probability of every case still open at ``as_of``.

    Parameters
    ----------
    template : Plan
        A chain of steps (activity ids are the step names reached, as from ``plan_from_log``).
    events : DataFrame
        ``case``, ``step``, ``timestamp`` (UTC) of the process's events.
    sla : float
        Time allowed per case, in the template's unit, counted from the case's first event.
    as_of : Timestamp, optional
        Status time (default: the last event).  Later events and cases are ignored.
    closed_steps : sequence of str
        Steps that end a case besides the template's last step.
    bands : Bands
    samples : int
        Monte Carlo draws per case for the breach probability.
    seed : int or None
    stale : float or None
        Cases idle for longer than this multiple of their current step's longest duration (99.9 %
        quantile) are left out as stale (``None``: keep every case without a closing step).

    Raises
    ------
    ScheduleError
        A template that is not a chain, an unknown unit, a non-positive SLA, missing columns.
    """
    ev = _checked(events)
    if not sla > 0:
        raise ScheduleError(f"the SLA must be > 0, got {sla}")
    if template.unit not in UNIT_SECONDS:
        raise ScheduleError(f"the case template's unit must be one of {sorted(UNIT_SECONDS)}, got '{template.unit}'")
    steps = _chain_steps(template)
    scale = UNIT_SECONDS[template.unit]
    dists = [template.activity(s).duration for s in steps]
    quantiles = [np.maximum.accumulate(np.asarray(d.ppf(_GRID), dtype=float)) for d in dists]
    medians = np.array([float(np.interp(0.5, _GRID, q)) for q in quantiles])
    chain = float(medians.sum())
    buffer = sla - chain
    now = _status_time(ev, as_of)
    ev = ev[ev["timestamp"] <= now]
    position = {s: k for k, s in enumerate(steps)}
    ev = ev.assign(pos=ev["step"].map(position))
    per_case = ev.groupby("case", sort=False).agg(started=("timestamp", "min"), last_step=("step", "last"),
                                                    reached=("pos", "max"))
    closing = set(closed_steps) | {steps[-1]}
    closed = ev[ev["step"].isin(closing)]["case"].unique()
    open_cases = per_case[~per_case.index.isin(closed)]
    last_time = ev.dropna(subset=["pos"]).loc[lambda d: d["pos"] == d["case"].map(open_cases["reached"])]
    reached_at = last_time.groupby("case")["timestamp"].max()
    if stale is not None and not stale > 0:
        raise ScheduleError(f"stale must be a positive multiple of the longest step duration, got {stale}")
    longest = [stale * float(np.interp(STALE_QUANTILE, _GRID, q)) if stale is not None else np.inf for q in quantiles]
    rng = np.random.default_rng(seed)
    rows, idle = [], []
    for case, info in open_cases.iterrows():
        done = -1 if pd.isna(info["reached"]) else int(info["reached"])
        since = reached_at.get(case, info["started"])
        elapsed_step = (now - since).total_seconds() / scale
        if done + 1 < len(steps) and elapsed_step > longest[done + 1]:
            idle.append((case, elapsed_step))
            continue
        elapsed = (now - info["started"]).total_seconds() / scale
        draws = np.zeros(samples)
        median_left = 0.0
        for k in range(done + 1, len(steps)):
            q = quantiles[k]
            if k == done + 1:  # in progress for elapsed_step: condition on lasting longer
                lo = float(np.interp(elapsed_step, q, _GRID)) if elapsed_step < q[-1] else 1.0
                u = lo + (1.0 - lo) * rng.random(samples)
                draws += np.maximum(np.interp(u, _GRID, q) - elapsed_step, 0.0)
                median_left += max(float(np.interp(lo + (1.0 - lo) / 2, _GRID, q)) - elapsed_step, 0.0)
            else:
                draws += np.interp(rng.random(samples), _GRID, q)
                median_left += medians[k]
        forecast_end = elapsed + median_left
        late = forecast_end - chain
        consumption = max(0.0, late) / buffer if buffer > 0 else float("inf")
        completion = min(1.0, max(0.0, 1.0 - median_left / chain)) if chain > 0 else 1.0
        rows.append((case, info["started"], info["last_step"], done + 1, elapsed, sla, forecast_end, completion,
                     consumption, bands.zone(completion, consumption), float(np.mean(elapsed + draws > sla))))
    table = pd.DataFrame(rows, columns=["case", "started", "last_step", "steps_done", "elapsed", "due",
                                        "forecast_end", "completion", "consumption", "zone", "p_breach"])
    table = table.sort_values(["p_breach", "consumption"], ascending=False, kind="stable").reset_index(drop=True)
    notes = [f"{len(table)} open cases as of {now}; chain of {len(steps)} steps, median {chain:.3g} "
             f"{template.unit}; buffer {buffer:.3g} {template.unit} under a {sla:g} {template.unit} SLA"]
    if idle:
        idle.sort(key=lambda c: -c[1])
        oldest = ", ".join(f"{c} ({e:,.0f})" for c, e in idle[:5])
        notes.append(
            f"{len(idle)} more case{'s' if len(idle) > 1 else ''} without a closing step left out as stale: idle "
            f"for more than {stale:g} "
            f"times the longest duration of their current step (closed without a closing event, or forgotten; "
            f"oldest, idle {template.unit}: {oldest})"
        )
    if buffer <= 0:
        notes.append("the SLA is shorter than the median chain: every open case is already eating a buffer it does "
                     "not have")
    params = {"sla": sla, "unit": template.unit, "as_of": str(now), "steps": steps, "samples": samples,
              "stale": stale, "stale_cases": len(idle)}
    return CaseStatus(table, params, notes, bands)


def case_status_by_kind(
    templates: Sequence[PlanFromLog],
    events: pd.DataFrame,
    sla: float | Mapping[str, float],
    *,
    as_of: pd.Timestamp | None = None,
    closed_steps: Sequence[str] = (),
    bands: Bands = Bands(),
    samples: int = 2000,
    seed: int | None = 0,
    stale: float | None = 2.0,
) -> CaseStatus:
    """:func:`case_status` of every case against the template of its kind (its first step).

    A case is closed once it reaches one of its kind's closing steps (``PlanFromLog.closing``: the main
    path's last step and the steps where most cases of the kind end) or one of ``closed_steps``.  Cases
    whose first step has no template (kinds too rare for one) are left out, with a note.

    Parameters
    ----------
    templates : sequence of PlanFromLog
        One per kind, as from :func:`journeykit.schedule.from_log.plans_by_kind` (one unit).
    events : DataFrame
        ``case``, ``step``, ``timestamp`` (UTC) of the process's events.
    sla : float or mapping of str to float
        Time allowed per case (template unit), or per kind (first step -> time).
    as_of, bands, samples, seed, stale
        As :func:`case_status`; every kind is read at the same status time.
    closed_steps : sequence of str
        Steps that close a case of any kind.

    Raises
    ------
    ScheduleError
        Templates of different units or of the same kind, a kind without an SLA, and as :func:`case_status`.
    """
    ev = _checked(events)
    if not templates:
        raise ScheduleError("case_status_by_kind needs at least one template")
    units = {t.plan.unit for t in templates}
    if len(units) > 1:
        raise ScheduleError(f"the case templates must share one unit, got {sorted(units)}")
    kinds = [t.start for t in templates]
    if len(set(kinds)) < len(kinds):
        raise ScheduleError(f"one template per kind of case, got first steps {kinds}")
    slas = dict(sla) if isinstance(sla, Mapping) else dict.fromkeys(kinds, sla)
    if missing := [k for k in kinds if k not in slas]:
        raise ScheduleError(f"no SLA for the kind{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    now = _status_time(ev, as_of)
    ev = ev[ev["timestamp"] <= now]
    kind_of = ev["case"].map(ev.groupby("case", sort=False)["step"].first())
    tables, notes, params = [], [], {}
    for t in templates:
        status = case_status(t.plan, ev[kind_of == t.start], slas[t.start], as_of=now,
                             closed_steps=[*(t.closing or ()), *closed_steps], bands=bands, samples=samples,
                             seed=seed, stale=stale)
        tables.append(status.table.assign(kind=t.start))
        notes += [f"{t.start} cases: {n}" for n in status.notes]
        params[t.start] = status.params
    table = pd.concat(tables, ignore_index=True)
    table = table[["case", "kind", *[c for c in table.columns if c not in ("case", "kind")]]]
    table = table.sort_values(["p_breach", "consumption"], ascending=False, kind="stable").reset_index(drop=True)
    per_kind = table["kind"].value_counts()
    counts = ", ".join(f"{per_kind.get(k, 0)} {k}" for k in kinds)
    notes.insert(0, f"{len(table)} open cases as of {now} ({counts}; a case's kind is its first step)")
    other = kind_of[~kind_of.isin(kinds)].groupby(ev["case"]).first().value_counts()
    if len(other):
        notes.append(f"{other.sum()} case{'s' if other.sum() > 1 else ''} of kinds without a template of their own "
                     f"left out (first step: {', '.join(f'{k} {n}' for k, n in other.items())})")
    params = {"sla": {k: slas[k] for k in kinds}, "unit": units.pop(), "as_of": str(now), "kinds": params,
              "samples": samples, "stale": stale, "stale_cases": sum(p["stale_cases"] for p in params.values()),
              "other_cases": int(other.sum())}
    return CaseStatus(table, params, notes, bands)


def _checked(events: pd.DataFrame) -> pd.DataFrame:
    """``case``, ``step``, ``timestamp`` (UTC) of ``events``, in case and time order."""
    missing = [c for c in ("case", "step", "timestamp") if c not in events]
    if missing:
        raise ScheduleError(f"case events need the columns case, step and timestamp (missing: {', '.join(missing)})")
    ev = events[["case", "step", "timestamp"]].copy()
    ev["timestamp"] = pd.to_datetime(ev["timestamp"], utc=True)
    return ev.sort_values(["case", "timestamp"], kind="stable")


def _status_time(ev: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Timestamp:
    """``as_of`` in UTC (naive: UTC), by default the last event."""
    now = pd.Timestamp(as_of if as_of is not None else ev["timestamp"].max())
    return now.tz_localize("UTC") if now.tzinfo is None else now


def case_events(engine: Engine, process: str | Sequence[str], filters: Filters | None = None) -> pd.DataFrame:
    """``case``, ``step``, ``timestamp`` of a process's events (steps: touchpoint, else raw event name)."""
    import ibis

    ev = (filters or Filters()).apply(engine.events)
    stages = engine.execute(ev.select("stage").distinct().filter(ev.stage.notnull()))["stage"].tolist()
    ev = select_process(ev, process, stages)
    ev = ev.select(case=ibis.coalesce(ev.case_id, ev.customer_id), step=ibis.coalesce(ev.touchpoint, ev.event),
                   timestamp=ev.timestamp, seq=ev.seq)
    return engine.execute(ev.order_by(["case", "timestamp", "seq"])).drop(columns="seq")


__all__ = ["CaseStatus", "case_events", "case_status", "case_status_by_kind"]
