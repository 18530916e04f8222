"""Every error the HTTP API and Open311 can give, in the one shape each documents (README,
``dashboard/http/replies.py``): under ``/api/`` an object ``{status, error, errors}`` with
the field errors ``{field, problem, value}``; under ``/open311/`` the GeoReport v2 list
``[{code, description}]``. Through the real app on a real DuckDB file, and the paths that
no endpoint serves also through the real server (where the Dash page would answer them).

Model: datasette's tests/test_error_shape.py."""
from __future__ import annotations

import json

import pytest
import requests

from dashboard.app import create_app
from dashboard.launch import running_server
from queries.channels import add_channel
from queries.settings import load_settings
from tests.servers import client_with, copy_db


@pytest.fixture(scope="module")
def client(writable_app):
    return writable_app[0].server.test_client()


@pytest.fixture(scope="module")
def store(writable_app):
    return writable_app[1]


@pytest.fixture(scope="module")
def api_key(store):
    return add_channel(store, name="错误形状测试", source="transfer")["api_key"]


def a_point(store) -> tuple[float, float]:
    row = store.frame("SELECT lon, lat FROM matters WHERE cell_id IS NOT NULL LIMIT 1").iloc[0]
    return float(row.lon), float(row.lat)


def new_matter(store, **extra) -> dict:
    lon, lat = a_point(store)
    return {"source": "public", "category": "0401", "description": "路灯不亮", "lon": lon, "lat": lat, **extra}


def assert_api_error(response, status: int, fields: set[str] | None = None, says: str | None = None) -> dict:
    """The one shape: exactly status, error and errors; field errors only with 422."""
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert set(body) == {"status", "error", "errors"}, body
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"] and "\n" not in body["error"]
    assert isinstance(body["errors"], list)
    for e in body["errors"]:
        assert set(e) == {"field", "problem", "value"} and isinstance(e["problem"], str) and e["problem"], e
    if status == 422:
        assert body["error"] == "invalid input"
        assert {e["field"] for e in body["errors"]} == fields, body["errors"]
    else:
        assert fields is None and body["errors"] == []
    if says is not None:
        assert says in body["error"], body["error"]
    return body


def assert_open311_error(response, status: int, says: str | None = None) -> str:
    """GeoReport v2: a list of one {code, description}, the code the HTTP status."""
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert isinstance(body, list) and len(body) == 1, body
    (error,) = body
    assert set(error) == {"code", "description"} and error["code"] == status
    assert isinstance(error["description"], str) and error["description"]
    if says is not None:
        assert says in error["description"], error["description"]
    return error["description"]


# -- the matters API: bodies ---------------------------------------------------------------
BAD_BODIES = {
    "malformed JSON": (b"{not json", {"body"}),
    "empty body": (b"", {"body"}),
    "white space only": (b"  \n", {"body"}),
    "an array, not an object": (b"[1, 2]", {"body"}),
    "a string, not an object": (b'"x"', {"body"}),
    "duplicate keys": (b'{"source": "public", "source": "grid"}', {"body"}),
    "NaN": (b'{"lon": NaN}', {"body"}),
    "not UTF-8": (b"\xff\xfe\x00", {"body"}),
    "nested too deeply": (b"[" * 100000 + b"]" * 100000, {"body"}),
    "wrong field types": (json.dumps({"source": 5, "category": ["0401"], "description": None, "lon": True,
                                      "lat": {}}).encode(), {"source", "category", "description", "lon", "lat"}),
    "missing fields": (b"{}", {"source", "category", "description", "lon"}),
    "lon without lat": (json.dumps({"source": "public", "category": "0401", "description": "x",
                                    "lon": 119.4}).encode(), {"lat"}),
    "an unknown category": (json.dumps({"source": "public", "category": "ZZZZ", "description": "x",
                                        "address": "a"}).encode(), {"category"}),
    "a point outside the township": (json.dumps({"source": "public", "category": "0401", "description": "x",
                                                 "lon": 121.5, "lat": 31.2}).encode(), {"lon"}),
}


@pytest.mark.parametrize("raw, fields", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_intake_body_is_422_with_its_field_errors(client, raw, fields):
    response = client.post("/api/v1/matters", data=raw, content_type="application/json")
    assert_api_error(response, 422, fields)


def test_an_unknown_field_is_named_with_its_value(client, store):
    body = assert_api_error(client.post("/api/v1/matters", json=new_matter(store, colour="红")), 422, {"colour"})
    assert body["errors"] == [{"field": "colour", "problem": "unknown field", "value": "红"}]


def test_a_body_too_large_is_422_on_the_body(client):
    body = assert_api_error(client.post("/api/v1/matters", data=b"x" * (300 * 1024),
                                        content_type="application/json"), 422, {"body"})
    assert "larger than" in body["errors"][0]["problem"]


def test_a_bad_idempotency_key_is_422(client, store):
    assert_api_error(client.post("/api/v1/matters", json=new_matter(store), headers={"Idempotency-Key": "x" * 201}),
                     422, {"Idempotency-Key"})


def test_an_idempotency_key_used_for_another_body_is_422(client, store):
    first = client.post("/api/v1/matters", json=new_matter(store), headers={"Idempotency-Key": "shape-1"})
    assert first.status_code == 201
    other = client.post("/api/v1/matters", json=new_matter(store, description="别的事"),
                        headers={"Idempotency-Key": "shape-1"})
    body = assert_api_error(other, 422, {"Idempotency-Key"})
    assert body["errors"][0]["problem"] == "already used for a different request"


# -- the matters API: actions --------------------------------------------------------------
@pytest.fixture(scope="module")
def matter_id(client, store) -> int:
    response = client.post("/api/v1/matters", json=new_matter(store))
    assert response.status_code == 201
    return response.get_json()["id"]


def test_an_illegal_transition_is_409_with_the_reason(client, matter_id):
    body = assert_api_error(client.post(f"/api/v1/matters/{matter_id}/actions", json={"action": "close"}), 409)
    assert "cannot close" in body["error"]


def test_an_action_missing_its_fields_is_422(client, matter_id):
    assert_api_error(client.post(f"/api/v1/matters/{matter_id}/actions", json={"action": "extend"}), 422,
                     {"note", "minutes"})


def test_an_unknown_action_is_422(client, matter_id):
    assert_api_error(client.post(f"/api/v1/matters/{matter_id}/actions", json={"action": "teleport"}), 422,
                     {"action"})


def test_a_bad_action_body_is_422(client, matter_id):
    assert_api_error(client.post(f"/api/v1/matters/{matter_id}/actions", data=b"{",
                                 content_type="application/json"), 422, {"body"})


@pytest.mark.parametrize("method, path, says", [
    ("get", "/api/v1/matters/999", "no matter 999"),
    ("get", "/api/v1/matters/abc", "no matter abc"),
    ("get", "/api/v1/matters/" + "9" * 19, "no matter"),
    ("post", "/api/v1/matters/999/actions", "no matter 999"),
    ("post", "/api/v1/matters/abc/actions", "no matter abc"),
])
def test_an_unknown_matter_is_404(client, method, path, says):
    assert_api_error(getattr(client, method)(path, json={"action": "sign"}), 404, says=says)


# -- query arguments ---------------------------------------------------------------------------
BAD_ARGUMENTS = {
    "an unknown filter": ("/api/v1/matters?color=red", {"color"}),
    "a light that is none": ("/api/v1/matters?light=purple", {"light"}),
    "a status that is none": ("/api/v1/matters?status=lost", {"status"}),
    "a village that is no number": ("/api/v1/matters?village=abc", {"village"}),
    "a limit out of range": ("/api/v1/matters?limit=0", {"limit"}),
    "an offset that is no number": ("/api/v1/matters?offset=-1", {"offset"}),
    "a time that is none": ("/api/v1/matters?created_from=2026-13-01", {"created_from"}),
    "several at once": ("/api/v1/matters?limit=9999&source=fax&color=1", {"limit", "source", "color"}),
    "no period": ("/api/v1/indicators", {"from", "to"}),
    "a bad date and grouping": ("/api/v1/indicators?from=03/03/2025&to=2025-03-09&by=street", {"from", "by"}),
    "a period backwards": ("/api/v1/indicators/ranking?from=2025-03-09&to=2025-03-03", {"to"}),
    "a period too long": ("/api/v1/indicators?from=2020-01-01&to=2025-03-09", {"to"}),
    "an unknown warning method": ("/api/v1/warnings?method=nonsense", {"method"}),
    "an unknown severity": ("/api/v1/warnings?severity=apocalyptic", {"severity"}),
}


@pytest.mark.parametrize("path, fields", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_a_bad_query_argument_is_422_with_its_field_errors(client, path, fields):
    assert_api_error(client.get(path), 422, fields)


# -- acknowledging a warning ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs, fields", [
    ({"data": "x", "content_type": "application/json"}, {"body"}),
    ({"json": [1]}, {"body"}),
    ({"json": {"actor": "坐席员"}}, {"actor"}),
    ({"json": {"actor": 5}}, {"actor"}),
    ({"json": {"note": {"x": 1}}}, {"note"}),
    ({"json": {"who": "x"}}, {"who"}),
], ids=["bad JSON", "not an object", "actor sent (it comes from the login)", "actor not text", "note not text",
        "unknown field"])
def test_a_bad_acknowledgement_is_422(client, kwargs, fields):
    assert_api_error(client.post("/api/v1/warnings/any:key/ack", **kwargs), 422, fields)


def test_acknowledging_an_unknown_warning_is_404(client):
    assert_api_error(client.post("/api/v1/warnings/none:such/ack", json={"note": "已知悉"}), 404,
                     says="no active warning")


def test_acknowledging_on_a_read_only_store_is_503(demo_store, admin_token):
    client = client_with(create_app(load_settings({}), demo_store).server, admin_token)
    assert_api_error(client.post("/api/v1/warnings/none:such/ack", json={"note": "已知悉"}), 503)


# -- paths and methods -----------------------------------------------------------------------
UNKNOWN_API_PATHS = ["/api", "/api/", "/api/nope", "/api/v2/summary", "/api/v1/matters/1/nope",
                     "/api/v1/matters/", "/api/v1/indicators/nope"]


@pytest.mark.parametrize("path", UNKNOWN_API_PATHS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_api_path_is_a_json_404_not_the_dash_page(client, method, path):
    assert_api_error(getattr(client, method)(path), 404, says="no endpoint")


@pytest.mark.parametrize("method, path, allowed", [
    ("post", "/api/v1/summary", "GET"),
    ("delete", "/api/v1/matters", "GET, POST"),
    ("put", "/api/v1/matters/1", "GET"),
    ("get", "/api/v1/matters/1/actions", "POST"),
    ("get", "/api/v1/warnings/a/ack", "POST"),
    ("post", "/api/v1/indicators", "GET"),
])
def test_a_wrong_method_is_405_naming_the_right_ones(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert_api_error(response, 405, says=allowed)
    assert response.headers["Allow"] == allowed


# -- Open311: the GeoReport v2 shape -------------------------------------------------------
@pytest.mark.parametrize("path, says", [
    ("/open311", "no endpoint"),
    ("/open311/v2/nope.json", "no endpoint"),
    ("/open311/v3/services.json", "no endpoint"),
    ("/open311/v2/services/9999.json", "no service 9999"),
    ("/open311/v2/requests/abc.json", "no request abc"),
    ("/open311/v2/requests/1.json", "no request 1"),
])
def test_open311_not_found_is_404(client, path, says):
    assert_open311_error(client.get(path), 404, says)


@pytest.mark.parametrize("query, says", [
    ("status=pending", "status"),
    ("start_date=yesterday", "start_date"),
    ("start_date=2026-11-10T00:00:00Z&end_date=2026-11-01T00:00:00Z", "before start_date"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-11-01T00:00:00Z", "90 days"),
    ("service_request_id=abc", "service_request_id"),
])
def test_open311_bad_query_arguments_are_400(client, query, says):
    assert_open311_error(client.get(f"/open311/v2/requests.json?{query}"), 400, says)


def test_open311_serves_json_and_xml_only(client):
    assert_open311_error(client.get("/open311/v2/services.csv"), 400, "json and xml")


@pytest.mark.parametrize("method, path, allowed", [
    ("put", "/open311/v2/requests.json", "GET, POST"),
    ("delete", "/open311/v2/services.json", "GET"),
])
def test_open311_wrong_method_is_405(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert_open311_error(response, 405, allowed)
    assert response.headers["Allow"] == allowed


def test_open311_post_without_a_valid_key_is_403(client):
    assert_open311_error(client.post("/open311/v2/requests.json", data={"api_key": "wrong"}), 403, "api_key")
    assert_open311_error(client.post("/open311/v2/requests.json", data={"service_code": "0401"}), 403, "api_key")


def test_open311_post_errors_are_400_in_open311_names(client, store, api_key):
    lon, lat = a_point(store)

    def post(**form):
        return client.post("/open311/v2/requests.json", data={"api_key": api_key, **form})

    assert_open311_error(post(service_code="0401", description="x", lat="abc", long=str(lon)), 400, "lat")
    missing = assert_open311_error(post(lat=str(lat), long=str(lon)), 400)
    assert "service_code:" in missing and "description:" in missing and "category" not in missing
    assert_open311_error(post(service_code="ZZZZ", description="x", address_string="甲路1号"), 400,
                         "service_code: unknown category code")
    assert_open311_error(post(service_code="0401", description="x", lat="31.2", long="121.5"), 400,
                         "long: the point lies outside")
    assert_open311_error(post(service_code="0401", description="x" * (70 * 1024)), 400, "64 KB")


# -- the real server: the Dash app's catch-all route must not swallow API paths ---------------
@pytest.fixture(scope="module")
def served(demo_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("errors-served")
    with running_server(copy_db(demo_db_path, folder), folder) as url:
        yield url


def test_the_real_server_answers_unknown_api_paths_with_json_404(served, admin_headers):
    for path in ("/api/nope", "/api/v1/matters/1/nope"):
        response = requests.get(f"{served}{path}", headers=admin_headers, timeout=30)
        assert response.status_code == 404 and response.json() == {
            "status": 404, "error": f"no endpoint {path}", "errors": []}
    response = requests.get(f"{served}/open311/v2/nope.json", timeout=30)
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "no endpoint /open311/v2/nope.json"}]
    response = requests.post(f"{served}/api/v1/summary", headers=admin_headers, timeout=30)
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert requests.get(f"{served}/analysis", headers=admin_headers, timeout=30).status_code == 200  # pages served
