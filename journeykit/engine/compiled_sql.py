"""A cache of compiled SQL per expression, for analyses run again on the same engine.

Ibis compiles an analysis's expression to SQL in Python: 40-60 ms for a cohort table, which at 1M events is
about as long as DuckDB takes to run the query.  Dashboards, notebooks and reports run the same analyses
again with the same arguments, and an Ibis expression is an immutable tree compared by structure (two
separately built but identical expressions are equal and hash alike), so the SQL of an expression seen
before is looked up instead of compiled.  The SQL depends on the expression alone, never on the data, so a
hit is never stale.  Expressions holding an in-memory table differ on every call (each gets a fresh name)
and simply miss; holding one in the cache keeps that table registered until it is evicted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journeykit.engine.lru import LRU

#: Distinct expressions kept (least recently used dropped first); each entry is an expression tree and its
#: SQL text, a few kilobytes.
SIZE = 256


class CompiledSQL(LRU[str]):
    """Wraps a backend's ``compile(expr, /, *, limit=None, params=None, pretty=False)`` with an LRU cache
    (its ``hits`` and ``misses``).

    Calls with query parameters or pretty printing are passed through uncached.
    """

    def __init__(self, compile_sql: Callable[..., str], size: int = SIZE):
        super().__init__(size)
        self._compile = compile_sql

    def __call__(self, expr: Any, /, *, limit: Any = None, params: Any = None, pretty: bool = False) -> str:
        if params or pretty:
            return self._compile(expr, limit=limit, params=params, pretty=pretty)
        return self.get((expr.op(), limit), lambda: self._compile(expr, limit=limit))


def cache_compiled_sql(backend: Any, size: int = SIZE) -> CompiledSQL:
    """Make ``backend`` (an Ibis SQL backend) look up the SQL of expressions it compiled before.

    Ibis's ``execute`` and ``to_pyarrow`` call ``backend.compile``; the instance attribute set here takes
    its place.  Returns the cache.
    """
    cache = CompiledSQL(backend.compile, size)
    backend.compile = cache
    return cache
