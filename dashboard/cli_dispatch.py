"""Command line of the dispatch suggestion's table: ``dispatch-default list`` and
``dispatch-default set CATEGORY DEPARTMENT`` (or ``--code-table`` to drop the center's own
choice). ``set`` writes, so it runs in the database's one writer (``run_write_op``): here,
or in the running server."""
from __future__ import annotations

import argparse

from dashboard.writeops import run_write_op
from queries.settings import load_settings


def cmd_dispatch_default(args: argparse.Namespace) -> int:
    db_path = args.db_path or load_settings().db_path
    if args.dispatch_command == "list":
        body = run_write_op(db_path, "dispatch_default_list")
        print("category\tname\tcode table\tcenter\tapplies\tset at\tby")
        for row in body["defaults"]:
            print("\t".join(row[k] or "" for k in ("category", "category_name", "code_table_department",
                                                   "center_department", "department", "updated_at", "updated_by")))
        return 0
    if not args.code_table and not args.department:
        raise SystemExit("error: give the department's code, or --code-table")
    result = run_write_op(db_path, "dispatch_default_set", category=args.category,
                          department=None if args.code_table else args.department)
    via = f" (through the server at {result['via_server']})" if "via_server" in result else ""
    target = result["department"] or "the code table's default"
    print(f"{result['category']} {result['category_name']}: the proposed lead department is now {target}{via}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dispatch-default", help="the default lead department the dispatch suggestion "
                                                "proposes per 小类: list, set (works while serving)")
    p.add_argument("--db", dest="db_path", help="the DuckDB file (default: setting db_path)")
    inner = p.add_subparsers(dest="dispatch_command", required=True)
    inner.add_parser("list", help="every 小类 with the code table's, the center's and the applying default")
    q = inner.add_parser("set", help="the center's default lead department of a 小类")
    q.add_argument("category", help="the 小类 code")
    q.add_argument("department", nargs="?", help="the department's code (or id)")
    q.add_argument("--code-table", action="store_true", help="drop the center's choice: the code table's applies")
    p.set_defaults(func=cmd_dispatch_default)
