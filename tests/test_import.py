"""Bring your own township (issue 4): grid and matter imports on real and hand-made files.

Real data: Boston neighborhoods + the 2015 Boston 311 export, the LA neighborhood councils
+ the MyLA311 sample (../shared/realdata; the tests skip when it is absent). Hand-made
files cover the formats (Shapefile folder and .zip in a projected CRS with GBK names,
GCJ-02, Excel, CSV.gz, GBK CSV), every row check, and the bad files that must change
nothing.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import requests
import shapely
from shapely.geometry import box

from dashboard.cli import main
from layers.assign import CellIndex
from layers.gcj02 import wgs84_to_gcj02
from layers.geojson import geometries_from_wkb
from layers.gridimport import import_grid
from layers.matterimport import import_matters
from queries.imports.mapping import load_mapping
from queries.lifecycle import replay
from queries.store import Store
from tests.importdata import (
    CITIES,
    REPO,
    db_fingerprint,
    imported_city,
    independent_cells,
    independent_city,
    require_realdata,
)

STATE_FIELDS = ("status", "lead_dept_id", "dispatched_at", "signed_at", "feedback_at", "closed_at",
                "followed_up_at", "voided_at", "escalated_at", "suspended_at", "extension_count",
                "supervision_count", "rework_count", "return_count", "satisfaction", "event_count")
YANGZHOU_CGCS2000_GK = "EPSG:4549"     # CGCS2000 / 3-degree Gauss-Kruger CM 120E
WENCHANG_WGS84 = (119.4380, 32.3940)   # 文昌阁, Yangzhou's old city


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    return tmp_path_factory.mktemp("cities")


def fresh(tmp_path: Path, name: str = "t.duckdb") -> Path:
    path = tmp_path / name
    Store(path, create=True).close()
    return path


def copy_of(db: Path, tmp_path: Path, name: str = "copy.duckdb") -> Path:
    target = tmp_path / name
    shutil.copy(db, target)
    return target


def _none(v):
    if v is None or (not isinstance(v, (list, np.ndarray)) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.integer):
        return int(v)
    return v


def assert_replays(store: Store, where: str = "origin = 'import'", sample: int = 3000) -> int:
    """Each imported matter's state is the replay of its events (due_at aside: an import
    keeps the file's due time, with no working-time limit to replay it from)."""
    matters = store.frame(f"SELECT * FROM matters WHERE {where} USING SAMPLE {sample} ROWS (reservoir, 5)")
    ids = [int(i) for i in matters["matter_id"]]
    events = store.frame("SELECT * FROM events WHERE list_contains(?, matter_id) ORDER BY matter_id, seq", [ids])
    by_matter = dict(tuple(events.groupby("matter_id")))
    for row in matters.itertuples(index=False):
        evs = by_matter[row.matter_id]
        assert list(evs["seq"]) == list(range(1, len(evs) + 1))
        assert evs["occurred_at"].is_monotonic_increasing
        state = replay(({k: _none(v) for k, v in e.items()} for e in evs.to_dict("records")),
                       created_at=row.created_at.to_pydatetime(), limit_min=None, calendar=store.calendar)
        for f in STATE_FIELDS:
            assert _none(getattr(state, f)) == _none(getattr(row, f)), (row.matter_id, f)
    return len(matters)


# -- the real cities --------------------------------------------------------------------
def test_boston_import_summary_and_rejects(cities):
    db, grid, summary = imported_city("boston", cities)
    rows = independent_city("boston")
    assert summary["rows_read"] == len(rows) == 121_145
    assert summary["imported"] == int(rows["reason"].isna().sum())
    want_reasons = rows["reason"].dropna().value_counts().to_dict()
    assert summary["rejected_by_reason"] == want_reasons == {"closed_at earlier than created_at": 197}
    rejects = pd.read_csv(summary["rejects_file"], dtype=str, keep_default_na=False)
    assert list(rejects.columns[-2:]) == ["row", "reason"]
    assert rejects["row"].astype(int).tolist() == [i + 1 for i in rows.index[rows["reason"].notna()]]
    assert rejects["CASE_ENQUIRY_ID"].tolist() == rows.loc[rows["reason"].notna(), "ext_id"].tolist()
    assert summary["without_cell"] == int((rows.loc[rows["reason"].isna(), "cell"] == "").sum())
    assert summary["departments_created"] == 17 and summary["categories_created"] == 158
    assert summary["rows_per_s"] > 0
    print(f"\nBoston: {summary['rows_read']:,} rows in {summary['seconds']} s = {summary['rows_per_s']:,} rows/s")

    store = Store(db, read_only=True)
    try:
        assert store.scalar("SELECT count(*) FROM matters WHERE origin = 'import'") == summary["imported"]
        assert store.scalar("SELECT count(DISTINCT matter_id) FROM matters") == summary["imported"]
        assert store.scalar("SELECT bool_and(imported) FROM departments") is True
        cells = store.frame("SELECT code, origin FROM areas WHERE level = 'cell' ORDER BY area_id")
        assert cells["code"].tolist() == gpd.read_file(CITIES["boston"].grid)["Name"].tolist()
        assert set(cells["origin"]) == {"import"}
        # the matter keeps its own id; the cell is the independent one
        got = store.frame("SELECT m.external_ref, coalesce(c.code, '') AS cell FROM matters m "
                          "LEFT JOIN areas c ON c.area_id = m.cell_id")
        want = rows.loc[rows["reason"].isna(), ["ext_id", "cell"]]
        assert dict(zip(got["external_ref"], got["cell"])) == dict(zip(want["ext_id"], want["cell"]))
        assert assert_replays(store) == 3000
        # the open matters and the rollups were rebuilt
        assert store.scalar("SELECT count(*) FROM open_matters") == \
            store.scalar("SELECT count(*) FROM matters WHERE status <> 'closed'") == 19_873
        assert store.scalar("SELECT sum(received) FROM daily_rollup") == summary["imported"]
    finally:
        store.close()


def test_invalid_polygon_is_repaired_with_a_warning_naming_it(cities):
    db, grid, _ = imported_city("boston", cities)
    assert len(grid["warnings"]) == 1
    assert grid["warnings"][0].startswith("cell 'Hyde Park': invalid polygon (Ring Self-intersection")
    assert "repaired" in grid["warnings"][0]
    store = Store(db, read_only=True)
    try:
        geoms = geometries_from_wkb(store.frame("SELECT geom FROM areas ORDER BY area_id")["geom"].tolist())
        assert geoms.is_valid.all()
        assert store.frame("SELECT level, count(*) AS n FROM areas GROUP BY level ORDER BY level")["n"].tolist() \
            == [26, 1, 1]   # cell, township, village (no parent field: one village holding every cell)
    finally:
        store.close()


def test_la_import_with_parent_field_points_and_overlapping_councils(cities):
    db, grid, summary = imported_city("la", cities)
    rows = independent_city("la")
    assert summary["imported"] == int(rows["reason"].isna().sum()) == 9_977
    assert summary["without_coordinates"] == 5          # no Location text
    assert grid["villages"] == 12 and grid["cells"] == 99
    store = Store(db, read_only=True)
    try:
        villages = store.frame("SELECT v.name, count(*) AS cells FROM areas c JOIN areas v ON v.area_id = c.village_id "
                               "WHERE c.level = 'cell' GROUP BY v.name")
        councils = gpd.read_file(CITIES["la"].grid)
        assert dict(zip(villages["name"], villages["cells"])) == councils["service_re"].value_counts().to_dict()
        got = store.frame("SELECT m.external_ref, coalesce(c.code, '') AS cell FROM matters m "
                          "LEFT JOIN areas c ON c.area_id = m.cell_id")
        want = rows.loc[rows["reason"].isna(), ["ext_id", "cell"]]
        assert dict(zip(got["external_ref"], got["cell"])) == dict(zip(want["ext_id"], want["cell"]))
        assert assert_replays(store) == 3000
    finally:
        store.close()


def test_overlapping_cells_go_to_the_lowest_row():
    cells = gpd.GeoDataFrame(geometry=[box(0, 0, 0.02, 0.02), box(0.01, 0.01, 0.03, 0.03)], crs="EPSG:4326")
    index = CellIndex(cells, pixel_size_deg=0.0005)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(0, 0.03, 20_000), rng.uniform(0, 0.03, 20_000)
    got = index.assign(lon, lat)
    in_first = (lon <= 0.02) & (lat <= 0.02)
    in_second = (lon >= 0.01) & (lat >= 0.01)
    assert np.array_equal(got, np.where(in_first, 0, np.where(in_second, 1, -1)))


def test_reimport_replaces_the_grid_atomically_and_refiles_matters(cities, tmp_path):
    db = copy_of(imported_city("boston", cities)[0], tmp_path)
    before = Store(db, read_only=True)
    version, max_area = before.data_version(), before.scalar("SELECT max(area_id) FROM areas")
    before.close()
    # The neighbourhoods again, as a Shapefile in Massachusetts State Plane (metres), with a
    # made-up parent level: the first letter of the name.
    hoods = gpd.read_file(CITIES["boston"].grid)
    hoods = hoods.assign(HOOD_ID=hoods["Neighborhood_ID"], district=hoods["Name"].str[0])
    shp_dir = tmp_path / "hoods_shp"
    shp_dir.mkdir()
    hoods[["HOOD_ID", "Name", "district", "geometry"]].to_crs("EPSG:26986").to_file(shp_dir / "hoods.shp")
    store = Store(db)
    try:
        result = import_grid(store, path=str(shp_dir), id_field="HOOD_ID", name_field="Name",
                             parent_field="district")
        assert store.data_version() == version + 1
        assert store.scalar("SELECT min(area_id) FROM areas") == max_area + 1
        assert result["villages"] == hoods["district"].nunique() and result["cells"] == 26
        assert result["matters_refiled"] == store.scalar("SELECT count(*) FROM matters")
        read_back = gpd.read_file(shp_dir / "hoods.shp")
        city = CITIES["boston"]
        matters = store.frame("SELECT matter_id, lon, lat, cell_id, village_id FROM matters")
        want = independent_cells(type(city)(**{**city.__dict__, "id_field": "HOOD_ID"}), matters, read_back)
        cells = store.frame("SELECT area_id, code, village_id FROM areas WHERE level = 'cell'")
        code_of = dict(zip(cells["area_id"], cells["code"]))
        got = matters["cell_id"].map(lambda c: "" if pd.isna(c) else code_of[int(c)])
        assert got.tolist() == want.tolist()
        village_of = dict(zip(cells["area_id"], cells["village_id"]))
        assert (matters["village_id"].dropna().astype(int)
                == matters["cell_id"].dropna().astype(int).map(village_of)).all()
        assert store.scalar("SELECT sum(received) FROM daily_rollup WHERE village_id = -1") == (got == "").sum()
        assert store.meta("township_name") == "Boston"      # kept on a re-import
        assert store.scalar("SELECT count(*) FROM cell_adjacency WHERE cell_id <= ? OR neighbor_id <= ?",
                            [max_area, max_area]) == 0
        assert store.scalar("SELECT count(*) FROM cell_adjacency") > 0
    finally:
        store.close()


# -- formats ------------------------------------------------------------------------------
def square_grid() -> gpd.GeoDataFrame:
    """3 × 3 cells of 500 m in CGCS2000 3° Gauss-Krüger (CM 120°E) around 文昌阁, three
    villages (one per row), Chinese names, 15-digit codes."""
    lon, lat = WENCHANG_WGS84
    x0, y0 = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs="EPSG:4326").to_crs(YANGZHOU_CGCS2000_GK) \
        .iloc[0].coords[0]
    rows = []
    for r in range(3):
        for c in range(3):
            rows.append({"GRID_CODE": f"321003101{r + 1:03d}{c + 1:03d}", "GRID_NAME": f"第{r * 3 + c + 1}网格",
                         "VIL_CODE": f"321003101{r + 1:03d}", "VIL_NAME": ["文昌社区", "运河村", "湖滨社区"][r],
                         "geometry": box(x0 - 750 + c * 500, y0 + 250 - r * 500, x0 - 250 + c * 500, y0 + 750 - r * 500)})
    return gpd.GeoDataFrame(rows, crs=YANGZHOU_CGCS2000_GK)


def stored_areas(store: Store) -> gpd.GeoDataFrame:
    frame = store.frame("SELECT area_id, level, code, name, village_id, geom FROM areas ORDER BY area_id")
    return gpd.GeoDataFrame(frame.drop(columns="geom"), geometry=geometries_from_wkb(frame["geom"].tolist()).values,
                            crs="EPSG:4326")


@pytest.mark.parametrize("packaging", ["folder", "zip", "shp"])
def test_shapefile_round_trip_gbk_projected(packaging, tmp_path):
    grid = square_grid()
    folder = tmp_path / "grid"
    folder.mkdir()
    grid.to_file(folder / "wangge.shp", encoding="GBK")
    (folder / "wangge.cpg").unlink(missing_ok=True)    # as many real exports: no code page file
    source = {"folder": folder, "shp": folder / "wangge.shp"}.get(packaging)
    if packaging == "zip":
        source = tmp_path / "wangge.zip"
        with zipfile.ZipFile(source, "w") as z:
            for f in folder.iterdir():
                z.write(f, f"exports/{f.name}")
    db = fresh(tmp_path)
    store = Store(db)
    try:
        result = import_grid(store, path=str(source), id_field="GRID_CODE", name_field="GRID_NAME",
                             parent_field="VIL_CODE", parent_name_field="VIL_NAME", encoding="GBK",
                             township_name="运河街道")
        assert result["cells"] == 9 and result["villages"] == 3 and result["warnings"] == []
        areas = stored_areas(store)
        # queen contiguity of a 3 × 3 block, both directions: 4 corners × 3 + 4 edges × 5 + 8
        assert store.scalar("SELECT count(*) FROM cell_adjacency c JOIN areas a ON a.area_id = c.cell_id "
                            "JOIN areas b ON b.area_id = c.neighbor_id WHERE a.level = 'cell' "
                            "AND b.level = 'cell'") == 40
    finally:
        store.close()
    cells = areas[areas["level"] == "cell"].reset_index(drop=True)
    assert cells["code"].tolist() == grid["GRID_CODE"].tolist()
    assert cells["name"].tolist() == grid["GRID_NAME"].tolist()
    back = cells.to_crs(YANGZHOU_CGCS2000_GK)
    for got, want in zip(back.geometry, grid.geometry):
        assert got.hausdorff_distance(want) < 1e-3 and len(got.exterior.coords) == len(want.exterior.coords)
    villages = areas[areas["level"] == "village"].set_index("code")
    assert villages["name"].to_dict() == {"321003101001": "文昌社区", "321003101002": "运河村", "321003101003": "湖滨社区"}
    for code, group in grid.groupby("VIL_CODE"):
        assert villages.loc[code].geometry.area == pytest.approx(
            gpd.GeoSeries(group.geometry.values, crs=grid.crs).to_crs("EPSG:4326").union_all().area, rel=1e-9)
    township = areas[areas["level"] == "township"].iloc[0]
    assert township["name"] == "运河街道"
    assert township.geometry.area == pytest.approx(cells.geometry.union_all().area, rel=1e-9)
    assert (cells["village_id"].map(dict(zip(areas["area_id"], areas["code"]))) == grid["VIL_CODE"]).all()


def test_geopackage_layers_and_files_without_a_crs(tmp_path):
    grid = square_grid()
    grid.to_file(tmp_path / "g.gpkg", layer="wangge", driver="GPKG")
    grid.to_crs("EPSG:4326").to_file(tmp_path / "g.gpkg", layer="wangge_wgs84", driver="GPKG")
    db = fresh(tmp_path)
    before = db_fingerprint(db)
    store = Store(db)
    try:
        with pytest.raises(ValueError, match=r"holds several layers \(wangge, wangge_wgs84\); choose one with --layer"):
            import_grid(store, path=str(tmp_path / "g.gpkg"), id_field="GRID_CODE")
        result = import_grid(store, path=str(tmp_path / "g.gpkg"), id_field="GRID_CODE", layer="wangge")
        assert result["cells"] == 9 and result["crs"] == "EPSG:4549"
        # A Shapefile without its .prj: lon/lat numbers are read as WGS-84, with a warning ...
        grid.to_crs("EPSG:4326").to_file(tmp_path / "noprj.shp")
        (tmp_path / "noprj.prj").unlink()
        result = import_grid(store, path=str(tmp_path / "noprj.shp"), id_field="GRID_CODE")
        assert result["cells"] == 9 and "declares no CRS" in result["warnings"][0]
        # ... metres are refused until --crs says what they are
        grid.to_file(tmp_path / "metres.shp")
        (tmp_path / "metres.prj").unlink()
        with pytest.raises(ValueError, match="declares no CRS and its coordinates are not longitude/latitude"):
            import_grid(store, path=str(tmp_path / "metres.shp"), id_field="GRID_CODE")
        result = import_grid(store, path=str(tmp_path / "metres.shp"), id_field="GRID_CODE",
                             crs=YANGZHOU_CGCS2000_GK)
        assert result["cells"] == 9 and result["warnings"] == []
    finally:
        store.close()
    assert db_fingerprint(db)[0] == before[0] + 3       # three imports, one data version each


def test_the_same_grid_reimported_again_and_again(tmp_path):
    """Re-importing keeps the same codes: DuckDB must accept deleting and re-inserting them,
    import after import (it once refused the third)."""
    square_grid().to_file(tmp_path / "g.gpkg", layer="wangge", driver="GPKG")
    (tmp_path / "m.csv").write_text(SMALL)
    store = Store(fresh(tmp_path))
    try:
        import_matters(store, path=str(tmp_path / "m.csv"), mapping=SMALL_MAPPING)
        for _ in range(4):
            result = import_grid(store, path=str(tmp_path / "g.gpkg"), id_field="GRID_CODE",
                                 parent_field="VIL_CODE")
            assert result["cells"] == 9 and result["matters_in_a_cell"] == 2
        assert store.scalar("SELECT count(*) FROM areas") == 13
    finally:
        store.close()


def test_gcj02_grid_and_points_come_back_within_a_metre(tmp_path):
    """Cells drawn in WGS-84 around 文昌阁, published in GCJ-02 (as Gaode/DataV would); the
    import must land them, and a matter reported in GCJ-02, within 1 m of where they are."""
    lon, lat = WENCHANG_WGS84
    cells = [box(lon - 0.01 + i * 0.01, lat - 0.005, lon + i * 0.01, lat + 0.005) for i in range(2)]
    wgs = gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=cells, crs="EPSG:4326")
    gcj = wgs.copy()
    gcj["geometry"] = shapely.transform(np.asarray(wgs.geometry.values, dtype=object),
                                        lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
    offset_m = gcj.to_crs("EPSG:32650").centroid.distance(wgs.to_crs("EPSG:32650").centroid).min()
    assert offset_m > 100        # GCJ-02 is hundreds of metres off: the test would notice no conversion
    gcj.to_file(tmp_path / "gcj.geojson", driver="GeoJSON")
    point_gcj = wgs84_to_gcj02(lon + 0.0002, lat + 0.0001)      # just inside cell B
    (tmp_path / "m.csv").write_text(f"no,time,x,y\n1,2024-05-01 09:00:00,{point_gcj[0]!r},{point_gcj[1]!r}\n")
    store = Store(fresh(tmp_path))
    try:
        import_grid(store, path=str(tmp_path / "gcj.geojson"), id_field="id", from_gcj02=True)
        areas = stored_areas(store)
        summary = import_matters(store, path=str(tmp_path / "m.csv"), mapping={
            "columns": {"id": "no", "created_at": "time", "lon": "x", "lat": "y"},
            "formats": {"coordinates": "gcj02"}})
        matter = store.frame("SELECT m.lon, m.lat, c.code FROM matters m JOIN areas c ON c.area_id = m.cell_id")
    finally:
        store.close()
    got = areas[areas["level"] == "cell"].to_crs("EPSG:32650").reset_index(drop=True)
    want = wgs.to_crs("EPSG:32650")
    for g, w in zip(got.geometry, want.geometry):
        assert g.hausdorff_distance(w) < 1.0
    assert summary["imported"] == 1 and matter["code"].tolist() == ["B"]
    moved = gpd.GeoSeries(gpd.points_from_xy(matter["lon"], matter["lat"]), crs="EPSG:4326").to_crs("EPSG:32650")
    truth = gpd.GeoSeries(gpd.points_from_xy([lon + 0.0002], [lat + 0.0001]), crs="EPSG:4326").to_crs("EPSG:32650")
    assert moved.distance(truth).iloc[0] < 1.0


SMALL = """编号,受理时间,办结时间,期限,类别,部门,状态,来源,内容,地址,纬度,经度
A1,2024-05-01 09:00:00,2024-05-02 10:00:00,2024-05-03 17:30:00,暴露垃圾,城管科,已办结,12345热线,垃圾堆放,文昌路1号,32.3940,119.4380
A2,2024-05-01 10:00:00,,2024-05-06 17:30:00,道路破损,建设局,处理中,网格上报,路面坑洼,运河路2号,32.3945,119.4391
A3,2024-05-02 11:30:00,,,噪音扰民,,,巡查发现,夜间施工,,,
"""
SMALL_MAPPING = {
    "columns": {"id": "编号", "created_at": "受理时间", "closed_at": "办结时间", "due_at": "期限", "category": "类别",
                "department": "部门", "status": "状态", "source": "来源", "description": "内容", "address": "地址",
                "lat": "纬度", "lon": "经度"},
    "status": {"已办结": "closed", "处理中": "handling"},
    "source": {"12345热线": "transfer", "网格上报": "grid", "巡查发现": "inspection"},
}


def small_matters(store: Store) -> pd.DataFrame:
    return store.frame("SELECT external_ref, source, status, created_at, closed_at, due_at, lon, lat, description, "
                       "address, d.name AS dept, k.name AS category FROM matters m "
                       "LEFT JOIN departments d ON d.dept_id = m.lead_dept_id "
                       "LEFT JOIN categories k ON k.category_id = m.category_id ORDER BY external_ref")


@pytest.mark.parametrize("form", ["csv", "csv.gz", "gbk", "xlsx", "semicolon"])
def test_matter_file_formats_give_the_same_matters(form, tmp_path):
    mapping = json.loads(json.dumps(SMALL_MAPPING))
    target = tmp_path / f"m.{form}"
    if form == "csv":
        target.write_text(SMALL, encoding="utf-8-sig")        # with a BOM, as Excel writes CSV
    elif form == "csv.gz":
        target = tmp_path / "m.csv.gz"
        target.write_bytes(gzip.compress(SMALL.encode("utf-8")))
    elif form == "gbk":
        target = tmp_path / "m.csv"
        target.write_bytes(SMALL.encode("gbk"))
        mapping["formats"] = {"encoding": "gbk"}
    elif form == "semicolon":
        target = tmp_path / "m.csv"
        target.write_text(SMALL.replace(",", ";"), encoding="utf-8")
    else:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        frame = pd.read_csv(pd.io.common.StringIO(SMALL), dtype=str, keep_default_na=False)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            values = []
            for col, v in zip(frame.columns, row):
                if v == "":
                    values.append(None)
                elif col in ("受理时间", "办结时间", "期限"):
                    values.append(pd.Timestamp(v).to_pydatetime())    # real dates, as Excel keeps them
                elif col in ("纬度", "经度"):
                    values.append(float(v))
                else:
                    values.append(v)
            sheet.append(values)
        target = tmp_path / "m.xlsx"
        book.save(target)
    store = Store(fresh(tmp_path))
    try:
        summary = import_matters(store, path=str(target), mapping=mapping, rejects=str(tmp_path / "rej.csv"))
        got = small_matters(store)
    finally:
        store.close()
    assert summary["imported"] == 3 and summary["rejected"] == 0
    assert got["external_ref"].tolist() == ["A1", "A2", "A3"]
    assert got["status"].tolist() == ["closed", "handling", "registered"]
    assert got["source"].tolist() == ["transfer", "grid", "inspection"]
    assert got["dept"].tolist()[:2] == ["城管科", "建设局"] and pd.isna(got["dept"].iloc[2])
    assert got["category"].tolist() == ["暴露垃圾", "道路破损", "噪音扰民"]
    assert got["closed_at"].iloc[0] == pd.Timestamp("2024-05-02 10:00:00")
    assert got["lat"].iloc[1] == pytest.approx(32.3945) and pd.isna(got["lon"].iloc[2])
    assert got["address"].iloc[0] == "文昌路1号"


def test_excel_rejects_carry_the_sheet_row(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["id", "created"], ["x1", "2024-06-01 08:00:00"], [None, None], ["x2", "not a time"],
                ["x3", pd.Timestamp("2024-06-02 09:30").to_pydatetime()], [None, None]):
        sheet.append(row)
    book.save(tmp_path / "m.xlsx")
    store = Store(fresh(tmp_path))
    try:
        summary = import_matters(store, path=str(tmp_path / "m.xlsx"),
                                 mapping={"columns": {"id": "id", "created_at": "created"}})
        created = store.frame("SELECT created_at FROM matters ORDER BY external_ref")["created_at"].tolist()
    finally:
        store.close()
    assert summary["rows_read"] == 3 and summary["imported"] == 2
    rejects = pd.read_csv(tmp_path / "m.xlsx.rejects.csv", dtype=str)
    assert rejects[["id", "row", "reason"]].values.tolist() == [["x2", "3", "created_at unparseable"]]   # sheet row 4
    assert created == [pd.Timestamp("2024-06-01 08:00:00"), pd.Timestamp("2024-06-02 09:30:00")]


ROWS_CSV = """id,created,closed,due,lat,lon,status,point
ok1,2024-01-02 08:00:00,,2024-01-05 17:30:00,,,open,
,2024-01-02 08:00:00,,,,,open,
ok1,2024-01-02 09:00:00,,,,,open,
r3,,,,,,open,
r4,yesterday,,,,,open,
r5,2024-01-02 08:00:00,soon,,,,open,
r6,2024-01-02 08:00:00,,13/13/2024,,,open,
r7,2024-01-02 08:00:00,2024-01-01 08:00:00,,,,closed,
r8,2024-01-02 08:00:00,,,32.1,,open,
r9,2024-01-02 08:00:00,,,north,119.4,open,
r10,2024-01-02 08:00:00,,,95.0,119.4,open,
r11,2024-01-02 08:00:00,,,32.1,200,open,
r12,2024-01-02 08:00:00,,,,,closed,
r13,2024-01-02 08:00:00,,,,,open,"(32.39, 119.43)"
r14,2024-01-02 08:00:00,,,,,open,POINT (119.43 32.39)
r15,2024-01-02 08:00:00,,,,,open,somewhere
r16,2024-01-02T08:00:00,2024-01-03,,,,,
"""


def test_row_checks_reject_with_reasons(tmp_path):
    (tmp_path / "rows.csv").write_text(ROWS_CSV)
    mapping = {"columns": {"id": "id", "created_at": "created", "closed_at": "closed", "due_at": "due",
                           "status": "status", "lat": "lat", "lon": "lon"},
               "formats": {"timestamp": "%Y-%m-%d %H:%M:%S"},
               "status": {"open": "handling", "closed": "closed"}}
    store = Store(fresh(tmp_path))
    try:
        lat_lon = import_matters(store, path=str(tmp_path / "rows.csv"), mapping=mapping)
        ids = store.frame("SELECT external_ref, status, closed_at FROM matters ORDER BY matter_id")
    finally:
        store.close()
    rejects = pd.read_csv(tmp_path / "rows.csv.rejects.csv", dtype=str, keep_default_na=False)
    assert dict(zip(rejects["row"].astype(int), rejects["reason"])) == {
        2: "id missing", 3: "id duplicate of an earlier row", 4: "created_at missing",
        5: "created_at unparseable", 6: "closed_at unparseable", 7: "due_at unparseable",
        8: "closed_at earlier than created_at", 9: "lat/lon incomplete", 10: "lat/lon not numbers",
        11: "lat/lon out of range", 12: "lat/lon out of range", 13: "status closed but no closed_at"}
    assert rejects.loc[rejects["row"] == "5", "created"].tolist() == ["yesterday"]   # the row as the file had it
    assert lat_lon["imported"] == 5 and lat_lon["rejected"] == 12
    assert lat_lon["rejected_by_reason"]["lat/lon out of range"] == 2
    # r16: ISO 8601 accepted beside the format; a close time closes it whatever the status
    assert ids.set_index("external_ref").loc["r16", "status"] == "closed"
    # the same file with a point column instead of lat/lon
    mapping["columns"] = {k: v for k, v in mapping["columns"].items() if k not in ("lat", "lon")} | {"point": "point"}
    store = Store(fresh(tmp_path, "p.duckdb"))
    try:
        summary = import_matters(store, path=str(tmp_path / "rows.csv"), mapping=mapping,
                                 rejects=str(tmp_path / "p.rejects.csv"))
        points = store.frame("SELECT external_ref, lon, lat FROM matters WHERE lon IS NOT NULL ORDER BY external_ref")
    finally:
        store.close()
    assert summary["rejected_by_reason"]["lat/lon not numbers"] == 1        # "somewhere"
    assert points.values.tolist() == [["r13", 119.43, 32.39], ["r14", 119.43, 32.39]]


def test_every_status_gets_a_history_that_replays(tmp_path):
    statuses = ("registered", "dispatched", "handling", "returned", "escalated", "suspended", "feedback",
                "verified", "voided", "closed")
    lines = ["id,created,closed,dept,status"]
    for i, s in enumerate(statuses):
        closed = "2024-04-03 16:00:00" if s == "closed" else ""
        lines.append(f"m{i},2024-04-01 09:{i:02d}:00,{closed},城管科,{s.upper()}")
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n")
    store = Store(fresh(tmp_path))
    try:
        summary = import_matters(store, path=str(tmp_path / "s.csv"), mapping={
            "columns": {"id": "id", "created_at": "created", "closed_at": "closed", "department": "dept",
                        "status": "status"},
            "status": {s.upper(): s for s in statuses}})
        assert summary["imported"] == len(statuses)
        assert assert_replays(store) == len(statuses)
        got = store.frame("SELECT status, lead_dept_id IS NOT NULL AS has_lead FROM matters ORDER BY matter_id")
        assert got["status"].tolist() == list(statuses)
        assert got["has_lead"].tolist() == [s not in ("registered", "returned", "escalated", "voided") for s in statuses]
        assert store.scalar("SELECT count(*) FROM open_matters") == len(statuses) - 2
    finally:
        store.close()


def test_reimporting_the_same_file_imports_nothing_new(tmp_path):
    (tmp_path / "m.csv").write_text(SMALL)
    store = Store(fresh(tmp_path))
    try:
        first = import_matters(store, path=str(tmp_path / "m.csv"), mapping=SMALL_MAPPING)
        again = import_matters(store, path=str(tmp_path / "m.csv"), mapping=SMALL_MAPPING)
        assert first["imported"] == 3 and again["imported"] == 0
        assert again["rejected_by_reason"] == {"id already imported": 3}
        assert store.scalar("SELECT count(*) FROM matters") == 3
    finally:
        store.close()


def test_imported_matter_ids_continue_each_days_sequence(demo_db_path, tmp_path):
    db = copy_of(demo_db_path, tmp_path)
    store = Store(db)
    try:
        day = store.scalar("SELECT max(CAST(created_at AS DATE)) FROM matters")
        last = store.scalar("SELECT max(matter_id) FROM matters WHERE CAST(created_at AS DATE) = ?", [day])
        (tmp_path / "m.csv").write_text(f"id,t\nx1,{day} 23:59:58\nx2,{day} 23:59:59\n")
        import_matters(store, path=str(tmp_path / "m.csv"), mapping={"columns": {"id": "id", "created_at": "t"}})
        ids = store.frame("SELECT matter_id FROM matters WHERE origin = 'import' ORDER BY matter_id")["matter_id"]
        assert ids.tolist() == [last + 1, last + 2]
        assert store.scalar("SELECT count(*) - count(DISTINCT matter_id) FROM matters") == 0
    finally:
        store.close()


def test_demo_grid_replaced_refiles_demo_matters(demo_db_path, tmp_path):
    """A township swapping the demo grid for its own: every demo matter lands in the new
    cell holding its point, resources too, in one transaction."""
    db = copy_of(demo_db_path, tmp_path)
    store = Store(db)
    try:
        outline = geometries_from_wkb(store.frame("SELECT geom FROM areas WHERE level = 'township'")["geom"].tolist())
        minx, miny, maxx, maxy = outline.total_bounds
        halves = gpd.GeoDataFrame({"id": ["W", "E"]}, geometry=[box(minx, miny, (minx + maxx) / 2, maxy),
                                                                box((minx + maxx) / 2, miny, maxx, maxy)],
                                  crs="EPSG:4326")
        halves.to_file(tmp_path / "halves.geojson")
        result = import_grid(store, path=str(tmp_path / "halves.geojson"), id_field="id", township_name="新街道")
        got = store.frame("SELECT m.lon, coalesce(c.code, '') AS code FROM matters m "
                          "LEFT JOIN areas c ON c.area_id = m.cell_id")
        assert (got["code"] == np.where(got["lon"] <= (minx + maxx) / 2, "W", "E")).all()
        assert result["matters_in_a_cell"] == result["matters_total"]
        assert store.scalar("SELECT count(*) FROM resources WHERE cell_id NOT IN (SELECT area_id FROM areas)") == 0
        assert store.scalar("SELECT count(*) FROM open_matters o WHERE o.cell_id NOT IN "
                            "(SELECT area_id FROM areas)") == 0
    finally:
        store.close()


# -- bad files change nothing -----------------------------------------------------------------
def _bad_cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    boston = CITIES["boston"]
    la = CITIES["la"]
    (tmp / "binary.csv").write_bytes(bytes(range(256)) * 64)
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "header_only.csv").write_text("id,created\n")
    (tmp / "empty.geojson").write_bytes(b"")
    book = tmp / "book.csv"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    (tmp / "bad_status.toml").write_text(la.mapping.read_text().replace('Cancelled = "closed"\n', ""))
    (tmp / "bad_time.toml").write_text(la.mapping.read_text().replace("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S"))
    (tmp / "missing_col.toml").write_text(la.mapping.read_text().replace('"RequestType"', '"Request_Type"'))
    la_mapping = str(la.mapping)
    grid = ["import-grid", str(boston.grid), "--id-field", "Name"]
    matters = ["import-matters", str(la.matters), "--rejects", str(tmp / "la.rejects.csv"), "--mapping"]
    return {
        "missing column": ([*matters, str(tmp / "missing_col.toml")], "no column 'Request_Type' (mapped to category); "
                                                                      "the file's columns are: 'SRNumber', "),
        "unmapped status": ([*matters, str(tmp / "bad_status.toml")], "'cancelled'"),
        "wrong timestamp format": ([*matters, str(tmp / "bad_time.toml")], "no created_at value"),
        "binary renamed .csv": (["import-matters", str(tmp / "binary.csv"), "--mapping", la_mapping],
                                "binary content, not a CSV text file"),
        "xlsx renamed .csv": (["import-matters", str(book), "--mapping", la_mapping], "a zip archive"),
        "empty file": (["import-matters", str(tmp / "empty.csv"), "--mapping", la_mapping], "the file is empty"),
        "header only": (["import-matters", str(tmp / "header_only.csv"), "--mapping", la_mapping],
                        "a header but no rows"),
        "grid: wrong CRS": ([*grid, "--crs", YANGZHOU_CGCS2000_GK], "far outside where EPSG:4549 is used"),
        "grid: metres as degrees": (["import-grid", str(tmp / "metres.geojson"), "--id-field", "GRID_CODE", "--crs",
                                     "EPSG:4326"], "are not valid in EPSG:4326"),
        "grid: GCJ-02 outside China": ([*grid, "--from-gcj02"], "outside China"),
        "grid: missing field": (["import-grid", str(boston.grid), "--id-field", "NAME"],
                                "no field 'NAME' (given as --id-field); its fields are: 'OBJECTID', 'Name'"),
        "grid: empty file": (["import-grid", str(tmp / "empty.geojson"), "--id-field", "id"], "the file is empty"),
    }


BAD = ["missing column", "unmapped status", "wrong timestamp format", "binary renamed .csv", "xlsx renamed .csv",
       "empty file", "header only", "grid: wrong CRS", "grid: metres as degrees", "grid: GCJ-02 outside China",
       "grid: missing field", "grid: empty file"]


@pytest.mark.parametrize("case", BAD)
def test_bad_files_give_one_clear_error_and_change_nothing(case, cities, tmp_path, capsys):
    db = copy_of(imported_city("la", cities)[0], tmp_path)
    require_realdata(CITIES["boston"])
    square_grid().to_file(tmp_path / "metres.geojson")     # metres (EPSG:4549), to be declared degrees
    argv, message = _bad_cases(tmp_path)[case]
    before = db_fingerprint(db)
    assert main([argv[0], "--db", str(db), *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert db_fingerprint(db) == before
    assert not list(tmp_path.glob("*.rejects.csv")) and not list(tmp_path.glob(".rejects-*"))


@pytest.mark.parametrize(("mapping", "message"), [
    ({"columns": {"created_at": "t"}}, "must name id"),
    ({"columns": {"id": "a", "created_at": "t", "lat": "y"}}, "both lat and lon"),
    ({"columns": {"id": "a", "created_at": "t", "when": "w"}}, "unknown fields ['when']"),
    ({"columns": {"id": "a", "created_at": "t"}, "status": {"x": "done"}}, "ours must be one of"),
    ({"columns": {"id": "a", "created_at": "t"}, "formats": {"timestamp": "%Y-%m-%dT%H:%M:%S%z"}}, "time zones"),
    ({"columns": {"id": "a", "created_at": "t"}, "formats": {"encoding": "klingon"}}, "not an encoding"),
    ({"columns": {"id": "a", "created_at": "t"}, "formats": {"timestamp": "%Y-%m-%d %Q"}}, "not a valid strptime"),
])
def test_wrong_mappings_are_refused_before_reading(mapping, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_mapping(mapping)


def test_committed_mappings_load():
    for path in (REPO / "data" / "mappings").glob("*.toml"):
        assert load_mapping(path).columns["id"]


# -- while the server runs --------------------------------------------------------------------
def test_imports_through_the_running_server(cities, tmp_path):
    if importlib.util.find_spec("dashboard.app") is None:
        pytest.skip("dashboard.app is not importable yet (the Dash app skeleton is still being built)")
    from dashboard.launch import running_server

    require_realdata(CITIES["boston"])
    db = fresh(tmp_path, "served.duckdb")
    grid = subprocess.run([sys.executable, "-m", "dashboard", "import-grid", "--db", str(db),
                           str(CITIES["la"].grid), "--id-field", "nc_id", "--name-field", "name",
                           "--parent-field", "service_re", "--township-name", "Los Angeles"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert grid.returncode == 0, grid.stderr
    from tests.servers import add_test_admin

    signed_in = {"Authorization": f"Bearer {add_test_admin(db)}"}
    with running_server(db, tmp_path) as url:
        before = requests.get(f"{url}/healthz", timeout=10).json()
        assert before["matters"] == 0
        run = subprocess.run([sys.executable, "-m", "dashboard", "import-matters", "--db", str(db),
                              str(CITIES["la"].matters), "--mapping", str(CITIES["la"].mapping),
                              "--rejects", str(tmp_path / "la.rejects.csv")],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "through the server" in run.stdout and "9,977 imported" in run.stdout
        after = requests.get(f"{url}/healthz", timeout=10).json()
        assert after["matters"] == 9_977 and after["data_version"] > before["data_version"]
        assert requests.get(f"{url}/api/v1/summary", headers=signed_in, timeout=30).status_code == 200
        # a bad file through the server: one line, nothing changed
        bad = subprocess.run([sys.executable, "-m", "dashboard", "import-matters", "--db", str(db),
                              str(CITIES["la"].grid), "--mapping", str(CITIES["la"].mapping)],
                             cwd=REPO, capture_output=True, text=True, timeout=300)
        assert bad.returncode == 2 and bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
        assert requests.get(f"{url}/healthz", timeout=10).json()["data_version"] == after["data_version"]
        # the grid again (re-import) and the report, both through the server
        regrid = subprocess.run([sys.executable, "-m", "dashboard", "import-grid", "--db", str(db),
                                 str(CITIES["la"].grid), "--id-field", "nc_id", "--name-field", "name"],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
        assert regrid.returncode == 0 and "through the server" in regrid.stdout, regrid.stderr
        report = subprocess.run([sys.executable, "-m", "dashboard", "report", "--db", str(db),
                                 "--from", "2018-12-27", "--to", "2019-01-01"],
                                cwd=REPO, capture_output=True, text=True, timeout=300)
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout)["counts"]["received"] == 9_977
        assert requests.get(f"{url}/healthz", timeout=10).json()["matters"] == 9_977
