"""The access matrix: every route of the Flask url_map and every page with its Dash callbacks
(called as the browser calls them, POST /_dash-update-component with the page's own inputs),
tried by every role of queries/permissions.py and by users scoped to one village of the demo
database. The wrong scope sees no row, count, cell, warning or export line of another
village (each row's village, and counts equal to an independent count of the own village);
the wrong role is 403 (JSON for the API and callbacks, a refusal page for pages), is audited
with who and when, and writes nothing. A route or a callback the matrix does not know fails.
The real app over a copy of the demo database; Flask's test client speaks WSGI to it."""
from __future__ import annotations

import os
from datetime import datetime, timedelta

import dash
import pytest

from dashboard.context import app_context
from dashboard.i18n import t
from dashboard.server import ops_blueprint
from queries import accounts, channels
from queries.permissions import PERMISSIONS, allowed
from tests.access_fixtures import open_page
from tests.servers import client_with

PINNED = datetime.fromisoformat(os.environ["TOWNSHIP_CLOCK_AT"])
ROLES = tuple(PERMISSIONS)
PASSWORD = "an-access-matrix-password"
# Every route of the url_map (rule, method) and what it needs: open (no login), read (a
# signed-in user: what it shows is scoped), a permission of queries/permissions.py, pages
# (Dash's catch-all: PAGES below), callbacks (CALLBACK tour), open311 (its own setting and key),
# ops (loopback, its own token).
ROUTES = {
    ("/static/<path:filename>", "GET"): "open", ("/assets/<path:filename>", "GET"): "open",
    ("/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>", "GET"): "open",
    ("/_favicon.ico", "GET"): "open", ("/login", "GET"): "open", ("/login", "POST"): "open",
    ("/logout", "GET"): "open", ("/logout", "POST"): "open", ("/healthz", "GET"): "open",
    ("/_dash-layout", "GET"): "read", ("/_dash-dependencies", "GET"): "read", ("/_reload-hash", "GET"): "read",
    ("/_dash-update-component", "POST"): "callbacks",
    ("/", "GET"): "pages", ("/<path:path>", "GET"): "pages",
    ("/api/v1/summary", "GET"): "read", ("/api/v1/matters", "GET"): "read",
    ("/api/v1/matters/<matter_id>", "GET"): "read", ("/api/v1/indicators", "GET"): "read",
    ("/api/v1/indicators/ranking", "GET"): "read", ("/api/v1/warnings", "GET"): "read",
    ("/api/v1/matters", "POST"): "register", ("/api/v1/matters/<matter_id>/actions", "POST"): "dispatch",
    ("/api/v1/warnings/<path:key>/ack", "POST"): "acknowledge",
    ("/open311/v2/services.<fmt>", "GET"): "open311", ("/open311/v2/services/<code>.<fmt>", "GET"): "open311",
    ("/open311/v2/requests.<fmt>", "GET"): "open311", ("/open311/v2/requests/<text>.<fmt>", "GET"): "open311",
    ("/open311/v2/requests.<fmt>", "POST"): "open311",
    ("/internal/v1/ops/<name>", "POST"): "ops", ("/admin/import/upload", "POST"): "import",
    ("/api/v1/openapi.json", "GET"): "read", ("/api/v1/resources", "GET"): "read",
    ("/api/v1/areas.geojson", "GET"): "export",
    ("/api/v1/matters/<matter_id>/related", "GET"): "read", ("/api/v1/matters/<matter_id>/suggestion", "GET"): "read",
    ("/api/v1/forecasts", "GET"): "read", ("/briefing", "GET"): "read", ("/briefing/download", "GET"): "export",
    ("/api/v1/playback", "GET"): "read", ("/api/v1/playback/live", "GET"): "read",
    ("/api/v1/emergencies", "GET"): "read", ("/api/v1/emergencies", "POST"): "declare_emergency",
    ("/api/v1/emergencies/<emergency_id>", "GET"): "read",
    ("/api/v1/emergencies/<emergency_id>/actions", "POST"): "emergency_task",
    ("/api/v1/emergencies/<emergency_id>/summary", "GET"): "read",
    ("/api/v1/emergencies/<emergency_id>/summary.<fmt>", "GET"): "export",
}
# Every Dash page and the permission it needs.
PAGES = {"/": "read", "/desk": "read", "/analysis": "read", "/warnings": "read", "/admin/import": "import",
         "/audit": "audit", "/screen": "read", "/area/none": "read", "/cell/none": "read", "/matter/none": "read",
         "/emergency/none": "read"}
DRILLS = ("/area/none", "/cell/none", "/matter/none", "/emergency/none")   # the registry's path of a template
PERIOD = f"from={(PINNED - timedelta(days=60)).date()}&to={PINNED.date()}"
READS = ("/api/v1/summary", "/api/v1/matters?limit=500", "/api/v1/warnings", f"/api/v1/indicators?{PERIOD}&by=village",
         f"/api/v1/indicators?{PERIOD}&by=cell", f"/api/v1/indicators?{PERIOD}&by=department",
         f"/api/v1/indicators/ranking?{PERIOD}", "/_dash-layout")
NEW_READS = ("/api/v1/resources", "/api/v1/forecasts?by=village",
             f"/api/v1/playback?at={(PINNED - timedelta(days=1)).isoformat()}", "/api/v1/playback/live",
             "/api/v1/emergencies", "/briefing", "/briefing/download?format=html", "/screen",
             f"/api/v1/areas.geojson?{PERIOD}&level=village", f"/api/v1/areas.geojson?{PERIOD}&level=cell")


@pytest.fixture(scope="module")
def app(writable_app):
    app = writable_app[0]
    app.server.register_blueprint(ops_blueprint)       # as `serve` does
    return app


@pytest.fixture(scope="module")
def store(writable_app):
    return writable_app[1]


@pytest.fixture(scope="module")
def village(store) -> dict:
    """The village with the most matters; the other villages' names and codes (a cell's code
    and name begin with its village's), which no answer to its users may carry."""
    rows = store.frame("SELECT v.area_id, v.code, v.name, count(m.matter_id) AS n FROM areas v "
                       "LEFT JOIN matters m ON m.village_id = v.area_id WHERE v.level = 'village' "
                       "GROUP BY ALL ORDER BY n DESC, v.area_id").to_dict("records")
    own, others = rows[0], rows[1:]
    return {"id": int(own["area_id"]), "code": own["code"], "name": own["name"],
            "foreign": [o["name"] for o in others] + [o["code"] for o in others],
            "other_ids": [int(o["area_id"]) for o in others]}


@pytest.fixture(scope="module")
def dept(store) -> tuple[int, str]:
    row = store.frame("SELECT dept_id, code FROM departments ORDER BY dept_id LIMIT 1").iloc[0]
    return int(row["dept_id"]), str(row["code"])


@pytest.fixture(scope="module")
def scoped(store, village, dept) -> dict[str, str]:
    """A token of one user a role, scoped to the village."""
    made = {}
    for role in ROLES:
        name = f"mx-{role}"
        accounts.add_user(store, name=name, role=role, password=PASSWORD, scope=[village["code"]],
                          department=dept[1] if role == "department" else None)
        made[role] = accounts.new_token(store, name=name)["token"]
    return made


@pytest.fixture(scope="module")
def deps(app, admin_token) -> list[dict]:
    return client_with(app.server, admin_token).get("/_dash-dependencies").get_json()


@pytest.fixture(scope="module")
def registered(app, store, admin_token, village) -> dict[int, int]:
    """A matter just registered (受理, not yet dispatched) in the village and in another."""
    admin = client_with(app.server, admin_token)
    made = {}
    for area in (village["id"], village["other_ids"][0]):
        cell = store.frame("SELECT lon, lat FROM areas WHERE level = 'cell' AND village_id = ? LIMIT 1",
                           [area]).iloc[0]
        answer = admin.post("/api/v1/matters", json={"source": "public", "category": "0401", "description": "路边垃圾",
                                                     "lon": float(cell.lon), "lat": float(cell.lat)})
        assert answer.status_code == 201
        made[area] = int(answer.get_json()["id"])
    return made


@pytest.fixture(scope="module")
def emergencies(app, store, admin_token, village) -> dict[int, int]:
    """An emergency declared over one cell of the village and one of another (a small buffer
    around the cell's point, touching no other village), each with a new matter inside."""
    admin = client_with(app.server, admin_token)
    made = {}
    for area in (village["id"], village["other_ids"][0]):
        cell = store.frame("SELECT lon, lat FROM areas WHERE level = 'cell' AND village_id = ? ORDER BY area_id "
                           "LIMIT 1", [area]).iloc[0]
        answer = admin.post("/api/v1/emergencies", json={"title": "积水", "level": "larger", "kind": "flood", "area": {
            "points": [[float(cell.lon), float(cell.lat)]], "radius_m": 20}})
        assert answer.status_code == 201, answer.get_json()
        made[area] = int(answer.get_json()["id"])
        inside = admin.post("/api/v1/matters", json={"source": "public", "category": "0401", "description": "路面积水",
                                                     "lon": float(cell.lon), "lat": float(cell.lat)})
        assert inside.status_code == 201          # a matter inside the area: the board raises an alarm
    return made


@pytest.fixture(scope="module")
def places(store, village, emergencies, dept) -> dict[int, dict[str, str]]:
    """For the village and another: the URL of each drill page (the page's registry path →
    a real village, cell, matter in handling of the department user's department, and
    emergency of that village)."""
    out = {}
    for area in (village["id"], village["other_ids"][0]):
        code = store.scalar("SELECT code FROM areas WHERE area_id = ?", [area])
        cell = store.scalar("SELECT code FROM areas WHERE level = 'cell' AND village_id = ? ORDER BY area_id LIMIT 1",
                            [area])
        matter = store.scalar(f"SELECT max(matter_id) FROM matters WHERE village_id = ? AND status = 'handling' "
                              f"AND {HANDLED}", [area, dept[0], dept[0]])
        out[area] = {"/area/none": f"/area/{code}", "/cell/none": f"/cell/{cell}", "/matter/none": f"/matter/{matter}",
                     "/emergency/none": f"/emergency/{emergencies[area]}"}
    return out


DUPLICATE = {"source": "public", "category": "0401", "description": "路边垃圾 (又一次反映)"}


def registered_point(client, matter_id: int) -> dict[str, float]:
    found = client.get(f"/api/v1/matters/{matter_id}").get_json()
    return {"lon": found["lon"], "lat": found["lat"]}


def not_found(opened, path: str) -> bool:
    """Whether the opened drill page (registry path ``path``) answered as an unknown one."""
    if path == "/emergency/none":
        return any(t("em.none", lang) in opened.text() for lang in ("zh", "en"))
    return "dr-not-found" in opened.page.props


def leaks(text: str, village: dict) -> list[str]:
    return [marker for marker in village["foreign"] if marker in text]


def count(store, sql: str, params: list) -> int:
    return int(store.scalar(sql, params))


# -- the matrix knows everything --------------------------------------------------------------
def test_the_matrix_knows_every_route_and_every_page(app):
    served = {(rule.rule, method) for rule in app.server.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == set(ROUTES), f"routes the matrix does not know: {sorted(served - set(ROUTES))}; " \
                                  f"gone: {sorted(set(ROUTES) - served)}"
    assert {page["path"] for page in dash.page_registry.values()} == set(PAGES)


def test_every_callback_is_reached_by_the_page_tour(app, admin_token, deps, registered, village, places):
    """The township-wide admin opens every page and presses every button: every server
    callback answers at least once (a callback of a page the matrix does not open fails)."""
    client = client_with(app.server, admin_token)
    answered: set[str] = set()
    again = client.post("/api/v1/matters", json={**DUPLICATE, **registered_point(client, registered[village["id"]])})
    assert again.status_code == 201          # the same 小类 at the same point: the matter page offers a merge
    tour = [(places[village["id"]].get(path, path), "") for path in PAGES] + [
        ("/desk", f"?matter={registered[village['id']]}"), (f"/matter/{again.get_json()['id']}", "")]
    for path, search in tour:
        answered |= {out for out, codes in open_page(client, deps, path, search).statuses.items()
                     if {200, 204} & set(codes)}
    server_side = {d["output"] for d in deps if d["clientside_function"] is None}
    assert server_side - answered == set()


# -- the wrong scope -----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_a_village_scoped_user_sees_nothing_of_another_village_on_any_page(app, store, village, scoped, deps,
                                                                            dept, places, role):
    client = client_with(app.server, scoped[role])
    foreign_matter = count(store, "SELECT max(matter_id) FROM matters WHERE village_id <> ?", [village["id"]])
    own, other = places[village["id"]], places[village["other_ids"][0]]
    seen = []
    for path, search in [(p, "") for p in PAGES] + [("/desk", f"?matter={foreign_matter}")]:
        if not allowed(role, PAGES[path]):
            continue
        if path in DRILLS:
            foreign = open_page(client, deps, other[path])
            assert not_found(foreign, path), other[path]
            for output, text in foreign.texts:      # the not-found page echoes the code asked for, no more
                assert [m for m in leaks(text, village) if m not in other[path]] == [], (other[path], output[:80])
        opened = open_page(client, deps, own.get(path, path), search)
        if path in DRILLS:
            assert not not_found(opened, path), own[path]
        assert opened.statuses[".._pages_content.children..._pages_store.data.."] == [200]
        for output, text in opened.texts:
            assert leaks(text, village) == [], (path, search, output[:80])
        seen.append(opened.text())
        if path == "/":
            open_tile = opened.page.value({"key": "open", "type": "kpi-value"}, "children")
            assert open_tile == f"{count(store, OPEN_IN, [village['id']]):,}"
        if path == "/desk" and not search:
            rows = [i["matter"] for i in opened.page.ids.values() if isinstance(i, dict) and i.get("type") == "desk-row"]
            assert rows and villages_of(store, rows) == {village["id"]}
            if role == "department":
                assert departments_of(store, rows) == {dept[0]}
    assert village["name"] in "".join(seen)            # the pages did show the own village's data


HANDLED = "(lead_dept_id = ? OR list_contains(coalesce(co_dept_ids, []), ?))"
OPEN_IN = "SELECT count(*) FROM matters WHERE village_id = ? AND status NOT IN ('closed', 'voided')"


def villages_of(store, matter_ids: list) -> set[int]:
    ids = sorted({int(m) for m in matter_ids})
    return {int(v) for v in store.frame("SELECT DISTINCT village_id FROM matters WHERE list_contains(?, matter_id)",
                                        [ids])["village_id"]}


def departments_of(store, matter_ids: list) -> set[int]:
    """The department of the user (``dept``) when every matter is dispatched to it (lead or
    co-handling), else every lead department."""
    ids = sorted({int(m) for m in matter_ids})
    frame = store.frame("SELECT lead_dept_id, coalesce(co_dept_ids, []) AS co FROM matters "
                        "WHERE list_contains(?, matter_id)", [ids])
    common = set.intersection(*({int(r.lead_dept_id)} | {int(c) for c in r.co} for r in frame.itertuples()))
    return common if len(common) == 1 else {int(d) for d in frame["lead_dept_id"].dropna()}


def test_a_department_user_sees_the_matters_dispatched_to_its_department(app, store, admin_token, dept):
    """DOMAIN.md §1: a department signs for and handles what is dispatched to it; it lists and
    opens those matters only (lead or co-handling), and the village figures stay the scope's."""
    accounts.add_user(store, name="mx-dept-wide", role="department", password=PASSWORD, department=dept[1])
    client = client_with(app.server, accounts.new_token(store, name="mx-dept-wide")["token"])
    own = count(store, f"SELECT count(*) FROM matters WHERE {HANDLED}", [dept[0], dept[0]])
    listing = client.get("/api/v1/matters?limit=500").get_json()
    assert listing["total"] == own < count(store, "SELECT count(*) FROM matters", [])
    assert departments_of(store, [i["id"] for i in listing["items"]]) == {dept[0]}
    theirs = count(store, "SELECT max(matter_id) FROM matters WHERE lead_dept_id <> ? AND NOT list_contains("
                   "coalesce(co_dept_ids, []), ?)", [dept[0], dept[0]])
    assert client.get(f"/api/v1/matters/{theirs}").status_code == 404
    assert client_with(app.server, admin_token).get(f"/api/v1/matters/{theirs}").status_code == 200
    for tail in ("related", "suggestion"):
        assert client.get(f"/api/v1/matters/{theirs}/{tail}").status_code == 404, tail
        assert client_with(app.server, admin_token).get(f"/api/v1/matters/{theirs}/{tail}").status_code == 200, tail
    mine = count(store, f"SELECT max(matter_id) FROM matters WHERE {HANDLED}", [dept[0], dept[0]])
    related = client.get(f"/api/v1/matters/{mine}/related").get_json()["items"]
    assert not related or departments_of(store, [i["id"] for i in related]) == {dept[0]}
    assert client.get("/api/v1/summary").get_json()["open"] == count(
        store, "SELECT count(*) FROM matters WHERE status NOT IN ('closed', 'voided')", [])


def test_the_township_wide_tour_does_show_every_village(app, admin_token, village, deps):
    """The leak check sees data: the same tour for a township-wide user names other villages."""
    client = client_with(app.server, admin_token)
    text = "".join(open_page(client, deps, path).text() for path in ("/", "/warnings"))
    assert set(leaks(text, village)) >= {n for n in village["foreign"] if not n.isdigit()}


@pytest.mark.parametrize("role", ROLES)
def test_a_village_scoped_user_reads_only_its_village_through_the_api(app, store, village, scoped, dept,
                                                                      emergencies, role):
    client = client_with(app.server, scoped[role])
    for url in READS:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert leaks(answer.get_data(as_text=True), village) == [], url
    for url in NEW_READS:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.get_data(as_text=True)[:200])
        assert leaks(answer.get_data(as_text=True), village) == [], url
    mine, theirs = emergencies[village["id"]], emergencies[village["other_ids"][0]]
    listed = {e["emergency_id"] for e in client.get("/api/v1/emergencies").get_json()["items"]}
    assert mine in listed and theirs not in listed
    for url in (f"/api/v1/emergencies/{theirs}", f"/api/v1/emergencies/{theirs}/summary",
                f"/api/v1/emergencies/{theirs}/summary.csv"):
        assert client.get(url).status_code == 404, url
    for url in (f"/api/v1/emergencies/{mine}", f"/api/v1/emergencies/{mine}/summary"):
        answer = client.get(url)
        assert answer.status_code == 200 and leaks(answer.get_data(as_text=True), village) == [], url
    resources = client.get("/api/v1/resources").get_json()
    assert {r.get("village_id") for r in resources["items"]} <= {village["id"], None}
    live = client.get("/api/v1/playback/live").get_json()
    assert live["counts"]["open_count"] == count(store, OPEN_IN, [village["id"]])
    assert villages_of(store, list(live["lights"])) <= {village["id"]}
    listing = client.get("/api/v1/matters?limit=500").get_json()
    if role == "department":          # the matters dispatched to its department, in its villages
        assert listing["total"] == count(store, f"SELECT count(*) FROM matters WHERE village_id = ? AND {HANDLED}",
                                         [village["id"], dept[0], dept[0]]) > 0
    else:
        assert listing["total"] == count(store, "SELECT count(*) FROM matters WHERE village_id = ?", [village["id"]])
    assert {item["village_id"] for item in listing["items"]} == {village["id"]}
    assert client.get("/api/v1/summary").get_json()["open"] == count(store, OPEN_IN, [village["id"]])
    warnings = client.get("/api/v1/warnings").get_json()["warnings"]
    assert warnings and {w["scope"]["village_id"] for w in warnings} == {village["id"]}
    by_village = client.get(f"/api/v1/indicators?{PERIOD}&by=village").get_json()
    assert {str(g.get("village_id", g.get("key"))) for g in by_village.get("groups", [])} <= {str(village["id"])}
    for other in village["other_ids"][:3]:
        assert client.get(f"/api/v1/matters?village={other}").get_json()["total"] == 0
        elsewhere = count(store, "SELECT max(matter_id) FROM matters WHERE village_id = ?", [other])
        assert client.get(f"/api/v1/matters/{elsewhere}").status_code == 404
        for tail in ("related", "suggestion"):
            assert client.get(f"/api/v1/matters/{elsewhere}/{tail}").status_code == 404, tail


@pytest.mark.parametrize("role", ROLES)
def test_a_village_scoped_user_writes_nothing_in_another_village(app, store, village, scoped, registered, role):
    """Whatever its role allows, a write aimed at another village is refused and changes nothing."""
    client = client_with(app.server, scoped[role])
    other = village["other_ids"][0]
    matter = registered[other]
    events = count(store, "SELECT count(*) FROM events", [])
    matters = count(store, "SELECT count(*) FROM matters", [])
    cell = store.frame("SELECT lon, lat FROM areas WHERE level = 'cell' AND village_id = ? LIMIT 1", [other]).iloc[0]
    made = client.post("/api/v1/matters", json={"source": "public", "category": "0401", "description": "路边垃圾",
                                                "lon": float(cell.lon), "lat": float(cell.lat)})
    acted = client.post(f"/api/v1/matters/{matter}/actions", json={"action": "void", "note": "重复"})
    key = store.scalar("SELECT warning_key FROM warnings WHERE resolved_at IS NULL AND village_id = ? LIMIT 1",
                       [other])
    who = store.scalar("SELECT acknowledged_by FROM warnings WHERE warning_key = ?", [key])
    acked = client.post(f"/api/v1/warnings/{key}/ack", json={"note": "收到"})
    for answer in (made, acted, acked):
        assert answer.get_json()["status"] == answer.status_code and answer.status_code in (403, 404)
        assert leaks(answer.get_data(as_text=True), village) == []
    assert made.status_code == 403
    assert acted.status_code == (404 if allowed(role, "void") else 403)
    assert acked.status_code == (404 if allowed(role, "acknowledge") else 403)
    assert count(store, "SELECT count(*) FROM events", []) == events
    assert count(store, "SELECT count(*) FROM matters", []) == matters
    assert store.scalar("SELECT acknowledged_by FROM warnings WHERE warning_key = ?", [key]) == who


# -- the wrong role ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_the_wrong_role_is_refused_everywhere_audited_and_shown_nothing(app, store, village, scoped, deps,
                                                                        registered, places, role):
    client = client_with(app.server, scoped[role])
    before = count(store, "SELECT count(*) FROM audit_log WHERE user_name = ? AND what = 'refused'", [f"mx-{role}"])
    refusals = 0
    for path, need in PAGES.items():
        page = client.get(places[village["id"]].get(path, path))
        if allowed(role, need):
            assert page.status_code == 200, path
            continue
        refusals += 1
        assert page.status_code == 403 and page.mimetype == "text/html", path
        assert "无权访问" in page.get_data(as_text=True)
    own = registered[village["id"]]
    events = count(store, "SELECT count(*) FROM events", [])
    for (_rule, method), need in ROUTES.items():
        if method != "POST" or need not in PERMISSIONS["admin"] or allowed(role, need):
            continue
        url = {"register": "/api/v1/matters", "dispatch": f"/api/v1/matters/{own}/actions",
               "acknowledge": "/api/v1/warnings/none/ack", "import": "/admin/import/upload",
               "declare_emergency": "/api/v1/emergencies", "emergency_task": "/api/v1/emergencies/1/actions"}[need]
        answer = client.post(url, json={"action": "dispatch", "department": 1, "source": "public"})
        refusals += 1
        assert answer.status_code == 403 and answer.get_json() == {
            "status": 403, "error": answer.get_json()["error"], "errors": []}, url
    for dep in deps:                         # the admin pages' callbacks
        prefix = dep["output"].lstrip(".")[:4]
        need = {"adm-": "import", "aud-": "audit"}.get(prefix)
        if need is None or allowed(role, need):
            continue
        answer = client.post("/_dash-update-component", json={"output": dep["output"], "outputs": [],
                                                              "inputs": [], "state": [], "changedPropIds": []})
        refusals += 1
        assert answer.status_code == 403 and answer.get_json()["status"] == 403, dep["output"]
        assert "aud-table" not in answer.get_data(as_text=True)
    assert count(store, "SELECT count(*) FROM events", []) == events
    rows = store.frame("SELECT occurred_at, role, source_ip FROM audit_log WHERE user_name = ? AND what = 'refused' "
                       "ORDER BY audit_id", [f"mx-{role}"]).iloc[before:]
    assert len(rows) == refusals and set(rows["role"]) <= {role} and set(rows["source_ip"]) <= {"127.0.0.1"}
    assert all(PINNED - timedelta(minutes=1) <= t.to_pydatetime() <= PINNED + timedelta(hours=2)
               for t in rows["occurred_at"])
    if role in ("leader", "analyst", "viewer"):
        assert refusals == 2 + 6 + len([d for d in deps if d["output"].lstrip(".")[:4] in ("adm-", "aud-")])


# -- Open311: its own setting ---------------------------------------------------------------------
def test_open311_read_is_the_whole_township_when_public_and_the_user_s_scope_when_not(app, store, village, scoped):
    ctx = app_context_of(app)
    anonymous = app.server.test_client()
    anonymous.environ_base.pop("HTTP_AUTHORIZATION", None)
    public = anonymous.get("/open311/v2/requests.json")
    assert public.status_code == 200 and leaks(public.get_data(as_text=True), village)   # by design
    assert anonymous.get("/open311/v2/services.json").status_code == 200
    settings = ctx.settings
    ctx.settings = settings.with_overrides(open311_public_read=False)
    try:
        for url in ("/open311/v2/requests.json", "/open311/v2/services.json", "/open311/v2/requests/1.json"):
            refused = anonymous.get(url)
            assert refused.status_code == 401, url
        viewer = client_with(app.server, scoped["viewer"])
        mine = viewer.get("/open311/v2/requests.json")
        assert mine.status_code == 200 and leaks(mine.get_data(as_text=True), village) == []
        ids = [int(r["service_request_id"]) for r in mine.get_json()]
        assert ids and villages_of(store, ids) == {village["id"]}
        other = count(store, "SELECT max(matter_id) FROM matters WHERE village_id = ?", [village["other_ids"][0]])
        assert viewer.get(f"/open311/v2/requests/{other}.json").status_code == 404
        assert viewer.get(f"/open311/v2/requests.json?service_request_id={other}").get_json() == []
    finally:
        ctx.settings = settings


def app_context_of(app):
    with app.server.app_context():
        return app_context()


def test_an_open311_post_needs_its_channel_key_whatever_the_read_setting(app, store):
    key = channels.add_channel(store, name="matrix-hotline")["api_key"]
    anonymous = app.server.test_client()
    anonymous.environ_base.pop("HTTP_AUTHORIZATION", None)
    form = {"service_code": "0401", "description": "垃圾", "address_string": "某路1号"}
    assert anonymous.post("/open311/v2/requests.json", data={**form, "api_key": "wrong"}).status_code == 403
    made = anonymous.post("/open311/v2/requests.json", data={**form, "api_key": key})
    assert made.status_code == 201
    matter = made.get_json()[0]["service_request_id"]
    rows = store.frame("SELECT user_name, what, target, outcome FROM audit_log WHERE user_name LIKE 'Open311%' "
                       "ORDER BY audit_id").values.tolist()
    assert rows[-1] == ["Open311 matrix-hotline", "action", f"matter {matter}", "ok"]
    assert ["Open311", "refused", "POST /open311/v2/requests.json", "refused"] in rows


def test_requests_without_a_login_are_audited_once_an_address_a_minute(app, store):
    def anonymous(address: str):
        client = app.server.test_client()
        client.environ_base.pop("HTTP_AUTHORIZATION", None)
        client.environ_base["REMOTE_ADDR"] = address
        return client

    def records(address: str) -> list:
        return store.frame("SELECT target, outcome, occurred_at FROM audit_log WHERE what = 'refused' "
                           "AND detail LIKE 'no valid login:%' AND source_ip = ? ORDER BY audit_id",
                           [address]).values.tolist()

    flood = anonymous("192.0.2.7")
    for _ in range(20):
        assert flood.get("/api/v1/summary").status_code == 401
        assert flood.post("/_dash-update-component", json={}).status_code == 401
    bad_token = flood.get("/api/v1/matters", headers={"Authorization": "Bearer not-a-token"})
    assert bad_token.status_code == 401
    first = records("192.0.2.7")
    assert [(r[0], r[1]) for r in first] == [("GET /api/v1/summary", "refused")]
    assert PINNED - timedelta(minutes=1) <= first[0][2].to_pydatetime() <= PINNED + timedelta(hours=2)
    assert anonymous("192.0.2.8").get("/api/v1/warnings").status_code == 401
    assert [r[0] for r in records("192.0.2.8")] == ["GET /api/v1/warnings"]


def test_the_ops_endpoint_refuses_without_its_token_in_the_error_shape(app):
    client = app.server.test_client()
    for token in ("", "wrong", "令牌"):
        answer = client.post("/internal/v1/ops/info", json={}, headers={"X-Township-Token": token}
                             if token.isascii() else {"X-Township-Token": token.encode().decode("latin-1")})
        assert answer.status_code == 403
        assert answer.get_json() == {"status": 403, "error": answer.get_json()["error"], "errors": []}
