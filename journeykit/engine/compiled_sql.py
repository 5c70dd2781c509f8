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

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: Distinct expressions kept (least recently used dropped first); each entry is an expression tree and its
#: SQL text, a few kilobytes.
SIZE = 256


class CompiledSQL:
    """Wraps a backend's ``compile(expr, /, *, limit=None, params=None, pretty=False)`` with an LRU cache.

    Calls with query parameters or pretty printing are passed through uncached.

    Attributes
    ----------
    hits, misses : int
        Lookups answered from the cache and compilations done.
    """

    def __init__(self, compile_sql: Callable[..., str], size: int = SIZE):
        self._compile = compile_sql
        self._size = size
        self._sql: OrderedDict[tuple, str] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __call__(self, expr: Any, /, *, limit: Any = None, params: Any = None, pretty: bool = False) -> str:
        if params or pretty:
            return self._compile(expr, limit=limit, params=params, pretty=pretty)
        key = (expr.op(), limit)
        sql = self._sql.get(key)
        if sql is not None:
            self.hits += 1
            self._sql.move_to_end(key)
            return sql
        self.misses += 1
        sql = self._sql[key] = self._compile(expr, limit=limit)
        if len(self._sql) > self._size:
            self._sql.popitem(last=False)
        return sql


def cache_compiled_sql(backend: Any, size: int = SIZE) -> CompiledSQL:
    """Make ``backend`` (an Ibis SQL backend) look up the SQL of expressions it compiled before.

    Ibis's ``execute`` and ``to_pyarrow`` call ``backend.compile``; the instance attribute set here takes
    its place.  Returns the cache (its ``hits`` and ``misses``).
    """
    cache = CompiledSQL(backend.compile, size)
    backend.compile = cache
    return cache
