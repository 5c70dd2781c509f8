"""Scratch tables: compute an expression once so that several aggregates can reuse its rows."""

from __future__ import annotations

import ibis.expr.types as ir

from journeykit.engine import Engine

#: Attribute of an Ibis backend instance listing the scratch tables created on its connection.  It is kept
#: on the instance itself: Ibis backends compare equal when they reach the same database file, so a
#: mapping keyed by backend would mix up connections (and temporary tables belong to one connection).
_CREATED = "_journeykit_scratch_tables"


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
    made = vars(backend).setdefault(_CREATED, set())
    if name in made:
        backend.insert(name, expr, overwrite=True)
        return backend.table(name)
    made.add(name)
    return backend.create_table(name, expr, temp=True)
