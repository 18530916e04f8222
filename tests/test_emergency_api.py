"""Emergencies through the API on the real app and a real DuckDB file: declaring (buffer,
polygon, from a matter), tasks signed, reported and closed, the log and the 上报 record,
alarms and their acknowledgement, closing and the after-action summary with its export;
the tables always equal the replay of the events; bad input in the one error shape."""
from __future__ import annotations

import csv
import io
import json
import time

import pytest

from queries import accounts
from queries import emergency as em
from tests.servers import client_with

POINT = None


@pytest.fixture(scope="module")
def app_store(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def client(app_store):
    app, _ = app_store
    return app.server.test_client()


def _point(store):
    row = store.frame("SELECT lon, lat FROM matters WHERE lon IS NOT NULL AND status NOT IN ('closed', 'voided') "
                      "ORDER BY matter_id LIMIT 1").iloc[0]
    return [float(row.lon), float(row.lat)]


def _declare(client, store, **extra):
    body = {"title": "暴雨内涝", "level": "larger", "kind": "flood",
            "area": {"points": [_point(store)], "radius_m": 800}, **extra}
    r = client.post("/api/v1/emergencies", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _act(client, eid, status=200, **body):
    r = client.post(f"/api/v1/emergencies/{eid}/actions", json=body)
    assert r.status_code == status, r.get_json()
    return r.get_json()


def _assert_tables_are_replay(store, eid):
    events = store.frame("SELECT action, actor, occurred_at, payload FROM emergency_events "
                         "WHERE emergency_id = ? ORDER BY seq", [eid]).to_dict("records")
    for e in events:
        e["occurred_at"] = e["occurred_at"].to_pydatetime()
    replayed = em.replay(events, store.calendar)
    stored = em.state_of(store, eid)
    assert stored.emergency == replayed.emergency
    assert stored.tasks == replayed.tasks
    assert stored.log == replayed.log
    assert stored.acks == replayed.acks


def test_a_whole_emergency_from_declaration_to_summary(client, app_store):
    _, store = app_store
    e = _declare(client, store, sign_alarm_min=0.05)
    eid = e["id"]
    assert e["commander"] == "test-admin" and e["area_kind"] == "buffer" and e["status"] == "active"
    task = _act(client, eid, action="post_task", department=1, what="排查低洼路段积水", minutes=120,
                clock="working")["task"]
    assert task["status"] == "posted" and task["task_no"] == 1
    calendar_task = _act(client, eid, action="post_task", department=2, what="清理倒伏树木", minutes=45)["task"]
    assert calendar_task["clock"] == "calendar"
    time.sleep(4.2)                                    # past the 3-second sign-for limit of this emergency
    _act(client, eid, action="sign_task", task=1)
    board = client.get(f"/api/v1/emergencies/{eid}").get_json()
    keys = {a["key"] for a in board["alarms"]}
    assert {"task:1", "task:2"} <= keys                # one signed late, one not signed at all
    assert board["inside"]["cells"] and board["emergency"]["area"]["type"] in ("Polygon", "MultiPolygon")
    _act(client, eid, action="report_task", task=1, text="已排查 12 处，3 处积水已抽排")
    _act(client, eid, action="close_task", task=1)
    _act(client, eid, 409, action="close_task", task=1)
    _act(client, eid, action="log", kind="decision", text="启动二级响应")
    _act(client, eid, action="log", kind="call", text="与供电所通话，确认抢修队出发")
    report = _act(client, eid, action="report_up", text="内涝影响 3 个村，无人员伤亡", to="区应急指挥中心")["entry"]
    _act(client, eid, action="reply", reply_to=report["entry_no"], text="收到，请持续报告", **{"from": "区应急指挥中心"})
    _act(client, eid, 409, action="reply", reply_to=1, text="not a report")
    _act(client, eid, action="ack_alarm", alarm="task:2")
    _act(client, eid, 409, action="ack_alarm", alarm="task:2")
    events = store.scalar("SELECT count(*) FROM emergency_events WHERE emergency_id = ?", [eid])
    for never_raised in ("task:99", "matter:1", "nonsense"):     # no such alarm on the board: 404, nothing written
        assert "no alarm" in _act(client, eid, 404, action="ack_alarm", alarm=never_raised)["error"]
    assert store.scalar("SELECT count(*) FROM emergency_events WHERE emergency_id = ?", [eid]) == events
    board = client.get(f"/api/v1/emergencies/{eid}").get_json()
    assert board["open_alarms"] == sum(1 for a in board["alarms"] if a["key"] != "task:2")
    assert [r["kind"] for r in board["reports"]] == ["report", "reply"]
    assert [r["kind"] for r in board["log"]] == ["decision", "call"]
    assert all(r["actor"] == "test-admin" for r in board["log"])
    _act(client, eid, action="close", note="积水退去，恢复通行")
    _act(client, eid, 409, action="log", text="after closing")
    summary = client.get(f"/api/v1/emergencies/{eid}/summary").get_json()
    assert summary["emergency"]["status"] == "closed"
    assert [t["minutes_to_sign"] is not None for t in summary["tasks"]] == [True, False]
    assert summary["tasks"][0]["minutes_to_sign"] >= 0.05
    assert [ev["action"] for ev in summary["timeline"]][:3] == ["declare", "post_task", "post_task"]
    r = client.get(f"/api/v1/emergencies/{eid}/summary.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][0] == "部分" and any("启动应急" in row for row in rows)
    assert client.get(f"/api/v1/emergencies/{eid}/summary.xlsx").data[:2] == b"PK"
    _assert_tables_are_replay(store, eid)


def test_polygon_and_uploaded_geojson_areas(client, app_store):
    _, store = app_store
    lon, lat = _point(store)
    ring = [[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01], [lon + 0.01, lat + 0.01], [lon - 0.01, lat + 0.01],
            [lon - 0.01, lat - 0.01]]
    e = _declare(client, store, area={"polygon": {"type": "Polygon", "coordinates": [ring]}})
    assert e["area_kind"] == "polygon"
    upload = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    e2 = _declare(client, store, area={"geojson": json.dumps(upload)})
    board = client.get(f"/api/v1/emergencies/{e2['id']}").get_json()
    assert board["inside"]["matters"], "the matter the area was drawn round lies inside it"


def test_declaring_from_a_matter_needs_its_level_or_urgency(client, app_store):
    _, store = app_store
    general = int(store.scalar("SELECT matter_id FROM matters WHERE level = 'general' AND NOT urgent LIMIT 1"))
    r = client.post("/api/v1/emergencies", json={"title": "x", "level": "larger", "kind": "other",
                                                 "matter_id": general})
    assert r.status_code == 409 and "较大" in r.get_json()["error"]
    store_matter = store.scalar("SELECT matter_id FROM matters WHERE (level IN ('larger', 'major') OR urgent) "
                                "AND lon IS NOT NULL LIMIT 1")
    r = client.post("/api/v1/emergencies", json={"title": "由事项启动", "level": "major", "kind": "power",
                                                 "matter_id": int(store_matter)})
    assert r.status_code == 201 and r.get_json()["radius_m"] == 500.0


@pytest.mark.parametrize("body, field", [
    ({"title": "x", "level": "huge", "kind": "flood", "area": {"points": [[119.4, 32.4]], "radius_m": 100}}, "level"),
    ({"title": "x", "level": "larger", "kind": "flood", "area": {"points": [[119.4, 32.4]], "radius_m": 0}},
     "area.radius_m"),
    ({"title": "x", "level": "larger", "kind": "flood", "area": {"polygon": {"type": "Point",
                                                                            "coordinates": [1, 2]}}}, "area"),
    ({"title": "x", "level": "larger", "kind": "flood", "area": {"polygon": {"type": "Polygon", "coordinates": [
        [[119.4, 32.4], [119.41, 32.41], [119.42, 32.42], [119.4, 32.4]]]}}}, "area"),        # points on a line
    ({"title": "x", "level": "larger", "kind": "flood", "area": {"polygon": {"type": "Polygon", "coordinates": [
        [[119.4, 32.4], [119.4, 32.4], [119.4, 32.4], [119.4, 32.4]]]}}}, "area"),            # one spot
    ({"title": "x", "level": "larger", "kind": "flood", "actor": "someone else"}, "actor"),
    ({"title": "x", "level": "larger", "kind": "flood"}, "area"),
])
def test_bad_declarations_are_422_with_the_field(client, body, field):
    r = client.post("/api/v1/emergencies", json=body)
    assert r.status_code == 422
    payload = r.get_json()
    assert payload["status"] == 422 and field in [e["field"] for e in payload["errors"]]


def test_a_department_signs_its_own_tasks_only_and_may_not_declare(client, app_store):
    app, store = app_store
    codes = store.frame("SELECT dept_id, code FROM departments ORDER BY dept_id LIMIT 2")
    own, other = int(codes.dept_id[0]), int(codes.dept_id[1])
    accounts.add_user(store, name="dept-user-em", role="department", password="department-password-1",
                      department=codes.code[0])
    dept = client_with(app.server, accounts.new_token(store, name="dept-user-em")["token"])
    e = _declare(client, store)
    _act(client, e["id"], action="post_task", department=own, what="A", minutes=30)
    _act(client, e["id"], action="post_task", department=other, what="B", minutes=30)
    assert dept.post("/api/v1/emergencies", json={"title": "x"}).status_code == 403
    assert dept.post(f"/api/v1/emergencies/{e['id']}/actions", json={"action": "sign_task", "task": 2}
                     ).status_code == 403
    r = dept.post(f"/api/v1/emergencies/{e['id']}/actions", json={"action": "sign_task", "task": 1})
    assert r.status_code == 200 and r.get_json()["task"]["signed_by"] == "dept-user-em"
    assert dept.post(f"/api/v1/emergencies/{e['id']}/actions", json={"action": "close", "note": "x"}
                     ).status_code == 403
