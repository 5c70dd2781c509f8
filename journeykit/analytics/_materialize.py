"""Compute an expression once into backend storage that later aggregates reuse."""

from __future__ import annotations

from uuid import uuid4

import ibis.expr.types as ir

from journeykit.engine import Engine


def materialize(engine: Engine, expr: ir.Table) -> ir.Table:
    """``expr``'s rows computed once: a temporary table (DuckDB) or a persisted DataFrame (Spark).

    On DuckDB a named temporary table (it lives until the connection closes) is used instead of
    ``Table.cache()``, whose release hook fails with the installed Ibis / SQLGlot pair; PySpark has no
    temporary tables in Ibis, and its ``cache()`` (persist / unpersist) works.  The tables are small: one
    row per funnel attempt.
    """
    if engine.kind == "spark":
        return expr.cache()
    return engine.backend.create_table(f"_jk_{uuid4().hex}", expr, temp=True)
