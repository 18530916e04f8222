"""The ``import_resources`` operation: real resources (DOMAIN.md §5) from a GeoJSON, a
GeoPackage or a CSV, as a TOML mapping says (docs/IMPORT.md, "Resources").

The rules are the matter import's: a mapping that does not fit the file (a column it
names is missing, a kind or state value it does not map) fails the whole import before
anything is written; a row failing a check goes to the rejects file (``FILE.rejects.csv``:
the row as the file had it, its number and the reason) and the others land together in
one transaction. The file's kinds replace what the store held of those kinds (the demo's
cameras, say, give way to the real ones); other kinds stay. Each point is filed under the
cell holding it; points outside the grid are kept without a cell.
"""
from __future__ import annotations

import math
import os
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from typing import Mapping as MappingType

import numpy as np
import pandas as pd
import pyarrow as pa

from layers.gcj02 import gcj02_to_wgs84
from layers.matterimport import cell_locator
from queries.resources import KINDS, STATES
from queries.store import Store

GEO_SUFFIXES = (".geojson", ".json", ".gpkg")
CSV_SUFFIXES = (".csv", ".txt")
FIELDS = ("id", "name", "kind", "contact", "state", "capacity", "note", "lon", "lat")


@dataclass(frozen=True)
class ResourceMapping:
    columns: dict[str, str]
    kind: dict[str, str] = field(default_factory=dict)       # their value → ours
    state: dict[str, str] = field(default_factory=dict)
    default_kind: str | None = None
    default_state: str = "available"
    encoding: str = "utf-8"
    delimiter: str | None = None
    coordinates: str = "wgs84"                              # or "gcj02"
    crs: str | None = None                                  # a geodata file's CRS when it says none or wrong
    layer: str | None = None


def load_resource_mapping(mapping: str | Path | MappingType[str, Any]) -> ResourceMapping:
    """A mapping from a TOML file or a parsed dict; a wrong one raises ``ValueError``."""
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        if not path.is_file():
            raise ValueError(f"{path}: no such mapping file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path.name}: not a valid TOML mapping ({exc})") from exc
        where = path.name
    else:
        data, where = dict(mapping), "mapping"
    unknown = set(data) - {"columns", "kind", "state", "formats", "defaults"}
    if unknown:
        raise ValueError(f"{where}: unknown tables {sorted(unknown)}; expected [columns], [kind], [state], "
                         f"[formats], [defaults]")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ValueError(f"{where}: no [columns] table (it maps our fields to the file's column names)")
    if set(columns) - set(FIELDS):
        raise ValueError(f"{where}: [columns] names unknown fields {sorted(set(columns) - set(FIELDS))}; "
                         f"known: {', '.join(FIELDS)}")
    if not all(isinstance(v, str) and v for v in columns.values()):
        raise ValueError(f"{where}: every [columns] entry must be a column name (text)")
    if "name" not in columns:
        raise ValueError(f"{where}: [columns] must name the name column")
    if ("lon" in columns) != ("lat" in columns):
        raise ValueError(f"{where}: [columns] needs both lon and lat, or neither (a geodata file's points)")
    defaults = data.get("defaults", {})
    formats = data.get("formats", {})
    if set(defaults) - {"kind", "state"}:
        raise ValueError(f"{where}: [defaults] has unknown keys {sorted(set(defaults) - {'kind', 'state'})}")
    if set(formats) - {"encoding", "delimiter", "coordinates", "crs", "layer"}:
        raise ValueError(f"{where}: [formats] has unknown keys "
                         f"{sorted(set(formats) - {'encoding', 'delimiter', 'coordinates', 'crs', 'layer'})}")
    kind_map = {str(k).strip().lower(): v for k, v in data.get("kind", {}).items()}
    state_map = {str(k).strip().lower(): v for k, v in data.get("state", {}).items()}
    for table, values, allowed in (("kind", kind_map, KINDS), ("state", state_map, STATES)):
        wrong = sorted({str(v) for v in values.values() if v not in allowed})
        if wrong:
            raise ValueError(f"{where}: [{table}] maps to {wrong}, not among {', '.join(allowed)}")
    default_kind = defaults.get("kind")
    if default_kind is not None and default_kind not in KINDS:
        raise ValueError(f"{where}: [defaults] kind {default_kind!r} is not one of {', '.join(KINDS)}")
    if "kind" not in columns and default_kind is None:
        raise ValueError(f"{where}: give the kind column in [columns] or one kind in [defaults]")
    default_state = defaults.get("state", "available")
    if default_state not in STATES:
        raise ValueError(f"{where}: [defaults] state {default_state!r} is not one of {', '.join(STATES)}")
    coordinates = formats.get("coordinates", "wgs84")
    if coordinates not in ("wgs84", "gcj02"):
        raise ValueError(f"{where}: [formats] coordinates must be wgs84 or gcj02")
    return ResourceMapping(columns=dict(columns), kind=kind_map, state=state_map, default_kind=default_kind,
                           default_state=default_state, encoding=formats.get("encoding", "utf-8"),
                           delimiter=formats.get("delimiter"), coordinates=coordinates,
                           crs=formats.get("crs"), layer=formats.get("layer"))


# -- reading ----------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and abs(value) < 2**53:
        value = int(value)
    text = str(value).strip()
    return text or None


def read_resource_file(path: Path, mapping: ResourceMapping) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The file's attributes as text (None when empty), in file order, and each row's
    lon/lat in WGS-84 (NaN where it has none) — from its geometry, or from the mapped
    lon/lat columns."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ValueError(f"{path.name}: the file is empty")
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=mapping.encoding,
                                sep=mapping.delimiter or None, engine="python")
        except (UnicodeDecodeError, LookupError) as exc:
            raise ValueError(f"{path.name}: cannot be read as {mapping.encoding} text "
                             f"(set [formats] encoding, e.g. gbk)") from exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ValueError(f"{path.name}: not a readable CSV table ({str(exc).splitlines()[0]})") from exc
        attributes = table.map(_text)
        if "lon" not in mapping.columns:
            raise ValueError(f"{path.name}: a CSV file needs lon and lat in the mapping's [columns]")
        lon = lat = None
    elif name.endswith(GEO_SUFFIXES):
        import geopandas as gpd

        kwargs: dict[str, Any] = {"layer": mapping.layer} if mapping.layer else {}
        try:
            gdf = gpd.read_file(path, engine="pyogrio", **kwargs)
        except Exception as exc:
            line = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise ValueError(f"{path.name}: not a readable GeoJSON or GeoPackage ({line})") from exc
        if mapping.crs:
            gdf = gdf.set_crs(mapping.crs, allow_override=True)
        elif gdf.crs is None:
            gdf = gdf.set_crs("EPSG:4326")
        geometry = gdf.geometry.to_crs("EPSG:4326")
        present = geometry.notna() & ~geometry.is_empty
        points = geometry.where(~present, geometry[present].representative_point())
        lon = np.where(present, points.x.where(present), np.nan).astype(float)
        lat = np.where(present, points.y.where(present), np.nan).astype(float)
        attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).map(_text)
    else:
        raise ValueError(f"{path.name}: not a resource file; give a GeoJSON, a GeoPackage (.gpkg) or a CSV")
    for our, theirs in mapping.columns.items():
        if theirs not in attributes.columns:
            listed = ", ".join(repr(c) for c in attributes.columns)
            raise ValueError(f"{path.name}: no column {theirs!r} (mapped to {our}); the file's columns are: {listed}")
    if lon is None:
        lon = pd.to_numeric(attributes[mapping.columns["lon"]], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(attributes[mapping.columns["lat"]], errors="coerce").to_numpy(dtype=float)
    return attributes.reset_index(drop=True), lon, lat


# -- checking ---------------------------------------------------------------------------
def check_rows(attributes: pd.DataFrame, lon: np.ndarray, lat: np.ndarray, mapping: ResourceMapping,
               file_name: str) -> pd.DataFrame:
    """One row per file row: our fields and ``reason`` (None: accepted). A kind or state
    value the mapping does not map fails the whole file (``ValueError``)."""
    n = len(attributes)

    def column(our: str) -> pd.Series:
        theirs = mapping.columns.get(our)
        values = attributes[theirs] if theirs else pd.Series([None] * n, dtype=object)
        return values.astype(object).where(values.map(lambda v: isinstance(v, str)), None)

    def mapped(our: str, table: dict[str, str], allowed: tuple[str, ...], default: str | None) -> pd.Series:
        values = column(our)
        lowered = values.map(lambda v: v.lower() if isinstance(v, str) else None)
        ours = lowered.map(lambda v: table.get(v, v if v in allowed else "?") if isinstance(v, str) else default)
        unknown = sorted({str(v) for v, o in zip(values, ours) if o == "?"})
        if unknown:
            shown = ", ".join(repr(v) for v in unknown[:20])
            raise ValueError(f"{file_name}: {our} values with no entry in the mapping's [{our}] table: {shown}"
                             f"{' …' if len(unknown) > 20 else ''} (map each to one of {', '.join(allowed)})")
        return ours

    kind = mapped("kind", mapping.kind, KINDS, mapping.default_kind)
    state = mapped("state", mapping.state, STATES, mapping.default_state)
    if mapping.coordinates == "gcj02" and n:
        ok = np.isfinite(lon) & np.isfinite(lat)
        wlon, wlat = lon.copy(), lat.copy()
        if ok.any():
            wlon[ok], wlat[ok] = gcj02_to_wgs84(lon[ok], lat[ok])
        lon, lat = wlon, wlat
    capacity_text = column("capacity")
    capacity = pd.to_numeric(capacity_text, errors="coerce")
    rows = pd.DataFrame({
        "__row": np.arange(n, dtype=np.int64), "kind": kind, "name": column("name"), "lon": lon, "lat": lat,
        "contact": column("contact"), "state": state, "capacity": capacity, "note": column("note"),
        "external_ref": column("id"),
    })
    reason = pd.Series([None] * n, dtype=object)

    def reject(mask: Any, why: str) -> None:
        mask = np.asarray(mask, dtype=bool) & reason.isna().to_numpy()
        reason[mask] = why

    reject(rows["name"].isna(), "no name")
    reject(rows["kind"].isna(), "no kind")
    reject(~(np.isfinite(lon) & np.isfinite(lat)), "no coordinates (or not numbers)")
    reject(~((lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90)), "coordinates outside longitude/latitude")
    bad_capacity = capacity_text.notna() & ~(capacity.notna() & (capacity >= 0) & (capacity % 1 == 0)
                                            & (capacity < 2**31))
    reject(bad_capacity, "capacity is not a whole number ≥ 0")
    ref = rows["external_ref"]
    repeated = ref.notna() & ref.duplicated(keep="first")
    reject(repeated, "repeats the id of an earlier row")
    rows["reason"] = reason
    return rows


# -- the operation ----------------------------------------------------------------------
def import_resources(store: Store, *, path: str, mapping: str | dict[str, Any],
                     rejects: str | None = None) -> dict[str, Any]:
    """Import the resources of ``path`` as ``mapping`` (a TOML file's path, or its content
    as a dict) says; rejected rows go to ``rejects`` (default ``<path>.rejects.csv``)."""
    started = time.perf_counter()
    source = Path(path).expanduser().resolve()
    parsed = load_resource_mapping(mapping if isinstance(mapping, dict) else Path(mapping).expanduser())
    attributes, lon, lat = read_resource_file(source, parsed)
    rows = check_rows(attributes, lon, lat, parsed, source.name)
    rejects_path = Path(rejects).expanduser() if rejects else Path(str(source) + ".rejects.csv")
    accepted = rows[rows["reason"].isna()].reset_index(drop=True)
    rejected = rows[rows["reason"].notna()]
    tmp = _write_rejects(attributes, rejected, rejects_path)
    try:
        with store.write() as cur:
            before = pd.DataFrame(store.select_in(cur, "resources/kind_counts"), columns=["kind", "resources"])
            cells = pd.DataFrame(store.select_in(cur, "imports/grid_cells"),
                                 columns=["cell_id", "village_id", "code", "geom"])
            cell_id = village_id = np.full(len(accepted), -1, dtype=np.int64)
            if len(cells) and len(accepted):
                cell_id, village_id = cell_locator(cells)(accepted["lon"].to_numpy(dtype=float),
                                                          accepted["lat"].to_numpy(dtype=float))
            table = pa.table({
                "__row": accepted["__row"].to_numpy(dtype=np.int64),
                "kind": pa.array(accepted["kind"].tolist(), pa.string()),
                "name": pa.array(accepted["name"].tolist(), pa.string()),
                "lon": accepted["lon"].to_numpy(dtype=float), "lat": accepted["lat"].to_numpy(dtype=float),
                "cell_id": pa.array(cell_id, mask=cell_id < 0, type=pa.int32()),
                "village_id": pa.array(village_id, mask=village_id < 0, type=pa.int32()),
                "contact": pa.array(accepted["contact"].tolist(), pa.string()),
                "state": pa.array(accepted["state"].tolist(), pa.string()),
                "capacity": pa.array(accepted["capacity"].to_numpy(dtype=float),
                                     mask=accepted["capacity"].isna().to_numpy()).cast(pa.int32()),
                "note": pa.array(accepted["note"].tolist(), pa.string()),
                "external_ref": pa.array(accepted["external_ref"].tolist(), pa.string()),
            })
            if len(accepted):
                cur.register("import_resources", table)
                store.execute_write(cur, "resources/replace_kinds")
                cur.unregister("import_resources")
            after = pd.DataFrame(store.select_in(cur, "resources/kind_counts"), columns=["kind", "resources"])
        os.replace(tmp, rejects_path)
        tmp = None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    kinds = sorted(set(accepted["kind"]))
    held = dict(zip(before["kind"], before["resources"].astype(int)))
    by_reason = rejected.groupby("reason").size().sort_values(ascending=False)
    seconds = time.perf_counter() - started
    return {
        "file": str(source),
        "rows_read": int(len(rows)),
        "imported": int(len(accepted)),
        "rejected": int(len(rejected)),
        "rejected_by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "by_kind": {str(k): int(v) for k, v in accepted.groupby("kind").size().items()},
        "replaced": {k: int(held.get(k, 0)) for k in kinds},
        "without_cell": int((cell_id < 0).sum()),
        "resources_total": int(after["resources"].sum()) if len(after) else 0,
        "rejects_file": str(rejects_path),
        "seconds": round(seconds, 3),
    }


def _write_rejects(attributes: pd.DataFrame, rejected: pd.DataFrame, target: Path) -> str:
    """The rejected rows as the file had them, with ``row`` (1 = the first under the
    header) and ``reason``; written beside the target, renamed into place after the commit."""
    out = attributes.iloc[rejected["__row"].to_numpy(dtype=np.int64)].copy()
    for key, values in (("row", rejected["__row"].to_numpy() + 1), ("reason", rejected["reason"].to_numpy())):
        out[key if key not in out.columns else f"reject_{key}"] = values
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rejects-", suffix=".csv", dir=target.parent)
    except OSError as exc:
        raise ValueError(f"{target.parent}: cannot write the rejects file there ({exc.strerror}); "
                         f"choose another place for it (--rejects)") from exc
    os.close(fd)
    try:
        out.to_csv(tmp, index=False, encoding="utf-8")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp
