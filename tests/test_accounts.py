"""Accounts and login (issue 11): who may reach what without signing in, the session and
its cookie, lockout, tokens, idle sessions, a village-scoped user's view, the actor of an
action, and the ``user`` commands through the running server. The real app over a copy of
the demo database; the clock is the product's, moved through ``TOWNSHIP_CLOCK_AT``."""
from __future__ import annotations

import os
import subprocess
import sys
from contextvars import copy_context
from datetime import datetime, timedelta

import pandas as pd
import pytest
import requests

from dashboard.app import create_app
from dashboard.launch import running_server
from queries import accounts
from queries.settings import load_settings
from tests.servers import REPO, TEST_ADMIN, TEST_PASSWORD, client_with, copy_db

PINNED = datetime.fromisoformat(os.environ["TOWNSHIP_CLOCK_AT"])
OPERATOR, OPERATOR_PASSWORD = "坐席员 张伟", "张伟的登录密码很长很长很长"
SCOPED, SCOPED_PASSWORD = "村级查看员", "scoped-viewer-password"


def at(monkeypatch, minutes: float) -> None:
    """The product's clock started ``minutes`` after the suite's pinned instant."""
    monkeypatch.setenv("TOWNSHIP_CLOCK_AT", (PINNED + timedelta(minutes=minutes)).isoformat())


def anonymous(app):
    client = app.server.test_client()
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    return client


def sign_in(client, name: str, password: str, next_path: str = "/", **query):
    return client.post("/login", data={"name": name, "password": password, "next": next_path},
                       query_string=query)


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app[0]


@pytest.fixture(scope="module")
def store(writable_app):
    return writable_app[1]


@pytest.fixture(scope="module")
def village(store) -> tuple[int, str]:
    """The village with the most matters: (id, code)."""
    row = store.frame("SELECT v.area_id, v.code FROM matters m JOIN areas v ON v.area_id = m.village_id "
                      "GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").iloc[0]
    return int(row["area_id"]), str(row["code"])


@pytest.fixture(scope="module")
def people(store, village):
    accounts.add_user(store, name=OPERATOR, role="operator", password=OPERATOR_PASSWORD)
    accounts.add_user(store, name=SCOPED, role="viewer", password=SCOPED_PASSWORD, scope=[village[1]])
    return {OPERATOR: accounts.new_token(store, name=OPERATOR)["token"],
            SCOPED: accounts.new_token(store, name=SCOPED)["token"]}


# -- what needs a login ----------------------------------------------------------------------
def test_without_a_session_pages_redirect_the_api_answers_401_and_the_import_is_out_of_reach(app):
    client = anonymous(app)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/login?next=%2F"
    desk = client.get("/desk?lang=en&matter=1")
    assert desk.status_code == 302 and desk.headers["Location"].startswith("/login?next=%2Fdesk%3Flang%3Den")
    assert "lang=en" in desk.headers["Location"]
    admin = client.get("/admin/import")
    assert admin.status_code == 302 and admin.headers["Location"].startswith("/login?next=%2Fadmin%2Fimport")
    for path in ("/api/v1/matters", "/api/v1/summary", "/api/v1/warnings", "/api/v1/matters/1"):
        answer = client.get(path)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert answer.get_json() == {"status": 401, "errors": [], "error": answer.get_json()["error"]}
        assert "sign in" in answer.get_json()["error"]
    assert client.post("/api/v1/matters", json={"source": "public"}).status_code == 401
    for path in ("/_dash-update-component", "/_dash-layout", "/_dash-dependencies"):
        method = client.post if path == "/_dash-update-component" else client.get
        assert method(path).status_code == 401, path
    assert client.get("/healthz").status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200          # open311_public_read
    assert client.get("/assets/login.css").status_code == 200


def test_open311_reads_need_a_login_when_the_setting_says_so(store, admin_token):
    closed = create_app(load_settings({}).with_overrides(open311_public_read=False), store)
    assert anonymous(closed).get("/open311/v2/requests.json").status_code == 401
    assert client_with(closed.server, admin_token).get("/open311/v2/requests.json").status_code == 200
    # POST keeps its channel api_key: refused by Open311 itself, not by the login
    answer = anonymous(closed).post("/open311/v2/requests.json", data={"api_key": "wrong"})
    assert answer.status_code == 403 and isinstance(answer.get_json(), list)


# -- the page and the session ----------------------------------------------------------------
def test_the_login_page_speaks_chinese_and_english(app):
    client = anonymous(app)
    zh = client.get("/login").get_data(as_text=True)
    assert "登录" in zh and "用户名" in zh and "密码" in zh and 'lang="zh-CN"' in zh
    en = client.get("/login?lang=en").get_data(as_text=True)
    assert "Sign in" in en and "User name" in en and "Password" in en
    wrong = sign_in(client, TEST_ADMIN, "not the password", lang="en")
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.get_data(as_text=True)
    unknown = sign_in(client, "nobody", "whatever-password")
    assert unknown.status_code == 401 and "用户名或密码不正确" in unknown.get_data(as_text=True)   # same words


def test_a_login_sets_a_strict_http_only_cookie_and_goes_where_it_was_asked(app, store):
    client = anonymous(app)
    done = sign_in(client, TEST_ADMIN, TEST_PASSWORD, "/desk?lang=en")
    assert done.status_code == 303 and done.headers["Location"] == "/desk?lang=en"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    assert client.get("/desk").status_code == 200
    assert client.get("/api/v1/summary").status_code == 200
    assert client.get("/logout").status_code == 405                # a link cannot sign anyone out
    assert client.post("/logout", data={"csrf_token": "guessed"}).get_json()["status"] == 403
    assert client.get("/api/v1/summary").status_code == 200        # still signed in
    with client.session_transaction() as cookie:
        token = cookie["csrf"]
    out = client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302 and client.get("/api/v1/summary").status_code == 401
    # Only a path of this site is a destination.
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert sign_in(client, TEST_ADMIN, TEST_PASSWORD, evil).headers["Location"] == "/"
    secure = create_app(load_settings({}).with_overrides(behind_https=True), store)
    assert "Secure" in sign_in(anonymous(secure), TEST_ADMIN, TEST_PASSWORD).headers["Set-Cookie"]


def test_a_session_outlives_a_restart_since_its_secret_is_in_the_database(app, store):
    client = anonymous(app)
    sign_in(client, TEST_ADMIN, TEST_PASSWORD)
    cookie = client.get_cookie("township_session")
    assert cookie is not None and app.server.secret_key == store.meta("session_secret")
    restarted = anonymous(create_app(load_settings({}), store))
    restarted.set_cookie("township_session", cookie.value)
    assert restarted.get("/api/v1/summary").status_code == 200
    forged = anonymous(app)
    forged.set_cookie("township_session", cookie.value[:-4] + "AAAA")
    assert forged.get("/api/v1/summary").status_code == 401


def test_an_idle_session_ends(app, monkeypatch):
    at(monkeypatch, 0)
    client = anonymous(app)
    sign_in(client, TEST_ADMIN, TEST_PASSWORD)
    at(monkeypatch, 29)
    assert client.get("/api/v1/summary").status_code == 200           # used: the idle time starts again
    at(monkeypatch, 29 + 29)
    assert client.get("/desk").status_code == 200
    at(monkeypatch, 29 + 29 + 31)
    ended = client.get("/desk")
    assert ended.status_code == 302 and "expired=1" in ended.headers["Location"]
    assert "长时间未操作" in client.get(ended.headers["Location"]).get_data(as_text=True)
    assert client.get("/api/v1/summary").status_code == 401


def test_five_wrong_passwords_lock_the_account_for_the_lockout(app, store, people, monkeypatch):
    at(monkeypatch, 0)
    client = anonymous(app)
    for _ in range(4):
        assert sign_in(client, OPERATOR, "wrong password!!").status_code == 401
    fifth = sign_in(client, OPERATOR, "wrong password!!")
    assert fifth.status_code == 401 and "已锁定" in fifth.get_data(as_text=True)
    sixth = sign_in(client, OPERATOR, OPERATOR_PASSWORD)                   # the right one, while locked
    assert sixth.status_code == 401 and "已锁定" in sixth.get_data(as_text=True)
    assert client.get("/api/v1/summary").status_code == 401
    at(monkeypatch, 14)
    assert sign_in(client, OPERATOR, OPERATOR_PASSWORD).status_code == 401
    at(monkeypatch, 16)
    assert sign_in(client, OPERATOR, OPERATOR_PASSWORD).status_code == 303
    assert client.get("/api/v1/summary").status_code == 200
    row = store.frame("SELECT failed_logins, locked_until FROM users WHERE name = ?", [OPERATOR]).iloc[0]
    assert row["failed_logins"] == 0 and pd.isna(row["locked_until"])


def test_lockout_counts_in_the_store_with_an_explicit_now(store):
    accounts.add_user(store, name="lock-unit", role="viewer", password="unit-test-password")
    t0 = datetime(2026, 3, 2, 9, 0)
    for i in range(3):
        with pytest.raises(accounts.LoginRefused) as refused:
            accounts.verify_password(store, "lock-unit", "nope-nope-nope", max_failures=3, lockout_min=10,
                                     now=t0 + timedelta(seconds=i))
    assert refused.value.reason == "locked" and refused.value.locked_until == t0 + timedelta(seconds=2, minutes=10)
    with pytest.raises(accounts.LoginRefused, match="locked"):
        accounts.verify_password(store, "lock-unit", "unit-test-password", max_failures=3, lockout_min=10,
                                 now=t0 + timedelta(minutes=10))
    user = accounts.verify_password(store, "lock-unit", "unit-test-password", max_failures=3, lockout_min=10,
                                    now=t0 + timedelta(minutes=11))
    assert user.name == "lock-unit" and user.role == "viewer" and user.township_wide
    stored = store.scalar("SELECT password_hash FROM users WHERE name = 'lock-unit'")
    assert stored.startswith("scrypt$16384$8$1$") and "unit-test-password" not in stored


# -- tokens --------------------------------------------------------------------------------------
def test_a_token_works_until_it_is_revoked_and_a_disabled_user_loses_everything(app, store, people):
    accounts.add_user(store, name="temp-operator", role="operator", password="temporary-password")
    token = accounts.new_token(store, name="temp-operator")["token"]
    assert store.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = ?", [token]) == 0   # only a hash
    client = client_with(app.server, token)
    assert client.get("/api/v1/matters?limit=1").status_code == 200
    assert accounts.revoke_tokens(store, name="temp-operator") == {"name": "temp-operator", "revoked": 1}
    refused = client.get("/api/v1/matters?limit=1")
    assert refused.status_code == 401 and "not valid" in refused.get_json()["error"]
    again = client_with(app.server, accounts.new_token(store, name="temp-operator")["token"])
    browser = anonymous(app)
    sign_in(browser, "temp-operator", "temporary-password")
    assert again.get("/api/v1/summary").status_code == 200 and browser.get("/api/v1/summary").status_code == 200
    accounts.disable_user(store, name="temp-operator")
    assert again.get("/api/v1/summary").status_code == 401
    assert browser.get("/api/v1/summary").status_code == 401           # the session ends with the account
    assert sign_in(anonymous(app), "temp-operator", "temporary-password").status_code == 401
    assert client_with(app.server, "tsk_made-up").get("/api/v1/summary").status_code == 401
    assert client_with(app.server, "tökén").get("/api/v1/summary").status_code == 401


# -- scope ---------------------------------------------------------------------------------------
def test_a_user_scoped_to_one_village_sees_only_that_village(app, store, people, village):
    village_id, _ = village
    client = client_with(app.server, people[SCOPED])
    listing = client.get("/api/v1/matters?limit=500").get_json()
    assert listing["total"] == store.scalar("SELECT count(*) FROM matters WHERE village_id = ?", [village_id]) > 0
    assert {item["village_id"] for item in listing["items"]} == {village_id}
    everyone = client_with(app.server, people[OPERATOR]).get("/api/v1/matters?limit=1").get_json()
    assert everyone["total"] == store.scalar("SELECT count(*) FROM matters") > listing["total"]
    elsewhere = int(store.scalar("SELECT max(matter_id) FROM matters WHERE village_id <> ?", [village_id]))
    assert client.get(f"/api/v1/matters/{elsewhere}").status_code == 404
    assert client_with(app.server, people[OPERATOR]).get(f"/api/v1/matters/{elsewhere}").status_code == 200
    other = store.scalar("SELECT min(area_id) FROM areas WHERE level = 'village' AND area_id <> ?", [village_id])
    assert client.get(f"/api/v1/matters?village={other}").get_json()["total"] == 0
    summary = client.get("/api/v1/summary").get_json()
    assert summary["open"] == store.scalar("SELECT count(*) FROM matters WHERE village_id = ? AND status NOT IN "
                                           "('closed', 'voided')", [village_id])
    assert client_with(app.server, people[OPERATOR]).get("/api/v1/summary").get_json()["open"] > summary["open"]


def test_the_overview_counts_of_a_scoped_user_are_their_village_s(app, store, people, village):
    """The overview page's KPI callback as Dash runs it, for the scoped user and for everyone."""
    import dash
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from dashboard.components.ids import overview as ids
    from dashboard.context import use_user
    from dashboard.pages.overview_layout import KPI_KEYS

    page = sys.modules[dash.page_registry["pages.overview"]["module"]]
    outputs = [[{"id": ids.kpi_value(k), "property": "children"} for k in KPI_KEYS],
               [{"id": ids.kpi_detail(k), "property": "children"} for k in KPI_KEYS],
               {"id": ids.NOTICE, "property": "children"}, {"id": ids.AS_OF, "property": "children"}]

    def open_tile(name: str) -> str:
        def run():
            context_value.set(AttributeDict(inputs_list=[], outputs_list=outputs, states_list=[],
                                            triggered_inputs=[]))
            with app.server.test_request_context("/_dash-update-component", method="POST"):
                use_user(accounts.user_named(store, name))
                tick = page.refresh_tick(0, None)
                values = page.update_kpis(tick, None, "zh")[0]
            return values[KPI_KEYS.index("open")]
        return copy_context().run(run)

    open_here = store.scalar("SELECT count(*) FROM matters WHERE village_id = ? AND status NOT IN "
                             "('closed', 'voided')", [village[0]])
    open_all = store.scalar("SELECT count(*) FROM matters WHERE status NOT IN ('closed', 'voided')")
    assert open_tile(SCOPED) == f"{open_here:,}" and open_tile(OPERATOR) == f"{open_all:,}" != f"{open_here:,}"


# -- who acts ------------------------------------------------------------------------------------
def test_the_actor_is_the_signed_in_user_and_never_a_field_the_client_fills(app, store, people, village):
    client = client_with(app.server, people[OPERATOR])
    cell = store.frame("SELECT lon, lat FROM areas WHERE level = 'cell' AND village_id = ? LIMIT 1",
                       [village[0]]).iloc[0]
    body = {"source": "public", "category": "0401", "description": "路边垃圾", "lon": float(cell.lon),
            "lat": float(cell.lat)}
    events_before = store.scalar("SELECT count(*) FROM events")
    typed = client.post("/api/v1/matters", json={**body, "actor": "别人"})
    assert typed.status_code == 422 and typed.get_json()["errors"] == [
        {"field": "actor", "problem": "actor comes from the login", "value": "别人"}]
    assert store.scalar("SELECT count(*) FROM events") == events_before        # nothing written
    made = client.post("/api/v1/matters", json=body)
    assert made.status_code == 201
    matter = made.get_json()["id"]
    refused = client.post(f"/api/v1/matters/{matter}/actions", json={"action": "dispatch", "department": 1,
                                                                     "actor": "别人"})
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["field"] == "actor"
    assert client.post(f"/api/v1/matters/{matter}/actions", json={"action": "dispatch", "department": 1}
                       ).status_code == 200
    scoped = client_with(app.server, people[SCOPED])      # a viewer: never writes
    assert scoped.post(f"/api/v1/matters/{matter}/actions", json={"action": "sign"}).status_code == 403
    dept_code = store.scalar("SELECT code FROM departments WHERE dept_id = 1")
    accounts.add_user(store, name="部门一 签收员", role="department", password="dept-one-password", department=dept_code)
    signer = client_with(app.server, accounts.new_token(store, name="部门一 签收员")["token"])
    assert signer.post(f"/api/v1/matters/{matter}/actions", json={"action": "sign"}).status_code == 200
    actors = store.frame("SELECT action, actor FROM events WHERE matter_id = ? ORDER BY seq", [matter])
    assert actors.values.tolist() == [["accept", OPERATOR], ["dispatch", OPERATOR], ["sign", "部门一 签收员"]]


# -- the user commands, through the running server and without one ---------------------------------
def cli(*argv, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, argv)], cwd=REPO, capture_output=True,
                          text=True, timeout=120, input=stdin)


def test_user_commands_work_through_the_running_server_and_refuse_bad_input(empty_db_path, tmp_path):
    db = copy_db(empty_db_path, tmp_path)
    code = cli("user", "add", "offline", "--role", "analyst", "--db", db, "--password-stdin",
               stdin="offline-password\n")
    assert code.returncode == 0 and "through the server" not in code.stdout, code.stderr
    with running_server(db, tmp_path) as url:
        villages = requests.get(f"{url}/open311/v2/services.json", timeout=30)      # the server answers
        assert villages.status_code == 200
        made = cli("user", "add", "王村长", "--role", "viewer", "--scope", "321003101001", "--db", db,
                   "--password-stdin", stdin="wang-cun-zhang-password\n")
        assert made.returncode == 0 and "321003101001" in made.stdout, made.stderr
        before = cli("user", "list", "--db", db).stdout
        bad = [
            (("add", "x1", "--role", "king"), "good-password-here", "unknown role"),
            (("add", "x2", "--role", "viewer", "--scope", "999999999999"), "good-password-here", "unknown village"),
            (("add", "x3", "--role", "viewer"), "short", "at least 12"),
            (("add", "王村长", "--role", "viewer"), "good-password-here", "exists already"),
            (("add", "x4", "--role", "department", "--department", "NOPE"), "good-password-here",
             "unknown department"),
            (("add", "x5", "--role", "viewer"), None, "--password-stdin"),
            (("reset", "nobody", "--password-stdin"), "good-password-here", "no user named"),
        ]
        for argv, password, says in bad:
            extra = ("--password-stdin",) if password is not None and "--password-stdin" not in argv else ()
            r = cli("user", *argv, "--db", db, *extra, stdin=(password or "") + "\n")
            assert r.returncode == 2 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, (argv, r.stderr)
            assert says in r.stderr, (argv, r.stderr)
        assert cli("user", "list", "--db", db).stdout == before              # nothing written
        token = cli("user", "token", "王村长", "--db", db)
        assert token.returncode == 0, token.stderr
        value = token.stdout.strip().splitlines()[-1]
        headers = {"Authorization": f"Bearer {value}"}
        assert requests.get(f"{url}/api/v1/summary", headers=headers, timeout=30).status_code == 200
        assert cli("user", "reset", "王村长", "--db", db, "--password-stdin",
                   stdin="a-new-long-password\n").returncode == 0
        session = requests.Session()
        login = session.post(f"{url}/login", data={"name": "王村长", "password": "a-new-long-password"}, timeout=30)
        assert login.status_code == 200 and login.url.endswith("/")
        assert cli("user", "disable", "王村长", "--db", db).returncode == 0
        assert requests.get(f"{url}/api/v1/summary", headers=headers, timeout=30).status_code == 401
        assert session.get(f"{url}/api/v1/summary", timeout=30).status_code == 401
        listed = cli("user", "list", "--db", db).stdout
        assert "王村长\tviewer\t321003101001\t-\tdisabled\t0 tokens" in listed and "offline\tanalyst\tall" in listed
