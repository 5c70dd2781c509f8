"""Critical Chain Project Management: levelled plans, buffers, buffer management, portfolios, live cases."""

from journeykit.schedule.ccpm.buffers import METHODS as BUFFER_METHODS
from journeykit.schedule.ccpm.chain import Chain, FeedingChain, critical_chain, feeding_chains
from journeykit.schedule.ccpm.from_plan import ccpm, plan_estimates, plan_problem
from journeykit.schedule.ccpm.plan import CcpmPlan, critical_chain_plan

__all__ = [
    "BUFFER_METHODS",
    "CcpmPlan",
    "Chain",
    "FeedingChain",
    "ccpm",
    "critical_chain",
    "critical_chain_plan",
    "feeding_chains",
    "plan_estimates",
    "plan_problem",
]
