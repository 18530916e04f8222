"""Roles enforced on the server (queries.permissions) and the security audit log
(queries.audit): every role tries every matter action, registering and acknowledging through
the real API; a department user acts on its own department's matters only; the admin pages
and their callbacks are out of other roles' reach; the desk tells a refusal in the page's
language and writes nothing; refusals, logins and actions land in the audit log, which no
path of the app (API, ops endpoint, command line) can change or empty. The real app over a
copy of the demo database, and a real server for the ops endpoint and the CLI. Times come
from the product's clock (pinned by ``TOWNSHIP_CLOCK_AT``), never the machine's."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import requests

from dashboard.launch import running_server
from queries import accounts, lifecycle, ops
from queries.permissions import PERMISSIONS, allowed, offered
from queries.sqlfiles import all_writes
from queries.warnings import refresh_warnings
from queries.writepath import Placement, apply_action, check_action, check_new_matter, create_matter
from tests.servers import REPO, client_with, copy_db

PINNED = datetime.fromisoformat(os.environ["TOWNSHIP_CLOCK_AT"])
PASSWORD = "a-role-test-password"
ROLES = tuple(PERMISSIONS)
# The expected matrix, written out (the table in queries/permissions.py must agree with it).
CENTER = {"register", "dispatch", "verify", "reject", "close", "follow_up", "acknowledge", "merge"}
SIDE = {"sign", "feedback", "return", "extend", "suspend", "resume", "supervise", "void", "escalate", "reopen"}
EXPECTED = {
    "admin": CENTER | SIDE,
    "commander": CENTER | SIDE,
    "operator": CENTER,
    "department": {"sign", "feedback", "return"},
    "leader": set(), "analyst": set(), "viewer": set(),
}
# Each action: the steps that bring a new matter to where it is legal, and the body it takes.
PATH = {"dispatch": [], "void": [], "sign": ["dispatch"], "return": ["dispatch"], "extend": ["dispatch"],
        "escalate": ["dispatch"], "supervise": ["dispatch"], "feedback": ["dispatch", "sign"],
        "suspend": ["dispatch", "sign"], "resume": ["dispatch", "sign", "suspend"],
        "verify": ["dispatch", "sign", "feedback"], "reject": ["dispatch", "sign", "feedback"],
        "close": ["dispatch", "sign", "feedback", "verify"],
        "follow_up": ["dispatch", "sign", "feedback", "verify", "close"],
        "reopen": ["dispatch", "sign", "feedback", "verify", "close"], "merge": []}


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app[0]


@pytest.fixture(scope="module")
def store(writable_app):
    return writable_app[1]


@pytest.fixture(scope="module")
def depts(store) -> tuple[tuple[int, str], tuple[int, str]]:
    rows = store.frame("SELECT dept_id, code FROM departments ORDER BY dept_id LIMIT 2").values.tolist()
    return (int(rows[0][0]), str(rows[0][1])), (int(rows[1][0]), str(rows[1][1]))


@pytest.fixture(scope="module")
def tokens(store, depts) -> dict[str, str]:
    """One account a role (the department user in the first department), and its token."""
    made = {}
    for role in ROLES:
        name = f"role-{role}"
        accounts.add_user(store, name=name, role=role, password=PASSWORD,
                          department=depts[0][1] if role == "department" else None)
        made[role] = accounts.new_token(store, name=name)["token"]
    return made


def body_of(action: str, dept_id: int, into: int | None = None) -> dict:
    body: dict = {"action": action}
    if action == "merge":
        body["into"] = into
    if action in ("supervise", "extend", "suspend", "return", "void", "reject", "escalate", "reopen"):
        body["note"] = "测试"
    if action == "dispatch":
        body["department"] = dept_id
    if action == "extend":
        body["hours"] = 2
    if action == "follow_up":
        body["satisfaction"] = "satisfied"
    return body


def new_matter(store, steps: list[str], dept_id: int, co: list[int] | None = None) -> int:
    """A matter brought through ``steps`` by the write path itself (no person: ``by=None``)."""
    cell = store.frame("SELECT area_id, village_id, lon, lat FROM areas WHERE level = 'cell' LIMIT 1").iloc[0]
    clean = check_new_matter(store, {"source": "public", "category": "0401", "description": "角色测试",
                                     "lon": float(cell.lon), "lat": float(cell.lat)})
    made, _ = create_matter(store, clean, Placement(float(cell.lon), float(cell.lat), int(cell.area_id),
                                                    int(cell.village_id)), now=PINNED)
    for step in steps:
        body = {**body_of(step, dept_id), "actor": "测试"}
        if step == "dispatch" and co:
            body["co_departments"] = co
        apply_action(store, made["id"], check_action(store, body), now=PINNED)
    return int(made["id"])


def events_of(store, matter_id: int) -> int:
    return int(store.scalar("SELECT count(*) FROM events WHERE matter_id = ?", [matter_id]))


def test_the_table_is_the_documented_matrix():
    for role in ROLES:
        for what in CENTER | SIDE:
            assert allowed(role, what) == (what in EXPECTED[role]), (role, what)
        assert allowed(role, "read") and allowed(role, "export")
        assert allowed(role, "import") == allowed(role, "audit") == allowed(role, "users") == (role == "admin")
    assert set(PATH) == set(lifecycle.TRANSITIONS) - {"accept"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_take_exactly_its_actions_and_a_refusal_writes_nothing(app, store, tokens, depts, role):
    client = client_with(app.server, tokens[role])
    dept_id = depts[0][0]
    for action, steps in PATH.items():
        matter = new_matter(store, steps, dept_id)
        before = events_of(store, matter)
        into = new_matter(store, [], dept_id) if action == "merge" else None     # the original of a duplicate
        answer = client.post(f"/api/v1/matters/{matter}/actions", json=body_of(action, dept_id, into))
        if action in EXPECTED[role]:
            assert answer.status_code == 200, (role, action, answer.get_json())
            assert events_of(store, matter) == before + 1
        else:
            assert answer.status_code == 403, (role, action, answer.get_json())
            body = answer.get_json()
            assert set(body) == {"status", "error", "errors"} and body["status"] == 403 and body["errors"] == []
            assert events_of(store, matter) == before, (role, action)       # nothing written


@pytest.mark.parametrize("role", ROLES)
def test_registering_and_acknowledging_follow_the_table(app, store, tokens, role):
    client = client_with(app.server, tokens[role])
    cell = store.frame("SELECT lon, lat FROM areas WHERE level = 'cell' LIMIT 1").iloc[0]
    matters_before = store.scalar("SELECT count(*) FROM matters")
    made = client.post("/api/v1/matters", json={"source": "public", "category": "0401", "description": "登记测试",
                                                "lon": float(cell.lon), "lat": float(cell.lat)})
    assert made.status_code == (201 if "register" in EXPECTED[role] else 403), (role, made.get_json())
    assert store.scalar("SELECT count(*) FROM matters") == matters_before + (made.status_code == 201)
    key = store.scalar("SELECT warning_key FROM warnings WHERE resolved_at IS NULL LIMIT 1")
    if key is None:
        refresh_warnings(store, PINNED)
        key = store.scalar("SELECT warning_key FROM warnings WHERE resolved_at IS NULL LIMIT 1")
    assert key is not None
    ack = client.post(f"/api/v1/warnings/{key}/ack", json={"note": "收到"})
    assert ack.status_code == (200 if "acknowledge" in EXPECTED[role] else 403), (role, ack.get_json())


def test_a_department_user_acts_on_its_own_department_s_matters_only(app, store, tokens, depts):
    (own, _), (other, _) = depts
    client = client_with(app.server, tokens["department"])
    mine = new_matter(store, ["dispatch"], own)
    theirs = new_matter(store, ["dispatch"], other)
    helping = new_matter(store, ["dispatch"], other, co=[own])          # 协办: a co-handling department
    assert client.post(f"/api/v1/matters/{mine}/actions", json={"action": "sign"}).status_code == 200
    refused = client.post(f"/api/v1/matters/{theirs}/actions", json={"action": "sign"})
    assert refused.status_code == 403 and "own department" in refused.get_json()["error"]
    assert events_of(store, theirs) == 2
    assert client.post(f"/api/v1/matters/{helping}/actions", json={"action": "sign"}).status_code == 200
    back = client.post(f"/api/v1/matters/{theirs}/actions", json={"action": "return", "note": "非本部门"})
    assert back.status_code == 403


def test_a_viewer_cannot_reach_the_import_or_the_audit_page_nor_their_callbacks(app, tokens):
    viewer, admin = client_with(app.server, tokens["viewer"]), client_with(app.server, tokens["admin"])
    for path in ("/admin/import", "/audit", "/audit?lang=en"):
        page = viewer.get(path)
        assert page.status_code == 403, path
        assert ("Not allowed" if "lang=en" in path else "无权访问") in page.get_data(as_text=True)
        assert admin.get(path).status_code == 200
    for output in ({"id": "adm-upload-msg", "property": "children"}, {"id": "aud-table", "property": "children"}):
        call = {"output": f"{output['id']}.children", "outputs": output, "inputs": [], "changedPropIds": []}
        refused = viewer.post("/_dash-update-component", json=call)
        assert refused.status_code == 403 and refused.get_json()["status"] == 403


def test_the_desk_offers_and_performs_only_what_the_role_may(app, store, tokens, depts):
    from dashboard.views import desk_actions

    own = depts[0][0]
    matter = new_matter(store, ["dispatch"], own)
    status_actions = desk_actions.legal_actions("dispatched")
    facts = {"lead_dept_id": own, "co_dept_ids": []}
    users = {role: accounts.user_for_token(store, tokens[role]) for role in ROLES}
    assert offered(users["viewer"], status_actions, facts) == ()
    assert offered(users["department"], status_actions, facts, own) == ("sign", "return")
    assert offered(users["department"], status_actions, {"lead_dept_id": depts[1][0]}, own) == ()
    assert "supervise" not in offered(users["operator"], status_actions, facts)
    assert "supervise" in offered(users["commander"], status_actions, facts)
    before = events_of(store, matter)
    with app.server.test_request_context("/desk"):
        scope = store.all_village_ids() + [-1]
        for lang, says in (("zh", "无权办理"), ("en", "not allowed")):
            outcome = desk_actions.perform(store, scope, matter, {"action": "sign", "actor": "role-viewer"},
                                           now=PINNED, lang=lang, by=users["viewer"])
            assert outcome.kind == "forbidden" and says in outcome.message
    assert events_of(store, matter) == before


def test_a_viewer_s_write_is_refused_and_audited_with_who_and_when(app, store, tokens, depts):
    matter = new_matter(store, ["dispatch"], depts[0][0])
    viewer = client_with(app.server, tokens["viewer"])
    assert viewer.post(f"/api/v1/matters/{matter}/actions", json={"action": "void", "note": "x"}).status_code == 403
    row = store.frame("SELECT occurred_at, user_name, role, source_ip, what, target, outcome FROM audit_log "
                      "WHERE user_name = 'role-viewer' AND what = 'refused' ORDER BY audit_id DESC LIMIT 1")
    assert len(row) == 1
    r = row.iloc[0]
    assert (r.role, r.outcome, r.target) == ("viewer", "refused", f"POST /api/v1/matters/{matter}/actions")
    assert r.source_ip == "127.0.0.1"
    assert PINNED - timedelta(minutes=1) <= r.occurred_at.to_pydatetime() <= PINNED + timedelta(hours=2)
    admin = client_with(app.server, tokens["admin"])
    assert admin.post(f"/api/v1/matters/{matter}/actions", json={"action": "sign"}).status_code == 200
    done = store.frame("SELECT what, target, outcome, detail FROM audit_log WHERE user_name = 'role-admin' "
                       "ORDER BY audit_id DESC LIMIT 1").values.tolist()
    assert done == [["action", f"matter {matter}", "ok", "sign"]]


def test_logins_and_logouts_are_audited(app, store, tokens):
    client = app.server.test_client()
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    assert client.post("/login", data={"name": "role-analyst", "password": "wrong-password-here"}).status_code == 401
    assert client.post("/login", data={"name": "role-analyst", "password": PASSWORD}).status_code == 303
    with client.session_transaction() as cookie:
        token = cookie["csrf"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    rows = store.frame("SELECT what, outcome FROM audit_log WHERE target = 'role-analyst' ORDER BY audit_id"
                       ).values.tolist()
    assert rows[-3:] == [["login_failed", "refused"], ["login", "ok"], ["logout", "ok"]]


def test_only_the_prune_removes_audit_records_and_no_write_statement_updates_them():
    touching = {name for name, query in all_writes().items()
                if re.search(r"\b(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|DROP\s+TABLE\s+audit_log|"
                             r"ALTER\s+TABLE\s+audit_log|TRUNCATE)", query.sql, re.I)}
    assert touching == {"audit/prune"}


def test_no_path_of_the_app_changes_or_empties_the_audit_log(empty_db_path, empty_admin_token, tmp_path):
    db = copy_db(empty_db_path, tmp_path)
    headers = {"Authorization": f"Bearer {empty_admin_token}"}
    with running_server(db, tmp_path) as url:
        viewer = subprocess.run([sys.executable, "-m", "dashboard", "user", "add", "看看", "--role", "viewer",
                                 "--db", str(db), "--password-stdin"], cwd=REPO, capture_output=True, text=True,
                                input="a-viewer-password\n", timeout=120)
        assert viewer.returncode == 0, viewer.stderr
        token = subprocess.run([sys.executable, "-m", "dashboard", "user", "token", "看看", "--db", str(db)],
                               cwd=REPO, capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1]
        refused = requests.post(f"{url}/api/v1/matters", headers={"Authorization": f"Bearer {token}"},
                                json={"source": "public", "category": "0401", "description": "x", "address": "y"},
                                timeout=30)
        assert refused.status_code == 403 and refused.json()["status"] == 403
        audit_page = requests.get(f"{url}/audit", headers=headers, timeout=30)
        assert audit_page.status_code == 200
        # the API: no endpoint takes a write to the log
        for method in ("PUT", "PATCH", "DELETE", "POST"):
            for path in ("/api/v1/audit", "/api/v1/audit/1", "/audit"):
                answer = requests.request(method, f"{url}{path}", headers=headers, json={}, timeout=30)
                assert answer.status_code in (404, 405), (method, path, answer.status_code)
        # the ops endpoint: no operation edits or deletes records; the prune refuses what is young
        ann = ops.read_announcement(str(db))
        op_headers = {"X-Township-Token": ann.token}
        for name in ("audit_delete", "audit_update", "audit_clear", "audit_truncate"):
            assert requests.post(f"{url}/internal/v1/ops/{name}", headers=op_headers, json={},
                                 timeout=30).status_code == 404
        young = (PINNED - timedelta(days=30)).date().isoformat()
        assert requests.post(f"{url}/internal/v1/ops/audit_prune", headers=op_headers, json={"before": young},
                             timeout=30).status_code == 409
        bad = requests.post(f"{url}/internal/v1/ops/audit_prune", headers=op_headers,
                            json={"before": "2000-01-01", "where": "1=1"}, timeout=30)
        assert bad.status_code == 422
        # the command line, through the server
        for before in (young, (PINNED - timedelta(days=182)).date().isoformat(), "tomorrow", "2999-01-01"):
            cli = subprocess.run([sys.executable, "-m", "dashboard", "audit", "prune", "--db", str(db),
                                  "--before", before], cwd=REPO, capture_output=True, text=True, timeout=120)
            assert cli.returncode == 2 and cli.stderr.startswith("error: "), (before, cli.stderr)
        old = (PINNED - timedelta(days=400)).date().isoformat()
        pruned = subprocess.run([sys.executable, "-m", "dashboard", "audit", "prune", "--db", str(db),
                                 "--before", old], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert pruned.returncode == 0 and "0 audit records" in pruned.stdout, pruned.stderr
    from queries.store import Store

    store = Store(db, read_only=True)
    try:
        rows = store.frame("SELECT user_name, role, what, outcome, target FROM audit_log ORDER BY audit_id")
    finally:
        store.close()
    records = rows.astype(object).where(rows.notna(), None).values.tolist()
    assert ["看看", "viewer", "refused", "refused", "POST /api/v1/matters"] in records
    assert ["(command line)", None, "user_change", "ok", "看看"] in records
    assert ["(command line)", None, "token", "ok", "看看"] in records
    assert ["(command line)", "admin", "prune", "ok", f"before {old}"] in records
    assert rows["what"].tolist().count("prune") == 1 + 6           # the one done, the six refused
    assert [r for r in records if r[2] == "prune" and r[3] == "ok"] == [["(command line)", "admin", "prune", "ok",
                                                                         f"before {old}"]]


def test_the_audit_page_lists_filters_and_exports_for_the_admin_only(app, store, tokens):
    import dash

    from dashboard.context import use_user

    # the module Dash registered (importing it as dashboard.pages.audit would register the page twice)
    page = sys.modules[next(name for name in dash.page_registry if name.endswith(".audit"))]

    admin = accounts.user_for_token(store, tokens["admin"])
    viewer = accounts.user_for_token(store, tokens["viewer"])
    client_with(app.server, tokens["viewer"]).post("/api/v1/matters/1/actions", json={"action": "close"})
    with app.server.test_request_context("/audit?lang=en"):
        use_user(viewer)
        assert "Not allowed" in str(page.layout("en"))
        use_user(admin)
        assert "Security audit" in str(page.layout("en"))
        table, count = page.show("role-viewer", "refused", "refused", None, None, "en")
        assert "permission refused" in str(table) and "role-viewer" in str(table) and count.startswith("")
        day = PINNED.date().isoformat()
        zh_table, _ = page.show("role-viewer", None, None, day, day, "zh")
        assert "权限拒绝" in str(zh_table)
        sent = page.export(1, "role-viewer", "refused", None, None, None, "zh")
        text = sent["content"]
        import base64

        csv = base64.b64decode(text).decode("utf-8-sig") if sent.get("base64") else text
        assert csv.splitlines()[0].startswith("时间,用户,角色") and "role-viewer" in csv
    exported = store.frame("SELECT what, target FROM audit_log WHERE user_name = 'role-admin' AND what = 'export' "
                           "ORDER BY audit_id DESC LIMIT 1").values.tolist()
    assert exported and exported[0][1].startswith("audit-")
