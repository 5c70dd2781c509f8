"""The KPIs a benchmark reference may name: unit, direction and how values in other units convert.

Each KPI has one canonical unit; references may be written in an accepted alternative unit (minutes for a
time in hours) and are converted on load.  ``higher_is_better`` drives the direction of the
distance-to-frontier score.  ``measured`` says whether journeykit can measure the KPI from a workspace;
the others (the ACSI index, a latent-variable index of its own survey) are kept for reference only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KpiDefinition:
    """A benchmarkable KPI.

    Attributes
    ----------
    name : str
    unit : str
        Canonical unit of the values.
    higher_is_better : bool
    low, high : float
        Range of valid values in the canonical unit.
    units : dict
        Accepted units -> factor converting them to the canonical unit.
    measured : bool
        Whether :func:`journeykit.insight.benchmark.measure.measure_kpis` computes it.
    description : str
    """

    name: str
    unit: str
    higher_is_better: bool
    low: float
    high: float
    units: dict[str, float] = field(default_factory=dict)
    measured: bool = True
    description: str = ""

    def factor(self, unit: str) -> float | None:
        """Factor converting ``unit`` to the canonical unit (``None`` when not accepted)."""
        if unit == self.unit:
            return 1.0
        return self.units.get(unit)


_PERCENT = {"percent": 1.0, "% of customers": 1.0, "share": 100.0}
_HOURS = {"minutes": 1 / 60, "seconds": 1 / 3600, "days": 24.0}

KPIS: dict[str, KpiDefinition] = {
    k.name: k
    for k in [
        KpiDefinition("nps", "points", True, -100, 100,
                      description="Net Promoter Score (% promoters − % detractors)"),
        KpiDefinition("csat", "%", True, 0, 100, _PERCENT,
                      description="CSAT top-2-box share (4-5 on 1-5), or the 'good' share of a good/bad "
                      "rating"),
        KpiDefinition("ces", "mean", True, 1, 7,
                      description="Customer Effort Score: mean agreement with 'the company made it easy' "
                      "(scale stored per row)"),
        KpiDefinition("acsi", "index 0-100", True, 0, 100, measured=False,
                      description="American Customer Satisfaction Index: a latent-variable index, "
                      "not a CSAT %"),
        KpiDefinition("churn_rate", "%", False, 0, 100, _PERCENT,
                      description="Customers lost (for journeykit: purchasers with no event for the "
                      "inactivity period)"),
        KpiDefinition("repeat_purchase_rate", "%", True, 0, 100, _PERCENT,
                      description="Purchasers who bought again"),
        KpiDefinition("conversion", "%", True, 0, 100, _PERCENT,
                      description="Customers reaching a stage, as a share of all customers"),
        KpiDefinition("first_response_time", "hours", False, 0, float("inf"), _HOURS,
                      description="Mean time from a support case's first event to the second"),
        KpiDefinition("resolution_time", "hours", False, 0, float("inf"), _HOURS,
                      description="Mean time from a support case's first to last event"),
        KpiDefinition("fcr", "%", True, 0, 100, _PERCENT, measured=False,
                      description="First-contact resolution: tickets resolved on the first contact"),
    ]
}
