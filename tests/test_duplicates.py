"""Possible duplicates and the merge (合并重复件): same 小类 within R metres and T days;
merging through the API voids the copy with a link to the original, an event on both,
replay reproduces both, and the counts report leaves the copy out and says so."""
from __future__ import annotations

from datetime import timedelta

import pytest
from pyproj import Geod

from queries.report import counts_report
from queries.store import Store
from tests.conftest import DEMO_AS_OF
from tests.servers import copy_db
from tests.test_generate import assert_state_is_replay
from tests.test_writepath import assert_derived_in_step

GEOD = Geod(ellps="WGS84")
ORIGIN = (119.4215, 32.4290)


def _post(client, **body):
    r = client.post("/api/v1/matters", json={"source": "public", "description": "井盖缺失", "address": "某路",
                                              **body})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _at(metres, bearing=90.0):
    lon, lat, _ = GEOD.fwd(ORIGIN[0], ORIGIN[1], bearing, metres)
    return {"lon": lon, "lat": lat}


@pytest.fixture(scope="module")
def three(writable_app):
    """An original, a copy 80 m away, one of another 小类 beside it and one 900 m away."""
    app, store = writable_app
    client = app.server.test_client()
    code, other = [r[0] for r in store.cursor().execute("SELECT code FROM categories ORDER BY code LIMIT 2").fetchall()]
    ids = {"original": _post(client, category=code, **_at(0)), "copy": _post(client, category=code, **_at(80)),
           "other_kind": _post(client, category=other, **_at(10)), "far": _post(client, category=code, **_at(900))}
    return app, store, client, ids


def test_related_lists_the_same_category_nearby(three):
    app, store, client, ids = three
    r = client.get(f"/api/v1/matters/{ids['copy']}/related")
    assert r.status_code == 200
    body = r.get_json()
    assert body["radius_m"] == 200 and body["days"] == 3
    found = {i["id"]: i for i in body["items"]}
    assert ids["original"] in found and ids["other_kind"] not in found and ids["far"] not in found
    assert abs(found[ids["original"]]["distance_m"] - 80.0) < 1.0
    assert client.get("/api/v1/matters/1/related").status_code == 404
    assert client.get("/api/v1/matters/abc/related").get_json()["status"] == 404


def test_merging_through_the_api_voids_the_copy_with_events_on_both(three):
    app, store, client, ids = three
    day = DEMO_AS_OF.replace(hour=0, minute=0)
    scope = store.all_village_ids() + [-1]
    before = counts_report(store, day, day + timedelta(days=1), scope)
    r = client.post(f"/api/v1/matters/{ids['copy']}/actions", json={"action": "merge", "into": ids["original"],
                                                                      "note": "同一井盖"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "voided" and r.get_json()["duplicate_of"] == ids["original"]
    copy = client.get(f"/api/v1/matters/{ids['copy']}").get_json()
    original = client.get(f"/api/v1/matters/{ids['original']}").get_json()
    assert copy["status"] == "voided" and original["status"] == "registered"
    last_copy, last_original = copy["events"][-1], original["events"][-1]
    assert (last_copy["action"], last_copy["value"]) == ("merge", str(ids["original"]))
    assert (last_original["action"], last_original["value"]) == ("merged_in", str(ids["copy"]))
    assert last_copy["actor"] == last_original["actor"] == "test-admin"
    assert store.scalar("SELECT duplicate_of FROM matters WHERE matter_id = ?", [ids["copy"]]) == ids["original"]
    assert store.scalar("SELECT count(*) FROM open_matters WHERE matter_id = ?", [ids["copy"]]) == 0
    assert_state_is_replay(store, [ids["copy"], ids["original"]])
    assert_derived_in_step(store)                      # the live panels' rollup leaves the copy out too
    after = counts_report(store, day, day + timedelta(days=1), scope)
    assert after["counts"]["received"] == before["counts"]["received"] - 1
    assert after["counts"]["open_at_end"] == before["counts"]["open_at_end"] - 1
    assert after["merged"] == before["merged"] + 1
    # the CLI's report through the same function
    assert client.get(f"/api/v1/matters/{ids['copy']}/related").status_code == 200


def test_merge_refusals(three):
    app, store, client, ids = three
    act = lambda mid, **b: client.post(f"/api/v1/matters/{mid}/actions", json={"action": "merge", **b})  # noqa: E731
    r = act(ids["far"])
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "into"
    r = act(ids["far"], into=ids["far"])
    assert r.status_code == 422
    r = act(ids["far"], into=1)
    assert r.status_code == 422 and r.get_json()["errors"][0]["problem"] == "no such matter"
    r = act(ids["far"], into=ids["copy"])              # the copy is voided already
    assert r.status_code == 409 and "voided" in r.get_json()["error"]
    r = act(ids["copy"], into=ids["far"])              # a voided matter cannot be merged again
    assert r.status_code == 409
    assert store.scalar("SELECT status FROM matters WHERE matter_id = ?", [ids["far"]]) == "registered"


def test_the_roles_that_may_merge(demo_db_path, tmp_path):
    from queries.permissions import allowed

    assert allowed("commander", "merge") and allowed("operator", "merge") and allowed("admin", "merge")
    assert not any(allowed(r, "merge") for r in ("department", "leader", "analyst", "viewer"))


def test_report_cli_says_how_many_were_merged(demo_db_path, tmp_path):
    store = Store(copy_db(demo_db_path, tmp_path))
    try:
        from queries.report import report

        body = report(store, start=(DEMO_AS_OF - timedelta(days=7)).date().isoformat(),
                      end=DEMO_AS_OF.date().isoformat())
        assert body["merged"] == 0 and "received" in body["counts"]
    finally:
        store.close()
