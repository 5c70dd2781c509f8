"""Fixtures of the server tests: a small simulated workspace, tokens and clients."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the server tests need the 'server' extra")

with warnings.catch_warnings():  # Starlette suggests httpx2, which is not needed here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from journeykit.io.ingest import IngestOptions, ingest_files  # noqa: E402
from journeykit.server.app import create_app  # noqa: E402
from journeykit.server.plans import PlanStore  # noqa: E402
from journeykit.server.settings import ServerSettings  # noqa: E402
from journeykit.server.tokens import TokenStore  # noqa: E402
from journeykit.simulate import write_parquet  # noqa: E402
from journeykit.workspace import Workspace  # noqa: E402

CUSTOMERS = 800

#: A small resource-constrained plan (stored in the demo workspace with two progress reports).
SUPPORT_PLAN = {
    "name": "Support fix", "unit": "days", "resources": {"agent": 2},
    "activities": [
        {"id": "triage", "estimate": [1, 2, 4], "resources": {"agent": 1}},
        {"id": "fix", "estimate": [2, 4, 9], "predecessors": ["triage"], "resources": {"agent": 1}},
        {"id": "docs", "estimate": [1, 2, 3], "predecessors": ["triage"], "resources": {"agent": 1}},
        {"id": "reply", "duration": 1, "predecessors": ["fix", "docs"], "resources": {"agent": 1}},
    ],
}

#: Body limit of the test apps (small, so that the 413 test stays fast).
MAX_UPLOAD = 2 * 1024 * 1024


#: The CSRF field of a rendered form.
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login_csrf(client) -> str:
    """Open the login form; its CSRF token (also set as the client's cookie)."""
    page = client.get("/login")
    assert page.status_code == 200
    return CSRF_INPUT.search(page.text).group(1)


def login(client, token: str, next: str = "/journey-map"):
    """Post the login form with ``token``; the answer (303 and a session cookie when the token is valid)."""
    csrf = login_csrf(client)
    return client.post("/login", data={"token": token, "csrf_token": csrf, "next": next}, follow_redirects=False)


@pytest.fixture()
def session(client, tokens):
    """The test client logged in to the dashboard with the read token (cookies cleared before and after)."""
    client.cookies.clear()
    assert login(client, tokens["read"]).status_code == 303
    yield client
    client.cookies.clear()


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with simulated events and responses of 800 customers and a plan (read-only in tests)."""
    root = tmp_path_factory.mktemp("server")
    with Workspace.init(root / "ws") as ws:
        events, responses = write_parquet(ws.model, root / "data", customers=CUSTOMERS, seed=7)
        ingest_files(ws, [events])
        ingest_files(ws, [responses], IngestOptions(target="responses"))
    plans = PlanStore(root / "ws")
    plans.put("support", SUPPORT_PLAN)
    plans.add_progress("support", [{"activity": "triage", "remaining": 0, "as_of": 2},
                                   {"activity": "fix", "remaining": 3, "as_of": 2}])
    plans.add_progress("support", [{"activity": "fix", "remaining": 1, "as_of": 5}])
    return root / "ws"


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    """A headless Chromium per test module (skips without Selenium or Chromium)."""
    from tests.server.browser import chromium, require_browser

    require_browser()
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as d:
        yield d


@pytest.fixture(scope="session")
def tokens(demo_path: Path) -> dict[str, str]:
    store = TokenStore(demo_path)
    return {scope: store.create(scope, f"test-{scope}")[0] for scope in ("read", "write")}


@pytest.fixture(scope="session")
def client(demo_path: Path, tokens: dict[str, str]) -> TestClient:
    """A test client of the demo workspace's server (HTTPS base URL, so Secure cookies are sent)."""
    with TestClient(create_app(demo_path), base_url="https://testserver") as c:
        yield c


@pytest.fixture()
def empty_workspace(tmp_path: Path) -> tuple[Path, str]:
    """A fresh empty workspace and a write token of it."""
    Workspace.init(tmp_path / "ws").close()
    token, _ = TokenStore(tmp_path / "ws").create("write")
    return tmp_path / "ws", token


@pytest.fixture()
def empty_app(empty_workspace):
    """The empty workspace's app and a client sending its write token; uploads go here."""
    path, token = empty_workspace
    app = create_app(path, ServerSettings(max_upload_bytes=MAX_UPLOAD))
    with TestClient(app, base_url="https://testserver") as c:
        c.headers.update(bearer(token))
        yield app, c


@pytest.fixture()
def write_session(empty_app, empty_workspace):
    """The empty workspace's client, also logged in to the dashboard with the write token."""
    _, client = empty_app
    assert login(client, empty_workspace[1]).status_code == 303
    return client
