"""A bounded memo: the values of the most recently used keys, built on first use."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class LRU(Generic[T]):
    """At most ``size`` values by key, the least recently used dropped first (single-threaded use).

    Attributes
    ----------
    hits, misses : int
        Lookups answered from the memo, and values built.
    """

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value of ``key``, built by ``build()`` unless kept."""
        if key in self._values:
            self.hits += 1
            self._values.move_to_end(key)
            return self._values[key]
        self.misses += 1
        value = self._values[key] = build()
        if len(self._values) > self.size:
            self._values.popitem(last=False)
        return value
