"""Real 311 exports and their grids (../shared/realdata, never copied into the repository),
imported once per test session, and the independent pandas/geopandas computation of
issue 4's counts that the report must match exactly.

The independent side reads the CSV with pandas and the polygons with geopandas, applies
the issue's checks and definitions from their text, and shares no code with the import
beyond the mapping TOML it reads itself.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
COUNTS = ("received", "closed", "closed_with_due", "closed_on_time", "open_at_end", "overdue_at_end")


@dataclass(frozen=True)
class City:
    name: str
    grid: Path
    id_field: str
    name_field: str | None
    parent_field: str | None
    matters: Path
    mapping: Path


CITIES = {
    "boston": City("Boston", REALDATA / "boston-311-2015" / "boston_neighborhoods.geojson", "Name", None, None,
                   REALDATA / "boston-311-2015" / "boston_311_2015.csv.gz", REPO / "data" / "mappings" / "boston_311.toml"),
    "la": City("Los Angeles", REALDATA / "la-311-2018" / "la_neighborhood_councils_2019.geojson", "nc_id", "name",
               "service_re", REALDATA / "la-311-2018" / "myla311_2018-12-27_to_31.csv",
               REPO / "data" / "mappings" / "la_311.toml"),
}


def require_realdata(city: City | None = None) -> None:
    files = [city.grid, city.matters] if city else [REALDATA]
    for f in files:
        if not f.exists():
            pytest.skip(f"real data not found at {f} (the 311 exports live in ../shared/realdata, "
                        f"outside the repository)")


_BUILT: dict[str, tuple[Path, dict, dict]] = {}


def imported_city(key: str, folder: Path) -> tuple[Path, dict, dict]:
    """A database holding the city's grid and matters (built once per session); returns
    (path, grid summary, matter summary). Callers copy it before writing."""
    city = CITIES[key]
    require_realdata(city)
    if key not in _BUILT:
        from layers.gridimport import import_grid
        from layers.matterimport import import_matters
        from queries.store import Store

        db = folder / f"{key}.duckdb"
        store = Store(db, create=True)
        try:
            grid = import_grid(store, path=str(city.grid), id_field=city.id_field, name_field=city.name_field,
                               parent_field=city.parent_field, township_name=city.name)
            matters = import_matters(store, path=str(city.matters), mapping=str(city.mapping),
                                     rejects=str(folder / f"{key}.rejects.csv"))
            store.checkpoint()
        finally:
            store.close()
        _BUILT[key] = (db, grid, matters)
    return _BUILT[key]


# -- the independent computation ----------------------------------------------------------
def _text(series: pd.Series) -> pd.Series:
    stripped = series.astype("string").str.strip()
    return stripped.mask(stripped == "")


def _parse_time(series: pd.Series, formats: list[str]) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    for fmt in formats:
        parsed = parsed.fillna(pd.to_datetime(series, format=fmt, errors="coerce"))
    iso = pd.to_datetime(series.where(parsed.isna()), format="ISO8601", errors="coerce")
    return parsed.fillna(iso)


def independent_matters(city: City) -> pd.DataFrame:
    """Every row of the export with the issue's checks applied: ``reason`` (None when
    imported), times, department, coordinates, as the mapping says."""
    mapping = tomllib.loads(city.mapping.read_text(encoding="utf-8"))
    cols = mapping["columns"]
    fmt = mapping.get("formats", {}).get("timestamp")
    formats = [fmt] if isinstance(fmt, str) else list(fmt or [])
    raw = pd.read_csv(city.matters, dtype=str, keep_default_na=False)

    def field(name: str) -> pd.Series:
        return _text(raw[cols[name]]) if name in cols else pd.Series(pd.NA, index=raw.index, dtype="string")

    ext, created_t, closed_t, due_t = field("id"), field("created_at"), field("closed_at"), field("due_at")
    created, closed, due = (_parse_time(s, formats) for s in (created_t, closed_t, due_t))
    if "point" in cols:
        point = field("point")
        parts = point.str.extract(r"^\(\s*([^,\s]+)\s*,\s*([^,\s)]+)\s*\)$")
        lat_t, lon_t = parts[0], parts[1]
        point_bad = point.notna() & lat_t.isna()
    else:
        lat_t, lon_t = field("lat"), field("lon")
        point_bad = pd.Series(False, index=raw.index)
    lat = pd.to_numeric(lat_t, errors="coerce")
    lon = pd.to_numeric(lon_t, errors="coerce")
    status_map = {k.strip().lower(): v for k, v in mapping.get("status", {}).items()}
    mapped = field("status").str.lower().map(status_map)

    reason = pd.Series(None, index=raw.index, dtype=object)

    def rule(mask: pd.Series, text: str) -> None:
        reason[reason.isna() & mask.fillna(False).astype(bool)] = text

    rule(ext.isna(), "id missing")
    rule(ext.notna() & ext.duplicated(keep="first"), "id duplicate of an earlier row")
    rule(created_t.isna(), "created_at missing")
    rule(created.isna(), "created_at unparseable")
    rule(closed_t.notna() & closed.isna(), "closed_at unparseable")
    rule(due_t.notna() & due.isna(), "due_at unparseable")
    rule(closed < created, "closed_at earlier than created_at")
    rule(point_bad, "lat/lon not numbers")
    rule(lat_t.isna() != lon_t.isna(), "lat/lon incomplete")
    rule(lat_t.notna() & (lat.isna() | lon.isna() | ~np.isfinite(lat) | ~np.isfinite(lon)), "lat/lon not numbers")
    rule(lat_t.notna() & ((lat.abs() > 90) | (lon.abs() > 180)), "lat/lon out of range")
    rule(closed.isna() & (mapped == "closed"), "status closed but no closed_at")

    status = np.where(closed.notna(), "closed", mapped.fillna("").astype(str))
    department = field("department")
    status = np.where(status == "", np.where(department.notna(), "dispatched", "registered"), status)
    # The lead department of a matter that reached dispatch (and was not returned).
    has_lead = ~pd.Series(status, index=raw.index).isin(["registered", "escalated", "voided", "returned"])
    return pd.DataFrame({"reason": reason, "ext_id": ext, "created": created, "closed": closed, "due": due,
                         "department": department.where(has_lead).fillna("").astype(str),
                         "lat": lat.where(reason.isna()), "lon": lon.where(reason.isna())})


def independent_cells(city: City, points: pd.DataFrame, grid: gpd.GeoDataFrame | None = None) -> pd.Series:
    """The id-field value of the polygon holding each point ('' for none); where polygons
    overlap or meet, the first in the file. Invalid polygons are repaired with make_valid,
    as the import documents."""
    if grid is None:
        grid = gpd.read_file(city.grid)
    polygons = grid[[city.id_field, "geometry"]].copy()
    polygons["geometry"] = polygons.geometry.make_valid()
    polygons = polygons.to_crs("EPSG:4326").reset_index(drop=True)
    polygons["position"] = np.arange(len(polygons))
    located = points.dropna(subset=["lon", "lat"])
    gpts = gpd.GeoDataFrame(index=located.index, geometry=gpd.points_from_xy(located["lon"], located["lat"]),
                            crs="EPSG:4326")
    joined = gpd.sjoin(gpts, polygons, predicate="intersects", how="inner")
    first = joined.sort_values("position").groupby(level=0)["position"].first()
    codes = polygons[city.id_field].map(lambda v: str(int(v)) if isinstance(v, float) else str(v).strip())
    cell = pd.Series("", index=points.index, dtype=object)
    cell.loc[first.index] = codes.to_numpy()[first.to_numpy()]
    return cell


def independent_report(rows: pd.DataFrame, start: str, end: str) -> dict:
    """Issue 4's definitions over [start, end) on the imported rows (with ``cell``)."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    m = rows[rows["reason"].isna()]
    flags = pd.DataFrame({
        "received": (m["created"] >= s) & (m["created"] < e),
        "closed": (m["closed"] >= s) & (m["closed"] < e),
    })
    flags["closed_with_due"] = flags["closed"] & m["due"].notna()
    flags["closed_on_time"] = flags["closed_with_due"] & (m["closed"] <= m["due"])
    flags["open_at_end"] = (m["created"] < e) & (m["closed"].isna() | (m["closed"] >= e))
    flags["overdue_at_end"] = flags["open_at_end"] & m["due"].notna() & (m["due"] < e)
    flags = flags[list(COUNTS)].astype(int)

    def grouped(key: pd.Series) -> dict:
        table = flags.groupby(key.to_numpy()).sum()
        table = table[table.sum(axis=1) > 0]
        return {str(k): {c: int(v[c]) for c in COUNTS} for k, v in table.iterrows()}

    return {"counts": {c: int(flags[c].sum()) for c in COUNTS},
            "by_department": grouped(m["department"]), "by_cell": grouped(m["cell"])}


_INDEPENDENT: dict[str, pd.DataFrame] = {}


def independent_city(key: str) -> pd.DataFrame:
    city = CITIES[key]
    require_realdata(city)
    if key not in _INDEPENDENT:
        rows = independent_matters(city)
        rows["cell"] = independent_cells(city, rows)
        _INDEPENDENT[key] = rows
    return _INDEPENDENT[key]


def db_fingerprint(path: Path) -> tuple:
    """What an import could change: the data version, row counts and the grid's codes."""
    from queries.store import Store

    store = Store(path, read_only=True)
    try:
        return (store.data_version(),
                tuple(store.scalar(f"SELECT count(*) FROM {t}")
                      for t in ("areas", "matters", "events", "departments", "categories", "open_matters")),
                store.scalar("SELECT string_agg(code, ',' ORDER BY area_id) FROM areas"),
                store.scalar("SELECT coalesce(sum(hash(matter_id, cell_id)), 0) FROM matters"))
    finally:
        store.close()

