"""Resource flow of a schedule: which activity hands its units of a resource over to which.

Reading a schedule in start order, every activity takes the units it needs first from the resource's
stock of never-used units, then from activities that have finished by its start (the latest finisher
first, so hand-overs at the same instant are preferred).  The links ``i -> j`` that carry units are resource hand-overs:
with them added as precedence relations, any delay keeps the schedule resource-feasible, which is how the
critical chain is traced and how executions are simulated.

Reference: Artigues, C., Michelon, P. and Reusser, S. (2003) "Insertion techniques for static and
dynamic resource-constrained project scheduling", European Journal of Operational Research 149(2),
249-267 (resource flow networks).
"""

from __future__ import annotations

from collections.abc import Sequence

from journeykit.schedule.rcpsp.problem import RcpspProblem


def resource_flow(problem: RcpspProblem, start: Sequence[int]) -> list[tuple[int, int]]:
    """Resource hand-over links ``(giver, taker)`` of a feasible schedule, without duplicates.

    Parameters
    ----------
    problem : RcpspProblem
    start : sequence of int
        A resource-feasible schedule.

    Returns
    -------
    list of (int, int)
        Links in taker start order.
    """
    dur = problem.durations
    finish = [s + d for s, d in zip(start, dur)]
    order = sorted((j for j in range(problem.n) if dur[j] > 0), key=lambda j: (start[j], finish[j]))
    links: dict[tuple[int, int], None] = {}
    for k, cap in enumerate(problem.capacities):
        stock = float(cap)  # units never handed over yet
        held: list[list] = []  # [finish, activity, units] of activities holding units of k
        for j in order:
            need = problem.demands[j][k]
            if need <= 0:
                continue
            own = min(stock, need)
            stock -= own
            need -= own
            free = sorted((h for h in held if h[0] <= start[j]), key=lambda h: -h[0])
            for h in free:
                if need <= 1e-12:
                    break
                take = min(need, h[2])
                if take > 0:
                    h[2] -= take
                    need -= take
                    links[(h[1], j)] = None
            held = [h for h in held if h[2] > 1e-12]
            held.append([finish[j], j, problem.demands[j][k]])
    return list(links)


__all__ = ["resource_flow"]
