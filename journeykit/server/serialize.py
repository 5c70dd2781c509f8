"""Results and tables to HTTP responses: JSON, CSV or Parquet; figures to Plotly JSON."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import Response
from fastapi.responses import JSONResponse

from journeykit.result import Result

PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"

#: OpenAPI ``responses`` of a route returning a table in any format.
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, PARQUET_MEDIA_TYPE: {}}, "description": "The result (format=json|csv|parquet)."}
}


def jsonable(value: Any) -> Any:
    """Plain JSON data from parameters that may hold dates, tuples or library objects (a calendar as its
    ``to_dict()``)."""
    return json.loads(json.dumps(value, default=lambda v: v.to_dict() if hasattr(v, "to_dict") else str(v)))


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON objects (NaN and NaT become null, times ISO 8601)."""
    return json.loads(df.to_json(orient="records", date_format="iso", default_handler=str))


def table_response(df: pd.DataFrame, fmt: str, name: str, meta: dict[str, Any]) -> Response:
    """``df`` as CSV or Parquet (an attachment named ``name``), or as JSON ``meta`` + ``columns`` + ``rows``."""
    if fmt == "csv":
        return Response(
            df.to_csv(index=False), media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "parquet":
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), sink)
        return Response(
            sink.getvalue(), media_type=PARQUET_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'},
        )
    return JSONResponse({**meta, "columns": [str(c) for c in df.columns], "rows": records(df)})


def result_response(result: Result, fmt: str, name: str, summary: pd.DataFrame | None = None) -> Response:
    """``result``'s table as CSV, Parquet or JSON; the JSON also has ``summary`` rows (``measure``, ``value``)
    where the result has project-level figures (PERT, Monte Carlo)."""
    meta = {"analysis": name, "title": result.title, "params": jsonable(result.params), "notes": result.notes}
    if summary is not None:
        meta["summary"] = records(summary)
    return table_response(result.table, fmt, name, meta)


def figure_json(figure: Any) -> str:
    """A Plotly figure as JSON, safe to embed in a ``<script type="application/json">``."""
    return figure.to_json().replace("<", "\\u003c")
