"""Hardening (issue 11, part 4) against the real server and in real Chromium: security
headers on pages, API answers and assets; cross-site writes refused (a page of another
origin, a text/plain post); the Host check; rate limits with Retry-After; the body limit;
the ops endpoint's token; the pages under the CSP; residents' text shown as text."""
from __future__ import annotations

import http.server
import json
import socket
import threading
from pathlib import Path

import pytest
import requests

from dashboard.launch import running_server
from tests.conftest import CHROMIUM
from tests.servers import TEST_ADMIN, TEST_PASSWORD, copy_db

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)")
LOGIN_LIMIT, INTAKE_LIMIT = 3, 4


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    """The production configuration (no dev tools), default limits."""
    folder = tmp_path_factory.mktemp("hardening")
    with running_server(copy_db(demo_db_path, folder), folder, {"TOWNSHIP_DEV_TOOLS": None}) as url:
        yield url


@pytest.fixture(scope="module")
def tight(tmp_path_factory, demo_db_path):
    """A server with small limits: sign-ins, intake and the body size."""
    folder = tmp_path_factory.mktemp("hardening-tight")
    env = {"TOWNSHIP_LOGIN_RATE_PER_MIN": str(LOGIN_LIMIT), "TOWNSHIP_INTAKE_RATE_PER_MIN": str(INTAKE_LIMIT),
           "TOWNSHIP_API_MAX_BODY_KB": "64"}
    with running_server(copy_db(demo_db_path, folder), folder, env) as url:
        yield url


def matters(url: str) -> int:
    return int(requests.get(f"{url}/healthz", timeout=30).json()["matters"])


def a_matter(url: str, headers: dict[str, str], **extra) -> dict:
    items = requests.get(f"{url}/api/v1/matters", params={"limit": 50}, headers=headers, timeout=30).json()["items"]
    item = next(i for i in items if i["lon"] is not None and i["cell"])
    return {"source": "public", "category": "0401", "description": "路灯不亮",
            "lon": item["lon"], "lat": item["lat"], **extra}


def signed_in_session(url: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{url}/login", data={"name": TEST_ADMIN, "password": TEST_PASSWORD}, timeout=30)
    assert answer.status_code == 200 and "township_session" in session.cookies
    return session


def assert_error(answer, status: int) -> dict:
    """The one error shape, from requests or a Flask test client."""
    assert answer.status_code == status, answer.get_data(as_text=True)[:300] if hasattr(answer, "get_data") \
        else answer.text[:300]
    body = answer.get_json() if hasattr(answer, "get_json") else answer.json()
    assert set(body) == {"status", "error", "errors"} and body["status"] == status
    return body


# -- headers -------------------------------------------------------------------------------------
def test_security_headers_on_a_page_an_api_answer_an_asset_and_an_error(server, admin_headers):
    answers = {"page": requests.get(f"{server}/", headers=admin_headers, timeout=30),
               "login": requests.get(f"{server}/login", timeout=30),
               "api": requests.get(f"{server}/api/v1/summary", headers=admin_headers, timeout=30),
               "asset": requests.get(f"{server}/assets/login.css", timeout=30),
               "error": requests.get(f"{server}/api/v1/nothing", headers=admin_headers, timeout=30)}
    for what, answer in answers.items():
        assert answer.status_code == (404 if what == "error" else 200), what
        h = answer.headers
        csp = dict(part.strip().split(" ", 1) for part in h["Content-Security-Policy"].split(";"))
        assert csp["default-src"] == "'self'", what
        script = csp["script-src"].split()
        assert script[0] == "'self'" and "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, what
        assert all(s.startswith("'sha256-") for s in script[1:]) and len(script) > 1, what
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'", what
        assert h["X-Frame-Options"] == "DENY", what
        assert h["X-Content-Type-Options"] == "nosniff", what
        assert h["Referrer-Policy"] == "same-origin", what


def test_frame_ancestors_is_a_setting(writable_app, tmp_path):
    from dashboard.app import create_app
    from queries.settings import load_settings

    _, store = writable_app
    app = create_app(load_settings({}).with_overrides(frame_ancestors="'self'"), store)
    answer = app.server.test_client().get("/login")
    assert "frame-ancestors 'self'" in answer.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in answer.headers          # DENY would overrule the setting


# -- cross-site writes -----------------------------------------------------------------------------
def test_a_text_plain_post_is_403_with_a_session_and_with_a_token(server, admin_headers):
    before = matters(server)
    body = json.dumps(a_matter(server, admin_headers))
    session = signed_in_session(server)
    plain = {"Content-Type": "text/plain", "Origin": server}
    assert_error(session.post(f"{server}/api/v1/matters", data=body, headers=plain, timeout=30), 403)
    assert_error(requests.post(f"{server}/api/v1/matters", data=body, timeout=30,
                               headers={**admin_headers, "Content-Type": "text/plain"}), 403)
    form = {"Content-Type": "application/x-www-form-urlencoded", "Origin": server}
    assert_error(session.post(f"{server}/api/v1/matters", data={body: ""}, headers=form, timeout=30), 403)
    assert matters(server) == before


def test_a_session_write_needs_this_sites_origin(server, admin_headers):
    before = matters(server)
    body = a_matter(server, admin_headers)
    session = signed_in_session(server)
    for origin in ("http://evil.example", "null", None):
        headers = {"Origin": origin} if origin else {}
        assert_error(session.post(f"{server}/api/v1/matters", json=body, headers=headers, timeout=30), 403)
    assert matters(server) == before
    mine = session.post(f"{server}/api/v1/matters", json=body, headers={"Origin": server}, timeout=30)
    assert mine.status_code == 201, mine.text                 # the site's own pages still write
    assert matters(server) == before + 1


def test_the_login_form_refuses_another_origin(server):
    answer = requests.post(f"{server}/login", data={"name": TEST_ADMIN, "password": TEST_PASSWORD},
                           headers={"Origin": "http://evil.example"}, allow_redirects=False, timeout=30)
    assert_error(answer, 403)
    assert "township_session" not in answer.cookies


class _OtherOrigin(http.server.BaseHTTPRequestHandler):
    PAGE = b"<!DOCTYPE html><html><body><h1>another site</h1></body></html>"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.PAGE)))
        self.end_headers()
        self.wfile.write(self.PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_origin():
    """A page on another port of the same machine: another origin, but the same site, so the
    browser still sends the SameSite=Strict session cookie with its requests."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), _OtherOrigin)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


@needs_chromium
def test_a_page_of_another_origin_cannot_create_a_matter(server, browser, login_state, admin_headers,
                                                        other_origin):
    body = json.dumps(a_matter(server, admin_headers, description="跨站写入"))
    before = matters(server)
    context = browser.new_context(storage_state=login_state(server))
    try:
        page = context.new_page()
        page.goto(other_origin + "/")
        outcomes = page.evaluate("""async ([url, body]) => {
            const out = [];
            const tries = [
              {method: "POST", mode: "no-cors", credentials: "include", body,
               headers: {"Content-Type": "text/plain"}},
              {method: "POST", credentials: "include", body, headers: {"Content-Type": "application/json"}},
              {method: "POST", mode: "no-cors", credentials: "include", body: new Blob([body])},
            ];
            for (const t of tries) {
              try { const r = await fetch(url + "/api/v1/matters", t); out.push(r.type + " " + r.status); }
              catch (e) { out.push("refused " + e.name); }
            }
            return out;
        }""", [server, body])
        # and the classic: a text/plain form posted at the API
        page.evaluate("""([url, body]) => {
            const f = document.createElement("form");
            f.method = "POST"; f.action = url + "/api/v1/matters"; f.enctype = "text/plain";
            const i = document.createElement("input"); i.name = body.slice(0, -1) + ', "external_ref": "';
            i.value = '"}';   // the body reads name=value: {..., "external_ref": "="}
            f.appendChild(i); document.body.appendChild(f); f.submit();
        }""", [server, body])
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        assert '"status": 403' in page.content(), page.content()[:300]
    finally:
        context.close()
    assert len(outcomes) == 3, outcomes
    assert matters(server) == before, outcomes


# -- Host, sizes, rate limits, the ops endpoint ---------------------------------------------------------
def test_a_wrong_host_is_400(server, admin_headers):
    for host in ("evil.example", "rebind.attacker.test:8050", "127.0.0.2"):
        assert_error(requests.get(f"{server}/api/v1/summary", timeout=30,
                                  headers={**admin_headers, "Host": host}), 400)
        assert requests.get(f"{server}/login", headers={"Host": host}, timeout=30).status_code == 400
    port = server.rsplit(":", 1)[1]
    assert requests.get(f"{server}/healthz", headers={"Host": f"localhost:{port}"}, timeout=30).status_code == 200


def test_an_oversized_body_is_413_in_the_one_shape(tight, admin_headers):
    before = matters(tight)
    big = json.dumps({"source": "public", "description": "x" * (100 * 1024)})
    answer = requests.post(f"{tight}/api/v1/matters", data=big, timeout=30,
                           headers={**admin_headers, "Content-Type": "application/json"})
    assert_error(answer, 413)
    assert matters(tight) == before


def test_intake_over_its_limit_is_429_with_retry_after(tight, admin_headers):
    body = a_matter(tight, admin_headers)
    codes = [requests.post(f"{tight}/api/v1/matters", json=body, headers=admin_headers, timeout=30).status_code
             for _ in range(INTAKE_LIMIT)]
    assert codes == [201] * INTAKE_LIMIT
    over = requests.post(f"{tight}/api/v1/matters", json=body, headers=admin_headers, timeout=30)
    assert_error(over, 429)
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    # other endpoints are not intake
    assert requests.get(f"{tight}/api/v1/summary", headers=admin_headers, timeout=30).status_code == 200


def test_login_over_its_limit_is_429_with_retry_after(tight):
    codes = [requests.post(f"{tight}/login", data={"name": f"nobody-{i}", "password": "wrong"},
                           allow_redirects=False, timeout=30).status_code for i in range(LOGIN_LIMIT)]
    assert codes == [401] * LOGIN_LIMIT
    over = requests.post(f"{tight}/login", data={"name": TEST_ADMIN, "password": TEST_PASSWORD},
                         allow_redirects=False, timeout=30)
    assert over.status_code == 429 and 1 <= int(over.headers["Retry-After"]) <= 60
    assert "township_session" not in over.cookies
    assert "秒后再试" in over.text                                    # Chinese by default


def test_login_is_limited_per_user_name_across_addresses(writable_app):
    from dashboard.app import create_app
    from queries.settings import load_settings

    _, store = writable_app
    app = create_app(load_settings({}).with_overrides(login_rate_per_min=2), store)
    client = app.server.test_client()
    codes = [client.post("/login", data={"name": "someone", "password": "wrong"},
                         environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}).status_code for i in range(3)]
    assert codes == [401, 401, 429]
    other = client.post("/login", data={"name": "someone-else", "password": "wrong"},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401


def test_the_rate_limiter_slides_with_its_clock():
    from dashboard.http.hardening import RateLimiter

    now = [100.0]
    limiter = RateLimiter(2, window_s=60, clock=lambda: now[0])
    assert limiter.hit("a") is None and limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(60) and limiter.hit("b") is None
    now[0] += 30
    assert limiter.hit("a") == pytest.approx(30)
    now[0] += 30
    assert limiter.hit("a") is None


def test_the_ops_endpoint_answers_403_for_a_wrong_or_non_ascii_token(server):
    for token in ("令牌".encode("utf-8"), "é".encode("latin-1"), b"wrong", b""):
        answer = requests.post(f"{server}/internal/v1/ops/user_list", json={}, timeout=30,
                               headers={"X-Township-Token": token})
        assert answer.status_code == 403, (token, answer.status_code)


# -- the pages under the CSP; residents' text as text ------------------------------------------------
CSP_PROBE = """document.addEventListener('securitypolicyviolation',
    e => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));"""
PAGES = {
    "/": ["#ov-map .maplibregl-canvas", "#ov-map .js-plotly-plot", "#ov-dept-chart .barlayer .point",
          ".matters-grid .ag-center-cols-container .ag-row"],
    "/desk": [".desk-queue .queue-row"],
    "/analysis": ["#an-categories .barlayer .point", "#an-heatmap .heatmaplayer", "#an-map .maplibregl-canvas"],
    "/warnings": [".wn-row", "#wn-map .maplibregl-canvas", "#wn-fc-chart .js-plotly-plot"],
    "/screen": ["#scr-ranking table", "#scr-map .maplibregl-canvas", "#scr-trend .js-plotly-plot"],
}


def _problems(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


@needs_chromium
def test_every_page_renders_under_the_csp(server, browser, login_state):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, storage_state=login_state(server))
    context.add_init_script(CSP_PROBE)
    try:
        for path, selectors in PAGES.items():
            page = context.new_page()
            problems = _problems(page)
            page.goto(server + path)
            for selector in selectors:
                page.wait_for_selector(selector, state="attached", timeout=40_000)
            page.wait_for_timeout(500)
            assert page.evaluate("window.__csp || []") == [], path
            assert not problems, (path, problems)
            page.close()
        page = browser.new_page()                   # the login page, signed out
        page.add_init_script(CSP_PROBE)
        problems = _problems(page)
        page.goto(server + "/login")
        page.wait_for_selector("#login-submit")
        assert page.evaluate("window.__csp || []") == [] and not problems, problems
        page.close()
    finally:
        context.close()


@needs_chromium
def test_stored_script_payloads_show_as_text_on_every_page(server, browser, login_state, admin_headers):
    ids = []
    for payload in PAYLOADS:
        body = a_matter(server, admin_headers, description=f"{payload} 描述", address=f"{payload} 地址")
        answer = requests.post(f"{server}/api/v1/matters", json=body, headers=admin_headers, timeout=30)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, storage_state=login_state(server))
    context.add_init_script(CSP_PROBE)
    try:
        pages = [(path, selectors) for path, selectors in PAGES.items()]
        pages += [(f"/desk?matter={i}", [f'.card-info[data-matter="{i}"]']) for i in ids]
        for path, selectors in pages:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(server + path)
            for selector in selectors:
                page.wait_for_selector(selector, state="attached", timeout=40_000)
            page.wait_for_timeout(800)
            assert page.locator("img[src='x']").count() == 0, path
            if path.startswith("/desk?matter="):
                card = page.locator(".card-info").inner_text()
                payload = PAYLOADS[ids.index(int(path.rsplit("=", 1)[1]))]
                assert f"{payload} 描述" in card, card          # the card shows the description
                assert page.locator(".card-info a[href^='javascript']").count() == 0
            assert page.evaluate("window.__csp || []") == [], path
            page.close()
    finally:
        context.close()
    assert dialogs == []


# -- uploads -----------------------------------------------------------------------------------------
def test_an_upload_beyond_upload_max_mb_is_413_before_it_is_read(writable_app, admin_token):
    from dashboard.app import create_app
    from queries.settings import load_settings

    _, store = writable_app
    app = create_app(load_settings({}).with_overrides(upload_max_mb=1, api_max_body_kb=16), store)
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {admin_token}"
    big = b'{"output": "x", "inputs": [], "changedPropIds": [], "state": [], "pad": "' + b"A" * 3_000_000 + b'"}'
    assert_error(client.post("/_dash-update-component", data=big, content_type="application/json"), 413)
    # a callback body bigger than the API's bound but within the upload's reaches Dash
    small = b'{"output": "x", "pad": "' + b"A" * 100_000 + b'"}'
    assert client.post("/_dash-update-component", data=small, content_type="application/json").status_code != 413
    assert_error(client.post("/api/v1/matters", data=small, content_type="application/json"), 413)


def test_saved_mappings_go_next_to_the_database(writable_app):
    import sys

    import dash

    from dashboard.context import app_context

    app, _ = writable_app
    # the module Dash registered (importing it as dashboard.pages.… would register the page twice)
    page = sys.modules[next(name for name in dash.page_registry if name.endswith("admin_import"))]
    with app.server.test_request_context("/admin/import"):
        folder = page._mappings_dir()
        db = Path(app_context().settings.db_path)
    assert folder == db.parent / f"{db.stem}-mappings"
    assert Path(__file__).resolve().parents[1] not in folder.resolve().parents
