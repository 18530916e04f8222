"""The SQL files and how they are read: one query per file under ``queries/sql/<area>/``,
the write path's statements under ``queries/writes/<area>/`` and the migrations, each
opening with ``--`` lines that say what it returns (``-- returns: a, b``) and which
parameters it takes (``-- params: scope, now``); the loader checks the parameters against
the ``$names`` the file uses."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

SQL_DIR = Path(__file__).resolve().parent / "sql"            # read queries
WRITES_DIR = Path(__file__).resolve().parent / "writes"     # statements of the write path
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class QueryError(Exception):
    pass


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    params: tuple[str, ...]
    returns: tuple[str, ...]
    summary: str


_HEADER_LIST = re.compile(r"^--\s*(params|returns):\s*(.*)$")
_PARAM_USE = re.compile(r"\$([a-z_][a-z0-9_]*)")


def parse_query(name: str, text: str) -> Query:
    declared: dict[str, tuple[str, ...]] = {"params": (), "returns": ()}
    summary = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER_LIST.match(line)
        if m:
            items = tuple(x.strip() for x in m.group(2).split(",") if x.strip() and x.strip() != "none")
            declared[m.group(1)] = declared[m.group(1)] + items
        else:
            summary.append(line[2:].strip())
    used = set(_PARAM_USE.findall(re.sub(r"--[^\n]*", "", text)))
    if used != set(declared["params"]):
        raise QueryError(f"{name}.sql: header params {sorted(declared['params'])} "
                         f"differ from those used {sorted(used)}")
    return Query(name, text, declared["params"], declared["returns"], " ".join(summary))


def _load_dir(folder: Path) -> dict[str, Query]:
    queries = {}
    for path in sorted(folder.rglob("*.sql")):
        name = path.relative_to(folder).with_suffix("").as_posix()
        queries[name] = parse_query(name, path.read_text(encoding="utf-8"))
    return queries


@cache
def all_queries() -> dict[str, Query]:
    return _load_dir(SQL_DIR)


@cache
def all_writes() -> dict[str, Query]:
    return _load_dir(WRITES_DIR)


def check_params(query: Query, params: dict[str, Any]) -> None:
    missing = set(query.params) - set(params)
    extra = set(params) - set(query.params)
    if missing or extra:
        raise QueryError(f"{query.name}: missing parameters {sorted(missing)}, unexpected {sorted(extra)}")


def migrations() -> list[tuple[int, str, str]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        found.append((version, path.stem, path.read_text(encoding="utf-8")))
    return found


LATEST_SCHEMA_VERSION = max(v for v, _, _ in migrations())


def split_statements(sql: str) -> list[str]:
    """Split a write file into statements (no semicolons inside strings in these files)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in body.split(";") if part.strip()]


def bindable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value
