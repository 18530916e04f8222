"""The drill-down's map layers (layers/matter_points, heat, hot_cells, focus) on hand-made
geometry: three squares, a few points, and a 5,000-cell grid for readability at scale."""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from layers.focus import feature_outline, features_bounds, layer_visibility, padded_bounds, subset_features
from layers.heat import heat_trace
from layers.hot_cells import hot_cell_trace
from layers.maptraces import LIGHT_COLOURS, cell_geojson
from layers.matter_points import CLUSTER_FROM, cluster_settings, matter_point_traces

LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "paused": "暂停", "none": "无时限"}
HOT_LABELS = ["不热", "90%", "95%", "99%"]


def squares() -> dict:
    """Three 0.01° squares side by side: ids 1, 2, 3 from west to east."""
    cells = gpd.GeoDataFrame({"cell_id": [1, 2, 3], "code": ["a", "b", "c"], "name": ["甲", "乙", "丙"]},
                             geometry=[box(119.40 + i * 0.01, 32.40, 119.41 + i * 0.01, 32.41) for i in range(3)],
                             crs="EPSG:4326")
    return cell_geojson(cells, simplify_m=None)


def test_points_split_by_light_in_worst_first_order_and_keep_their_ids():
    traces = matter_point_traces([119.401, 119.402, None, 119.404, 119.405], [32.401, 32.402, 32.403, 32.404, 32.405],
                                 ["green", "red", "red", "weird", "red"], ["1", "2", "3", "4", "5"],
                                 labels=LABELS, hovertexts=["h1", "h2", "h3", "h4", "h5"])
    assert [t.legendgroup for t in traces] == ["red", "green", "none"]
    red = traces[0]
    assert list(red.customdata) == ["2", "5"]          # the point without coordinates is left out
    assert red.name == "红灯 (2)" and red.marker.color == LIGHT_COLOURS["red"]
    assert list(red.hovertext) == ["h2", "h5"]
    assert traces[2].customdata == ("4",)               # an unknown light counts as none
    assert all(t.meta == "points" and t.cluster.enabled is False for t in traces)


def test_dense_lights_are_clustered_in_their_own_colour():
    n = CLUSTER_FROM + 1
    traces = matter_point_traces([119.4 + i * 1e-5 for i in range(n)], [32.4] * n, ["yellow"] * n,
                                 [str(i) for i in range(n)], labels=LABELS, hovertexts=[""] * n)
    assert len(traces) == 1 and traces[0].cluster.enabled is True
    assert traces[0].cluster.color == LIGHT_COLOURS["yellow"]
    assert cluster_settings(CLUSTER_FROM, "#000")["enabled"] is False


def test_heat_keeps_points_with_coordinates_and_hides_its_scale():
    trace = heat_trace([119.4, None, 119.5, float("nan")], [32.4, 32.5, 32.6, 32.7], name="热力", weights=[1, 2, 3, 4])
    assert list(trace.lon) == [119.4, 119.5] and list(trace.z) == [1.0, 3.0]
    assert trace.showscale is False and trace.type == "densitymap" and trace.meta == "heat"


def test_hot_cells_draw_only_the_hot_ones_with_their_level_named():
    trace = hot_cell_trace(squares(), [1, 2, 3], [0, 3, 1], labels=HOT_LABELS, title="Gi*", name="热点")
    assert list(trace.locations) == [2, 3]
    assert list(trace.z) == [3, 1]
    assert list(trace.hovertext) == ["99%", "90%"]      # the level in words, not colour alone
    assert trace.meta == "hot"


def test_focus_picks_features_and_fits_their_bounds():
    geojson = squares()
    part = subset_features(geojson, [3, 1])
    assert [f["id"] for f in part["features"]] == [1, 3]
    assert features_bounds(part) == (119.40, 32.40, 119.43, 32.41)
    assert features_bounds({"features": []}) is None
    outline = feature_outline(subset_features(geojson, [2]), name="网格")
    assert outline.lon.count(None) == 1 and min(x for x in outline.lon if x is not None) == 119.41


def test_layer_switches_leave_untagged_traces_on():
    assert layer_visibility(["cells", None, "points", "heat"], ["points"]) == [False, True, True, False]


def test_layers_stay_small_and_clustered_at_5000_cells():
    side = 0.001
    cells = gpd.GeoDataFrame({"cell_id": list(range(5000))},
                             geometry=[box(119.0 + (i % 100) * side, 32.0 + (i // 100) * side,
                                           119.0 + (i % 100 + 1) * side, 32.0 + (i // 100 + 1) * side)
                                       for i in range(5000)], crs="EPSG:4326")
    geojson = cell_geojson(cells, properties=(), simplify_m=2.0)
    assert len(geojson["features"]) == 5000
    assert all(len(f["geometry"]["coordinates"][0]) <= 6 for f in geojson["features"])  # squares stay squares
    n = 5000
    traces = matter_point_traces([119.0 + (i % 100) * side for i in range(n)], [32.0 + (i // 100) * side for i in range(n)],
                                 ["red" if i % 3 else "green" for i in range(n)], [str(i) for i in range(n)],
                                 labels=LABELS, hovertexts=[""] * n)
    assert all(t.cluster.enabled for t in traces)
    hot = hot_cell_trace(geojson, list(range(5000)), [3 if i % 50 == 0 else 0 for i in range(5000)],
                         labels=HOT_LABELS, title="Gi*", name="热点")
    assert len(hot.locations) == 100 and hot.showscale is False


def test_a_cell_is_shown_with_its_surroundings():
    assert padded_bounds((0.0, 0.0, 1.0, 2.0), 0.5) == (-0.5, -1.0, 1.5, 3.0)
    assert padded_bounds(None) is None


def test_every_light_keeps_a_trace_when_asked():
    traces = matter_point_traces([119.4], [32.4], ["red"], ["1"], labels=LABELS, hovertexts=[""], every_light=True)
    assert [t.legendgroup for t in traces] == ["red", "yellow", "green", "paused", "none"]
    assert [len(t.lon) for t in traces] == [1, 0, 0, 0, 0]
