"""Resources (DOMAIN.md §5): the demo's set, distances in a projected CRS, the import with
its all-or-nothing rules and rejects file, the API, and the import through a running server."""
from __future__ import annotations

import csv
import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import requests
import shapely
from pyproj import Geod

from dashboard.launch import running_server
from layers.resourceimport import import_resources
from queries import resources
from queries.store import Store
from tests.servers import REPO, copy_db

# A hand-made fixture: points at known bearings and distances from an origin in the demo
# township (Yangzhou), offsets computed on the ellipsoid.
ORIGIN = (119.4215, 32.4290)
GEOD = Geod(ellps="WGS84")
OFFSETS = [(0, 12.0), (45, 150.0), (90, 420.0), (135, 777.0), (180, 1234.5), (225, 1999.0), (270, 2600.0),
           (315, 3900.0), (10, 6000.0)]


def fixture_points() -> list[tuple[str, float, float, float]]:
    out = []
    for i, (bearing, metres) in enumerate(OFFSETS):
        lon, lat, _ = GEOD.fwd(ORIGIN[0], ORIGIN[1], bearing, metres)
        out.append((f"点{i}", lon, lat, metres))
    return out


def write_csv(path, rows, header=("编号", "名称", "类型", "电话", "状态", "经度", "纬度", "容量")):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


MAPPING = """
[columns]
id = "编号"
name = "名称"
kind = "类型"
contact = "电话"
state = "状态"
lon = "经度"
lat = "纬度"
capacity = "容量"

[kind]
"应急队伍" = "emergency_team"
"摄像头" = "camera"
"车辆" = "vehicle"

[state]
"正常" = "available"
"出勤" = "busy"
"离线" = "offline"
"""


@pytest.fixture
def store(empty_db_path, tmp_path):
    s = Store(copy_db(empty_db_path, tmp_path))
    yield s
    s.close()


def scope_of(store):
    return store.all_village_ids() + [-1]


@pytest.fixture
def fixture_store(store, tmp_path):
    """The township with its demo vehicles replaced by the hand-made points."""
    rows = [(f"V{i}", name, "车辆", "13900000000", "正常", lon, lat, "") for i, (name, lon, lat, _) in
            enumerate(fixture_points())]
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    result = import_resources(store, path=str(write_csv(tmp_path / "v.csv", rows)), mapping=str(mapping))
    assert result["imported"] == len(OFFSETS) and result["rejected"] == 0
    return store


def test_the_demo_has_every_kind_with_contacts_and_states(store):
    got = store.frame("SELECT kind, count(*) AS n, count(contact) AS contacts, count(cell_id) AS placed, "
                      "list(DISTINCT state) AS states FROM resources GROUP BY kind")
    assert set(got["kind"]) == set(resources.KINDS)
    assert (got["placed"] == got["n"]).all()
    teams = got.set_index("kind").loc[["emergency_team", "vehicle", "grid_worker", "shelter"]]
    assert (teams["contacts"] == teams["n"]).all()
    assert "busy" in got.set_index("kind").loc["vehicle", "states"]


def test_nearest_distances_equal_geopandas_in_a_projected_crs(fixture_store):
    """The brief's check: our distances equal geopandas' in a projected CRS within 1 m."""
    found = resources.near(fixture_store, lon=ORIGIN[0], lat=ORIGIN[1], radius_m=5000,
                           scope=scope_of(fixture_store), kinds=["vehicle"])
    expected_in = [p for p in fixture_points() if p[3] <= 5000]
    assert list(found["name"]) == [p[0] for p in expected_in]          # nearest first, 6 km left out
    points = gpd.GeoSeries(shapely.points(found["lon"], found["lat"]), crs="EPSG:4326")
    origin = gpd.GeoSeries(shapely.points([ORIGIN[0]], [ORIGIN[1]]), crs="EPSG:4326")
    for crs in ("EPSG:32650", "EPSG:4549"):          # UTM 50N; CGCS2000 3° Gauss-Krüger, CM 120°E
        theirs = points.to_crs(crs).distance(origin.to_crs(crs).iloc[0]).to_numpy()
        assert np.abs(found["distance_m"].to_numpy() - theirs).max() < 1.0, crs
    # and the ground truth on the ellipsoid, within 1 m at these township distances
    assert np.abs(found["distance_m"].to_numpy() - np.array([p[3] for p in expected_in])).max() < 1.0
    assert list(found.columns) == ["id", "kind", "name", "contact", "state", "lon", "lat", "cell", "distance_m"]


def test_near_respects_radius_kind_and_scope(fixture_store):
    scope = scope_of(fixture_store)
    small = resources.near(fixture_store, lon=ORIGIN[0], lat=ORIGIN[1], radius_m=500, scope=scope,
                           kinds=["vehicle"])
    assert list(small["name"]) == ["点0", "点1", "点2"]
    everything = resources.near(fixture_store, lon=ORIGIN[0], lat=ORIGIN[1], radius_m=500, scope=scope)
    assert set(everything["kind"]) > {"vehicle"} and everything["distance_m"].is_monotonic_increasing
    assert resources.near(fixture_store, lon=ORIGIN[0], lat=ORIGIN[1], radius_m=500, scope=[]).empty
    one_village = fixture_store.scalar("SELECT village_id FROM resources WHERE name = '点0'")
    other = [v for v in scope if v != one_village]
    hidden = resources.near(fixture_store, lon=ORIGIN[0], lat=ORIGIN[1], radius_m=500, scope=other)
    assert "点0" not in set(hidden["name"])
    with pytest.raises(ValueError):
        resources.near(fixture_store, lon=ORIGIN[0], lat=ORIGIN[1], radius_m=0, scope=scope)


def test_in_cell_lists_the_cells_resources(store):
    code, count = store.frame("SELECT c.code, count(*) AS n FROM resources r JOIN areas c ON c.area_id = r.cell_id "
                              "GROUP BY c.code ORDER BY n DESC, c.code LIMIT 1").iloc[0]
    got = resources.in_cell(store, code, scope=scope_of(store))
    assert len(got) == count and set(got["cell"]) == {code}
    assert resources.in_cell(store, code, scope=[]).empty


def test_measure_crs_is_the_points_utm_zone():
    assert resources.measure_crs(119.42, 32.43) == "EPSG:32650"
    assert resources.measure_crs(104.06, 30.67) == "EPSG:32648"      # Chengdu
    assert resources.measure_crs(-71.06, 42.36) == "EPSG:32619"      # Boston


# -- the import -------------------------------------------------------------------------
def test_import_rejects_bad_rows_and_keeps_the_others(store, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    rows = [
        ("T1", "防汛抢险一队", "应急队伍", "0514-1", "出勤", *ORIGIN, "30"),
        ("T2", "", "应急队伍", "", "正常", 119.42, 32.43, ""),                 # no name
        ("T3", "救援队", "应急队伍", "", "正常", "", "", ""),                   # no coordinates
        ("T4", "救援队", "应急队伍", "", "正常", 119.42, 32.43, "many"),        # capacity
        ("T1", "重复", "应急队伍", "", "正常", 119.42, 32.43, ""),              # repeated id
        ("C1", "高清探头", "摄像头", "", "离线", *ORIGIN, ""),
        ("C2", "外地探头", "camera", "", "", 118.0, 31.0, ""),                 # outside the grid: kept
    ]
    before = dict(store.frame("SELECT kind, count(*) AS n FROM resources GROUP BY kind").values)
    result = import_resources(store, path=str(write_csv(tmp_path / "r.csv", rows)), mapping=str(mapping))
    assert (result["imported"], result["rejected"]) == (3, 4)
    assert result["rejected_by_reason"] == {"no name": 1, "no coordinates (or not numbers)": 1,
                                            "capacity is not a whole number ≥ 0": 1,
                                            "repeats the id of an earlier row": 1}
    assert result["without_cell"] == 1 and result["by_kind"] == {"camera": 2, "emergency_team": 1}
    after = dict(store.frame("SELECT kind, count(*) AS n FROM resources GROUP BY kind").values)
    assert after["camera"] == 2 and after["emergency_team"] == 1          # the file's kinds replaced
    assert after["shelter"] == before["shelter"]                          # the others kept
    team = store.frame("SELECT state, contact, capacity, origin, cell_id FROM resources "
                       "WHERE external_ref = 'T1'").iloc[0]
    assert (team["state"], team["contact"], int(team["capacity"]), team["origin"]) == ("busy", "0514-1", 30,
                                                                                       "imported")
    assert team["cell_id"] is not None
    with open(result["rejects_file"], encoding="utf-8") as fh:
        rejects = list(csv.DictReader(fh))
    assert [r["row"] for r in rejects] == ["2", "3", "4", "5"] and rejects[0]["编号"] == "T2"


def test_import_is_all_or_nothing_on_an_unmapped_value_or_column(store, tmp_path):
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    rows = [("T1", "队", "应急队伍", "", "正常", 119.42, 32.43, ""), ("X", "塔吊", "塔吊", "", "正常", 119.42, 32.43, "")]
    count = store.scalar("SELECT count(*) FROM resources")
    with pytest.raises(ValueError, match="kind values with no entry.*塔吊"):
        import_resources(store, path=str(write_csv(tmp_path / "r.csv", rows)), mapping=str(mapping))
    assert store.scalar("SELECT count(*) FROM resources") == count
    assert not (tmp_path / "r.csv.rejects.csv").exists()
    wrong = tmp_path / "w.toml"
    wrong.write_text(MAPPING.replace('contact = "电话"', 'contact = "手机"'), encoding="utf-8")
    with pytest.raises(ValueError, match="no column '手机'.*'电话'"):
        import_resources(store, path=str(tmp_path / "r.csv"), mapping=str(wrong))
    assert store.scalar("SELECT count(*) FROM resources") == count


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_import_reads_geodata_files_in_their_crs(store, tmp_path, suffix):
    """A GeoJSON in lon/lat and a GeoPackage in CGCS2000 Gauss-Krüger land at the same points."""
    pts = fixture_points()[:3]
    gdf = gpd.GeoDataFrame({"名称": [p[0] for p in pts], "类型": ["避难场所"] * 3, "容纳人数": [100, 200, 300]},
                           geometry=shapely.points([p[1] for p in pts], [p[2] for p in pts]), crs="EPSG:4326")
    if suffix == ".gpkg":
        gdf = gdf.to_crs("EPSG:4549")
    gdf.to_file(tmp_path / f"s{suffix}")
    mapping = {"columns": {"name": "名称", "kind": "类型", "capacity": "容纳人数"}, "kind": {"避难场所": "shelter"}}
    result = import_resources(store, path=str(tmp_path / f"s{suffix}"), mapping=mapping)
    assert result["imported"] == 3 and result["replaced"] == {"shelter": 10}
    got = store.frame("SELECT name, lon, lat FROM resources WHERE kind = 'shelter' ORDER BY name")
    assert np.allclose(got["lon"], [p[1] for p in pts], atol=1e-7)
    assert np.allclose(got["lat"], [p[2] for p in pts], atol=1e-7)


# -- the API ----------------------------------------------------------------------------
def test_api_lists_resources_by_kind_cell_and_distance(writable_app):
    app, store = writable_app
    client = app.server.test_client()
    r = client.get("/api/v1/resources?kind=shelter")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == len(body["items"]) > 0 and {i["kind"] for i in body["items"]} == {"shelter"}
    assert "distance_m" not in body["items"][0]
    first = body["items"][0]
    r = client.get(f"/api/v1/resources?near={first['lon']},{first['lat']}&radius_m=700")
    items = r.get_json()["items"]
    assert items[0]["id"] == first["id"] and items[0]["distance_m"] == 0
    assert all(a["distance_m"] <= b["distance_m"] <= 700 for a, b in zip(items, items[1:]))
    r = client.get(f"/api/v1/resources?cell={first['cell']}")
    assert {i["cell"] for i in r.get_json()["items"]} == {first["cell"]}
    for bad in ("near=119.4", "near=a,b", "near=119.4,32.4&radius_m=-5", "radius_m=10", "kind=tank", "colour=red"):
        r = client.get(f"/api/v1/resources?{bad}")
        assert r.status_code == 422, bad
        assert set(r.get_json()) == {"status", "error", "errors"} and r.get_json()["errors"]


def test_import_resources_works_while_the_server_runs(empty_db_path, admin_token, tmp_path):
    db = copy_db(empty_db_path, tmp_path)
    from tests.servers import add_test_admin

    token = add_test_admin(db)
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    rows = [(f"V{i}", name, "车辆", "", "正常", lon, lat, "") for i, (name, lon, lat, _) in enumerate(fixture_points())]
    path = write_csv(tmp_path / "v.csv", rows)
    with running_server(db, tmp_path) as url:
        r = subprocess.run([sys.executable, "-m", "dashboard", "import-resources", "--db", str(db), str(path),
                            "--mapping", str(mapping)], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert "through the server" in r.stdout and "9 imported" in r.stdout
        got = requests.get(f"{url}/api/v1/resources", params={"kind": "vehicle", "near": f"{ORIGIN[0]},{ORIGIN[1]}",
                                                              "radius_m": 1000},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        assert [i["name"] for i in got["items"]] == ["点0", "点1", "点2", "点3"]
        r = subprocess.run([sys.executable, "-m", "dashboard", "import-resources", "--db", str(db),
                            str(tmp_path / "missing.csv"), "--mapping", str(mapping)], cwd=REPO,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 2 and r.stderr.startswith("error: ") and "missing.csv" in r.stderr
    store = Store(db, read_only=True)
    try:
        audit = store.frame("SELECT what, outcome FROM audit_log WHERE what = 'import' ORDER BY audit_id")
        assert list(audit["outcome"]) == ["ok", "failed"]
        assert json.loads(json.dumps(store.scalar("SELECT count(*) FROM resources WHERE kind = 'vehicle'"))) == 9
    finally:
        store.close()
