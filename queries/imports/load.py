"""Loading into the store: a matter history and a new grid, each in one ``store.write()``
transaction, so that it lands whole or not at all and bumps the data version once (a
running dashboard picks it up).

Rows are checked in SQL (``writes/imports/check_matters.sql``); a row failing a check goes
to the rejects file with its reason, the others become matters with a minimal legal event
history (see ``writes/imports/chain.sql``), so that replay and playback work on them.
"""
from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from queries import clock
from queries.derived import rebuild_derived
from queries.imports.files import TextTable, describe, read_text_table
from queries.imports.mapping import FIELDS, IMPORT_STATUSES, Mapping
from queries.sqlfiles import all_writes
from queries.store import Store, StoreError

Locate = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
LocateFactory = Callable[[pd.DataFrame], Locate]
ToWgs84 = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def stage(text: TextTable, mapping: Mapping) -> pa.Table:
    """Our fields (all text) plus ``__row`` (the row's position in the file) — all or
    nothing: a column the mapping names that the file lacks is an error listing the
    file's columns."""
    out: dict[str, pa.ChunkedArray | pa.Array] = {"__row": pa.array(np.arange(text.rows, dtype=np.int64))}
    for name in FIELDS:
        column = mapping.columns.get(name)
        if column is None:
            out[name] = pa.nulls(text.rows, type=pa.string())
            continue
        matches = [i for i, c in enumerate(text.columns) if c == column.strip()]
        if not matches:
            listed = ", ".join(repr(c) for c in text.columns)
            raise ValueError(f"{describe(text.path)}: no column {column!r} (mapped to {name}); "
                             f"the file's columns are: {listed}")
        if len(matches) > 1:
            raise ValueError(f"{describe(text.path)}: column {column!r} (mapped to {name}) appears "
                             f"{len(matches)} times in the header")
        out[name] = _trimmed(text.table.column(matches[0]))
    return pa.table(out)


def _trimmed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text without surrounding blanks; an empty cell is missing (NULL). Done in Arrow,
    several times faster than in the checking SQL."""
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), pa.scalar(None, pa.string()), trimmed)


# -- running the import's statements ----------------------------------------------------
def _fetch(cur: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """A SELECT under ``queries/writes/imports`` that reads the import's temp tables inside
    the write transaction (so it is not a read query the dashboard could run)."""
    query = all_writes()[name]
    if set(query.params) != set(params):
        raise ValueError(f"{name}: parameters {sorted(params)} differ from {sorted(query.params)}")
    return cur.execute(query.sql, params).df() if params else cur.execute(query.sql).df()


# The import's steps and the share of the work done when each has finished, from the
# Boston export's measured step times (reading and the derived tables dominate). A progress
# callback hears (step, share) as each step ends: real milestones, not a clock's guess.
PROGRESS_STEPS = {"read": 0.30, "checked": 0.45, "references": 0.50, "located": 0.60, "matters": 0.72,
                  "events": 0.78, "derived": 0.96, "rejects": 1.0}
Progress = Callable[[str, float], None]


def import_matters(store: Store, path: str | Path, mapping: Mapping, *,
                   locate_factory: LocateFactory | None, to_wgs84: ToWgs84 | None = None,
                   rejects_path: str | Path | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Import a matter history: check rows, write the rejects, insert matters and events,
    rebuild the derived tables; one transaction. Returns the summary (JSON-able).
    ``progress(step, share)`` is called as each of PROGRESS_STEPS ends."""
    def step(name: str) -> None:
        if progress is not None:
            progress(name, PROGRESS_STEPS[name])

    started = time.perf_counter()
    path = Path(path).resolve()
    text = read_text_table(path, mapping)
    staged = stage(text, mapping)
    step("read")
    rejects_path = Path(rejects_path) if rejects_path else Path(str(path) + ".rejects.csv")
    if mapping.coordinates == "gcj02" and to_wgs84 is None:
        raise ValueError("the mapping's coordinates are GCJ-02, but no converter was given")

    status_map = pa.table({"theirs": list(mapping.status), "ours": list(mapping.status.values())},
                          schema=pa.schema([("theirs", pa.string()), ("ours", pa.string())]))
    source_map = pa.table({"theirs": list(mapping.source), "ours": list(mapping.source.values())},
                          schema=pa.schema([("theirs", pa.string()), ("ours", pa.string())]))
    formats = list(mapping.timestamp_formats) or ["%Y-%m-%dT%H:%M:%S"]
    tmp_rejects: Path | None = None
    summary: dict[str, Any] = {}
    try:
        with store.write() as cur:
            cur.register("import_file", staged)
            cur.register("import_status_map", status_map)
            cur.register("import_source_map", source_map)
            store.execute_write(cur, "imports/check_matters", ts_formats=formats,
                                default_source=mapping.default_source)
            _check_mapping_fits(cur, mapping, text)
            step("checked")

            before = _fetch(cur, "imports/reference_counts").iloc[0]
            store.execute_write(cur, "imports/new_departments")
            store.execute_write(cur, "imports/new_categories", limit_days=mapping.category_limit_work_days)
            after = _fetch(cur, "imports/reference_counts").iloc[0]
            store.execute_write(cur, "imports/assign_ids")
            worst = _fetch(cur, "imports/busiest_day")
            if len(worst) and int(worst["last_seq"].iloc[0]) > 99_999:
                raise ValueError(f"{worst['day'].iloc[0]}: more than 99,999 matters on one day "
                                 f"do not fit the matter id scheme (yyyymmdd × 100000 + sequence)")
            step("references")

            points = _fetch(cur, "imports/accepted_points")
            row = points["__row"].to_numpy(dtype=np.int64)
            lon = points["lon"].to_numpy(dtype=float)
            lat = points["lat"].to_numpy(dtype=float)
            if mapping.coordinates == "gcj02" and len(lon):
                lon, lat = to_wgs84(lon, lat)
            cells = _fetch(cur, "imports/grid_cells")
            if locate_factory is not None and len(cells) and len(lon):
                cell_id, village_id = locate_factory(cells)(lon, lat)
            else:
                cell_id = village_id = np.full(len(lon), -1, dtype=np.int64)
            located = pa.table({
                "__row": row, "lon": lon, "lat": lat,
                "cell_id": pa.array(cell_id, mask=cell_id < 0, type=pa.int32()),
                "village_id": pa.array(village_id, mask=village_id < 0, type=pa.int32()),
            })
            cur.register("import_points", located)
            step("located")
            store.execute_write(cur, "imports/chain")
            store.execute_write(cur, "imports/insert_matters")
            step("matters")
            store.execute_write(cur, "imports/insert_events", note=f"imported from {path.name}")
            step("events")
            rebuild_derived(store, cur)
            step("derived")

            counts = _fetch(cur, "imports/summary")
            rejected = _fetch(cur, "imports/rejected_rows")
            tmp_rejects = _write_rejects(text, rejected, rejects_path)
            for name in ("import_file", "import_status_map", "import_source_map", "import_points"):
                cur.unregister(name)
            store.execute_write(cur, "imports/drop_temp")

            c = counts.iloc[0]
            imported = int(c["imported"])
            by_reason = rejected.groupby("reason").size().sort_values(ascending=False)
            summary = {
                "file": str(path),
                "rows_read": text.rows,
                "imported": imported,
                "rejected": int(len(rejected)),
                "rejected_by_reason": {str(k): int(v) for k, v in by_reason.items()},
                "without_cell": int(imported - (cell_id >= 0).sum()),
                "without_coordinates": int(imported - len(lon)),
                "outside_grid": int((cell_id < 0).sum()),
                "grid_cells": int(len(cells)),
                "closed_by_time_not_status": int(c["status_conflicts"]),
                "departments_created": int(after["departments"] - before["departments"]),
                "categories_created": int(after["categories"] - before["categories"]),
                "events": int(c["events"]),
                "first_created_at": _iso(c["first_created"]),
                "last_created_at": _iso(c["last_created"]),
                "rejects_file": str(rejects_path),
            }
        os.replace(tmp_rejects, rejects_path)
        tmp_rejects = None
    finally:
        if tmp_rejects is not None:
            tmp_rejects.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    summary["seconds"] = round(seconds, 3)
    summary["read_seconds"] = round(text.seconds, 3)
    summary["rows_per_s"] = int(text.rows / seconds) if seconds > 0 else None
    step("rejects")
    return summary


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).isoformat(sep=" ")


def _check_mapping_fits(cur: duckdb.DuckDBPyConnection, mapping: Mapping, text: TextTable) -> None:
    """All-or-nothing checks of the mapping against the data: status values without a
    [status] entry, and a timestamp format under which no value of a column parses."""
    found = _fetch(cur, "imports/mapping_problems").iloc[0]
    name = describe(text.path)
    listed = found["unmapped_statuses"]
    unmapped = [str(v) for v in listed] if isinstance(listed, (list, tuple, np.ndarray)) else []
    if unmapped:
        shown = ", ".join(repr(v) for v in unmapped[:20])
        raise ValueError(f"{name}: status values with no entry in the mapping's [status] table: {shown}"
                         f"{' …' if len(unmapped) > 20 else ''} (map each to one of {', '.join(IMPORT_STATUSES)})")
    for field_name in ("created_at", "closed_at", "due_at"):
        present, parsed = int(found[f"{field_name}_present"]), int(found[f"{field_name}_parsed"])
        if present and not parsed:
            sample = found[f"{field_name}_sample"]
            fmt = " or ".join(repr(f) for f in mapping.timestamp_formats) or "ISO 8601"
            raise ValueError(f"{name}: no {field_name} value (column {mapping.columns[field_name]!r}) parses "
                             f"as {fmt}, e.g. {sample!r}: fix [formats] timestamp")


def _write_rejects(text: TextTable, rejected: pd.DataFrame, target: Path) -> Path:
    """The rejected rows as the file had them, plus ``row`` (its number in the file, 1 = the
    first row under the header) and ``reason``; written beside the target, renamed into
    place after the commit."""
    rows = rejected["__row"].to_numpy(dtype=np.int64)
    table = text.table.take(pa.array(rows))
    names = list(text.columns)
    extra = {"row": pa.array(text.row_numbers[rows]), "reason": pa.array(rejected["reason"].astype(str).tolist())}
    for key, values in extra.items():
        label = key if key not in names else f"reject_{key}"
        table = table.append_column(label, values)
        names.append(label)
    table = table.rename_columns(names)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rejects-", suffix=".csv", dir=target.parent)
    except OSError as exc:
        raise ValueError(f"{target.parent}: cannot write the rejects file there ({exc.strerror}); "
                         f"choose another place for it (--rejects)") from exc
    os.close(fd)
    try:
        pacsv.write_csv(table, tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


# -- the grid -------------------------------------------------------------------------
@dataclass(frozen=True)
class Township:
    code: str
    name: str
    origin: str


def current_township(store: Store) -> Township | None:
    with store.reading() as cur:
        frame = _fetch(cur, "imports/current_township")
    if not len(frame):
        return None
    row = frame.iloc[0]
    return Township(str(row["code"]), str(row["name"]), str(row["origin"]))


AREA_COLUMNS = ("local_id", "level", "code", "name", "parent_local", "village_local", "lon", "lat",
                "area_km2", "geom")


def replace_grid(store: Store, areas: pd.DataFrame, locate: Callable[[np.ndarray, np.ndarray], np.ndarray],
                 *, source: str, township_name: str,
                 also: Callable[[duckdb.DuckDBPyConnection, pd.DataFrame], Any] | None = None) -> dict[str, Any]:
    """Replace every area with ``areas`` (township, villages, cells with local ids 0…n-1;
    ``parent_local``/``village_local`` refer to them) and re-file existing matters and
    resources under the new cells: ``locate(lon, lat)`` gives the local id of the cell
    holding each point, or -1. ``also(cur, areas_with_ids)`` writes what else derives from
    the grid (the cell adjacency) in the same transaction. One transaction; the new area
    ids follow the old ones, so an id never changes meaning."""
    missing = set(AREA_COLUMNS) - set(areas.columns)
    if missing:
        raise ValueError(f"areas lack columns {sorted(missing)}")
    # DuckDB (1.4) can refuse to commit a transaction that deletes and re-inserts a unique
    # key (the area codes, on a re-import) while an earlier transaction's deleted versions
    # of it are still in the index ("write-write conflict"); a checkpoint clears them.
    for attempt in (1, 2):
        with store._write_lock:
            store.checkpoint()
            try:
                return _replace_grid(store, areas, locate, source=source, township_name=township_name, also=also)
            except duckdb.TransactionException as exc:
                cause = f"{exc} {exc.__context__ or ''}"
                if "write-write conflict" not in cause:
                    raise
                if attempt == 2:
                    raise StoreError("the grid could not replace the old one (the database reported a "
                                     "conflict); nothing changed: run the import again") from exc
    raise AssertionError("unreachable")


def _replace_grid(store: Store, areas: pd.DataFrame, locate: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  *, source: str, township_name: str,
                  also: Callable[[duckdb.DuckDBPyConnection, pd.DataFrame], Any] | None) -> dict[str, Any]:
    village_of = np.full(int(areas["local_id"].max()) + 1, -1, dtype=np.int64)
    cells = areas[areas["level"] == "cell"]
    village_of[cells["local_id"].to_numpy(dtype=np.int64)] = cells["village_local"].to_numpy(dtype=np.int64)

    with store.write() as cur:
        base = int(_fetch(cur, "imports/next_area_id")["next_id"].iloc[0])
        frame = pd.DataFrame({
            "area_id": (areas["local_id"].to_numpy(dtype=np.int64) + base).astype(np.int32),
            "level": areas["level"].astype(str),
            "code": areas["code"].astype(str),
            "name": areas["name"].astype(str),
            "parent_id": (areas["parent_local"] + base).astype("Int32"),
            "village_id": (areas["village_local"] + base).astype("Int32"),
            "lon": areas["lon"].astype(float),
            "lat": areas["lat"].astype(float),
            "area_km2": areas["area_km2"].astype(float),
            "geom": areas["geom"],
        })
        cur.register("import_areas", frame)
        store.execute_write(cur, "imports/replace_areas")
        cur.unregister("import_areas")
        if also is not None:
            also(cur, frame.assign(local_id=areas["local_id"].to_numpy()))

        refiled = {}
        for what in ("matters", "resources"):
            points = _fetch(cur, f"imports/{what}_points")
            lon = points["lon"].to_numpy(dtype=float)
            lat = points["lat"].to_numpy(dtype=float)
            local = np.asarray(locate(lon, lat), dtype=np.int64) if len(lon) else np.empty(0, dtype=np.int64)
            inside = local >= 0
            cell_id = np.where(inside, local + base, -1)
            village_id = np.where(inside, village_of[np.maximum(local, 0)] + base, -1)
            cur.register("import_assign", pa.table({
                "id": points["id"].to_numpy(dtype=np.int64),
                "cell_id": pa.array(cell_id, mask=~inside, type=pa.int32()),
                "village_id": pa.array(village_id, mask=~inside, type=pa.int32()),
            }))
            store.execute_write(cur, f"imports/refile_{what}")
            cur.unregister("import_assign")
            refiled[what] = {"located": int(len(lon)), "in_a_cell": int(inside.sum())}
        rebuild_derived(store, cur)
        store.set_meta(cur, "township_name", township_name)
        store.set_meta(cur, "grid_source", source)
        store.set_meta(cur, "grid_imported_at", clock.now().isoformat(sep=" ", timespec="seconds"))
        counts = _fetch(cur, "imports/area_counts").iloc[0]
    return {
        "township": township_name,
        "villages": int(counts["villages"]),
        "cells": int(counts["cells"]),
        "first_area_id": base,
        "matters_refiled": refiled["matters"]["located"],
        "matters_in_a_cell": refiled["matters"]["in_a_cell"],
        "matters_total": int(counts["matters"]),
        "resources_refiled": refiled["resources"]["located"],
    }
