"""The API contract: ``/api/v1/openapi.json`` describes every endpoint under ``/api/v1``
the server serves, with the two ways to sign in and the one error shape, and schemathesis,
signed in as the test admin, sends the real app (on its own copy of the demo database)
requests generated from that document, fitting it and not, and finds no 500, no status the
document does not name and no answer outside its schema.

Bounded and deterministic: a fixed number of examples per operation, derandomized.
"""
from __future__ import annotations

import os
import re
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dashboard.http.openapi import document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Per operation and kind of run; TOWNSHIP_CONTRACT_EXAMPLES asks for a deeper search by hand.
EXAMPLES = int(os.environ.get("TOWNSHIP_CONTRACT_EXAMPLES", "30"))
OPERATIONS = sorted((path, method.upper()) for path, item in document()["paths"].items() for method in item)
# Generated ids almost never exist: where a path names a matter or warning, the valid
# requests also run on one that exists ("existing").
RUNS = [(path, method, mode) for path, method in OPERATIONS
        for mode in ("positive", "negative", *(("existing",) if "{" in path else ()))]


@pytest.fixture(scope="module")
def server(writable_app):
    return writable_app[0].server


@pytest.fixture(scope="module")
def auth(admin_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture(scope="module")
def served_document(server, auth) -> dict:
    response = server.test_client().get("/api/v1/openapi.json", headers=auth)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


@pytest.fixture(scope="module")
def existing(server, auth) -> dict[str, str]:
    """A matter, a warning and an emergency that exist, for the path parameters of a third run."""
    client = server.test_client()
    matter = client.get("/api/v1/matters?limit=1&status=handling", headers=auth).get_json()["items"][0]["id"]
    warning = client.get("/api/v1/warnings", headers=auth).get_json()["warnings"][0]["key"]
    declared = client.post("/api/v1/emergencies", headers=auth, json={
        "title": "contract run", "level": "larger", "kind": "flood",
        "area": {"points": [[119.38, 32.37]], "radius_m": 500}})
    assert declared.status_code == 201, declared.get_json()
    return {"matter_id": str(matter), "key": warning, "emergency_id": str(declared.get_json()["id"])}


def declare_one(api_schema, auth) -> str:
    client = api_schema.app.test_client()
    declared = client.post("/api/v1/emergencies", headers=auth, json={
        "title": "contract run (actions)", "level": "larger", "kind": "flood",
        "area": {"points": [[119.38, 32.37]], "radius_m": 500}})
    assert declared.status_code == 201, declared.get_json()
    return str(declared.get_json()["id"])


@pytest.fixture(scope="module")
def api_schema(server, auth):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", server, headers=auth)


def test_the_document_needs_a_login(server):
    client = server.test_client()
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401 and response.get_json()["status"] == 401


def test_the_document_names_both_ways_to_sign_in_and_the_one_error_shape(served_document):
    doc = served_document
    assert doc["openapi"].startswith("3.1")
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie" and schemes["session"]["name"] == "township_session"
    assert {"bearer": []} in doc["security"] and {"session": []} in doc["security"]
    error = doc["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"status", "error", "errors"}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    assert answer["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
            assert {"401", "403", "500"} <= set(operation["responses"]), (method, path)


def test_every_api_route_the_server_serves_is_in_the_document(server, served_document):
    described = {(path, method.upper()) for path, item in served_document["paths"].items() for method in item}
    served = set()
    for rule in server.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served and served <= described, sorted(served - described)


def test_the_bodies_are_described_without_the_actor_the_api_refuses(served_document):
    schemas = served_document["components"]["schemas"]
    new_matter = schemas["NewMatter"]
    assert {"source", "category", "description"} <= set(new_matter["required"])
    assert "actor" not in new_matter["properties"] and new_matter["additionalProperties"] is False
    assert new_matter["properties"]["source"]["enum"] == ["transfer", "inspection", "grid", "public"]
    assert "actor" not in schemas["MatterAction"]["properties"]
    listing = served_document["paths"]["/api/v1/matters"]["get"]["parameters"]
    limit = next(p for p in listing if p["name"] == "limit")
    assert limit["schema"]["type"] == "integer" and limit["schema"]["maximum"] == 500


def a_period(query: dict | None) -> None:
    """A fitting request's period is a half-open [from, to) with from < to, which the
    document's per-parameter schemas cannot say: one out of order becomes October 2026."""
    if not query or "from" not in query or "to" not in query:
        return
    try:
        start, end = date.fromisoformat(str(query["from"])), date.fromisoformat(str(query["to"]))
    except ValueError:
        return
    if not start < end <= start + timedelta(days=366):
        query["from"], query["to"] = "2026-10-01", "2026-11-01"


@pytest.mark.parametrize("path, method, mode", RUNS)
def test_generated_requests_get_no_500_and_answers_in_the_schema(api_schema, auth, existing, path, method, mode):
    """Requests fitting the document and not; every answer is in the document, and the
    fitting ones (on an existing matter or warning where the path names one) are answered
    with success at least once."""
    operation = api_schema[path][method]
    given_path = {k: v for k, v in existing.items() if "{" + k + "}" in path}
    if mode == "existing" and method == "POST" and "emergency_id" in given_path:
        given_path["emergency_id"] = declare_one(api_schema, auth)   # the runs before may have closed one
    statuses: list[int] = []
    strategy = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE if mode == "negative"
                                     else GenerationMode.POSITIVE,
                                     path_parameters=given_path if mode == "existing" else None)

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def generated(case):
        if mode != "negative":
            a_period(case.query)
        # identity: the WSGI client does not undo Flask-Compress's encodings, a browser would
        response = case.call_and_validate(headers={**auth, "Accept-Encoding": "identity"}, checks=CHECKS)
        statuses.append(response.status_code)

    generated()
    if mode == "existing" or (mode == "positive" and not given_path):
        assert any(200 <= s < 300 for s in statuses), sorted(set(statuses))


# -- the settings file and the import mapping go through the same layer -------------------------
def test_the_settings_model_declares_every_setting_with_its_default_and_help():
    from queries.settings import SETTINGS, SettingsFile

    schema = SettingsFile.model_json_schema()
    assert schema["additionalProperties"] is False
    for setting in SETTINGS:
        assert schema["properties"][setting.name]["default"] == setting.default
        assert schema["properties"][setting.name]["description"] == setting.help
    assert schema["properties"]["yellow_fraction"]["exclusiveMaximum"] == 1


@pytest.mark.parametrize("name, text, says", [
    ("port", "80x", "setting port: cannot read it as int"),
    ("port", "8.5", "setting port: cannot read it as int"),
    ("language", "fr", "setting language: 'fr' is not zh or en"),
    ("yellow_fraction", "1", "setting yellow_fraction: must lie between 0 and 1"),
    ("login_max_failures", "0", "setting login_max_failures: must be at least 1"),
    ("behind_https", "maybe", "setting behind_https: cannot read it as bool"),
])
def test_a_bad_setting_from_the_environment_is_refused_naming_it(name, text, says):
    from queries.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match=re.escape(says)):
        load_settings({f"TOWNSHIP_{name.upper()}": text})


def test_a_settings_file_is_checked_whole_by_the_model(tmp_path):
    from queries.settings import SettingsError, load_settings

    good = tmp_path / "good.toml"
    good.write_text('port = 9000\nbehind_https = true\nyellow_fraction = 0.3\nlanguage = "en"\n', encoding="utf-8")
    settings = load_settings({"TOWNSHIP_CONFIG": str(good), "TOWNSHIP_PORT": "9001"})
    assert (settings.port, settings.behind_https, settings.yellow_fraction, settings.language) == (9001, True, 0.3, "en")
    bad = tmp_path / "bad.toml"
    bad.write_text('port = "many"\ncolour = "red"\nupload_max_mb = 0\n', encoding="utf-8")
    with pytest.raises(SettingsError) as refused:
        load_settings({"TOWNSHIP_CONFIG": str(bad)})
    said = str(refused.value)
    assert said.startswith(f"config file {bad}: ")
    assert "setting colour: unknown setting" in said and "setting port: cannot read it as int" in said
    assert "setting upload_max_mb: must be at least 1" in said


@pytest.mark.parametrize("toml, says", [
    ('[columns]\nid = "a"\ncreated_at = "t"\n[formats]\ndelimiter = ";;"\n', "[formats] delimiter must be one character"),
    ('[columns]\nid = "a"\ncreated_at = "t"\n[formats]\nsheet = 5\n', "[formats] sheet: "),
    ('[columns]\nid = "a"\ncreated_at = 5\n', "[columns] created_at must be a column name (text)"),
    ('[columns]\nid = "a"\ncreated_at = "t"\n[defaults]\ncategory_limit_work_days = 0\n',
     "[defaults] category_limit_work_days must be a positive whole number"),
    ('[columns]\nid = "a"\ncreated_at = "t"\n[source]\n"电话" = "phone"\n', "[source] '电话' = 'phone': ours must be one of"),
])
def test_a_wrong_mapping_file_is_refused_in_one_line_by_the_model(tmp_path, toml, says):
    from queries.imports.mapping import load_mapping

    path = tmp_path / "mapping.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_mapping(path)
    assert str(refused.value).startswith(f"{path}: ") and says in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_mapping_reads_the_same_through_the_model():
    from queries.imports.mapping import load_mapping

    mapping = load_mapping({"columns": {"id": "编号", "created_at": "时间", "point": "坐标"},
                            "formats": {"timestamp": "%Y/%m/%d %H:%M", "coordinates": "GCJ02", "delimiter": ";"},
                            "status": {"Open": "dispatched", "open": "dispatched"}, "defaults": {"source": "grid"}})
    assert mapping.columns == {"id": "编号", "created_at": "时间", "point": "坐标"}
    assert (mapping.timestamp_formats, mapping.coordinates, mapping.delimiter) == (("%Y/%m/%d %H:%M",), "gcj02", ";")
    assert mapping.status == {"open": "dispatched"} and mapping.default_source == "grid"
