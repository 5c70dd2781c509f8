"""Serve load test: p50/p99 latency of the overview and funnel endpoints, without and during an upload.

Builds (or reuses) a demo workspace of simulated journeys (~1M events at 150,000 customers), starts
``journeykit serve`` in a child process on a free loopback port, and sends a fixed number of requests
per endpoint from ``--concurrency`` client threads: first on their own, then again while a large CSV
upload is being ingested.  Loopback only; nothing leaves the machine.

Each analysis is asked two ways: the same query every time (a dashboard reloaded by many users: the
server answers repeats from its result cache) and a distinct query per request (a different funnel
window or inactivity threshold: every request is computed).

    python benchmarks/serve_load.py --customers 150000 --requests 40 --concurrency 4
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from journeykit.io.ingest import IngestOptions, ingest_files
from journeykit.server.tokens import TokenStore
from journeykit.simulate import write_parquet
from journeykit.workspace import Workspace


def build_workspace(path: Path, customers: int) -> int:
    """A workspace with ``customers`` simulated customers (reused when it exists); its event count."""
    if not (path / "journey.yaml").exists():
        with Workspace.init(path) as ws:
            events, responses = write_parquet(ws.model, path.parent / f"{path.name}-data", customers=customers, seed=1)
            ingest_files(ws, [events])
            ingest_files(ws, [responses], IngestOptions(target="responses"))
    with Workspace.open(path) as ws:
        return ws.engine.count("events")


def upload_csv(path: Path, rows: int) -> Path:
    """A CSV of ``rows`` new events for the concurrent upload."""
    rng = np.random.default_rng(2)
    days = rng.integers(1, 29, rows)
    with path.open("w") as out:
        out.write("customer_id,timestamp,event\n")
        for i, day in enumerate(days):
            out.write(f"load{i % 5000},2026-02-{day:02d}T12:00:00Z,product_view\n")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workspace: Path, port: int) -> subprocess.Popen:
    cli = Path(sys.executable).parent / "journeykit"
    proc = subprocess.Popen([str(cli), "serve", str(workspace), "--port", str(port), "--max-upload-mb", "1024"],
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


#: Query parameters of request ``i`` of a phase.
Params = Callable[[int], dict]


def measure(client: httpx.Client, url: str, params: Params, requests: int, concurrency: int) -> list[tuple[float, float]]:
    """(start, end) times of ``requests`` GETs sent by ``concurrency`` threads; every answer must be 200."""

    def one(i: int) -> tuple[float, float]:
        started = time.perf_counter()
        response = client.get(url, params=params(i))
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
        return started, time.perf_counter()

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(requests)))


def percentile(spans: list[tuple[float, float]], q: float) -> float:
    """The ``q``-th percentile latency in milliseconds."""
    return float(np.percentile([end - start for start, end in spans], q)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=150_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per endpoint and phase")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--upload-rows", type=int, default=500_000)
    parser.add_argument("--workspace", type=Path, help="reuse or create the workspace here (default: temporary)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jk-serve-load-") as tmp:
        workspace = args.workspace or Path(tmp) / "ws"
        t0 = time.perf_counter()
        events = build_workspace(workspace, args.customers)
        print(f"workspace: {events:,} events ({args.customers:,} customers) ready in {time.perf_counter() - t0:.0f} s")
        store = TokenStore(workspace)
        read_token, read_record = store.create("read", "serve-load")
        write_token, write_record = store.create("write", "serve-load")
        csv = upload_csv(Path(tmp) / "upload.csv", args.upload_rows)
        port = free_port()
        server = start_server(workspace, port)
        base = f"http://127.0.0.1:{port}/api/v1"
        steps = [s.name for s in Workspace.open(workspace).model.stages][:3]
        phase = {"offset": 0}  # distinct queries never repeat across phases

        def distinct(i: int) -> int:
            return phase["offset"] + i

        endpoints: dict[str, tuple[str, Params]] = {
            "workspace info": ("/workspace", lambda i: {}),
            "overview KPIs": ("/analyses/operational_kpis", lambda i: {}),
            "funnel": ("/analyses/funnel", lambda i: {"steps": steps, "window": "30d"}),
            "overview, new q": ("/analyses/operational_kpis", lambda i: {"inactive_days": 90 + distinct(i)}),
            "funnel, new q": ("/analyses/funnel", lambda i: {"steps": steps, "window": f"{720 + distinct(i)}h"}),
        }
        try:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {read_token}"}, timeout=600) as client:
                for url, params in endpoints.values():  # warm-up: first query plans and caches
                    measure(client, url, params, 1, 1)
                phase["offset"] = args.requests
                quiet = {name: measure(client, url, params, args.requests, args.concurrency)
                         for name, (url, params) in endpoints.items()}
                phase["offset"] = 2 * args.requests
                upload: dict[str, float] = {}

                def send_upload() -> None:
                    upload["start"] = time.perf_counter()
                    with csv.open("rb") as fh:
                        response = httpx.post(f"{base}/uploads/events", files={"file": ("upload.csv", fh)},
                                              headers={"Authorization": f"Bearer {write_token}"}, timeout=3600)
                    upload["end"] = time.perf_counter()
                    upload["status"] = response.status_code
                    upload["new"] = response.json().get("new", -1)

                uploader = threading.Thread(target=send_upload)
                uploader.start()
                busy = {name: measure(client, url, params, args.requests, args.concurrency)
                        for name, (url, params) in endpoints.items()}
                uploader.join()
        finally:
            server.terminate()
            server.wait(30)
            store.revoke(read_record.id)
            store.revoke(write_record.id)

    print(f"{args.requests} requests per endpoint and phase, {args.concurrency} concurrent clients, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'endpoint':<16} {'p50 ms':>9} {'p99 ms':>9} {'p50 ms (upload)':>16} {'p99 ms (upload)':>16}")
    for name in endpoints:
        print(f"{name:<16} {percentile(quiet[name], 50):>9.0f} {percentile(quiet[name], 99):>9.0f} "
              f"{percentile(busy[name], 50):>16.0f} {percentile(busy[name], 99):>16.0f}")
    during = [(s, e) for spans in busy.values() for s, e in spans if upload["start"] < e < upload["end"]]
    print(f"upload: {args.upload_rows:,} rows, HTTP {upload['status']}, {upload['new']:,} new events, "
          f"{upload['end'] - upload['start']:.1f} s; {len(during)} reads answered while it ran"
          + (f" (slowest {max(e - s for s, e in during) * 1000:.0f} ms)" if during else ""))
    print(f"mean latency without / with the upload phase: "
          f"{statistics.mean(e - s for spans in quiet.values() for s, e in spans) * 1000:.0f} / "
          f"{statistics.mean(e - s for spans in busy.values() for s, e in spans) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
