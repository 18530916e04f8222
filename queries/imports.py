"""Bring your own township (issue 4): the store's side of importing a grid and a history of
matters, and reading the exported files.

The geodata work (reading polygons, CRS, GCJ-02, point → cell) lives in ``layers``; it
reaches this module through plain callbacks (``locate``, ``to_wgs84``), so that this layer
never imports geodata code. Every import is one ``store.write()`` transaction: it lands
whole or not at all, and bumps the data version once, so a running dashboard picks it up.

Matter files (CSV, CSV.gz, Excel) are read as text with pyarrow; a TOML mapping says which
column holds which field (``load_mapping``). Rows are checked in SQL
(``writes/imports/check_matters.sql``); a row failing a check goes to the rejects file
with its reason, the others become matters with a minimal legal event history (see
``writes/imports/chain.sql``), so that replay and playback work on them.
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import os
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping as MappingType

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from queries.derived import rebuild_derived
from queries.store import OPEN_STATUSES, Store, StoreError, all_writes
from queries import clock

# Our fields a mapping may name, in the order the docs list them.
FIELDS = ("id", "created_at", "closed_at", "due_at", "category", "major", "department", "status",
          "source", "description", "address", "lat", "lon", "point")
REQUIRED_FIELDS = ("id", "created_at")
IMPORT_STATUSES = (*OPEN_STATUSES, "closed", "voided")
SOURCES = ("transfer", "inspection", "grid", "public")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# Encodings pyarrow decodes itself; any other goes through Python's codecs (slower).
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 1 << 16

Locate = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
LocateFactory = Callable[[pd.DataFrame], Locate]
ToWgs84 = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


# -- the mapping ------------------------------------------------------------------------
@dataclass(frozen=True)
class Mapping:
    """How one export's columns and values map to ours (a TOML file; see docs/IMPORT.md)."""

    columns: dict[str, str]
    timestamp_formats: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)    # their value (lower case) → ours
    source: dict[str, str] = field(default_factory=dict)    # their value (lower case) → ours
    default_source: str = "public"
    encoding: str = "utf-8"
    delimiter: str | None = None
    coordinates: str = "wgs84"                              # or "gcj02"
    sheet: str | None = None
    category_limit_work_days: int = 5


def load_mapping(mapping: str | Path | MappingType[str, Any]) -> Mapping:
    """A mapping from a TOML file or an already parsed dict; a wrong mapping raises
    ``ValueError`` with one line saying what to fix."""
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        if not path.is_file():
            raise ValueError(f"{path}: no such mapping file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not a valid TOML mapping ({exc})") from exc
        where = str(path)
    else:
        data, where = dict(mapping), "mapping"
    unknown_tables = set(data) - {"columns", "formats", "status", "source", "defaults"}
    if unknown_tables:
        raise ValueError(f"{where}: unknown tables {sorted(unknown_tables)}; "
                         f"expected [columns], [formats], [status], [source], [defaults]")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise ValueError(f"{where}: no [columns] table (it maps our fields to the file's column names)")
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise ValueError(f"{where}: [columns] names unknown fields {sorted(unknown)}; "
                         f"known: {', '.join(FIELDS)}")
    for name, column in columns.items():
        if not isinstance(column, str) or not column:
            raise ValueError(f"{where}: [columns] {name} must be a column name (text)")
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise ValueError(f"{where}: [columns] must name {' and '.join(missing)}")
    if ("lat" in columns) != ("lon" in columns):
        raise ValueError(f"{where}: [columns] needs both lat and lon (or one point column)")
    if "point" in columns and "lat" in columns:
        raise ValueError(f"{where}: [columns] gives both point and lat/lon; keep one")

    formats = data.get("formats", {})
    unknown = set(formats) - {"timestamp", "encoding", "delimiter", "coordinates", "sheet"}
    if unknown:
        raise ValueError(f"{where}: [formats] has unknown keys {sorted(unknown)}")
    stamp = formats.get("timestamp", ())
    stamp = (stamp,) if isinstance(stamp, str) else tuple(stamp)
    if not all(isinstance(s, str) and "%" in s for s in stamp):
        raise ValueError(f"{where}: [formats] timestamp must be a strptime format such as "
                         f"\"%Y-%m-%d %H:%M:%S\" (or a list of them)")
    if any("%z" in s or "%Z" in s for s in stamp):
        raise ValueError(f"{where}: [formats] timestamp: time zones (%z, %Z) are not supported; "
                         f"times are local wall-clock times")
    if stamp:
        with duckdb.connect() as scratch:     # its own in-memory database: thread-safe
            for fmt in stamp:
                try:
                    scratch.execute("SELECT try_strptime('2000-01-01', $fmt)", {"fmt": fmt})
                except duckdb.Error as exc:
                    raise ValueError(f"{where}: [formats] timestamp {fmt!r} is not a valid strptime format "
                                     f"({str(exc).splitlines()[0][:120]})") from exc
    encoding = str(formats.get("encoding", "utf-8"))
    try:
        "".encode(encoding)
    except LookupError:
        raise ValueError(f"{where}: [formats] encoding {encoding!r} is not an encoding Python knows") from None
    delimiter = formats.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ValueError(f"{where}: [formats] delimiter must be one character")
    coordinates = str(formats.get("coordinates", "wgs84")).lower()
    if coordinates not in ("wgs84", "gcj02"):
        raise ValueError(f"{where}: [formats] coordinates must be \"wgs84\" or \"gcj02\"")

    status = _value_table(data.get("status", {}), IMPORT_STATUSES, "status", where)
    source = _value_table(data.get("source", {}), SOURCES, "source", where)
    defaults = data.get("defaults", {})
    unknown = set(defaults) - {"source", "category_limit_work_days"}
    if unknown:
        raise ValueError(f"{where}: [defaults] has unknown keys {sorted(unknown)}")
    default_source = defaults.get("source", "public")
    if default_source not in SOURCES:
        raise ValueError(f"{where}: [defaults] source must be one of {', '.join(SOURCES)}")
    limit_days = defaults.get("category_limit_work_days", 5)
    if not isinstance(limit_days, int) or limit_days <= 0:
        raise ValueError(f"{where}: [defaults] category_limit_work_days must be a positive whole number")
    return Mapping(columns=dict(columns), timestamp_formats=stamp, status=status, source=source,
                   default_source=default_source, encoding=encoding, delimiter=delimiter,
                   coordinates=coordinates, sheet=formats.get("sheet"), category_limit_work_days=limit_days)


def _value_table(table: Any, allowed: tuple[str, ...], name: str, where: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: [{name}] must be a table of \"their value\" = \"ours\"")
    out: dict[str, str] = {}
    for theirs, ours in table.items():
        if ours not in allowed:
            raise ValueError(f"{where}: [{name}] {theirs!r} = {ours!r}: ours must be one of {', '.join(allowed)}")
        key = str(theirs).strip().lower()
        if key in out and out[key] != ours:
            raise ValueError(f"{where}: [{name}] maps {theirs!r} twice (values match ignoring case)")
        out[key] = ours
    return out


# -- reading a file as text -----------------------------------------------------------
@dataclass
class TextTable:
    """Every cell of a file as text (None when empty), columns in file order."""

    path: Path
    columns: list[str]
    table: pa.Table                  # columns c0, c1, … (names may repeat in a file)
    seconds: float
    row_numbers: np.ndarray | None = None   # each row's number in the file (1 = first under the header)

    @property
    def rows(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> pa.ChunkedArray:
        return self.table.column(self.columns.index(name))


def _describe(path: Path) -> str:
    return path.name


def _file_kind(path: Path) -> tuple[str, bytes]:
    """('csv' | 'gzip' | 'excel', first bytes of the content): refuses what is not a table
    with one clear line (a binary file renamed .csv, an empty file)."""
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{_describe(path)}: the file is empty")
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    suffix = path.suffix.lower()
    if head[:4] == b"PK\x03\x04":
        if suffix in EXCEL_SUFFIXES:
            return "excel", head
        raise ValueError(f"{_describe(path)}: a zip archive (an Excel workbook?), not a CSV text file; "
                         f"name an Excel file .xlsx")
    if suffix in EXCEL_SUFFIXES:
        raise ValueError(f"{_describe(path)}: not an Excel .xlsx workbook (old .xls files: save as .xlsx)")
    if suffix in (".geojson", ".json", ".shp", ".gpkg"):
        raise ValueError(f"{_describe(path)}: a geodata file, not a matter export (CSV, CSV.gz or Excel .xlsx); "
                         f"grids go in with import-grid")
    if suffix == ".xls":
        raise ValueError(f"{_describe(path)}: old Excel .xls files are not read; save it as .xlsx or CSV")
    kind = "csv"
    if head[:2] == b"\x1f\x8b":
        kind = "gzip"
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(_SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{_describe(path)}: a damaged gzip file ({exc})") from exc
        if not head:
            raise ValueError(f"{_describe(path)}: the file is empty (inside its gzip)")
    elif suffix == ".gz":
        raise ValueError(f"{_describe(path)}: named .gz but not gzip-compressed")
    if b"\x00" in head:
        raise ValueError(f"{_describe(path)}: binary content, not a CSV text file "
                         f"(a renamed file? CSV, CSV.gz and Excel .xlsx are read)")
    if not head.strip():
        raise ValueError(f"{_describe(path)}: the file holds no text (only blank lines)")
    return kind, head


def _decode_head(head: bytes, encoding: str, path: Path) -> str:
    enc = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    # The sniffed block may end inside a multi-byte character: drop a few bytes if needed.
    for cut in range(0, 4):
        try:
            return head[: len(head) - cut].decode(enc)
        except UnicodeDecodeError as exc:
            last = exc
    hint = " (Chinese exports are often GBK: set [formats] encoding = \"gbk\")" if enc.startswith("utf") else ""
    raise ValueError(f"{_describe(path)}: not {encoding} text{hint}") from last


def _header(text: str, delimiter: str | None, path: Path) -> tuple[list[str], str]:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    if delimiter is None:
        counts = {d: first_line.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    except (csv.Error, StopIteration) as exc:
        raise ValueError(f"{_describe(path)}: cannot read the header line ({exc})") from exc
    if not any(h.strip() for h in header):
        raise ValueError(f"{_describe(path)}: the first line is not a header of column names")
    return header, delimiter


def read_text_table(path: str | Path, mapping: Mapping) -> TextTable:
    """The file's cells as text, in file order. Errors a person can act on raise
    ``ValueError``: empty, binary, wrong encoding, malformed CSV, header without rows."""
    started = time.perf_counter()
    path = Path(path)
    kind, head = _file_kind(path)
    if kind == "excel":
        columns, table, row_numbers = _read_excel(path, mapping.sheet)
    else:
        text = _decode_head(head, mapping.encoding, path)
        columns, delimiter = _header(text, mapping.delimiter, path)
        names = [f"c{i}" for i in range(len(columns))]
        row_numbers = None
        stream = pa.input_stream(str(path), compression="gzip" if kind == "gzip" else None)
        try:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding=mapping.encoding,
                                               block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                     strings_can_be_null=True, quoted_strings_can_be_null=True),
            )
        except pa.ArrowInvalid as exc:
            message = str(exc).splitlines()[0]
            if "UTF8" in message or "utf8" in message.lower():
                raise ValueError(f"{_describe(path)}: not UTF-8 text beyond the first lines; "
                                 f"set [formats] encoding (e.g. \"gbk\")") from exc
            raise ValueError(f"{_describe(path)}: not a well-formed CSV file "
                             f"({message[:200]})") from exc
        except UnicodeDecodeError as exc:
            raise ValueError(f"{_describe(path)}: not {mapping.encoding} text ({exc.reason})") from exc
        except (OSError, EOFError) as exc:
            raise ValueError(f"{_describe(path)}: cannot be read ({exc})") from exc
    if table.num_rows == 0:
        raise ValueError(f"{_describe(path)}: a header but no rows")
    if row_numbers is None:
        row_numbers = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return TextTable(path, [c.strip() for c in columns], table, time.perf_counter() - started, row_numbers)


def _excel_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    text = str(value)
    return text if text.strip() else None


def _read_excel(path: Path, sheet: str | None) -> tuple[list[str], pa.Table, np.ndarray]:
    """The first sheet (or the named one) as text; blank rows are skipped, and each row
    keeps its number under the header row (Excel's row number minus one)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValueError(f"{_describe(path)}: not a readable Excel workbook ({exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ValueError(f"{_describe(path)}: no sheet {sheet!r}; its sheets are: {', '.join(book.sheetnames)}")
        rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or not any(h is not None for h in header):
            raise ValueError(f"{_describe(path)}: the sheet is empty")
        columns = ["" if h is None else str(h) for h in header]
        width = len(columns)
        cells: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for number, row in enumerate(rows, start=1):
            if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            numbers.append(number)
            for i in range(width):
                cells[i].append(_excel_text(row[i]) if i < len(row) else None)
    finally:
        book.close()
    table = pa.table({f"c{i}": pa.array(cells[i], type=pa.string()) for i in range(width)})
    return columns, table, np.asarray(numbers, dtype=np.int64)


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
            raise ValueError(f"{_describe(text.path)}: no column {column!r} (mapped to {name}); "
                             f"the file's columns are: {listed}")
        if len(matches) > 1:
            raise ValueError(f"{_describe(text.path)}: column {column!r} (mapped to {name}) appears "
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


def import_matters(store: Store, path: str | Path, mapping: Mapping, *,
                   locate_factory: LocateFactory | None, to_wgs84: ToWgs84 | None = None,
                   rejects_path: str | Path | None = None) -> dict[str, Any]:
    """Import a matter history: check rows, write the rejects, insert matters and events,
    rebuild the derived tables; one transaction. Returns the summary (JSON-able)."""
    started = time.perf_counter()
    path = Path(path).resolve()
    text = read_text_table(path, mapping)
    staged = stage(text, mapping)
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

            before = _fetch(cur, "imports/reference_counts").iloc[0]
            store.execute_write(cur, "imports/new_departments")
            store.execute_write(cur, "imports/new_categories", limit_days=mapping.category_limit_work_days)
            after = _fetch(cur, "imports/reference_counts").iloc[0]
            store.execute_write(cur, "imports/assign_ids")
            worst = _fetch(cur, "imports/busiest_day")
            if len(worst) and int(worst["last_seq"].iloc[0]) > 99_999:
                raise ValueError(f"{worst['day'].iloc[0]}: more than 99,999 matters on one day "
                                 f"do not fit the matter id scheme (yyyymmdd × 100000 + sequence)")

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
            store.execute_write(cur, "imports/chain")
            store.execute_write(cur, "imports/insert_matters")
            store.execute_write(cur, "imports/insert_events", note=f"imported from {path.name}")
            rebuild_derived(store, cur)

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
    return summary


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).isoformat(sep=" ")


def _check_mapping_fits(cur: duckdb.DuckDBPyConnection, mapping: Mapping, text: TextTable) -> None:
    """All-or-nothing checks of the mapping against the data: status values without a
    [status] entry, and a timestamp format under which no value of a column parses."""
    found = _fetch(cur, "imports/mapping_problems").iloc[0]
    name = _describe(text.path)
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
    cur = store.cursor()
    try:
        frame = _fetch(cur, "imports/current_township")
    finally:
        cur.close()
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
