"""Dashboard pages over the test client: login, cookies, CSRF, pages and panels."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.routing import iter_route_contexts

from journeykit.server.analyses import ANALYSES
from journeykit.server.auth import CSRF_COOKIE, SESSION_COOKIE
from journeykit.server.pages.catalog import visible_pages
from journeykit.server.tokens import TokenStore
from tests.server.conftest import login, login_csrf

#: Dashboard routes served without a session: the login form, logging out (CSRF only), the Plotly bundle.
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/static/plotly.min.js")}


def _dashboard_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) of the app outside the API (whose routes test_api_auth walks), placeholders as 'x'."""
    return [
        (method, re.sub(r"\{[^}]+\}", "x", route.path))
        for route in iter_route_contexts(app.routes) if route.methods and not route.path.startswith("/api/")
        for method in route.methods if (method, route.path) not in PUBLIC
    ]


def test_every_dashboard_route_needs_a_session(client):
    client.cookies.clear()
    routes = _dashboard_routes(client.app)
    assert {("POST", "/upload"), ("POST", "/plans/progress"), ("GET", "/panels/x")} <= set(routes)
    assert {("GET", p.path) for p in visible_pages()} <= set(routes)
    for method, path in routes:
        response = client.request(method, path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), (method, path)
    panel = client.get("/panels/transitions", headers={"HX-Request": "true"})
    assert panel.status_code == 401 and panel.headers["HX-Redirect"] == "/login"


def test_login_sets_a_strict_http_only_secure_cookie(client, tokens):
    client.cookies.clear()
    response = login(client, tokens["read"])
    assert response.status_code == 303 and response.headers["location"] == "/journey-map"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict"} <= flags
    assert tokens["read"] not in cookie
    client.cookies.clear()


def test_login_refuses_a_bad_token_and_a_missing_csrf(client, tokens):
    client.cookies.clear()
    csrf = login_csrf(client)
    bad = client.post("/login", data={"token": "jk_x_y", "csrf_token": csrf}, follow_redirects=False)
    assert bad.status_code == 401 and "Unknown or revoked token" in bad.text
    no_csrf = client.post("/login", data={"token": tokens["read"]}, follow_redirects=False)
    assert no_csrf.status_code == 403
    wrong_csrf = client.post("/login", data={"token": tokens["read"], "csrf_token": "x" + csrf}, follow_redirects=False)
    assert wrong_csrf.status_code == 403 and SESSION_COOKIE not in wrong_csrf.cookies


def test_login_redirects_only_to_local_paths(client, tokens):
    client.cookies.clear()
    csrf = login_csrf(client)
    response = client.post("/login", data={"token": tokens["read"], "csrf_token": csrf, "next": "//evil.example/"},
                           follow_redirects=False)
    assert response.headers["location"] == "/"
    client.cookies.clear()


def test_forged_or_revoked_sessions_are_refused(client, demo_path):
    token, record = TokenStore(demo_path).create("read")
    client.cookies.clear()
    login(client, token)
    assert client.get("/", follow_redirects=False).status_code == 200
    value = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, value[:-1] + ("0" if value[-1] != "0" else "1"), domain="testserver.local")
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.set(SESSION_COOKIE, value, domain="testserver.local")
    TokenStore(demo_path).revoke(record.id)
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.clear()


def test_every_page_renders_with_its_panels(session):
    for page in visible_pages():
        response = session.get(page.path)
        assert response.status_code == 200, page.path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        for name in page.panels:
            assert f'hx-get="/panels/{name}"' in response.text, (page.path, name)
        assert "https://" not in response.text and "http://" not in response.text


def test_panel_holds_a_plotly_figure_with_data(session):
    response = session.get("/panels/transitions", params={"level": "stage", "start": "", "segment": ""})
    assert response.status_code == 200
    figure = json.loads(re.search(r'<script type="application/json" id="fig-transitions">(.*?)</script>',
                                  response.text, re.S).group(1))
    nodes = figure["data"][0]
    assert nodes["type"] == "scatter" and set(nodes["text"]) >= {"awareness", "purchase"}


def test_funnel_panel_from_the_builder_form(session):
    if "funnel" not in {n for p in visible_pages() for n in p.panels}:
        pytest.skip("journeykit.analytics does not export funnel yet")
    response = session.get("/panels/funnel", params=[("steps", "awareness"), ("steps", "purchase"), ("steps", ""),
                                                     ("window", "30d"), ("order", "ordered"), ("count", "uniques")])
    assert response.status_code == 200 and 'id="fig-funnel"' in response.text and 'class="error"' not in response.text


def test_panel_shows_user_errors_instead_of_failing(session):
    invalid = session.get("/panels/transitions", params={"min_count": "0"})
    assert invalid.status_code == 200 and 'class="error"' in invalid.text and "min_count" in invalid.text
    empty = session.get("/panels/transitions", params={"start": "2099-01-01"})
    assert 'class="error"' in empty.text and "no events" in empty.text


def test_logout_needs_csrf_and_ends_the_session(session):
    assert session.post("/logout", follow_redirects=False).status_code == 403
    response = session.post("/logout", data={"csrf_token": session.cookies[CSRF_COOKIE]}, follow_redirects=False)
    assert response.status_code == 303
    assert session.get("/", follow_redirects=False).status_code == 303


def test_static_assets_are_local(client):
    assert "Plotly" in client.get("/static/plotly.min.js").text[:5000]
    htmx = client.get("/static/htmx.min.js").text
    assert htmx.startswith("/*! htmx") and "0BSD" in htmx.splitlines()[0]


#: Required options of the analyses that have some, for the panel test.
REQUIRED = {
    "paths": {"anchor": "product_view"},
    "time_between": {"source": "product_view", "target": "payment"},
    "funnel": {"steps": ["awareness", "purchase"]},
    "cohorts": {"entry": "purchase"},
    "customer_lifetime_value": {"purchase": "payment"},
    "internal_benchmark": {"by": "channel"},
}


@pytest.mark.parametrize("name", list(ANALYSES))
def test_every_analysis_renders_as_a_panel(session, name):
    """Twice: the second time from the result cache, after the connection that computed it was closed."""
    figures = []
    for _ in range(2):
        response = session.get(f"/panels/{name}", params=REQUIRED.get(name, {}))
        assert response.status_code == 200
        assert 'class="error"' not in response.text, response.text[:500]
        figure = re.search(rf'<script type="application/json" id="fig-{name}">(.*?)</script>', response.text, re.S)
        figures.append(json.loads(figure.group(1)))
    assert figures[0]["data"] and figures[1] == figures[0]


@pytest.mark.parametrize("name", ["value_chain", "ccpm"])
def test_report_sections_render_as_panels(session, name):
    response = session.get(f"/panels/sections/{name}")
    assert response.status_code == 200 and 'class="error"' not in response.text
    figures = re.findall(rf'<script type="application/json" id="fig-{name}-\d+">(.*?)</script>', response.text, re.S)
    assert figures and all("layout" in json.loads(f) for f in figures)


def test_unknown_panels_are_404(session):
    for path in ("/panels/sections/nope", "/panels/plans/nope?plan=support", "/panels/nope"):
        assert session.get(path).status_code == 404, path


def test_login_form_escapes_the_next_parameter(client):
    client.cookies.clear()
    page = client.get("/login", params={"next": '/"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
