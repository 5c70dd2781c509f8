"""journeykit: measure the customer journey from real data and plan the work that improves it.

The public API, in the manner of ``httpx``: the workspace and engine entry points here, each analysis in
its subpackage (``journeykit.analytics``, ``journeykit.insight``, ``journeykit.schedule``,
``journeykit.simulate``, ``journeykit.report``) and the most used functions re-exported below.  Names are
loaded on first use, so ``import journeykit`` (and the CLI) stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from journeykit.errors import (
    EmptyResultError,
    InputError,
    JourneykitError,
    ModelError,
    OptionError,
    WorkspaceError,
)

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    # workspace, engine, journey model
    "Workspace": "journeykit.workspace",
    "Engine": "journeykit.engine",
    "Filters": "journeykit.engine",
    "connect": "journeykit.engine",
    "JourneyModel": "journeykit.model",
    "load_model": "journeykit.model",
    # subpackages
    "analytics": "journeykit.analytics",
    "insight": "journeykit.insight",
    "schedule": "journeykit.schedule",
    "simulate": "journeykit.simulate",
    "report": "journeykit.report",
    # ingest and export
    "ingest_files": "journeykit.io.ingest",
    "IngestOptions": "journeykit.io.ingest",
    "export_parquet": "journeykit.io.export",
    "export_xes": "journeykit.io.export",
    # journey analytics
    "transitions": "journeykit.analytics",
    "variants": "journeykit.analytics",
    "paths": "journeykit.analytics",
    "funnel": "journeykit.analytics",
    "Funnel": "journeykit.analytics",
    "cohorts": "journeykit.analytics",
    "lifecycle": "journeykit.analytics",
    "churn": "journeykit.analytics",
    "stage_dwell": "journeykit.analytics",
    "time_between": "journeykit.analytics",
    "bottlenecks": "journeykit.analytics",
    "case_throughput": "journeykit.analytics",
    "survey_kpis": "journeykit.analytics",
    "operational_kpis": "journeykit.analytics",
    "customer_lifetime_value": "journeykit.analytics",
    "BetaGeoFitter": "journeykit.analytics",
    "ParetoNBDFitter": "journeykit.analytics",
    "GammaGammaFitter": "journeykit.analytics",
    "ShiftedBetaGeometricFitter": "journeykit.analytics",
    # insight
    "moments_of_truth": "journeykit.insight",
    "value_chain": "journeykit.insight",
    "benchmark": "journeykit.insight",
    "feedback": "journeykit.insight",
    "internal_benchmark": "journeykit.insight",
    "compare_process": "journeykit.insight",
    "load_reference": "journeykit.insight",
    "load_value_chain": "journeykit.model.value_chain",
    # planning
    "read_plan": "journeykit.schedule",
    "write_plan": "journeykit.schedule",
    "Plan": "journeykit.schedule",
    "Activity": "journeykit.schedule",
    "plan_from_log": "journeykit.schedule",
    "Dependency": "journeykit.schedule",
    "Calendar": "journeykit.schedule",
    "estimate_duration": "journeykit.schedule",
    "ccpm": "journeykit.schedule.ccpm",
    "critical_chain_plan": "journeykit.schedule.ccpm",
    "fever_chart": "journeykit.schedule.ccpm",
    "buffer_status": "journeykit.schedule.ccpm",
    "case_status": "journeykit.schedule.ccpm",
    "solve_rcpsp": "journeykit.schedule.rcpsp",
    "RcpspProblem": "journeykit.schedule.rcpsp",
    "check_schedule": "journeykit.schedule.rcpsp",
    "read_psplib": "journeykit.io.psplib",
    # report
    "write_report": "journeykit.report",
}


_SUBPACKAGES = {"analytics", "insight", "schedule", "simulate", "report"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'journeykit' has no attribute '{name}'")
    mod = importlib.import_module(module)
    value = mod if name in _SUBPACKAGES else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "EmptyResultError",
    "InputError",
    "JourneykitError",
    "ModelError",
    "OptionError",
    "WorkspaceError",
    *_LAZY,
]
