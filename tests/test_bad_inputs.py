"""Inputs that once got an HTML 500 (or no answer at all) now get a JSON 4xx in the one
shape (``dashboard/http/replies.py``), Open311 in its own, and write nothing (issue 11,
part 5): numbers too long for a float, lone surrogates, a list where a word belongs, an
extension by 1e308 hours, digits that are not ASCII, ids beyond INTEGER and BIGINT, dates
beyond what a span or a time zone can be added to. Through the real app on a real DuckDB
file, and a few through the real server."""
from __future__ import annotations

import json

import pytest
import requests

from dashboard.launch import running_server
from queries.channels import add_channel
from tests.servers import copy_db
from tests.test_error_shape import a_point, assert_api_error, assert_open311_error, new_matter

BIG = "1" + "0" * 3999                 # 4,000 digits: JSON reads it as an int no float holds


@pytest.fixture(scope="module")
def client(writable_app):
    return writable_app[0].server.test_client()


@pytest.fixture(scope="module")
def store(writable_app):
    return writable_app[1]


@pytest.fixture(scope="module")
def api_key(store):
    return add_channel(store, name="坏输入测试", source="transfer")["api_key"]


@pytest.fixture(scope="module")
def matter_id(client, store) -> int:
    response = client.post("/api/v1/matters", json=new_matter(store))
    assert response.status_code == 201
    return response.get_json()["id"]


@pytest.fixture
def nothing_written(store):
    """Asserts after the test that no matter and no event was added."""
    def counts():
        return store.frame("SELECT (SELECT count(*) FROM matters) AS m, (SELECT count(*) FROM events) AS e"
                           ).iloc[0].tolist()
    before = counts()
    yield
    assert counts() == before


def post_raw(client, path: str, text: str):
    return client.post(path, data=text.encode("utf-8"), content_type="application/json")


def with_raw(body: dict, name: str, raw: str) -> str:
    """``body`` as JSON text with field ``name``'s value written as ``raw`` (a literal
    json.dumps would not write: 4,000 digits, a lone surrogate's escape)."""
    return json.dumps({**body, name: "@@"}, ensure_ascii=False).replace('"@@"', raw)


def field_error(body: dict, field: str) -> dict:
    (error,) = [e for e in body["errors"] if e["field"] == field]
    return error


# -- numbers too long for a float ---------------------------------------------------------------
@pytest.mark.parametrize("name, raw, says", [
    ("lon", BIG, "between -180 and 180"),
    ("lat", BIG, "between -90 and 90"),
    ("lon", "-" + BIG, "between -180 and 180"),
    ("lon", BIG + ".5", "between -180 and 180"),          # read as an infinite float
    ("lat", "1e999", "between -90 and 90"),
])
def test_a_huge_coordinate_is_422_on_its_field(client, store, nothing_written, name, raw, says):
    body = assert_api_error(post_raw(client, "/api/v1/matters", with_raw(new_matter(store), name, raw)),
                            422, {name})
    error = field_error(body, name)
    assert says in error["problem"]
    assert error["value"] is None or len(json.dumps(error["value"])) < 60      # echoed short, not 4,000 digits


@pytest.mark.parametrize("name", ["long", "lat"])
@pytest.mark.parametrize("text", [BIG, "-" + BIG, "1e999"])
def test_open311_a_huge_coordinate_is_400_naming_it(client, store, api_key, nothing_written, name, text):
    lon, lat = a_point(store)
    form = {"api_key": api_key, "service_code": "0401", "description": "路灯不亮", "lat": str(lat),
            "long": str(lon), name: text}
    assert_open311_error(client.post("/open311/v2/requests.json", data=form), 400, f"{name}: must lie between")


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1_0", "١٢٠", "12,5", " "])
def test_open311_a_coordinate_not_in_ascii_decimals_is_400(client, store, api_key, nothing_written, text):
    lon, _lat = a_point(store)
    form = {"api_key": api_key, "service_code": "0401", "description": "路灯不亮", "lat": text, "long": str(lon)}
    assert_open311_error(client.post("/open311/v2/requests.json", data=form), 400, "lat: not a number")


# -- lone surrogates -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["description", "address", "reporter", "category"])
def test_a_lone_surrogate_is_422_naming_the_field_and_the_reply_encodes(client, store, nothing_written, name):
    response = post_raw(client, "/api/v1/matters", with_raw(new_matter(store), name, '"路灯\\ud800不亮"'))
    response.data.decode("utf-8")                                        # strict: it is UTF-8
    body = assert_api_error(response, 422, {name})
    assert field_error(body, name) == {"field": name, "problem": "contains characters that are not text",
                                       "value": "路灯\ufffd不亮"}


def test_a_lone_surrogate_in_an_unknown_field_and_its_name_is_echoed_replaced(client, store, nothing_written):
    text = json.dumps(new_matter(store), ensure_ascii=False)[:-1] + ', "x\\udfff": "\\udc80"}'
    body = assert_api_error(post_raw(client, "/api/v1/matters", text), 422, {"x\ufffd"})
    assert body["errors"] == [{"field": "x\ufffd", "problem": "unknown field", "value": "\ufffd"}]


@pytest.mark.parametrize("fields, name", [
    ('"action": "supervise", "note": "\\ud83d"', "note"),
    ('"action": "sign", "actor": "\\ud800"', "actor"),
    ('"action": "dispatch", "department": "\\ud800"', "department"),
    ('"action": "dispatch", "department": 13, "co_departments": ["\\ud800"]', "co_departments"),
])
def test_a_lone_surrogate_in_an_action_is_422_naming_the_field(client, matter_id, nothing_written, fields, name):
    response = post_raw(client, f"/api/v1/matters/{matter_id}/actions", "{" + fields + "}")
    body = assert_api_error(response, 422, {name})
    assert field_error(body, name)["value"] == "\ufffd"


@pytest.mark.parametrize("fields, name", [('"actor": "\\ud800"', "actor"),
                                          ('"note": "\\ud800"', "note")])
def test_a_lone_surrogate_in_an_acknowledgement_is_422(client, fields, name):
    assert_api_error(post_raw(client, "/api/v1/warnings/any:key/ack", "{" + fields + "}"), 422, {name})


# -- a list or an object where a word belongs ------------------------------------------------------
@pytest.mark.parametrize("value", [["close"], {"close": True}, 5, None, True])
def test_an_action_that_is_no_string_is_422_on_action(client, matter_id, nothing_written, value):
    body = assert_api_error(client.post(f"/api/v1/matters/{matter_id}/actions", json={"action": value}),
                            422, {"action"})
    assert field_error(body, "action")["problem"].startswith("must be one of")


@pytest.mark.parametrize("name, value", [("source", ["public"]), ("level", {"a": 1}), ("source", {"x": 1})])
def test_an_intake_choice_that_is_no_string_is_422(client, store, nothing_written, name, value):
    body = assert_api_error(client.post("/api/v1/matters", json=new_matter(store, **{name: value})), 422, {name})
    assert field_error(body, name)["value"] in ("list", "dict")


def test_a_satisfaction_that_is_a_list_is_422(client, matter_id, nothing_written):
    assert_api_error(client.post(f"/api/v1/matters/{matter_id}/actions",
                                 json={"action": "follow_up", "satisfaction": ["satisfied"]}), 422, {"satisfaction"})


# -- an extension beyond every limit -------------------------------------------------------------------
@pytest.mark.parametrize("unit, most", [("hours", "720 hours"), ("minutes", "43200 minutes"),
                                        ("work_days", "work_days")])
@pytest.mark.parametrize("raw", ["1e308", "1e999", BIG])
def test_an_extension_by_1e308_is_422_with_the_limit(client, matter_id, nothing_written, unit, most, raw):
    text = with_raw({"action": "extend", "note": "等材料"}, unit, raw)
    body = assert_api_error(post_raw(client, f"/api/v1/matters/{matter_id}/actions", text), 422, {unit})
    problem = field_error(body, unit)["problem"]
    assert problem.startswith("longer than 30 days of working time: at most ") and problem.endswith(most)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_an_extension_by_nan_or_infinity_is_not_json(client, matter_id, nothing_written, raw):
    text = with_raw({"action": "extend", "note": "等材料"}, "hours", raw)
    assert_api_error(post_raw(client, f"/api/v1/matters/{matter_id}/actions", text), 422, {"body"})


@pytest.mark.parametrize("raw", ["-1e308", "0", "-" + BIG])
def test_an_extension_by_nothing_or_less_is_422(client, matter_id, nothing_written, raw):
    text = with_raw({"action": "extend", "note": "等材料"}, "hours", raw)
    body = assert_api_error(post_raw(client, f"/api/v1/matters/{matter_id}/actions", text), 422, {"hours"})
    assert field_error(body, "hours")["problem"] == "must be a positive number"


# -- digits that are not ASCII ---------------------------------------------------------------------------
NOT_ASCII = ["²", "٣", "１", "1²", "12³", "--5", "+5", "0x10", "1e3", "1_0", "5.0"]


@pytest.mark.parametrize("text", [*NOT_ASCII, "-5", " 5", "5 "])
@pytest.mark.parametrize("method, path", [("get", "/api/v1/matters/{}"), ("post", "/api/v1/matters/{}/actions")])
def test_a_matter_id_not_in_ascii_digits_is_404(client, nothing_written, method, path, text):
    response = getattr(client, method)(path.format(requests.utils.quote(text)), json={"action": "sign"})
    assert_api_error(response, 404, says="no matter")


@pytest.mark.parametrize("text", [*NOT_ASCII, " 5", "5 "])
@pytest.mark.parametrize("name", ["limit", "offset", "village", "department"])
def test_a_number_argument_not_in_ascii_digits_is_422(client, name, text):
    response = client.get("/api/v1/matters", query_string={name: text})
    body = assert_api_error(response, 422, {name})
    assert field_error(body, name)["value"] == text


@pytest.mark.parametrize("text", [*NOT_ASCII, "-5", "0"])
def test_open311_ids_not_in_ascii_digits_are_400_or_404(client, text):
    assert_open311_error(client.get("/open311/v2/requests.json", query_string={"service_request_id": text}),
                         400, "service_request_id")
    assert_open311_error(client.get(f"/open311/v2/requests/{requests.utils.quote(text)}.json"), 404, "no request")


def test_open311_an_id_list_of_only_commas_is_400(client):
    assert_open311_error(client.get("/open311/v2/requests.json?service_request_id=,,"), 400, "service_request_id")


# -- integers beyond the store's columns ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["village", "department"])
@pytest.mark.parametrize("text", ["999999999999", "-999999999999", "2147483648", "-2147483649",
                                  "9223372036854775808", "1," + "9" * 30, BIG])
def test_an_integer_filter_beyond_integer_is_422(client, name, text):
    body = assert_api_error(client.get("/api/v1/matters", query_string={name: text}), 422, {name})
    assert "from -2147483648 to 2147483647" in field_error(body, name)["problem"]


def test_integer_filters_at_the_edges_of_integer_are_answered(client):
    response = client.get("/api/v1/matters?village=2147483647,-2147483648&department=-2147483648")
    assert response.status_code == 200 and response.get_json()["total"] == 0


@pytest.mark.parametrize("text", ["9223372036854775808", "99999999999999999999", BIG])
def test_ids_beyond_bigint_are_not_found(client, text):
    assert_api_error(client.get(f"/api/v1/matters/{text}"), 404, says="no matter")
    assert_open311_error(client.get(f"/open311/v2/requests/{text}.json"), 404, "no request")
    assert_open311_error(client.get(f"/open311/v2/requests.json?service_request_id=1,{text}"), 400,
                         "service_request_id")


def test_the_largest_bigint_id_is_looked_up(client):
    assert_api_error(client.get("/api/v1/matters/9223372036854775807"), 404, says="no matter 9223372036854775807")
    assert client.get("/open311/v2/requests.json?service_request_id=9223372036854775807").get_json() == []


# -- dates beyond what can be computed with --------------------------------------------------------------
@pytest.mark.parametrize("query, name", [
    ("start_date=9999-12-31", "start_date"),
    ("start_date=9999-12-31T23:59:59Z", "start_date"),
    ("end_date=0001-01-01", "end_date"),
    ("start_date=0001-01-01T00:00:00%2B14:00", "start_date"),
    ("end_date=9999-12-31T23:00:00-14:00", "end_date"),
    ("start_date=2026-01-01T00:00:00Z&end_date=9999-12-31", "end_date"),
])
def test_open311_a_date_out_of_range_is_400_naming_it(client, query, name):
    assert_open311_error(client.get(f"/open311/v2/requests.json?{query}"), 400,
                         f"{name}: a w3 datetime from 1900-01-01 to 2999-12-31")


def test_open311_dates_inside_the_range_still_answer(client):
    response = client.get("/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z&end_date=2026-11-18T00:00:00Z")
    assert response.status_code == 200 and isinstance(response.get_json(), list) and response.get_json()


@pytest.mark.parametrize("path, name", [
    ("/api/v1/matters?created_from=9999-12-31", "created_from"),
    ("/api/v1/matters?created_to=0001-01-01T00:00:00%2B14:00", "created_to"),
    ("/api/v1/indicators?from=0001-01-01&to=2026-01-02", "from"),
    ("/api/v1/indicators/ranking?from=2026-01-01&to=9999-12-31", "to"),
])
def test_a_date_argument_out_of_range_is_422(client, path, name):
    body = assert_api_error(client.get(path), 422, {name})
    assert "from 1900-01-01 to 2999-12-31" in field_error(body, name)["problem"]


# -- the real server: a JSON 4xx, not an HTML 500 -------------------------------------------------------
@pytest.fixture(scope="module")
def served(demo_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad-inputs-served")
    with running_server(copy_db(demo_db_path, folder), folder) as url:
        yield url


def test_the_real_server_answers_bad_inputs_in_json(served, admin_headers):
    def post(path, text):
        return requests.post(f"{served}{path}", data=text.encode("utf-8"),
                             headers={"Content-Type": "application/json", **admin_headers}, timeout=30)

    def get(path):
        return requests.get(f"{served}{path}", headers=admin_headers, timeout=30)

    total = get("/api/v1/matters?limit=1").json()["total"]
    matter = {"source": "public", "category": "0401", "description": "路灯不亮", "address": "甲路 1 号"}
    surrogate = post("/api/v1/matters", with_raw(matter, "description", '"\\ud800"'))
    assert surrogate.status_code == 422 and surrogate.headers["Content-Type"].startswith("application/json")
    assert surrogate.json()["errors"] == [{"field": "description", "problem": "contains characters that are not text",
                                           "value": "\ufffd"}]
    huge = post("/api/v1/matters", with_raw({**matter, "lat": 30.0}, "lon", BIG))
    assert huge.status_code == 422 and [e["field"] for e in huge.json()["errors"]] == ["lon"]
    listed = post("/api/v1/matters/1/actions", '{"action": ["close"]}')
    assert listed.status_code == 422 and listed.json()["errors"][0]["field"] == "action"
    village = get("/api/v1/matters?village=999999999999")
    assert village.status_code == 422 and village.json()["errors"][0]["field"] == "village"
    limit = get("/api/v1/matters?limit=%C2%B2")
    assert limit.status_code == 422 and limit.json()["errors"][0] == {
        "field": "limit", "problem": "a whole number from 1 to 500", "value": "²"}
    dated = requests.get(f"{served}/open311/v2/requests.json?start_date=9999-12-31", timeout=30)
    assert dated.status_code == 400 and dated.json()[0]["code"] == 400
    assert get("/api/v1/matters?limit=1").json()["total"] == total
