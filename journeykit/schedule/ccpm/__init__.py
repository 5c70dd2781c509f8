"""Critical Chain Project Management: levelled plans, buffers, buffer management, portfolios, live cases."""

from journeykit.schedule.ccpm.buffers import METHODS as BUFFER_METHODS
from journeykit.schedule.ccpm.cases import CaseStatus, case_events, case_status, case_status_by_kind
from journeykit.schedule.ccpm.chain import Chain, FeedingChain, critical_chain, feeding_chains
from journeykit.schedule.ccpm.fever import Bands, fever_figure
from journeykit.schedule.ccpm.from_plan import ccpm, plan_estimates, plan_problem
from journeykit.schedule.ccpm.multiproject import Portfolio, rank_open_work, stagger
from journeykit.schedule.ccpm.plan import CcpmPlan, critical_chain_plan
from journeykit.schedule.ccpm.progress import BufferStatus, FeverChart, ProgressError, buffer_status, fever_chart

__all__ = [
    "BUFFER_METHODS",
    "Bands",
    "BufferStatus",
    "CaseStatus",
    "CcpmPlan",
    "Chain",
    "FeedingChain",
    "FeverChart",
    "Portfolio",
    "ProgressError",
    "buffer_status",
    "case_events",
    "case_status",
    "case_status_by_kind",
    "ccpm",
    "critical_chain",
    "critical_chain_plan",
    "feeding_chains",
    "fever_chart",
    "fever_figure",
    "plan_estimates",
    "plan_problem",
    "rank_open_work",
    "stagger",
]
