"""Result cache: one computation per key at a time, LRU, and no result of older data served after an upload."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from journeykit.server.analyses import Analysis
from journeykit.server.cache import ResultCache
from tests.server.test_uploads import GOOD


def test_concurrent_requests_for_a_key_share_one_computation():
    cache: ResultCache[int] = ResultCache(4)
    started, release = threading.Event(), threading.Event()
    calls = []

    def compute() -> int:
        calls.append(1)
        started.set()
        assert release.wait(10)
        return 42

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(cache.get, "k", compute)
        assert started.wait(10)
        others = [pool.submit(cache.get, "k", compute) for _ in range(3)]
        release.set()
        assert [f.result(10) for f in [first, *others]] == [42] * 4
    assert len(calls) == 1
    assert cache.get("k", lambda: 0) == 42  # kept


def test_failures_reach_every_waiter_and_are_not_kept():
    cache: ResultCache[int] = ResultCache(4)
    started, release = threading.Event(), threading.Event()

    def fail() -> int:
        started.set()
        assert release.wait(10)
        raise ValueError("boom")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.get, "k", fail)
        assert started.wait(10)
        waiter = pool.submit(cache.get, "k", fail)
        release.set()
        for future in (first, waiter):
            with pytest.raises(ValueError, match="boom"):
                future.result(10)
    assert cache.get("k", lambda: 7) == 7


def test_least_recently_used_results_are_dropped():
    cache: ResultCache[str] = ResultCache(2)
    calls: list[str] = []

    def compute(key: str):
        return lambda: calls.append(key) or key

    for key in ("a", "b", "a", "c", "a", "b"):
        cache.get(key, compute(key))
    assert calls == ["a", "b", "c", "b"]  # 'b' was dropped for 'c'; 'a' stayed as the most recently used


@pytest.fixture()
def counted(monkeypatch):
    """Analysis runs so far, by analysis name."""
    runs: list[str] = []
    real = Analysis.run

    def run(self, ws, query):
        runs.append(self.name)
        return real(self, ws, query)

    monkeypatch.setattr(Analysis, "run", run)
    return runs


def test_repeated_queries_are_answered_from_the_cache_until_an_upload(empty_app, counted):
    _, client = empty_app
    client.post("/api/v1/uploads/events", files={"file": ("first.csv", GOOD)})

    def transitions(**params) -> int:
        response = client.get("/api/v1/analyses/transitions", params=params)
        assert response.status_code == 200, response.text
        return sum(r["count"] for r in response.json()["rows"]) if params.get("format") != "csv" else -1

    assert transitions() == transitions() == 1
    transitions(format="csv")  # same result, another format
    assert counted == ["transitions"]
    transitions(channel="web")  # another query
    assert counted == ["transitions"] * 2
    more = b"customer_id,timestamp,event\nc2,2025-01-03T10:00:00Z,product_view\nc2,2025-01-03T10:01:00Z,cart_add\n"
    assert client.post("/api/v1/uploads/events", files={"file": ("more.csv", more)}).json()["new"] == 2
    assert transitions() == 2  # the upload's data, not the kept result
    assert counted == ["transitions"] * 3
