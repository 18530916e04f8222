"""Command line of the imports and the report: ``import-grid``, ``import-matters``, ``report``.

The imports write the database, so they run in its one writer (``run_write_op``): here
when no server holds the file, else in the running server, which then shows the new data
without a restart. File paths are made absolute first, since the server's working folder
is not ours. ``report`` reads: it opens the file read-only, or asks the running server.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dashboard.writeops import run_write_op
from queries.settings import load_settings
from queries.store import Store, StoreError


def _db_path(args: argparse.Namespace) -> str:
    return args.db_path or load_settings().db_path


def _ensure_database(db_path: str) -> bool:
    """A new township starts from its grid: create an empty database when there is none."""
    if Path(db_path).exists():
        return False
    Store(db_path, create=True).close()
    return True


def _via(result: dict[str, Any]) -> str:
    return f" (through the server at {result['via_server']})" if "via_server" in result else ""


def cmd_import_grid(args: argparse.Namespace) -> int:

    db_path = _db_path(args)
    if _ensure_database(db_path):
        print(f"{db_path}: created a new, empty database")
    result = run_write_op(
        db_path, "import_grid", path=str(Path(args.file).expanduser().resolve()), id_field=args.id_field,
        name_field=args.name_field, parent_field=args.parent_field, parent_name_field=args.parent_name_field,
        crs=args.crs, from_gcj02=args.from_gcj02, encoding=args.encoding, layer=args.layer,
        township_name=args.township_name, township_code=args.township_code)
    for warning in result.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{Path(args.file).name}: grid of {result['township']} imported{_via(result)}: "
          f"{result['villages']:,} villages/communities, {result['cells']:,} cells "
          f"(from {result['crs']}{', GCJ-02 converted' if result['from_gcj02'] else ''}); "
          f"{result['matters_refiled']:,} matters re-filed, {result['matters_in_a_cell']:,} of them in a cell; "
          f"{len(result.get('warnings', []))} warnings; {result['seconds']:.1f} s")
    return 0


def cmd_import_matters(args: argparse.Namespace) -> int:

    db_path = _db_path(args)
    if _ensure_database(db_path):
        print(f"{db_path}: created a new, empty database (no grid yet: matters get no cell)")
    bar = progress_bar(sys.stderr)
    try:
        result = run_write_op(
            db_path, "import_matters", path=str(Path(args.file).expanduser().resolve()),
            mapping=str(Path(args.mapping).expanduser().resolve()),
            rejects=str(Path(args.rejects).expanduser().resolve()) if args.rejects else None, progress=bar)
    finally:
        if bar is not None:
            bar.end()
    print(format_matter_summary(result, Path(args.file).name))
    return 0


def cmd_import_resources(args: argparse.Namespace) -> int:
    db_path = _db_path(args)
    result = run_write_op(
        db_path, "import_resources", path=str(Path(args.file).expanduser().resolve()),
        mapping=str(Path(args.mapping).expanduser().resolve()),
        rejects=str(Path(args.rejects).expanduser().resolve()) if args.rejects else None)
    lines = [f"{Path(args.file).name}: {result['rows_read']:,} rows read, {result['imported']:,} imported, "
             f"{result['rejected']:,} rejected{_via(result)}"]
    for reason, count in result["rejected_by_reason"].items():
        lines.append(f"  rejected: {count:,} {reason}")
    for kind, count in result["by_kind"].items():
        lines.append(f"  {kind}: {count:,} (replacing {result['replaced'].get(kind, 0):,})")
    lines.append(f"  without a cell: {result['without_cell']:,}; resources now {result['resources_total']:,}")
    lines.append(f"  rejects: {result['rejects_file']}")
    lines.append(f"  {result['seconds']:.2f} s")
    print("\n".join(lines))
    return 0


class TerminalBar:
    """The import's steps as one redrawn line on a terminal: ``[#######-------]  45 % checked``."""

    WIDTH = 30

    def __init__(self, stream: Any) -> None:
        self.stream, self.drawn = stream, False

    def __call__(self, step: str, share: float) -> None:
        filled = int(round(self.WIDTH * share))
        self.stream.write(f"\r[{'#' * filled}{'-' * (self.WIDTH - filled)}] {100 * share:3.0f} % {step:<10}")
        self.stream.flush()
        self.drawn = True

    def end(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def progress_bar(stream: Any) -> TerminalBar | None:
    """A bar when ``stream`` is a terminal; None (quiet) when it is a file or a pipe."""
    return TerminalBar(stream) if getattr(stream, "isatty", lambda: False)() else None


def format_matter_summary(result: dict[str, Any], name: str) -> str:
    lines = [f"{name}: {result['rows_read']:,} rows read, {result['imported']:,} imported, "
             f"{result['rejected']:,} rejected{_via(result)}"]
    for reason, count in result["rejected_by_reason"].items():
        lines.append(f"  rejected: {count:,} {reason}")
    lines.append(f"  without a cell: {result['without_cell']:,} ({result['without_coordinates']:,} without "
                 f"coordinates, {result['outside_grid']:,} outside the grid's {result['grid_cells']:,} cells)")
    lines.append(f"  created (flagged imported): {result['departments_created']:,} departments, "
                 f"{result['categories_created']:,} categories; {result['events']:,} events")
    if result["closed_by_time_not_status"]:
        lines.append(f"  closed by their close time though the status said otherwise: "
                     f"{result['closed_by_time_not_status']:,}")
    if result["first_created_at"]:
        lines.append(f"  created {result['first_created_at']} … {result['last_created_at']}")
    lines.append(f"  rejects: {result['rejects_file']}")
    lines.append(f"  {result['seconds']:.2f} s, {result['rows_per_s']:,} rows/s")
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    from queries.report import report

    db_path = _db_path(args)
    try:
        store = Store(db_path, read_only=True)
    except StoreError as exc:
        if "in use" not in str(exc):
            raise
        body = run_write_op(db_path, "report", start=args.start, end=args.end)
        body.pop("via_server", None)
    else:
        try:
            body = report(store, start=args.start, end=args.end)
        finally:
            store.close()
    if args.format == "json" and not args.out:
        print(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    if args.format == "json":
        data = (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    else:
        data = report_file(body, args.format)
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def report_file(body: dict, fmt: str) -> bytes:
    """The report as one CSV or Excel table; the period is in the file's first columns."""
    from dashboard.export import Column, export_file
    from queries.report import COUNTS, report_rows

    period = body["period"]
    rows = [{"from": period["from"], "to": period["to"], **row} for row in report_rows(body)]
    columns = [Column(name, name) for name in ("from", "to", "level", "key", *COUNTS)]
    content, _ = export_file(columns, rows, fmt, name="report", sheet="report")
    return content


def register(sub: argparse._SubParsersAction) -> None:
    """Add the commands to ``python -m dashboard``'s parser."""
    def db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", dest="db_path", help="the DuckDB file (default: setting db_path)")

    p = sub.add_parser("import-grid", help="replace the grid with a GeoJSON/Shapefile/GeoPackage "
                                           "(works while serving)")
    db(p)
    p.add_argument("file", help="GeoJSON, Shapefile (.shp, its folder or a .zip) or GeoPackage")
    p.add_argument("--id-field", required=True, help="the field holding each cell's id (its code)")
    p.add_argument("--name-field", help="the field holding each cell's name (default: the id)")
    p.add_argument("--parent-field", help="the field naming each cell's village/community "
                                          "(default: one village holding every cell)")
    p.add_argument("--parent-name-field", help="the field holding the village/community's name")
    p.add_argument("--crs", help="the coordinates' CRS when the file does not say or says wrong, "
                                 "e.g. EPSG:4490, EPSG:4549")
    p.add_argument("--from-gcj02", action="store_true", help="coordinates are GCJ-02 (Gaode/Tencent/DataV)")
    p.add_argument("--encoding", help="text encoding of a Shapefile's attributes, e.g. GBK or UTF-8")
    p.add_argument("--layer", help="the layer to read from a GeoPackage holding several")
    p.add_argument("--township-name", help="the township's name (default: kept on re-import, "
                                           "else the file's name)")
    p.add_argument("--township-code", help="the township's code (default: kept on re-import, else 'township')")
    p.set_defaults(func=cmd_import_grid)

    p = sub.add_parser("import-matters", help="import a matter history from CSV, CSV.gz or Excel "
                                              "(works while serving)")
    db(p)
    p.add_argument("file", help="the export: .csv, .csv.gz, .xlsx or .xls")
    p.add_argument("--mapping", required=True, help="the TOML mapping of its columns and values (docs/IMPORT.md)")
    p.add_argument("--rejects", help="where rejected rows go (default: FILE.rejects.csv)")
    p.set_defaults(func=cmd_import_matters)

    p = sub.add_parser("import-resources", help="resources (teams, vehicles, shelters, cameras, hazard and "
                                                "key sites…) from GeoJSON, GeoPackage or CSV; the file's kinds "
                                                "replace those held (works while serving)")
    db(p)
    p.add_argument("file", help="the resources: .geojson, .gpkg or .csv")
    p.add_argument("--mapping", required=True, help="the TOML mapping of its columns and values (docs/IMPORT.md)")
    p.add_argument("--rejects", help="where rejected rows go (default: FILE.rejects.csv)")
    p.set_defaults(func=cmd_import_resources)

    p = sub.add_parser("report", help="the counts report over a period [from, to)")
    db(p)
    p.add_argument("--from", dest="start", required=True, help="first day (YYYY-MM-DD), included")
    p.add_argument("--to", dest="end", required=True, help="end day (YYYY-MM-DD), excluded")
    p.add_argument("--format", default="json", choices=("json", "csv", "xlsx"),
                   help="json (default), csv or xlsx: one table, a row per township / department / cell")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(func=cmd_report)
