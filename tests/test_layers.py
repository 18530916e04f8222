"""The geodata layer: GCJ-02 conversion, the demo township grid, point→cell assignment,
GeoJSON for the map, WKB for the store, and cell adjacency.

Reads only files in the repository; the one test that looks at /work/shared/realdata
skips when it is absent.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from layers.adjacency import cell_adjacency
from layers.assign import CellIndex, random_points_in
from layers.gcj02 import gcj02_geometry_to_wgs84, gcj02_to_wgs84, gdf_gcj02_to_wgs84, wgs84_to_gcj02
from layers.geojson import geometries_from_wkb, geometries_to_wkb, outline_lines, to_feature_collection
from layers.township import CELL_SIZE_M, TOWNSHIP_BOUNDARY_GEOJSON, TOWNSHIP_CODE, build_demo_township

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DISTRICTS = Path("/work/shared/realdata/yangzhou-districts/yangzhou_321000_districts.geojson")
UTM_50N = "EPSG:32650"

# A few places in and around Yangzhou (WGS-84): old city, 邗江 west, 江都, 高邮 north.
YANGZHOU_POINTS = np.array([[119.4380, 32.3940], [119.3700, 32.4000], [119.5650, 32.4300], [119.4590, 32.7830]])


def haversine_m(lon1, lat1, lon2, lat2):
    earth_radius_m = 6_371_008.8
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(d_lambda / 2) ** 2
    return 2 * earth_radius_m * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def demo():
    return build_demo_township(seed=7)


@pytest.fixture(scope="module")
def demo_m(demo):
    """The demo levels in metres, for areas."""
    return {name: getattr(demo, name).to_crs(UTM_50N) for name in ("township", "villages", "cells")}


# --- GCJ-02 -----------------------------------------------------------------------------


def test_known_beijing_pair_converts_both_ways_within_a_metre():
    wgs = (116.397128, 39.916527)
    gcj = (116.403364, 39.917930)
    lon, lat = wgs84_to_gcj02(*wgs)
    assert haversine_m(lon, lat, *gcj) < 1.0
    lon, lat = gcj02_to_wgs84(*gcj)
    assert haversine_m(lon, lat, *wgs) < 1.0


def test_yangzhou_points_round_trip_within_a_metre_and_really_move():
    lon, lat = YANGZHOU_POINTS[:, 0], YANGZHOU_POINTS[:, 1]
    gcj_lon, gcj_lat = wgs84_to_gcj02(lon, lat)
    shift_m = haversine_m(lon, lat, gcj_lon, gcj_lat)
    # The offset is what makes mixing the two visible on a map: hundreds of metres.
    assert np.all((shift_m > 200) & (shift_m < 1000))
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert np.all(haversine_m(lon, lat, back_lon, back_lat) < 1.0)
    # And from the GCJ-02 side, as DataV files arrive.
    wgs_lon, wgs_lat = gcj02_to_wgs84(lon, lat)
    again_lon, again_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert np.all(haversine_m(lon, lat, again_lon, again_lat) < 1.0)


def test_scalars_and_arrays_agree_and_scalars_stay_scalars():
    lon, lat = gcj02_to_wgs84(119.44, 32.39)
    assert isinstance(lon, float) and isinstance(lat, float)
    lons, lats = gcj02_to_wgs84(np.array([119.44, 119.37]), np.array([32.39, 32.40]))
    assert lons[0] == pytest.approx(lon, abs=1e-12) and lats[0] == pytest.approx(lat, abs=1e-12)


def test_points_outside_china_are_returned_unchanged():
    lon = np.array([2.3522, -74.006, 151.2093])  # Paris, New York, Sydney
    lat = np.array([48.8566, 40.7128, -33.8688])
    for convert in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = convert(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_geometry_and_geodataframe_conversion_move_every_vertex_like_points_do():
    square_gcj = box(119.40, 32.38, 119.41, 32.39)
    converted = gcj02_geometry_to_wgs84(square_gcj)
    expected_lon, expected_lat = gcj02_to_wgs84(*shapely.get_coordinates(square_gcj).T)
    np.testing.assert_allclose(shapely.get_coordinates(converted), np.column_stack([expected_lon, expected_lat]))

    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[square_gcj], crs="EPSG:4326")
    wgs = gdf_gcj02_to_wgs84(frame)
    assert wgs.crs.equals("EPSG:4326")
    assert wgs.geometry.iloc[0].equals_exact(converted, tolerance=0)
    assert frame.geometry.iloc[0].equals(square_gcj), "the input frame must not be modified"
    with pytest.raises(ValueError):
        gdf_gcj02_to_wgs84(frame.to_crs(UTM_50N))


# --- the committed township outline -------------------------------------------------------


def test_committed_township_outline_is_a_small_wgs84_polygon_near_yangzhou():
    collection = json.loads(TOWNSHIP_BOUNDARY_GEOJSON.read_text(encoding="utf-8"))
    (feature,) = collection["features"]
    outline = shapely.geometry.shape(feature["geometry"])
    assert outline.geom_type == "Polygon" and outline.is_valid
    assert TOWNSHIP_BOUNDARY_GEOJSON.stat().st_size < 20_000
    minx, miny, maxx, maxy = outline.bounds
    assert 119.33 < minx < maxx < 119.47 and 32.34 < miny < maxy < 32.44
    coordinates = shapely.get_coordinates(outline)
    np.testing.assert_array_equal(coordinates, np.round(coordinates, 6))
    area_km2 = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(UTM_50N).area.iloc[0] / 1e6
    assert 40 <= area_km2 <= 80


@pytest.mark.skipif(not REAL_DISTRICTS.exists(), reason="real district outlines (/work/shared/realdata) not present")
def test_committed_township_outline_lies_inside_real_hanjiang_district():
    districts = gdf_gcj02_to_wgs84(gpd.read_file(REAL_DISTRICTS)).to_crs(UTM_50N)
    hanjiang = districts.loc[districts["adcode"] == 321003].geometry.iloc[0]
    township = gpd.read_file(TOWNSHIP_BOUNDARY_GEOJSON).to_crs(UTM_50N).geometry.iloc[0]
    # The outline was simplified by 5 m after cutting, so allow a hair outside.
    assert township.difference(hanjiang).area / township.area < 1e-3
    # Unconverted (GCJ-02) the district sits hundreds of metres off and the test would see it.
    hanjiang_gcj = gpd.read_file(REAL_DISTRICTS).to_crs(UTM_50N)
    hanjiang_gcj = hanjiang_gcj.loc[hanjiang_gcj["adcode"] == 321003].geometry.iloc[0]
    assert township.difference(hanjiang_gcj).area / township.area > 1e-3


# --- the demo township --------------------------------------------------------------------


def test_demo_levels_have_expected_columns_counts_and_crs(demo, demo_m):
    assert list(demo.township.columns) == ["code", "name", "geometry"]
    assert list(demo.villages.columns) == ["code", "name", "geometry"]
    assert list(demo.cells.columns) == ["code", "name", "village_code", "worker_name", "worker_phone", "geometry"]
    for frame in (demo.township, demo.villages, demo.cells):
        assert frame.crs.equals("EPSG:4326")
    assert len(demo.township) == 1
    assert demo.township["code"].iloc[0] == TOWNSHIP_CODE == "321003101"
    assert demo.township["name"].iloc[0] == "运河街道"
    assert 10 <= len(demo.villages) <= 15
    assert 150 <= len(demo.cells) <= 300
    assert 40 <= demo_m["township"].area.iloc[0] / 1e6 <= 80


def test_codes_follow_the_unit_grid_scheme(demo):
    village_codes = demo.villages["code"]
    assert village_codes.is_unique
    assert village_codes.str.fullmatch(r"\d{12}").all()
    assert village_codes.str.startswith(TOWNSHIP_CODE).all()

    cell_codes = demo.cells["code"]
    assert cell_codes.is_unique
    assert cell_codes.str.fullmatch(r"\d{15}").all()
    assert (cell_codes.str[:12] == demo.cells["village_code"]).all()
    assert set(demo.cells["village_code"]) == set(village_codes)
    # Sequences inside each village run 001, 002, ... with no gaps.
    for _, group in demo.cells.groupby("village_code"):
        sequence = sorted(int(code[-3:]) for code in group["code"])
        assert sequence == list(range(1, len(group) + 1))


def test_names_read_like_a_chinese_township(demo):
    names = demo.villages["name"]
    assert names.is_unique
    assert names.str.fullmatch(r"[\u4e00-\u9fff]{1,4}(社区|村)").all()
    assert names.str.endswith("社区").sum() >= 2 and names.str.endswith("村").sum() >= 2

    village_name = dict(zip(demo.villages["code"], demo.villages["name"]))
    expected = [f"{village_name[v]}第{int(c[-3:]):02d}网格" for v, c in zip(demo.cells["village_code"], demo.cells["code"])]
    assert list(demo.cells["name"]) == expected
    assert demo.cells["worker_name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert demo.cells["worker_phone"].str.fullmatch(r"1\d{10}").all()
    assert demo.cells["worker_phone"].is_unique


def _main_grid_square(cell_m: Polygon) -> tuple[int, int]:
    """(row, column) of the CELL_SIZE_M square holding most of the cell; rows count northward."""
    minx, miny, maxx, maxy = cell_m.bounds
    best, best_area = None, -1.0
    for row in range(math.floor(miny / CELL_SIZE_M), math.ceil(maxy / CELL_SIZE_M)):
        for col in range(math.floor(minx / CELL_SIZE_M), math.ceil(maxx / CELL_SIZE_M)):
            square = box(col * CELL_SIZE_M, row * CELL_SIZE_M, (col + 1) * CELL_SIZE_M, (row + 1) * CELL_SIZE_M)
            area = cell_m.intersection(square).area
            if area > best_area:
                best, best_area = (row, col), area
    return best


def test_cells_are_numbered_north_to_south_then_west_to_east(demo_m):
    cells = demo_m["cells"].sort_values("code")
    for village_code, group in cells.groupby("village_code"):
        squares = [_main_grid_square(g) for g in group.geometry]
        rows = [row for row, _ in squares]
        assert rows == sorted(rows, reverse=True), f"{village_code}: a later code lies further north"
        first_row_cols = [col for row, col in squares if row == rows[0]]
        assert first_row_cols == sorted(first_row_cols), f"{village_code}: first row not numbered west→east"
        # And the first row holds the lowest numbers: 001 is on the village's northern edge.
        assert squares[0][0] == max(rows)


def test_villages_tile_the_township_and_cells_tile_their_villages(demo, demo_m):
    township_area = demo_m["township"].area.iloc[0]
    for level in ("villages", "cells"):
        frame = demo_m[level]
        assert frame.is_valid.all() and (frame.geom_type == "Polygon").all()
        total = frame.area.sum()
        union = shapely.union_all(frame.geometry.values).area
        assert abs(union - township_area) / township_area < 1e-9, f"{level}: gap against the township"
        assert abs(total - union) / township_area < 1e-9, f"{level}: overlapping pieces"
    assert demo.township.is_valid.all() and demo.township.geom_type.iloc[0] == "Polygon"

    villages = demo_m["villages"].set_index("code").geometry
    for cell_code, village_code, cell in demo_m["cells"][["code", "village_code", "geometry"]].itertuples(index=False):
        inside = cell.intersection(villages[village_code]).area / cell.area
        assert inside > 1 - 1e-9, f"{cell_code} spills out of {village_code}"


def test_no_sliver_cells(demo_m):
    areas = demo_m["cells"].area
    assert areas.min() >= 0.01 * areas.median()


def test_the_grid_matches_the_committed_outline(demo_m):
    outline = gpd.read_file(TOWNSHIP_BOUNDARY_GEOJSON).to_crs(UTM_50N).geometry.iloc[0]
    township = demo_m["township"].geometry.iloc[0]
    assert township.symmetric_difference(outline).area / outline.area < 1e-6


def test_same_seed_same_township_other_seed_other_township(demo):
    again = build_demo_township(seed=7)
    for level in ("township", "villages", "cells"):
        first, second = getattr(demo, level), getattr(again, level)
        pd.testing.assert_frame_equal(first.drop(columns="geometry"), second.drop(columns="geometry"))
        assert first.geometry.geom_equals_exact(second.geometry, tolerance=0).all()

    other = build_demo_township(seed=8)
    same_shape = len(other.cells) == len(demo.cells) and other.cells.geometry.geom_equals_exact(
        demo.cells.geometry, tolerance=1e-9
    ).all()
    assert not same_shape
    assert list(other.cells["worker_name"][:20]) != list(demo.cells["worker_name"][:20])


# --- point → cell assignment --------------------------------------------------------------


@pytest.fixture
def three_squares():
    """West and east squares side by side, a third north of the west one (0.01° each)."""
    x0, y0, side = 119.40, 32.38, 0.01
    return gpd.GeoDataFrame(
        {"code": ["west", "east", "north"]},
        geometry=[
            box(x0, y0, x0 + side, y0 + side),
            box(x0 + side, y0, x0 + 2 * side, y0 + side),
            box(x0, y0 + side, x0 + side, y0 + 2 * side),
        ],
        crs="EPSG:4326",
    )


def test_assign_inside_outside_and_on_a_shared_edge(three_squares):
    index = CellIndex(three_squares)
    lon = np.array([119.405, 119.415, 119.405, 119.415, 119.39, np.nan])
    lat = np.array([32.385, 32.385, 32.395, 32.395, 32.385, 32.385])
    np.testing.assert_array_equal(index.assign(lon, lat), [0, 1, 2, -1, -1, -1])

    # Points along the west/east shared edge each land in one of the two cells, the same
    # one whether asked alone or in a batch, in any order.
    edge_lat = np.linspace(32.3801, 32.3899, 7)
    edge_lon = np.full(edge_lat.size, 119.41)
    batch = index.assign(edge_lon, edge_lat)
    assert set(batch) <= {0, 1}
    alone = [index.assign(edge_lon[i : i + 1], edge_lat[i : i + 1])[0] for i in range(edge_lat.size)]
    np.testing.assert_array_equal(batch, alone)
    np.testing.assert_array_equal(index.assign(edge_lon[::-1], edge_lat[::-1]), batch[::-1])
    # The outer corner of the east square is still inside it.
    assert index.assign(np.array([119.42]), np.array([32.38]))[0] == 1


def test_assign_refuses_cells_without_lonlat_crs(three_squares):
    with pytest.raises(ValueError):
        CellIndex(three_squares.to_crs(UTM_50N))


def test_assign_agrees_with_geopandas_sjoin_on_the_demo_grid(demo):
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = demo.cells.total_bounds
    lon = rng.uniform(minx - 0.005, maxx + 0.005, 10_000)
    lat = rng.uniform(miny - 0.005, maxy + 0.005, 10_000)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin(points, demo.cells[["geometry"]].reset_index(drop=True), predicate="within", how="left")
    expected = joined.groupby(level=0)["index_right"].min().fillna(-1).astype(np.int64).to_numpy()

    assigned = CellIndex(demo.cells).assign(lon, lat)
    assert (assigned >= 0).sum() > 5_000 and (assigned == -1).sum() > 500  # both cases exercised
    np.testing.assert_array_equal(assigned, expected)


def test_assign_gives_the_same_answer_however_a_large_batch_is_split(demo):
    rng = np.random.default_rng(12)
    lon, lat = random_points_in(demo.township.geometry, [150_000], rng)
    index = CellIndex(demo.cells)
    whole = index.assign(lon, lat)  # large enough to run on several threads
    pieces = np.concatenate([index.assign(lon[i : i + 10_000], lat[i : i + 10_000]) for i in range(0, lon.size, 10_000)])
    np.testing.assert_array_equal(whole, pieces)
    assert (whole >= 0).all(), "a point inside the township fell in no cell"


def test_random_points_fall_inside_their_polygon_uniformly():
    # An L shape: its bounding box is a third empty, so a sampler that ignored the
    # shape, or favoured part of it, would show here.
    l_shape = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 3), (0, 3)])
    tiny = box(10, 10, 10.001, 10.001)
    rng = np.random.default_rng(5)
    x, y = random_points_in([l_shape, tiny], [30_000, 7], rng)
    assert x.size == y.size == 30_007
    assert shapely.contains_xy(l_shape, x[:30_000], y[:30_000]).all()
    assert shapely.contains_xy(tiny, x[30_000:], y[30_000:]).all()
    # The foot (x > 1) is 2 of the L's 5 unit squares.
    foot_share = np.mean(x[:30_000] > 1)
    assert foot_share == pytest.approx(0.4, abs=0.015)

    none_x, none_y = random_points_in([l_shape], [0], rng)
    assert none_x.size == none_y.size == 0


# --- adjacency ----------------------------------------------------------------------------


def test_queen_adjacency_on_a_three_by_three_grid():
    squares = [box(col, row, col + 1, row + 1) for row in range(3) for col in range(3)]
    grid = gpd.GeoDataFrame({"code": list("abcdefghi")}, geometry=squares, crs=UTM_50N)
    pairs = cell_adjacency(grid)
    assert list(pairs.columns) == ["a", "b"]
    neighbours = pairs.groupby("a")["b"].apply(set)
    assert neighbours[4] == {0, 1, 2, 3, 5, 6, 7, 8}  # the centre
    assert neighbours[0] == {1, 3, 4}  # a corner, including its diagonal
    assert len(neighbours[1]) == 5  # an edge middle
    assert not (pairs["a"] == pairs["b"]).any()
    forward = set(zip(pairs["a"], pairs["b"]))
    assert forward == {(b, a) for a, b in forward}


def test_every_demo_cell_has_a_neighbour(demo):
    pairs = cell_adjacency(demo.cells)
    assert set(pairs["a"]) == set(range(len(demo.cells)))


# --- GeoJSON and WKB ----------------------------------------------------------------------


def test_feature_collection_ids_and_properties_match_the_rows(demo):
    collection = to_feature_collection(demo.cells, "code", properties=("name", "worker_name"))
    features = collection["features"]
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in features] == list(demo.cells["code"])
    assert [f["properties"]["code"] for f in features] == list(demo.cells["code"])
    assert features[0]["properties"]["name"] == demo.cells["name"].iloc[0]
    json.dumps(collection, ensure_ascii=False)  # what Plotly will serialise


def test_simplified_feature_collection_keeps_every_cell_and_gets_smaller(demo):
    full = to_feature_collection(demo.cells, "code", decimals=6)
    simplified = to_feature_collection(demo.cells, "code", simplify_m=30, decimals=5)
    assert len(simplified["features"]) == len(demo.cells)
    shapes = [shapely.geometry.shape(f["geometry"]) for f in simplified["features"]]
    assert all(s.geom_type == "Polygon" and not s.is_empty and s.area > 0 for s in shapes)
    # Still where it was: each simplified cell overlaps its original mostly.
    originals = demo.cells.to_crs(UTM_50N).geometry.values
    shapes_m = gpd.GeoSeries(shapes, crs="EPSG:4326").to_crs(UTM_50N).values
    overlap = shapely.area(shapely.intersection(originals, shapes_m)) / shapely.area(originals)
    assert overlap.min() > 0.9
    coordinates = np.concatenate([shapely.get_coordinates(s) for s in shapes])
    np.testing.assert_array_equal(coordinates, np.round(coordinates, 5))
    assert len(json.dumps(simplified)) < len(json.dumps(full))


def test_outline_lines_break_between_rings(three_squares):
    lons, lats = outline_lines(three_squares)
    assert len(lons) == len(lats) == 3 * (5 + 1)  # three closed rings of 5 points, each ended by None
    assert [i for i, v in enumerate(lons) if v is None] == [5, 11, 17]
    assert lons[:5] == shapely.get_coordinates(three_squares.geometry.iloc[0].exterior)[:, 0].tolist()


def test_wkb_round_trip_keeps_geometry_and_lonlat(demo):
    blobs = geometries_to_wkb(demo.villages)
    assert all(isinstance(b, bytes) for b in blobs)
    back = geometries_from_wkb(blobs)
    assert back.crs.equals("EPSG:4326")
    assert back.geom_equals_exact(demo.villages.geometry.reset_index(drop=True), tolerance=0).all()
    # A projected frame is stored in lon/lat all the same.
    from_metres = geometries_from_wkb(geometries_to_wkb(demo.villages.to_crs(UTM_50N)))
    assert from_metres.geom_equals_exact(demo.villages.geometry.reset_index(drop=True), tolerance=1e-9).all()


# --- the import line ----------------------------------------------------------------------


def test_layers_never_import_the_app_or_the_store():
    code = (
        "import sys, layers, layers.gcj02, layers.township, layers.assign, layers.geojson, layers.adjacency\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'dash', 'dashboard', 'duckdb'})\n"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
