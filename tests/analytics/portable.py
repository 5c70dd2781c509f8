"""An engine that compiles every expression it executes for PySpark first (PySpark itself not needed).

Executing on DuckDB after compiling to the ``pyspark`` dialect proves that the analytics build no
expression Ibis cannot translate for Spark (DuckDB-only operations fail here).
"""

from __future__ import annotations

from typing import Any

import ibis
from ibis.config import Config

from journeykit.engine import Engine


class _PySparkOptions(Config):
    treat_nan_as_null: bool = False


class SparkCompilingEngine(Engine):
    """Runs on the DuckDB backend of ``engine`` but reports ``kind="spark"`` and compiles for PySpark."""

    def __init__(self, engine: Engine):
        super().__init__(engine.backend, "spark")
        self.compiled: list[str] = []
        if ibis.options.pyspark is None:  # set by the PySpark backend module when pyspark is installed
            ibis.options.pyspark = _PySparkOptions()

    def _compile(self, expr: ibis.Expr) -> None:
        self.compiled.append(ibis.to_sql(expr, dialect="pyspark"))

    def execute(self, expr: ibis.Expr) -> Any:
        self._compile(expr)
        return super().execute(expr)

    def to_pyarrow(self, expr: ibis.Expr):
        self._compile(expr)
        return super().to_pyarrow(expr)
