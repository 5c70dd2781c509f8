"""Compute an expression once into a temporary backend table that later aggregates reuse."""

from __future__ import annotations

from uuid import uuid4

import ibis.expr.types as ir

from journeykit.engine import Engine


def materialize(engine: Engine, expr: ir.Table) -> ir.Table:
    """A temporary table holding ``expr``'s rows (it lives until the engine's connection closes).

    Used instead of ``Table.cache()``, whose release hook fails with the installed Ibis / SQLGlot pair;
    the tables are small (one row per funnel attempt or cohort member).
    """
    return engine.backend.create_table(f"_jk_{uuid4().hex}", expr, temp=True)
