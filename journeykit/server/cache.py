"""Recent analysis results, keyed by (data version, analysis, query), shared by the API and the pages.

The dashboard and API clients ask the same questions again and again (every page load, every poll), and
an analysis over a million events takes seconds.  :class:`ResultCache` keeps the last results and runs
each key once at a time: concurrent requests for the same key wait for the one computation instead of
starting their own.  The data version (:attr:`journeykit.server.db.Database.version`) is part of the key
and changes when an upload commits, so no result computed before an upload is served after it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class ResultCache(Generic[T]):
    """A thread-safe LRU memo of at most ``size`` results with single-flight computation.

    Parameters
    ----------
    size : int
        Results kept (least recently used dropped first); 0 keeps none but still shares computations
        that run at the same time.
    """

    def __init__(self, size: int):
        self.size = size
        self._done: OrderedDict[Hashable, T] = OrderedDict()
        self._running: dict[Hashable, Future[T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The result of ``key``, computing it with ``compute()`` unless kept or being computed.

        An exception of ``compute`` reaches every caller waiting for it and nothing is kept.
        """
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            running = self._running.get(key)
            if running is None:
                mine: Future[T] = Future()
                self._running[key] = mine
        if running is not None:
            return running.result()
        try:
            value = compute()
        except BaseException as exc:
            with self._lock:
                del self._running[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._running[key]
            if self.size:
                self._done[key] = value
                while len(self._done) > self.size:
                    self._done.popitem(last=False)
        mine.set_result(value)
        return value
