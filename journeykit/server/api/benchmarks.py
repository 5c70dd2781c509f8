"""``GET /api/v1/benchmarks/reference``: the reference set the benchmark index is computed against."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Response

from journeykit.insight import load_reference
from journeykit.server.auth import require
from journeykit.server.query import Format
from journeykit.server.serialize import TABLE_RESPONSES, table_response

router = APIRouter(prefix="/benchmarks", tags=["benchmarks"], dependencies=[Depends(require("read"))])


@router.get("/reference", response_class=Response, responses=TABLE_RESPONSES)
def reference_set(format: Format = "json") -> Response:
    """The reference set shipped with journeykit: KPI, unit, percentiles, best and worst, source of each row."""
    reference = load_reference()
    meta: dict[str, Any] = {"name": reference.name, "version": reference.version, "description": reference.description}
    rows = pd.DataFrame(reference.model_dump(mode="json")["rows"])
    return table_response(rows, format, "benchmark-reference", meta)
