"""Journey analytics on the engine: transitions, paths, timing, funnels, cohorts, KPIs, CLV."""

from journeykit.analytics.clv import (
    BetaGeoFitter,
    ClvResult,
    GammaGammaFitter,
    ParetoNBDFitter,
    ShiftedBetaGeometricFitter,
    calibration_holdout,
    customer_lifetime_value,
)
from journeykit.analytics.cohorts import (
    ChurnResult,
    CohortResult,
    LifecycleResult,
    churn,
    cohorts,
    lifecycle,
    repeat_purchase_rate,
)
from journeykit.analytics.funnels import Funnel, FunnelComparison, FunnelResult, compare_funnels, funnel
from journeykit.analytics.kpis import KpiResult, operational_kpis, survey_kpis
from journeykit.analytics.paths import PathsResult, VariantsResult, paths, variants
from journeykit.analytics.sequences import Sessions
from journeykit.analytics.timing import (
    BottlenecksResult,
    StageDwellResult,
    ThroughputResult,
    TimeBetweenResult,
    bottlenecks,
    case_throughput,
    stage_dwell,
    time_between,
)
from journeykit.analytics.transitions import TransitionsResult, transitions
