"""Database access of the server: one DuckDB cursor per request, ingests in a worker thread.

DuckDB keeps one database instance per file; :meth:`Database.cursor` opens a new connection to it for
each request, so a read sees a consistent snapshot while an upload's transaction is open on another
connection (MVCC).  Uploads are serialised by a lock: one ingest at a time.  :meth:`Database.cached`
keeps recent results per data version, which every committed ingest advances.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis

from journeykit.engine import Engine
from journeykit.io.ingest import IngestOptions, IngestReport, ingest_files
from journeykit.result import Result
from journeykit.server.cache import ResultCache
from journeykit.workspace import Workspace


class Database:
    """The workspace opened by the server process.

    Parameters
    ----------
    path : str or Path
        The workspace folder.
    cached_results : int
        Results kept by :meth:`cached`.
    """

    def __init__(self, path: str | Path, cached_results: int = 64):
        self.workspace = Workspace.open(path)
        self.model = self.workspace.model  # validated once at start-up
        self._root = self.workspace.engine.backend.con  # creates missing tables; only used to open cursors
        self._root_lock = threading.Lock()
        self._ingest_lock = threading.Lock()
        self._results: ResultCache[Result] = ResultCache(cached_results)
        self.version = 0  #: advanced by every committed ingest

    @contextmanager
    def cursor(self) -> Iterator[Workspace]:
        """A workspace view on its own DuckDB connection, closed (with its temporary tables) on exit."""
        with self._root_lock:
            con = self._root.cursor()
        try:
            ws = Workspace(self.workspace.path)
            ws.model = self.model
            ws.engine = Engine(ibis.duckdb.from_connection(con), "duckdb")
            yield ws
        finally:
            con.close()

    def cached(self, key: Hashable, compute: Callable[[], Result]) -> Result:
        """``compute()``'s result for ``key`` on the current data: kept, being computed, or computed now."""
        return self._results.get((self.version, key), compute)

    def ingest(self, paths: list[Path], options: IngestOptions) -> IngestReport:
        """Ingest files on a dedicated connection, one ingest at a time (blocking: run it in a thread)."""
        with self._ingest_lock, self.cursor() as ws:
            report = ingest_files(ws, paths, options)
            self.version += 1
            return report

    def close(self) -> None:
        self.workspace.close()
