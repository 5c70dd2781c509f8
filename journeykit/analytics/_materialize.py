"""Scratch tables: compute an expression once so that several aggregates can reuse its rows."""

from __future__ import annotations

import weakref

import ibis.expr.types as ir

from journeykit.engine import Engine

#: Scratch tables already created on each DuckDB connection (Ibis backend -> table names).
_CREATED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def scratch(engine: Engine, name: str, expr: ir.Table) -> ir.Table:
    """``expr``'s rows in the connection's temporary table ``name``, replacing what it held before.

    One table per name and connection keeps memory bounded however many analyses a long-lived engine
    runs; callers read it before they return and never hand it out.  On Spark (no temporary tables in
    Ibis) the expression is cached instead.  ``Table.cache()`` is not used on DuckDB because its release
    hook fails with the installed Ibis / SQLGlot pair.
    """
    if engine.kind == "spark":
        return expr.cache()
    backend = engine.backend
    made = _CREATED.setdefault(backend, set())
    if name in made:
        backend.insert(name, expr, overwrite=True)
        return backend.table(name)
    made.add(name)
    return backend.create_table(name, expr, temp=True)
