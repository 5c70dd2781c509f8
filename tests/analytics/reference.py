"""Plain-Python reference implementations and random logs with ties, to cross-check the engine analytics."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pandas as pd
from hypothesis import strategies as st

BASE = pd.Timestamp("2024-01-01", tz="UTC")


@st.composite
def random_logs(draw, max_events: int = 40, labels: str = "ABCD") -> pd.DataFrame:
    """A small event log with many equal timestamps, rows in shuffled order, ``seq`` unique."""
    n = draw(st.integers(1, max_events))
    rows = []
    for i in range(n):
        rows.append(
            {
                "customer_id": draw(st.sampled_from(["c1", "c2", "c3", "c4"])),
                "case_id": draw(st.sampled_from(["k1", "k2", "k3", None])),
                "event": draw(st.sampled_from(list(labels))),
                "timestamp": BASE + pd.Timedelta(minutes=draw(st.integers(0, 6)) * 20),
                "seq": i,
            }
        )
    order = draw(st.permutations(range(n)))
    return pd.DataFrame([rows[i] for i in order])


def journeys(log: pd.DataFrame, key: str = "customer_id", label: str = "event") -> dict[str, list[tuple]]:
    """Journey key -> its ``(timestamp, seq, label, customer)`` in ``(timestamp, seq)`` order."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for row in log.itertuples(index=False):
        k, lab = getattr(row, key), getattr(row, label)
        if k is None or lab is None or k != k or lab != lab:
            continue
        out[k].append((row.timestamp, row.seq, lab, row.customer_id))
    return {k: sorted(v, key=lambda e: (e[0], e[1])) for k, v in out.items()}


def collapse(journey: list[tuple]) -> list[tuple]:
    """First of each run of equal consecutive labels."""
    return [e for i, e in enumerate(journey) if i == 0 or journey[i - 1][2] != e[2]]


def dfg(js: dict[str, list[tuple]]) -> pd.DataFrame:
    """source, target, count, customers, probability, mean/median/p90 seconds."""
    gaps: dict[tuple, list[float]] = defaultdict(list)
    customers: dict[tuple, set] = defaultdict(set)
    for j in js.values():
        for a, b in zip(j, j[1:]):
            gaps[(a[2], b[2])].append((b[0] - a[0]).total_seconds())
            customers[(a[2], b[2])].add(a[3])
    outgoing = Counter()
    for (s, _), g in gaps.items():
        outgoing[s] += len(g)
    rows = [
        {
            "source": s,
            "target": t,
            "count": len(g),
            "customers": len(customers[(s, t)]),
            "probability": len(g) / outgoing[s],
            "mean_seconds": float(np.mean(g)),
            "median_seconds": float(np.median(g)),
            "p90_seconds": float(np.quantile(g, 0.9)),
        }
        for (s, t), g in gaps.items()
    ]
    columns = ["source", "target", "count", "customers", "probability", "mean_seconds", "median_seconds", "p90_seconds"]
    return pd.DataFrame(rows, columns=columns)


def starts_ends(js: dict[str, list[tuple]]) -> tuple[Counter, Counter]:
    return Counter(j[0][2] for j in js.values()), Counter(j[-1][2] for j in js.values())


def variant_counts(js: dict[str, list[tuple]], collapsed: bool = False) -> dict[tuple, tuple[int, float]]:
    """Sequence -> (count, mean throughput seconds); with ``collapsed`` the sequence has its repeats
    collapsed, but a journey still lasts from its first to its last event."""
    acc: dict[tuple, list[float]] = defaultdict(list)
    for j in js.values():
        shown = collapse(j) if collapsed else j
        acc[tuple(e[2] for e in shown)].append((j[-1][0] - j[0][0]).total_seconds())
    return {k: (len(v), float(np.mean(v))) for k, v in acc.items()}


def path_counts(js: dict[str, list[tuple]], anchor: str, direction: str, steps: int, until: str | None = None) -> Counter:
    """Counter of the label tuples around the first ``anchor`` of each journey (missing: "(start)"/"(end)")."""
    out: Counter = Counter()
    for j in js.values():
        labels = [e[2] for e in j]
        if anchor not in labels:
            continue
        a = labels.index(anchor)
        if direction == "before":
            window = labels[max(0, a - steps) : a]
            out[tuple(["(start)"] * (steps - len(window)) + window)] += 1
            continue
        after = labels[a + 1 :]
        if direction == "between":
            if until not in after:
                continue
            after = after[: after.index(until) + 1]
        window = after[:steps]
        out[tuple(window + ["(end)"] * (steps - len(window)))] += 1
    return out


def first_to_next(js: dict[str, list[tuple]], source: str, target: str) -> tuple[int, list[float]]:
    """Journeys with ``source``, and seconds from the first ``source`` to the first ``target`` after it."""
    having, seconds = 0, []
    for j in js.values():
        labels = [e[2] for e in j]
        if source not in labels:
            continue
        having += 1
        a = labels.index(source)
        later = labels[a + 1 :]
        if target in later:
            b = a + 1 + later.index(target)
            seconds.append((j[b][0] - j[a][0]).total_seconds())
    return having, seconds


def stage_runs(js: dict[str, list[tuple]]) -> dict[str, list[float | None]]:
    """Stage -> dwell seconds of each run (``None`` for a journey's last run)."""
    out: dict[str, list[float | None]] = defaultdict(list)
    for j in js.values():
        runs = collapse(j)
        for a, b in zip(runs, runs[1:] + [None]):
            out[a[2]].append(None if b is None else (b[0] - a[0]).total_seconds())
    return out
