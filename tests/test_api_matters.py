"""The intake and action API through the real Flask app (test client): creation,
actions, listing, detail, and every kind of bad input getting a 4xx with field errors
while nothing is half written."""
import json

import pytest


@pytest.fixture
def client(writable_app):
    return writable_app[0].server.test_client()


@pytest.fixture
def store(writable_app):
    return writable_app[1]


def a_point(store):
    row = store.frame("SELECT lon, lat FROM matters WHERE cell_id IS NOT NULL LIMIT 1").iloc[0]
    return float(row.lon), float(row.lat)


def new_body(store, **extra):
    lon, lat = a_point(store)
    return {"source": "public", "category": "0401", "description": "楼下垃圾三天没人清理",
            "lon": lon, "lat": lat, "reporter": "王先生", "external_ref": "12345-X1", **extra}


def counts(store):
    return (store.scalar("SELECT count(*) FROM matters"), store.scalar("SELECT count(*) FROM events"),
            store.scalar("SELECT count(*) FROM open_matters"))


def test_create_returns_201_with_cell_and_due_time(client, store):
    before = counts(store)
    r = client.post("/api/v1/matters", json=new_body(store))
    assert r.status_code == 201
    body = r.get_json()
    assert body["status"] == "registered" and len(body["cell"]) == 15 and body["due_at"]
    assert counts(store) == (before[0] + 1, before[1] + 1, before[2] + 1)
    detail = client.get(f"/api/v1/matters/{body['id']}").get_json()
    assert detail["events"][0]["action"] == "accept" and detail["light"] == "green"
    assert detail["reporter"] == "王先生" and detail["external_ref"] == "12345-X1"


def test_idempotency_key_makes_a_retry_safe(client, store):
    body = new_body(store, description="重试测试")
    first = client.post("/api/v1/matters", json=body, headers={"Idempotency-Key": "abc-123"})
    n = counts(store)
    again = client.post("/api/v1/matters", json=body, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json() and counts(store) == n
    other = client.post("/api/v1/matters", json={**body, "description": "别的"},
                        headers={"Idempotency-Key": "abc-123"})
    assert other.status_code == 422


def test_actions_move_the_matter_and_the_light(client, store):
    mid = client.post("/api/v1/matters", json=new_body(store)).get_json()["id"]
    r = client.post(f"/api/v1/matters/{mid}/actions", json={"action": "dispatch", "department": "HWS"})
    assert r.status_code == 200 and r.get_json()["status"] == "dispatched"
    r = client.post(f"/api/v1/matters/{mid}/actions", json={"action": "close"})
    assert r.status_code == 409 and "cannot close" in r.get_json()["error"]
    r = client.post(f"/api/v1/matters/{mid}/actions", json={"action": "suspend", "note": "x"})
    assert r.status_code == 409
    assert client.post(f"/api/v1/matters/{mid}/actions", json={"action": "sign"}).status_code == 200
    r = client.post(f"/api/v1/matters/{mid}/actions", json={"action": "suspend", "note": "等待材料"})
    assert r.get_json()["status"] == "suspended"
    assert client.get(f"/api/v1/matters/{mid}").get_json()["light"] == "paused"
    r = client.post(f"/api/v1/matters/{mid}/actions", json={"action": "extend"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert {"note", "minutes"} <= fields
    assert client.post("/api/v1/matters/999/actions", json={"action": "sign"}).status_code == 404
    assert client.post("/api/v1/matters/abc/actions", json={"action": "sign"}).status_code == 404


def test_list_filters_and_pages(client, store):
    r = client.get("/api/v1/matters?status=handling,dispatched&limit=5")
    body = r.get_json()
    assert r.status_code == 200 and len(body["items"]) == 5
    assert body["total"] == store.scalar("SELECT count(*) FROM matters WHERE status IN ('handling', 'dispatched')")
    item = body["items"][0]
    for key in ("id", "status", "light", "source", "category", "department", "cell", "village", "lon", "lat",
                "created_at", "due_at"):
        assert key in item
    reds = client.get("/api/v1/matters?light=red&limit=500").get_json()
    assert reds["items"] and all(i["light"] == "red" for i in reds["items"])
    page2 = client.get("/api/v1/matters?limit=3&offset=3").get_json()["items"]
    page1 = client.get("/api/v1/matters?limit=6").get_json()["items"]
    assert [i["id"] for i in page1[3:]] == [i["id"] for i in page2]
    past = client.get("/api/v1/matters?offset=9999999&limit=5").get_json()
    assert past["items"] == [] and past["total"] == store.scalar("SELECT count(*) FROM matters")
    assert client.get("/api/v1/matters?created_from=2026-13-01").status_code == 422
    assert client.get("/api/v1/matters?limit=0").status_code == 422
    assert client.get("/api/v1/matters?color=red").status_code == 422
    assert client.get("/api/v1/matters?light=purple").status_code == 422


BAD_BODIES = [
    (b"{not json", "body"),
    (b"", "body"),
    (b"[1, 2]", "body"),
    (b'{"source": "public", "source": "grid"}', "body"),
    (b'{"lon": NaN}', "body"),
    (b"\xff\xfe\x00", "body"),
    (b"[" * 100000 + b"]" * 100000, "body"),
    (json.dumps({"source": 5, "category": ["0401"], "description": None, "lon": True, "lat": {}}).encode(),
     "source"),
    (json.dumps({"source": "public", "category": "0401", "description": "x", "lon": 121.5, "lat": 31.2}).encode(),
     "lon"),
    (json.dumps({"source": "public", "category": "0401", "description": "\u0000x", "address": "a"}).encode(),
     "description"),
    (json.dumps({"source": "public", "category": "ZZZZ", "description": "😀 emoji ok", "address": "a"}).encode(),
     "category"),
]


@pytest.mark.parametrize("raw, field", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_bad_input_gets_422_with_field_errors_and_writes_nothing(client, store, raw, field):
    before = counts(store)
    r = client.post("/api/v1/matters", data=raw, content_type="application/json")
    assert r.status_code == 422, r.data[:200]
    errors = r.get_json()["errors"]
    assert any(e["field"] == field for e in errors), errors
    assert all({"field", "problem", "value"} <= set(e) for e in errors)
    assert counts(store) == before


def test_a_10_mb_body_is_refused_without_reading_it(client, store):
    before = counts(store)
    r = client.post("/api/v1/matters", data=b"x" * (10 * 1024 * 1024), content_type="application/json")
    assert r.status_code == 413 and r.get_json()["status"] == 413        # api_max_body_kb, before reading
    assert counts(store) == before


def test_unicode_survives_the_round_trip(client, store):
    text = "井盖缺失 ⚠ — 𠀀 (CJK Ext-B), RTL: مرحبا, combining: é"
    r = client.post("/api/v1/matters", json=new_body(store, description=text))
    assert r.status_code == 201
    assert client.get(f"/api/v1/matters/{r.get_json()['id']}").get_json()["description"] == text


def test_address_only_matter_has_no_cell(client, store):
    r = client.post("/api/v1/matters", json={"source": "transfer", "category": "1002",
                                             "description": "邻居纠纷", "address": "运河社区某小区3幢"})
    assert r.status_code == 201 and r.get_json()["cell"] is None
