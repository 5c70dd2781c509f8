"""The query engine: Ibis on an embedded DuckDB file (default) or on PySpark.

Analytics build unexecuted Ibis expressions on :attr:`Engine.events` / :attr:`Engine.responses` and call
:meth:`Engine.execute` only at the edge, so the same code runs on both backends.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.common.exceptions import TableNotFound

from journeykit.engine import schema
from journeykit.engine.compiled_sql import CompiledSQL, cache_compiled_sql
from journeykit.engine.customer_rank import ensure_ranked, rank_events
from journeykit.engine.lru import LRU
from journeykit.errors import WorkspaceError

#: Analysis expressions an engine keeps (:meth:`Engine.expression`).
EXPRESSIONS = 64


class Engine:
    """A connection to the tables of one workspace.

    Parameters
    ----------
    backend : ibis backend
        A connected Ibis backend.
    kind : {"duckdb", "spark"}
        Which backend it is (some analyses pick an exact or approximate form by it).
    tables : dict, optional
        Table name -> Ibis table, for backends where the canonical tables are not catalogue tables
        (Spark reading Parquet).
    """

    def __init__(self, backend: Any, kind: str, tables: dict[str, ibis.Table] | None = None):
        self.backend = backend
        self.kind = kind
        self._tables = dict(tables or {})
        #: DuckDB: the SQL of expressions compiled before (:mod:`journeykit.engine.compiled_sql`)
        self.compiled_sql: CompiledSQL | None = None
        #: analysis expressions kept by :meth:`expression` (its ``hits`` and ``misses``)
        self.built_expressions: LRU[ibis.Expr] = LRU(EXPRESSIONS)

    # ------------------------------------------------------------------------------ constructors
    @classmethod
    def duckdb(cls, path: str | Path | None = None, read_only: bool = False) -> "Engine":
        """Open (creating if needed) a DuckDB database file; ``None`` gives an in-memory database."""
        kwargs: dict[str, Any] = {"read_only": read_only} if path is not None else {}
        try:
            backend = ibis.duckdb.connect(str(path) if path is not None else ":memory:", **kwargs)
        except Exception as exc:  # duckdb raises IOException etc.; report the file
            raise WorkspaceError(f"{path}: cannot open the workspace database: {exc}") from None
        backend.raw_sql("SET TimeZone = 'UTC'")
        backend.raw_sql("SET enable_progress_bar = false")
        # ASOF joins (ordered funnels) always sort-merge: DuckDB plans a nested loop when it estimates the
        # left side at 64 rows or fewer, and a low estimate of a large side then runs for minutes
        backend.raw_sql("SET GLOBAL asof_loop_join_threshold = 0")
        if not read_only:
            for name in schema.TABLES:
                backend.raw_sql(schema.duckdb_ddl(name))
            ensure_ranked(backend.con)
        eng = cls(backend, "duckdb")
        eng.compiled_sql = cache_compiled_sql(backend)
        return eng

    @classmethod
    def spark(
        cls,
        session: Any,
        events: str | Path | None = None,
        responses: str | Path | None = None,
    ) -> "Engine":
        """An engine on an existing SparkSession, reading the canonical tables from Parquet.

        Parameters
        ----------
        session : pyspark.sql.SparkSession
        events, responses : path, optional
            Parquet files or folders with the canonical schema (``journeykit export`` writes them,
            partitioned by month).  Without them the session's catalogue tables ``events`` and
            ``responses`` are used.

        Notes
        -----
        ``ibis.pyspark.connect`` sets the session time zone to UTC (``spark.sql.session.timeZone``),
        which journeykit needs anyway: timestamps are stored and compared in UTC.
        """
        import ibis

        backend = ibis.pyspark.connect(session)
        tables = {}
        for name, path in ((schema.EVENTS, events), (schema.RESPONSES, responses)):
            if path is not None:
                tables[name] = backend.read_parquet(str(path), table_name=f"jk_{name}")
        return cls(backend, "spark", tables)

    @classmethod
    def from_arrow(cls, tables: dict[str, pa.Table]) -> "Engine":
        """An in-memory DuckDB engine holding the given tables (tests, notebooks)."""
        eng = cls.duckdb(None)
        for name, table in tables.items():
            eng.insert(name, table)
        return eng

    def insert(self, name: str, table: pa.Table | pd.DataFrame) -> None:
        """Append rows to a DuckDB table as they are (tests, notebooks; files go through ``journeykit
        ingest``, which validates them).  Events are ranked again in journey order
        (:mod:`journeykit.engine.customer_rank`), which the analyses rely on."""
        self.backend.insert(name, table)
        if name == schema.EVENTS and self.kind == "duckdb":
            rank_events(self.backend.con)

    # ------------------------------------------------------------------------------------ tables
    def table(self, name: str) -> ibis.Table:
        """The Ibis table of a canonical table name (``events``, ``responses``, ...).

        A DuckDB table is looked up in the catalogue once (about 4 ms each time) and kept: journeykit never
        changes a table's columns after opening the workspace.
        """
        if name not in self._tables:
            table = self.backend.table(name)
            if self.kind != "duckdb":
                return table
            self._tables[name] = table
        return self._tables[name]

    def expression(self, key: Hashable, build: Callable[[], ibis.Expr]) -> ibis.Expr:
        """The expression ``build()`` returns, kept on this engine under ``key``: the analysis and every
        argument its expression depends on (not the data: an expression is a query, not its result).

        Building an analysis's Ibis expression costs 10-30 ms of Python; run again with the same arguments
        (dashboards, notebooks), the kept expression is also the one whose SQL :attr:`compiled_sql` holds.
        A key that cannot be hashed (an argument holding a dict) is built every time.
        """
        try:
            hash(key)
        except TypeError:
            return build()
        return self.built_expressions.get(key, build)

    def has_table(self, name: str) -> bool:
        """Whether the canonical table ``name`` exists here (Spark reading Parquet has events and responses
        only; the housekeeping tables ``rejects`` and ``ingests`` live in a workspace's DuckDB file)."""
        if name in self._tables:
            return True
        try:  # not list_tables(): Ibis 12 calls a DuckDB API that DuckDB 2.0 removed
            self.backend.table(name)
        except TableNotFound:
            return False
        return True

    @property
    def events(self) -> ibis.Table:
        return self.table(schema.EVENTS)

    @property
    def responses(self) -> ibis.Table:
        return self.table(schema.RESPONSES)

    @property
    def rejects(self) -> ibis.Table:
        return self.table(schema.REJECTS)

    # ----------------------------------------------------------------------------------- execute
    def execute(self, expr: ibis.Expr) -> Any:
        """Execute an expression: a table gives a pandas DataFrame, a scalar a Python value.

        Timestamps come back time-zone aware in UTC on every backend (Spark returns them naive, in the
        session time zone, which :meth:`spark` sets to UTC).
        """
        out = self.backend.execute(expr)
        return as_utc(out) if self.kind == "spark" else out

    def to_pyarrow(self, expr: ibis.Expr) -> pa.Table:
        return self.backend.to_pyarrow(expr)

    def count(self, name: str) -> int:
        return int(self.execute(self.table(name).count()))

    def close(self) -> None:
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect is not None:
            disconnect()


def as_utc(value: Any) -> Any:
    """``value`` with naive timestamps (a DataFrame's columns, a Series, a scalar) marked as UTC."""
    if isinstance(value, pd.DataFrame):
        naive = [c for c in value.columns if isinstance(value[c].dtype, np.dtype) and value[c].dtype.kind == "M"]
        return value.assign(**{c: value[c].dt.tz_localize("UTC") for c in naive}) if naive else value
    if isinstance(value, pd.Series):
        return value.dt.tz_localize("UTC") if value.dtype.kind == "M" and value.dt.tz is None else value
    if isinstance(value, datetime) and value.tzinfo is None:
        return pd.Timestamp(value).tz_localize("UTC")
    return value


def execute_df(engine: Engine, expr: ibis.Table) -> pd.DataFrame:
    """Execute a table expression into pandas with a fresh 0..n-1 index."""
    return engine.execute(expr).reset_index(drop=True)
