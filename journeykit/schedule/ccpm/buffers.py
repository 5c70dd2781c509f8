"""Buffer sizing methods of critical chain project management.

Every method sizes the buffer that protects one chain (the critical chain for the project buffer, a
feeding chain for its feeding buffer) from the safe and aggressive estimates of its activities.  With
``sigma_i = (safe_i - aggressive_i) / 2`` (the cut safety read as two standard deviations):

``cut_and_paste``
    ``fraction * sum(aggressive)``: half of the chain by default (Goldratt 1997).
``root_square_error``
    ``sqrt(sum((safe - aggressive)^2))`` (Newbold 1998; Leach 2000, ch. 7).
``adaptive_density``
    ``(1 + J / N) * sqrt(sum(sigma^2))`` with ``J`` the precedence relations into the chain's ``N``
    activities: denser networks get larger buffers (Tukel et al. 2006, APD).
``adaptive_resource``
    ``(1 + max_k U_k) * sqrt(sum(sigma^2))`` with ``U_k = sum(aggressive_i r_ik) / (R_k * sum(aggressive))``
    the chain's use of resource ``k``: tighter resources get larger buffers (Tukel et al. 2006, APRT).
``calibrated``
    Monte Carlo: the buffer that gives the chain's end a target on-time probability (see :mod:`.plan`).

References
----------
Goldratt, E. M. (1997) *Critical Chain*, North River Press.
Newbold, R. C. (1998) *Project Management in the Fast Lane: Applying the Theory of Constraints*, St. Lucie.
Leach, L. P. (2000) *Critical Chain Project Management*, Artech House.
Tukel, O. I., Rom, W. O. and Eksioglu, S. D. (2006) "An investigation of buffer sizing techniques in
critical chain scheduling", European Journal of Operational Research 172(2), 401-416.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from journeykit.schedule.rcpsp.problem import RcpspError, RcpspProblem

METHODS = ("cut_and_paste", "root_square_error", "adaptive_density", "adaptive_resource", "calibrated")


def cut_and_paste(aggressive: Sequence[float], fraction: float = 0.5) -> float:
    """``fraction`` of the chain's aggressive length."""
    return fraction * float(sum(aggressive))


def root_square_error(safe: Sequence[float], aggressive: Sequence[float]) -> float:
    """Square root of the summed squared safety cuts."""
    return math.sqrt(sum((s - a) ** 2 for s, a in zip(safe, aggressive)))


def _sigma(safe: Sequence[float], aggressive: Sequence[float]) -> float:
    return math.sqrt(sum(((s - a) / 2.0) ** 2 for s, a in zip(safe, aggressive)))


def adaptive_density(safe: Sequence[float], aggressive: Sequence[float], relations_in: int) -> float:
    """``(1 + J/N)`` times the chain's standard deviation; ``relations_in`` is ``J``."""
    n = len(safe)
    return (1.0 + relations_in / n) * _sigma(safe, aggressive) if n else 0.0


def adaptive_resource(safe: Sequence[float], aggressive: Sequence[float], demands: Sequence[Sequence[float]],
                      capacities: Sequence[float]) -> float:
    """``(1 + max_k U_k)`` times the chain's standard deviation; ``demands`` are the chain's rows."""
    length = float(sum(aggressive))
    if length <= 0:
        return 0.0
    use = [
        sum(a * row[k] for a, row in zip(aggressive, demands)) / (cap * length) if cap > 0 else 0.0
        for k, cap in enumerate(capacities)
    ]
    return (1.0 + max(use, default=0.0)) * _sigma(safe, aggressive)


def chain_buffer(method: str, problem: RcpspProblem, activities: Sequence[int], safe: Sequence[float],
                 aggressive: Sequence[float], fraction: float = 0.5) -> float:
    """Size of the buffer protecting ``activities`` by one of the analytic methods (not ``calibrated``).

    Parameters
    ----------
    method : str
        One of :data:`METHODS` except ``"calibrated"``.
    problem : RcpspProblem
        For relations and resource demands.
    activities : sequence of int
        The chain.
    safe, aggressive : sequences of float
        Estimates of *all* activities (indexed by activity), in periods.
    fraction : float
        Cut-and-paste fraction.
    """
    s = [safe[j] for j in activities]
    a = [aggressive[j] for j in activities]
    if method == "cut_and_paste":
        return cut_and_paste(a, fraction)
    if method == "root_square_error":
        return root_square_error(s, a)
    if method == "adaptive_density":
        members = set(activities)
        return adaptive_density(s, a, sum(1 for r in problem.relations if r.succ in members))
    if method == "adaptive_resource":
        return adaptive_resource(s, a, [problem.demands[j] for j in activities], problem.capacities)
    raise RcpspError(f"unknown buffer method {method!r} (expected one of {', '.join(METHODS)})")


__all__ = ["METHODS", "adaptive_density", "adaptive_resource", "chain_buffer", "cut_and_paste", "root_square_error"]
