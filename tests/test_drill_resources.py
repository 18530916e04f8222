"""Resources and possible duplicates on the drill-down pages: the cell page lists what lies
in the cell or within 500 m of its outline (and draws it as a switchable layer), the matter
page what lies within the chosen radius, nearest first, and merges the matter into a
possible original through the write path, as the signed-in user; a user scoped to another
village sees none of it. The page callbacks are called as Dash calls them, over a copy of
the demo township."""
from __future__ import annotations

import json
import sys
from contextvars import copy_context

import dash
import geopandas as gpd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict
from pyproj import Geod

from dashboard.components.ids import drill as ids
from dashboard.context import use_user, viewer_scope, whole_township
from dashboard.pages import drill_callbacks
from dashboard.reader import Reader
from dashboard.views import drill, drill_resources
from layers import maptraces
from queries import accounts, resources
from tests.servers import TEST_ADMIN

GEOD = Geod(ellps="WGS84")
VIEWER = "drill-viewer"
OUTSIDER = "drill-outsider"


def _texts(tree) -> list[str]:
    return [str(x) for x in _walk(tree.to_plotly_json() if hasattr(tree, "to_plotly_json") else tree)]


def _walk(node):
    if isinstance(node, dict):
        if "props" in node:
            yield from _walk(node["props"].get("children"))
    elif isinstance(node, (list, tuple)):
        for child in node:
            yield from _walk(child)
    elif hasattr(node, "to_plotly_json"):
        yield from _walk(node.to_plotly_json())
    elif node is not None:
        yield node


def _rows(table) -> list[dict]:
    """The rows of a rendered drill table as {"attrs": props, "cells": [text of each cell]}."""
    plain = json.loads(json.dumps(table.to_plotly_json(), default=lambda o: o.to_plotly_json()))
    body = plain["props"]["children"][1]["props"]["children"]
    return [{"attrs": tr["props"], "cells": [" ".join(str(x) for x in _walk(td)) for td in tr["props"]["children"]]}
            for tr in body]


@pytest.fixture(scope="module")
def page(writable_app):
    app, store = writable_app
    accounts.add_user(store, name=VIEWER, role="viewer", password="只读用户的密码要够十二个字")
    # A commander of a village other than the busy cell's.
    village_id = store.scalar("SELECT village_id FROM areas WHERE code = ?", [_busy_cell(store)])
    other_code = store.scalar("SELECT code FROM areas WHERE area_id = ?",
                              [[v for v in store.all_village_ids() if v != village_id][0]])
    accounts.add_user(store, name=OUTSIDER, role="commander", password="外村指挥长的密码够十二个字",
                      scope=[other_code])
    matter = sys.modules[dash.page_registry["pages.matter"]["module"]]
    return app, store, matter, village_id


def call(app, fn, *args, user=TEST_ADMIN, inputs_list=(), triggered=None):
    def run():
        context_value.set(AttributeDict(inputs_list=list(inputs_list), outputs_list=[], states_list=[],
                                        triggered_inputs=triggered or []))
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            use_user(accounts.user_named(app.server.extensions["township"].store, user))
            return fn(*args)
    return copy_context().run(run)


def _busy_cell(store) -> str:
    """The cell holding the most resources (so both lists have something to compare)."""
    frame = resources.listed(store, scope=whole_township(store))
    return frame["cell"].value_counts().index[0]


def test_the_cell_page_lists_the_resources_in_the_cell_or_within_500_m(page):
    app, store, _matter, _village = page
    scope = whole_township(store)
    code = _busy_cell(store)
    inside = resources.in_cell(store, code, scope=scope)
    assert len(inside) > 0
    # Independently: every resource the viewer may see, measured to the cell's outline in UTM 50N.
    cells = Reader(store).run("reference/cells", scope=scope)
    outline = maptraces.frame_to_gdf(cells[cells["code"] == code]).to_crs("EPSG:32650").union_all()
    every = resources.listed(store, scope=scope)
    metres = gpd.GeoSeries(gpd.points_from_xy(every["lon"], every["lat"]), crs="EPSG:4326").to_crs(
        "EPSG:32650").distance(outline)
    expected = set(inside["id"]) | set(every["id"][metres.to_numpy() <= drill_resources.CELL_REACH_M])
    assert len(expected) > len(inside)                 # some lie outside the cell but near it

    shown = drill_resources.cell_resources(Reader(store), scope, code)
    assert set(shown["id"]) == expected and len(shown) == len(expected)
    assert shown["distance_m"].is_monotonic_increasing
    assert (shown[shown["id"].isin(inside["id"])]["distance_m"] == 0).all()
    # The nearby ones are exactly what resources.near finds around the cell, filtered to 500 m.
    lon, lat, reach = drill_resources.area_reach(maptraces.frame_to_gdf(cells[cells["code"] == code]).geometry, 500)
    around = set(resources.near(store, lon=lon, lat=lat, radius_m=reach, scope=scope)["id"])
    assert expected - set(inside["id"]) <= around

    table = call(app, drill_callbacks.update_resources, None, {"cell": code}, ids.RES_LIST, "zh")
    rows = _rows(table)
    assert [int(r["attrs"]["data-resource"]) for r in rows] == shown["id"].tolist()
    first = shown.iloc[0]
    assert rows[0]["cells"][0] == drill_resources.kind_labels("zh")[first["kind"]]
    assert first["name"] in rows[0]["cells"][1] and "网格内" in rows[0]["cells"][4]

    # On the map: a layer of its own, switched like the others.
    figure, layers, _codes = call(app, drill_callbacks.draw_map, {"cell": code}, None,
                                  [*drill.DEFAULT_LAYERS, drill_resources.RESOURCE_LAYER], "zh")
    drawn = [tr for tr, layer in zip(figure.data, layers) if layer == drill_resources.RESOURCE_LAYER]
    assert sum(len(tr.lon) for tr in drawn if tr.hoverinfo != "skip") == len(shown)
    assert isinstance(call(app, drill_callbacks.switch_layers, list(drill.DEFAULT_LAYERS), layers), dash.Patch)
    hidden = {i for i, layer in enumerate(layers) if layer == drill_resources.RESOURCE_LAYER}
    visible = drill_callbacks.layer_visibility(layers, list(drill.DEFAULT_LAYERS))
    assert hidden and not any(visible[i] for i in hidden) and any(visible)


def _post_pair(app, store, lon, lat, metres):
    client = app.server.test_client()
    code = store.scalar("SELECT code FROM categories ORDER BY code LIMIT 1")
    made = []
    for d in (0, metres):
        plon, plat, _ = GEOD.fwd(lon, lat, 90.0, d)
        r = client.post("/api/v1/matters", json={"source": "public", "category": code, "description": "井盖缺失",
                                                  "address": "某路", "lon": plon, "lat": plat})
        assert r.status_code == 201, r.get_json()
        made.append(r.get_json()["id"])
    return made


def test_the_matter_page_lists_the_resources_within_the_radius_nearest_first(page):
    app, store, matter, _village = page
    scope = whole_township(store)
    some = resources.listed(store, scope=scope).iloc[0]
    original, copy = _post_pair(app, store, float(some["lon"]), float(some["lat"]), 60)
    for radius in (200, 1000):
        graph, table = call(app, matter.draw_resources, {"matter": str(copy)}, radius, "zh")
        expected = resources.near(store, lon=float(GEOD.fwd(some["lon"], some["lat"], 90, 60)[0]),
                                  lat=float(GEOD.fwd(some["lon"], some["lat"], 90, 60)[1]), radius_m=radius,
                                  scope=scope)
        assert len(expected) > 0
        rows = _rows(table)
        assert [int(r["attrs"]["data-resource"]) for r in rows] == expected["id"].tolist()
        assert expected["distance_m"].is_monotonic_increasing and expected["distance_m"].max() <= radius
        assert abs(expected["distance_m"].iloc[0] - 60) < 1 and rows[0]["cells"][4] == "60 m"
        drawn = [tr for tr in graph.figure.data if tr.meta == drill_resources.RESOURCE_LAYER and tr.hoverinfo != "skip"]
        assert sum(len(tr.lon) for tr in drawn) == len(expected)
    small, large = (call(app, matter.draw_resources, {"matter": str(copy)}, r, "zh") for r in (200, 2000))
    assert len(_rows(small[1])) < len(_rows(large[1]))
    assert small[0].figure.layout.map.zoom > large[0].figure.layout.map.zoom + 2   # fitted to the circle
    # Anything but a radius offered falls back to 500 m.
    assert drill_resources.radius_of("99999") == drill_resources.radius_of(None) == 500


def test_merging_from_the_matter_page_voids_the_copy_with_an_event_on_both(page):
    app, store, matter, _village = page
    some = resources.listed(store, scope=whole_township(store)).iloc[-1]
    original, copy = _post_pair(app, store, float(some["lon"]), float(some["lat"]), 50)
    state = {"id": str(copy), "status": "registered"}
    listed = call(app, matter.list_duplicates, state, "zh")
    rows = _rows(listed)
    assert str(original) in [r["cells"][0] for r in rows]
    assert "合并为重复" in _texts(listed)
    # A read-only role gets no button; the server would refuse it anyway.
    assert "合并为重复" not in _texts(call(app, matter.list_duplicates, state, "zh", user=VIEWER))
    button = ids.merge(str(original))
    trigger = [{"prop_id": json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks", "value": 1}]
    inputs = [[{"id": button, "property": "n_clicks", "value": 1}]]
    refused, _ = call(app, matter.merge_duplicate, [1], {"matter": str(copy)}, "zh", user=VIEWER,
                      inputs_list=inputs, triggered=trigger)
    assert "outcome-forbidden" in json.dumps(refused.to_plotly_json(), default=str)
    assert store.scalar("SELECT status FROM matters WHERE matter_id = ?", [copy]) == "registered"

    feedback, tick = call(app, matter.merge_duplicate, [1], {"matter": str(copy)}, "zh",
                          inputs_list=inputs, triggered=trigger)
    assert "outcome-done" in json.dumps(feedback.to_plotly_json(), default=str) and tick
    assert store.scalar("SELECT status FROM matters WHERE matter_id = ?", [copy]) == "voided"
    assert store.scalar("SELECT duplicate_of FROM matters WHERE matter_id = ?", [copy]) == original
    client = app.server.test_client()
    last_copy = client.get(f"/api/v1/matters/{copy}").get_json()["events"][-1]
    last_original = client.get(f"/api/v1/matters/{original}").get_json()["events"][-1]
    assert (last_copy["action"], last_copy["value"]) == ("merge", str(original))
    assert (last_original["action"], last_original["value"]) == ("merged_in", str(copy))
    assert last_copy["actor"] == last_original["actor"] == TEST_ADMIN
    # A voided matter offers no merge any more.
    assert "合并为重复" not in _texts(call(app, matter.list_duplicates, {"id": str(copy), "status": "voided"}, "zh"))


def test_a_user_of_another_village_sees_none_of_these_resources(page):
    app, store, matter, village_id = page
    code = _busy_cell(store)
    shown = drill_resources.cell_resources(Reader(store), whole_township(store), code)
    mine = set(drill_resources.cell_resources(Reader(store), [village_id], code)["id"])
    assert mine and mine <= set(shown["id"])
    # Another village's commander: nothing of this cell, through the view or the page.
    other = call(app, viewer_scope, user=OUTSIDER)
    assert village_id not in other and other
    assert drill_resources.cell_resources(Reader(store), other, code).empty
    assert resources.in_cell(store, code, scope=other).empty
    assert call(app, drill_callbacks.update_resources, None, {"cell": code}, ids.RES_LIST, "zh",
                user=OUTSIDER) is dash.no_update
    some = resources.listed(store, scope=[village_id]).iloc[0]
    _original, copy = _post_pair(app, store, float(some["lon"]), float(some["lat"]), 10)
    graph, table = call(app, matter.draw_resources, {"matter": str(copy)}, 2000, "zh", user=OUTSIDER)
    assert graph is None and table is None                          # the matter itself is out of reach
    assert call(app, matter.list_duplicates, {"id": str(copy), "status": "registered"}, "zh", user=OUTSIDER) is None
    assert len(_rows(call(app, matter.draw_resources, {"matter": str(copy)}, 2000, "zh")[1])) > 0
