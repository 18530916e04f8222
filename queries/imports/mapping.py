"""How one export's columns and values map to ours: a TOML file (see docs/IMPORT.md),
checked whole when it is loaded, so that a wrong mapping fails before any row is read."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from typing import Mapping as MappingType

import duckdb

from queries.vocabulary import OPEN_STATUSES, SOURCES

# Our fields a mapping may name, in the order the docs list them.
FIELDS = ("id", "created_at", "closed_at", "due_at", "category", "major", "department", "status",
          "source", "description", "address", "lat", "lon", "point")
REQUIRED_FIELDS = ("id", "created_at")
IMPORT_STATUSES = (*OPEN_STATUSES, "closed", "voided")


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
