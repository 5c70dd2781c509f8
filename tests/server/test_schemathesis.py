"""Property-based API tests: schemathesis generates requests from the OpenAPI schema; no answer is a 500.

Bounded: a few examples per operation on a small workspace of its own (uploads change it).
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="needs the 'test' extra (schemathesis)")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from journeykit.io.ingest import ingest_files  # noqa: E402
from journeykit.server.app import create_app  # noqa: E402
from journeykit.server.settings import ServerSettings  # noqa: E402
from journeykit.server.tokens import TokenStore  # noqa: E402
from journeykit.simulate import write_parquet  # noqa: E402
from journeykit.workspace import Workspace  # noqa: E402
from tests.server.conftest import bearer  # noqa: E402

MAX_EXAMPLES = 3


@pytest.fixture(scope="module")
def write_token(tmp_path_factory) -> tuple:
    root = tmp_path_factory.mktemp("fuzz")
    with Workspace.init(root / "ws") as ws:
        events, _ = write_parquet(ws.model, root / "data", customers=200, seed=3)
        ingest_files(ws, [events])
    token, _ = TokenStore(root / "ws").create("write")
    return root / "ws", token


@pytest.fixture(scope="module")
def api_schema(write_token):
    path, token = write_token
    app = create_app(path, ServerSettings(max_upload_bytes=256 * 1024))
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers=bearer(token))


def test_no_server_errors(api_schema, write_token):
    """Every operation, a few generated requests each (with a write token): never a 5xx."""
    headers = bearer(write_token[1])
    seen = []
    for loaded in api_schema.get_all_operations():
        operation = loaded.ok()
        seen.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:500])

        check()
    assert "POST /api/v1/uploads/events" in seen and "GET /api/v1/analyses/transitions" in seen
