"""Every API route needs a token; scopes are enforced; the schema itself is behind a token."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts

from journeykit.server.tokens import TokenStore
from tests.server.conftest import bearer

PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _operations(client, token):
    schema = client.get("/api/v1/openapi.json", headers=bearer(token)).json()
    return [(method.upper(), PLACEHOLDER.sub("x", path)) for path, item in schema["paths"].items() for method in item]


def test_schema_lists_every_api_route(client, tokens):
    """The walks below cover the whole API: every route under /api/ is in the schema."""
    routes = {
        (method, PLACEHOLDER.sub("x", route.path))
        for route in iter_route_contexts(client.app.routes) if route.methods and route.path.startswith("/api/")
        for method in route.methods
    }
    assert routes == set(_operations(client, tokens["read"]))


def test_schema_lists_every_analysis_and_upload(client, tokens):
    ops = _operations(client, tokens["read"])
    assert ("GET", "/api/v1/workspace") in ops
    assert ("POST", "/api/v1/uploads/events") in ops and ("POST", "/api/v1/uploads/responses") in ops
    from journeykit.server.analyses import ANALYSES

    assert {f"/api/v1/analyses/{n}" for n in ANALYSES} <= {p for _, p in ops}
    assert len(ops) >= 10


@pytest.mark.parametrize("headers", [{}, bearer("jk_deadbeef_notasecret"), {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_every_route_refuses_requests_without_a_valid_token(client, tokens, headers):
    for method, path in _operations(client, tokens["read"]):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.headers["WWW-Authenticate"] == "Bearer", (method, path)


def test_read_token_cannot_change_anything(client, tokens):
    changes = [(m, p) for m, p in _operations(client, tokens["read"]) if m != "GET"]
    assert ("PUT", "/api/v1/plans/x") in changes and ("POST", "/api/v1/uploads/events") in changes
    for method, path in changes:
        response = client.request(method, path, headers=bearer(tokens["read"]))
        assert response.status_code == 403, (method, path, response.status_code)
        assert "scope 'read'" in response.json()["detail"]


def test_write_token_can_read(client, tokens):
    response = client.get("/api/v1/workspace", headers=bearer(tokens["write"]))
    assert response.status_code == 200 and response.json()["counts"]["events"] > 0


def test_revoked_token_stops_working(client, demo_path):
    store = TokenStore(demo_path)
    token, record = store.create("read", "short-lived")
    assert client.get("/api/v1/workspace", headers=bearer(token)).status_code == 200
    store.revoke(record.id)
    assert client.get("/api/v1/workspace", headers=bearer(token)).status_code == 401


def test_no_docs_or_schema_without_token(client):
    for path in ("/docs", "/redoc", "/openapi.json", "/api/v1/openapi.json"):
        assert client.get(path).status_code in (401, 404), path
