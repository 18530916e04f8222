"""How one export's columns and values map to ours: a TOML file (see docs/IMPORT.md),
checked whole against its model (``MappingFile``) when it is loaded, so that a wrong
mapping fails before any row is read."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional, Union
from typing import Mapping as MappingType

import duckdb
from annotated_types import MaxLen, MinLen
from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from queries.contract import OneOf, Whole, check_fields, problem
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


def _encoding(value: Any) -> str:
    try:
        "".encode(str(value))
    except LookupError:
        raise problem(f"encoding {str(value)!r} is not an encoding Python knows") from None
    return str(value)


def _timestamps(value: Any) -> tuple[str, ...]:
    stamp = (value,) if isinstance(value, str) else value
    if not isinstance(stamp, (list, tuple)) or not all(isinstance(s, str) and "%" in s for s in stamp):
        raise problem("timestamp must be a strptime format such as \"%Y-%m-%d %H:%M:%S\" (or a list of them)")
    if any("%z" in s or "%Z" in s for s in stamp):
        raise problem("timestamp: time zones (%z, %Z) are not supported; times are local wall-clock times")
    return tuple(stamp)


def _delimiter(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or len(value) != 1):
        raise problem("delimiter must be one character")
    return value


ColumnName = Optional[Annotated[str, MinLen(1)]]


def _column(value: Any) -> Any:
    if value is not None and (not isinstance(value, str) or not value):
        raise problem("must be a column name (text)")
    return value


# The mapping file's model (queries.contract); the checks between its tables follow in load_mapping.
MappingColumns = create_model("MappingColumns", __config__=ConfigDict(extra="forbid"),
                              **{f: (Annotated[ColumnName, BeforeValidator(_column)], None) for f in FIELDS})


class MappingFormats(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timestamp: Annotated[Union[str, list[str]], BeforeValidator(_timestamps)] = ()
    encoding: Annotated[str, BeforeValidator(_encoding)] = "utf-8"
    delimiter: Annotated[Optional[Annotated[str, MinLen(1), MaxLen(1)]], BeforeValidator(_delimiter)] = None
    coordinates: Annotated[OneOf(("wgs84", "gcj02"), says="coordinates must be \"wgs84\" or \"gcj02\""),
                           BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v)] = "wgs84"
    sheet: Optional[str] = None


class MappingDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: OneOf(SOURCES, says=f"source must be one of {', '.join(SOURCES)}") = "public"
    category_limit_work_days: Whole(1, 10_000, says="category_limit_work_days must be a positive whole number") = 5


def _values(allowed: tuple[str, ...]) -> Any:
    return dict[str, OneOf(allowed, says=f"ours must be one of {', '.join(allowed)}")]


class MappingFile(BaseModel):
    """A mapping TOML file (docs/IMPORT.md)."""
    model_config = ConfigDict(extra="forbid")
    columns: MappingColumns
    formats: MappingFormats = MappingFormats()
    status: _values(IMPORT_STATUSES) = {}
    source: _values(SOURCES) = {}
    defaults: MappingDefaults = MappingDefaults()


def _say(where: str, data: dict[str, Any], error: dict[str, Any]) -> str:
    """One of the model's problems as one line naming the table."""
    table, _, key = error["field"].partition(".")
    if error["problem"] == "unknown field" and not key:
        return (f"{where}: unknown tables {sorted(set(data) - set(MappingFile.model_fields))}; "
                f"expected [columns], [formats], [status], [source], [defaults]")
    if table == "columns" and not key:
        return f"{where}: no [columns] table (it maps our fields to the file's column names)"
    if table == "columns" and error["problem"] == "unknown field":
        return (f"{where}: [columns] names unknown fields {sorted(set(data['columns']) - set(FIELDS))}; "
                f"known: {', '.join(FIELDS)}")
    if table == "columns":
        return f"{where}: [columns] {key} {error['problem']}"
    if table in ("status", "source") and key:
        return f"{where}: [{table}] {key!r} = {error['value']!r}: {error['problem']}"
    if table in ("status", "source"):
        return f"{where}: [{table}] must be a table of \"their value\" = \"ours\""
    if error["problem"] == "unknown field":
        return f"{where}: [{table}] has unknown keys {sorted(set(data[table]) - set(_TABLES[table].model_fields))}"
    said = error["problem"]
    return f"{where}: [{table}] {said if said.startswith(key) else f'{key}: {said}'}"


_TABLES = {"formats": MappingFormats, "defaults": MappingDefaults}


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
    if not data.get("columns"):
        data.pop("columns", None)
    clean, errors = check_fields(MappingFile, data, nested=True)
    if errors:
        raise ValueError(_say(where, data, errors[0]))
    columns = {k: v for k, v in clean["columns"].model_dump().items() if v is not None}
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:
        raise ValueError(f"{where}: [columns] must name {' and '.join(missing)}")
    if ("lat" in columns) != ("lon" in columns):
        raise ValueError(f"{where}: [columns] needs both lat and lon (or one point column)")
    if "point" in columns and "lat" in columns:
        raise ValueError(f"{where}: [columns] gives both point and lat/lon; keep one")
    formats, defaults = clean["formats"], clean["defaults"]
    stamp = tuple(formats.timestamp)
    if stamp:
        with duckdb.connect() as scratch:     # its own in-memory database: thread-safe
            for fmt in stamp:
                try:
                    scratch.execute("SELECT try_strptime('2000-01-01', $fmt)", {"fmt": fmt})
                except duckdb.Error as exc:
                    raise ValueError(f"{where}: [formats] timestamp {fmt!r} is not a valid strptime format "
                                     f"({str(exc).splitlines()[0][:120]})") from exc
    status = _value_table(clean["status"], "status", where)
    source = _value_table(clean["source"], "source", where)
    return Mapping(columns=columns, timestamp_formats=stamp, status=status, source=source,
                   default_source=defaults.source, encoding=formats.encoding, delimiter=formats.delimiter,
                   coordinates=formats.coordinates, sheet=formats.sheet,
                   category_limit_work_days=defaults.category_limit_work_days)


def _value_table(table: dict[str, str], name: str, where: str) -> dict[str, str]:
    """Their values (lower case, trimmed) → ours; two of theirs that differ only in case must agree."""
    out: dict[str, str] = {}
    for theirs, ours in table.items():
        key = str(theirs).strip().lower()
        if key in out and out[key] != ours:
            raise ValueError(f"{where}: [{name}] maps {theirs!r} twice (values match ignoring case)")
        out[key] = ours
    return out
