"""Reading a real township's grid (网格) from a GeoJSON, Shapefile (folder or .zip) or
GeoPackage: CRS handling, GCJ-02, repairs with named warnings, the village level from a
parent field, and the import operation that writes it (``import_grid``).

Coordinates end in WGS-84. A file's own CRS is used unless ``crs`` declares another; a
file without one is read as lon/lat when its numbers look like it. Coordinates that land
far outside the area where the declared CRS is used mean a wrong CRS: that is an error,
not a warning, because a grid in the wrong place silently files every matter nowhere.
"""
from __future__ import annotations

import math
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers.adjacency_store import store_cell_adjacency
from layers.assign import CellIndex
from layers.gcj02 import _CHINA_LAT, _CHINA_LON, gdf_gcj02_to_wgs84
from layers.geojson import geometries_to_wkb
from queries.imports.load import current_township, replace_grid
from queries.store import Store

STORE_CRS = "EPSG:4326"
GRID_SUFFIXES = (".geojson", ".json", ".shp", ".zip", ".gpkg")
# How far (degrees) coordinates may stray outside the declared CRS's area of use before
# the CRS is called wrong: projected zones are often used a little past their edges.
AREA_OF_USE_MARGIN_DEG = 3.0
# The lookup raster of the import's cell index: fine enough for a township, coarser for a
# whole city (the exact test behind it is cheap).
_INDEX_PIXELS = 60_000
_WARNINGS_NAMED = 50


@dataclass
class Grid:
    """A grid read from a file, in EPSG:4326, cells in file order."""

    cells: gpd.GeoDataFrame          # code, name, village_code, geometry
    villages: gpd.GeoDataFrame       # code, name, geometry (union of its cells)
    township: shapely.Geometry       # union of all cells
    source_crs: str
    warnings: list[str] = field(default_factory=list)


# -- reading ----------------------------------------------------------------------------
def _source(path: Path, layer: str | None) -> tuple[str, str | None]:
    """The GDAL path to read and the layer, for a file, a Shapefile folder or a .zip."""
    if not path.exists():
        raise ValueError(f"{path}: no such file or folder")
    if path.is_dir():
        shapefiles = sorted(path.glob("*.shp"))
        if not shapefiles:
            raise ValueError(f"{path}: a folder without a Shapefile (.shp) in it")
        if len(shapefiles) > 1:
            raise ValueError(f"{path}: holds several Shapefiles ({', '.join(p.name for p in shapefiles)}); "
                             f"give the .shp file itself")
        return str(shapefiles[0]), layer
    if path.stat().st_size == 0:
        raise ValueError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.namelist() if not m.startswith("__MACOSX/")]
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{path.name}: not a readable zip archive") from exc
        inner = [m for m in members if m.lower().endswith((".shp", ".geojson", ".json", ".gpkg"))]
        if not inner:
            raise ValueError(f"{path.name}: no Shapefile, GeoJSON or GeoPackage inside the zip")
        if len(inner) > 1:
            raise ValueError(f"{path.name}: holds several grid files ({', '.join(inner)}); zip one")
        return f"/vsizip/{path.resolve()}/{inner[0]}", layer
    if suffix not in GRID_SUFFIXES:
        raise ValueError(f"{path.name}: not a grid file; give a GeoJSON, a Shapefile (.shp, its folder "
                         f"or a .zip) or a GeoPackage (.gpkg)")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if suffix in (".geojson", ".json") and b"\x00" in head:
        raise ValueError(f"{path.name}: binary content, not a GeoJSON text file")
    return str(path), layer


def _read_file(path: Path, layer: str | None, encoding: str | None) -> gpd.GeoDataFrame:
    source, layer = _source(path, layer)
    try:
        layers = pyogrio.list_layers(source)
    except Exception as exc:
        raise ValueError(f"{path.name}: not a readable grid file ({_first_line(exc)})") from exc
    if layer is None and len(layers) > 1:
        polygonal = [str(name) for name, kind in layers if kind and "polygon" in str(kind).lower()]
        if len(polygonal) != 1:
            names = ", ".join(str(name) for name, _ in layers)
            raise ValueError(f"{path.name}: holds several layers ({names}); choose one with --layer")
        layer = polygonal[0]
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    if encoding:
        kwargs["encoding"] = encoding
    try:
        return gpd.read_file(source, engine="pyogrio", **kwargs)
    except Exception as exc:
        raise ValueError(f"{path.name}: cannot be read ({_first_line(exc)})") from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _as_text(values: pd.Series) -> pd.Series:
    """Identifiers as text: integral floats (Shapefile numbers) without their ".0"."""
    def one(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 2**53:
            return str(int(v))
        if isinstance(v, (np.integer,)):
            return str(int(v))
        text = str(v).strip()
        return text or None
    return values.map(one).astype(object)


def _require_fields(gdf: gpd.GeoDataFrame, fields: dict[str, str | None], path: Path) -> None:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    for option, name in fields.items():
        if name is not None and name not in gdf.columns:
            listed = ", ".join(repr(c) for c in columns)
            raise ValueError(f"{path.name}: no field {name!r} (given as {option}); its fields are: {listed}")


def _declare_crs(gdf: gpd.GeoDataFrame, crs: str | None, path: Path, warnings: list[str]) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = gdf.total_bounds
    looks_lonlat = -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    if crs:
        try:
            declared = CRS.from_user_input(crs)
        except CRSError as exc:
            raise ValueError(f"--crs {crs}: not a CRS pyproj knows ({_first_line(exc)})") from exc
        if gdf.crs is not None and not gdf.crs.equals(declared):
            warnings.append(f"the file declares {gdf.crs.to_string()}; read as {crs} as asked")
        return gdf.set_crs(declared, allow_override=True)
    if gdf.crs is None:
        if not looks_lonlat:
            raise ValueError(f"{path.name}: the file declares no CRS and its coordinates are not "
                             f"longitude/latitude; give it with --crs (e.g. --crs EPSG:4549)")
        warnings.append("the file declares no CRS; its coordinates look like longitude/latitude, "
                        "read as EPSG:4326 (give --crs to say otherwise)")
        return gdf.set_crs(STORE_CRS)
    return gdf


def _check_place(gdf: gpd.GeoDataFrame, wgs: gpd.GeoDataFrame, path: Path, crs_given: str | None) -> None:
    """Coordinates far outside where their CRS is used mean a wrong CRS."""
    minx, miny, maxx, maxy = wgs.total_bounds
    label = crs_given or gdf.crs.to_string()
    advice = "is --crs right?" if crs_given else "does the file declare the right CRS? (override with --crs)"
    if not all(np.isfinite([minx, miny, maxx, maxy])) or not (
            -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        sx0, sy0, sx1, sy1 = gdf.total_bounds
        raise ValueError(f"{path.name}: coordinates ({sx0:.6g}…{sx1:.6g}, {sy0:.6g}…{sy1:.6g}) are not "
                         f"valid in {label}: {advice}")
    use = gdf.crs.area_of_use
    if use is None:
        return
    m = AREA_OF_USE_MARGIN_DEG
    outside_lat = miny < use.south - m or maxy > use.north + m
    outside_lon = use.west <= use.east and (minx < use.west - m or maxx > use.east + m)
    if outside_lat or outside_lon:
        raise ValueError(f"{path.name}: in {label} the grid lands at lon {minx:.3f}…{maxx:.3f}, "
                         f"lat {miny:.3f}…{maxy:.3f}, far outside where {label} is used "
                         f"({use.name} lon {use.west:g}…{use.east:g}, lat {use.south:g}…{use.north:g}): {advice}")


def _to_wgs84(gdf: gpd.GeoDataFrame, crs: str | None, from_gcj02: bool, path: Path,
              warnings: list[str]) -> gpd.GeoDataFrame:
    gdf = _declare_crs(gdf, crs, path, warnings)
    source = gdf
    try:
        wgs = gdf.to_crs(STORE_CRS)
    except Exception as exc:
        raise ValueError(f"{path.name}: cannot reproject from {gdf.crs.to_string()} ({_first_line(exc)})") from exc
    _check_place(source, wgs, path, crs)
    if from_gcj02:
        if not source.crs.is_geographic:
            raise ValueError(f"{path.name}: --from-gcj02 needs longitude/latitude coordinates, "
                             f"the file is in {source.crs.to_string()}")
        minx, miny, maxx, maxy = wgs.total_bounds
        if minx < _CHINA_LON[0] or maxx > _CHINA_LON[1] or miny < _CHINA_LAT[0] or maxy > _CHINA_LAT[1]:
            raise ValueError(f"{path.name}: --from-gcj02, but the grid lies outside China "
                             f"(lon {minx:.3f}…{maxx:.3f}, lat {miny:.3f}…{maxy:.3f}), where GCJ-02 does not apply")
        wgs = gdf_gcj02_to_wgs84(wgs)
    return wgs


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygons of a repaired geometry (make_valid can leave lines and points)."""
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _label(code: str, name: str) -> str:
    return repr(code) if name == code else f"{code!r} ({name})"


def _named(items: list[str]) -> str:
    shown = ", ".join(items[:10])
    return shown + (f" and {len(items) - 10} more" if len(items) > 10 else "")


def read_grid(path: str | Path, *, id_field: str, name_field: str | None = None,
              parent_field: str | None = None, parent_name_field: str | None = None,
              crs: str | None = None, from_gcj02: bool = False, encoding: str | None = None,
              layer: str | None = None, township_name: str = "") -> Grid:
    """Read and repair a grid; every repair is a warning naming the cell."""
    path = Path(path)
    warnings: list[str] = []
    raw = _read_file(path, layer, encoding)
    if len(raw) == 0:
        raise ValueError(f"{path.name}: holds no features")
    _require_fields(raw, {"--id-field": id_field, "--name-field": name_field, "--parent-field": parent_field,
                          "--parent-name-field": parent_name_field}, path)
    if parent_name_field and not parent_field:
        raise ValueError("--parent-name-field needs --parent-field")
    source_crs = (crs or (raw.crs.to_string() if raw.crs is not None else "none"))
    codes = _as_text(raw[id_field])
    if codes.isna().any():
        rows = [str(i + 1) for i in np.flatnonzero(codes.isna().to_numpy())]
        raise ValueError(f"{path.name}: {len(rows)} features have no {id_field!r} value (features {_named(rows)})")
    names = _as_text(raw[name_field]).fillna(codes) if name_field else codes.copy()
    no_geometry = (raw.geometry.isna() | raw.geometry.is_empty).to_numpy()
    if no_geometry.all():
        raise ValueError(f"{path.name}: no feature has a geometry")
    for i in np.flatnonzero(no_geometry):
        warnings.append(f"cell {_label(codes.iat[i], names.iat[i])}: no geometry, left out")
    if no_geometry.any():
        raw, codes, names = raw[~no_geometry], codes[~no_geometry], names[~no_geometry]
    parents = _as_text(raw[parent_field]) if parent_field else pd.Series(["village"] * len(raw), index=raw.index,
                                                                          dtype=object)
    if parent_field and parents.isna().any():
        missing = [_label(c, n) for c, n in zip(codes[parents.isna()], names[parents.isna()])]
        raise ValueError(f"{path.name}: {len(missing)} cells have no {parent_field!r} value ({_named(missing)})")

    kinds = raw.geometry.geom_type
    wrong = kinds.notna() & ~kinds.isin(["Polygon", "MultiPolygon"])
    if wrong.any():
        bad = [f"{_label(c, n)} is a {k}" for c, n, k in zip(codes[wrong], names[wrong], kinds[wrong])]
        raise ValueError(f"{path.name}: a grid needs polygons, but {_named(bad)}")

    gdf = gpd.GeoDataFrame({"code": codes.to_numpy(), "name": names.to_numpy(), "village_code": parents.to_numpy()},
                           geometry=shapely.force_2d(np.asarray(raw.geometry.values, dtype=object)), crs=raw.crs)
    gdf = _to_wgs84(gdf, crs, from_gcj02, path, warnings)

    geoms = np.asarray(gdf.geometry.values, dtype=object)
    invalid = ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        before = shapely.area(geoms[i])
        fixed = _polygonal(shapely.make_valid(geoms[i]))
        change = abs(shapely.area(fixed) - before) / before if before else 0.0
        note = f", area changed by {change:.1%}" if change > 0.001 else ""
        warnings.append(f"cell {_label(gdf['code'].iat[i], gdf['name'].iat[i])}: invalid polygon ({reason}), "
                        f"repaired{note}")
        geoms[i] = fixed
    empty = shapely.is_empty(geoms)
    for i in np.flatnonzero(empty):
        warnings.append(f"cell {_label(gdf['code'].iat[i], gdf['name'].iat[i])}: no area, left out")
    gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=STORE_CRS))[~empty].reset_index(drop=True)
    if len(gdf) == 0:
        raise ValueError(f"{path.name}: no cell with an area")

    gdf = _merge_repeated_ids(gdf, path, warnings)
    villages = _villages(gdf, parent_field, parent_name_field, raw, township_name, warnings)
    collide = set(villages["code"]) & set(gdf["code"])
    if parent_field and collide:
        raise ValueError(f"{path.name}: {_named(sorted(map(repr, collide)))} is both a cell id and a "
                         f"{parent_field!r} value; codes must be unique across the levels")
    township = shapely.union_all(np.asarray(villages.geometry.values, dtype=object))
    return Grid(cells=gdf, villages=villages, township=township, source_crs=source_crs, warnings=warnings)


def _merge_repeated_ids(gdf: gpd.GeoDataFrame, path: Path, warnings: list[str]) -> gpd.GeoDataFrame:
    repeated = gdf["code"].duplicated(keep=False)
    if not repeated.any():
        return gdf
    keep = []
    for code, group in gdf.groupby("code", sort=False):
        if len(group) == 1:
            keep.append(group)
            continue
        if group["village_code"].nunique() > 1:
            raise ValueError(f"{path.name}: cell {code!r} appears {len(group)} times with different parents "
                             f"({', '.join(map(repr, group['village_code'].unique()))})")
        merged = shapely.union_all(np.asarray(group.geometry.values, dtype=object))
        warnings.append(f"cell {_label(code, group['name'].iat[0])}: {len(group)} features share this id, "
                        f"merged into one")
        first = group.iloc[[0]].copy()
        first = first.set_geometry(gpd.GeoSeries([merged], index=first.index, crs=STORE_CRS))
        keep.append(first)
    return gpd.GeoDataFrame(pd.concat(keep), crs=STORE_CRS).sort_index().reset_index(drop=True)


def _villages(cells: gpd.GeoDataFrame, parent_field: str | None, parent_name_field: str | None,
              raw: gpd.GeoDataFrame, township_name: str, warnings: list[str]) -> gpd.GeoDataFrame:
    if parent_field and parent_name_field:
        pairs = pd.DataFrame({"code": _as_text(raw[parent_field]).to_numpy(),
                              "name": _as_text(raw[parent_name_field]).to_numpy()}).dropna()
        conflicting = pairs.groupby("code")["name"].nunique()
        for code in conflicting[conflicting > 1].index:
            chosen = pairs.loc[pairs["code"] == code, "name"].mode().iat[0]
            warnings.append(f"village {code!r}: its cells give several names; named {chosen!r}")
        village_name = pairs.groupby("code")["name"].agg(lambda s: s.mode().iat[0]).to_dict()
    else:
        village_name = {}
    rows = []
    for code, group in cells.groupby("village_code", sort=False):
        name = village_name.get(code) or (code if parent_field else (township_name or code))
        rows.append({"code": code, "name": name,
                     "geometry": shapely.union_all(np.asarray(group.geometry.values, dtype=object))})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=STORE_CRS)


# -- writing --------------------------------------------------------------------------
def area_rows(grid: Grid, township_code: str, township_name: str) -> pd.DataFrame:
    """Township, villages, cells as area rows with local ids (0 = township), WKB geometry,
    a representative point and the area in km² (measured in the grid's UTM zone)."""
    township = gpd.GeoDataFrame({"code": [township_code], "name": [township_name]},
                                geometry=[grid.township], crs=STORE_CRS)
    measure = township.estimate_utm_crs()
    n_v, n_c = len(grid.villages), len(grid.cells)
    village_local = {code: 1 + i for i, code in enumerate(grid.villages["code"])}
    cell_village = [village_local[c] for c in grid.cells["village_code"]]
    parts = []
    for level, frame, local, parent, village in (
        ("township", township, np.array([0]), [None], [None]),
        ("village", grid.villages, np.arange(1, 1 + n_v), [0] * n_v, list(np.arange(1, 1 + n_v))),
        ("cell", grid.cells, np.arange(1 + n_v, 1 + n_v + n_c),
         cell_village, cell_village),
    ):
        point = frame.geometry.representative_point()
        parts.append(pd.DataFrame({
            "local_id": local, "level": level, "code": frame["code"].astype(str).to_numpy(),
            "name": frame["name"].astype(str).to_numpy(),
            "parent_local": pd.array(parent, dtype="Int64"), "village_local": pd.array(village, dtype="Int64"),
            "lon": point.x.to_numpy(), "lat": point.y.to_numpy(),
            "area_km2": (frame.to_crs(measure).area / 1e6).to_numpy(),
            "geom": geometries_to_wkb(frame),
        }))
    rows = pd.concat(parts, ignore_index=True)
    if rows["code"].duplicated().any():
        dup = rows.loc[rows["code"].duplicated(), "code"].tolist()
        raise ValueError(f"codes {_named(sorted(map(repr, set(dup))))} repeat across levels; "
                         f"choose another --township-code")
    return rows


def cell_index(cells: gpd.GeoDataFrame) -> CellIndex:
    """A point → cell index sized for the grid's extent."""
    minx, miny, maxx, maxy = cells.total_bounds
    pixel = max(0.0005, math.sqrt(max((maxx - minx) * (maxy - miny), 1e-12) / _INDEX_PIXELS))
    return CellIndex(cells, pixel_size_deg=pixel)


def import_grid(store: Store, *, path: str, id_field: str, name_field: str | None = None,
                parent_field: str | None = None, parent_name_field: str | None = None,
                crs: str | None = None, from_gcj02: bool = False, encoding: str | None = None,
                layer: str | None = None, township_name: str | None = None,
                township_code: str | None = None) -> dict[str, Any]:
    """The ``import_grid`` operation: replace the store's grid with the file's and re-file
    every matter and resource under the new cells, in one transaction."""
    started = time.perf_counter()
    path_ = Path(path).expanduser()
    current = current_township(store)
    reimport = current is not None and current.origin == "import"
    name = township_name or (current.name if reimport else path_.stem)
    code = township_code or (current.code if reimport else "township")
    grid = read_grid(path_, id_field=id_field, name_field=name_field, parent_field=parent_field,
                     parent_name_field=parent_name_field, crs=crs, from_gcj02=from_gcj02, encoding=encoding,
                     layer=layer, township_name=name)
    rows = area_rows(grid, code, name)
    index = cell_index(grid.cells)
    cell_local = rows.loc[rows["level"] == "cell", "local_id"].to_numpy(dtype=np.int64)

    def locate(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        position = index.assign(lon, lat)
        return np.where(position >= 0, cell_local[np.maximum(position, 0)], -1)

    def store_adjacency(cur, areas: pd.DataFrame) -> None:
        ids = areas.loc[areas["level"] == "cell", "area_id"].to_numpy()
        cells = gpd.GeoDataFrame({"area_id": ids}, geometry=grid.cells.geometry.values, crs=STORE_CRS)
        store_cell_adjacency(store, cur, cells)

    result = replace_grid(store, rows, locate, source=path_.name, township_name=name,
                                  also=store_adjacency)
    result.update({"file": str(path_), "crs": grid.source_crs, "from_gcj02": bool(from_gcj02),
                   "warnings": grid.warnings, "seconds": round(time.perf_counter() - started, 3)})
    return result
