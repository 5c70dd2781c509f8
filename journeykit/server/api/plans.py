"""``/api/v1/plans``: store plans, run CPM, PERT, Monte Carlo and CCPM on them, post progress (fever chart)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response

from journeykit.schedule import cpm, pert, simulate
from journeykit.schedule.ccpm import ccpm
from journeykit.schedule.plan_io import plan_to_dict
from journeykit.server.auth import require
from journeykit.server.deps import get_store
from journeykit.server.plans import NAME, PlanStore, ProgressRow, plan_fever, record_progress
from journeykit.server.query import Format
from journeykit.server.serialize import TABLE_RESPONSES, result_response

router = APIRouter(prefix="/plans", tags=["plans"])
read = [Depends(require("read"))]
write = [Depends(require("write"))]

PlanName = Annotated[str, Path(pattern=NAME.pattern, description="Plan name: letters, digits, '-', '_'.")]
FormatQuery = Annotated[Format, Query(description="json (default), csv or parquet.")]


@router.get("", dependencies=read)
def list_plans(store: PlanStore = Depends(get_store)) -> list[str]:
    """Names of the stored plans."""
    return store.names()


@router.get("/{name}", dependencies=read)
def get_plan(name: PlanName, store: PlanStore = Depends(get_store)) -> dict[str, Any]:
    """A plan in its YAML structure (as JSON)."""
    return plan_to_dict(store.get(name))


@router.put("/{name}", dependencies=write)
def put_plan(
    name: PlanName,
    plan: Annotated[dict[str, Any], Body(description="The plan's YAML structure: name, unit, activities, ...")],
    store: PlanStore = Depends(get_store),
) -> dict[str, Any]:
    """Create or replace a plan; every problem of an invalid plan is reported at once (400)."""
    return plan_to_dict(store.put(name, plan))


@router.get("/{name}/cpm", dependencies=read, response_class=Response, responses=TABLE_RESPONSES)
def plan_cpm(name: PlanName, format: FormatQuery = "json", store: PlanStore = Depends(get_store)) -> Response:
    """Critical path (CPM) with mean durations: early/late starts and finishes, slack."""
    return result_response(cpm(store.get(name)), format, f"{name}-cpm")


@router.get("/{name}/pert", dependencies=read, response_class=Response, responses=TABLE_RESPONSES)
def plan_pert(
    name: PlanName,
    deadline: Annotated[float | None, Query(gt=0, allow_inf_nan=False)] = None,
    format: FormatQuery = "json",
    store: PlanStore = Depends(get_store),
) -> Response:
    """Analytic PERT: per activity, and in ``summary`` the project's mean, std, the deadline met with
    probability 0.9 and the probability of meeting ``deadline``."""
    result = pert(store.get(name))
    return result_response(result, format, f"{name}-pert", result.summary(deadline))


@router.get("/{name}/montecarlo", dependencies=read, response_class=Response, responses=TABLE_RESPONSES)
def plan_montecarlo(
    name: PlanName,
    iterations: Annotated[int, Query(ge=100, le=200_000)] = 10_000,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
    deadline: Annotated[float | None, Query(gt=0, allow_inf_nan=False)] = None,
    format: FormatQuery = "json",
    store: PlanStore = Depends(get_store),
) -> Response:
    """Monte Carlo schedule risk: criticality per activity, and in ``summary`` the simulated mean and std,
    P50/P80/P95 and the probability of meeting ``deadline``."""
    result = simulate(store.get(name), iterations=iterations, seed=seed, deadline=deadline)
    return result_response(result, format, f"{name}-montecarlo", result.summary())


@router.get("/{name}/ccpm", dependencies=read, response_class=Response, responses=TABLE_RESPONSES)
def plan_ccpm(
    name: PlanName,
    cut: Annotated[float, Query(gt=0, le=1)] = 0.5,
    format: FormatQuery = "json",
    store: PlanStore = Depends(get_store),
) -> Response:
    """Critical-chain schedule: resource-levelled, aggressive estimates, project and feeding buffers."""
    return result_response(ccpm(store.get(name), cut=cut), format, f"{name}-ccpm")


@router.post("/{name}/progress", dependencies=write, response_class=Response, responses=TABLE_RESPONSES)
def post_progress(
    name: PlanName,
    rows: Annotated[list[ProgressRow], Body(min_length=1, max_length=10_000)],
    store: PlanStore = Depends(get_store),
) -> Response:
    """Record a status report (remaining duration per activity); answers the updated fever chart."""
    return result_response(record_progress(store, name, rows), "json", f"{name}-fever")


@router.delete("/{name}/progress", dependencies=write, status_code=204)
def delete_progress(name: PlanName, store: PlanStore = Depends(get_store)) -> Response:
    """Forget every status report of a plan (to start over, e.g. after replacing the plan)."""
    store.clear_progress(name)
    return Response(status_code=204)


@router.get("/{name}/fever", dependencies=read, response_class=Response, responses=TABLE_RESPONSES)
def plan_fever_chart(name: PlanName, format: FormatQuery = "json", store: PlanStore = Depends(get_store)) -> Response:
    """Buffer consumption against chain completion at every status time so far."""
    return result_response(plan_fever(store, name), format, f"{name}-fever")
