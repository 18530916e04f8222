"""Command line: ``python -m dashboard <command>``.

Writing commands (backup, and later the imports and user management) run in the process
that writes the database: here when no server holds it, else through the running server.
Every failure a person can act on prints one line and exits 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Sequence

from dashboard import cli_brief, cli_dispatch, cli_import
from dashboard.writeops import CommandError, run_write_op
from queries import clock
from queries.settings import SettingsError, load_settings
from queries.sqlfiles import LATEST_SCHEMA_VERSION
from queries.store import Store, StoreError
from queries.vocabulary import ROLES, SOURCES


def _settings(args: argparse.Namespace):
    return load_settings().with_overrides(**{k: getattr(args, k, None) for k in
                                             ("db_path", "host", "port", "server_threads", "dev_tools")})


def cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.server import serve

    settings = _settings(args)
    if not Path(settings.db_path).exists():
        raise StoreError(f"{settings.db_path}: no such database file "
                         f"(build one with: python -m dashboard demo --db {settings.db_path})")
    serve(settings)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from data.demo.build import build_demo
    from data.demo.top_up import needs_top_up, top_up

    path = Path(args.db_path or load_settings().db_path)
    as_of = datetime.fromisoformat(args.as_of) if args.as_of else None
    progress = (lambda msg: print(msg, file=sys.stderr)) if args.verbose else None
    if args.if_missing_or_stale and path.exists():
        if not needs_top_up(path):
            print(f"{path}: demo data are current")
        else:
            stats = top_up(path, as_of=as_of, progress=progress)
            print(f"{path}: topped up to {stats.as_of:%Y-%m-%d %H:%M}, {stats.matters:,} recent matters "
                  f"regenerated, {stats.open_matters:,} open")
        _demo_accounts(path, only_if_none=True)    # a demo built before accounts existed gets them now
        return 0
    stats = build_demo(path, matters=args.matters, seed=args.seed, as_of=as_of, days=args.days,
                       progress=progress, replace=args.replace)
    print(f"{path}: {stats.matters:,} matters, {stats.events:,} events, {stats.open_matters:,} open, "
          f"{stats.first_day} … {stats.as_of:%Y-%m-%d %H:%M}, built in {stats.seconds:.1f} s "
          f"({stats.matters_per_s:,.0f} matters/s)")
    _demo_accounts(path)
    return 0


def _demo_accounts(path: Path, only_if_none: bool = False) -> None:
    """A freshly built demo gets one account per role with a random password, printed once
    and kept in ``<db>.accounts.txt``, readable by the owner only."""
    from queries.accounts import demo_accounts, list_users

    store = Store(path)
    try:
        if only_if_none and list_users(store):
            return
        made = demo_accounts(store)
    finally:
        store.close()
    listing = Path(f"{path}.accounts.txt")
    listing.unlink(missing_ok=True)
    fd = os.open(listing, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# demo accounts (name, role, password); sign in at /login\n")
        for a in made:
            out.write(f"{a['name']}\t{a['role']}\t{a['password']}\n")
    print(f"demo accounts, shown once (also in {listing}, readable by you only):")
    for a in made:
        print(f"  {a['name']:<16} {a['role']:<11} {a['password']}")


def cmd_backup(args: argparse.Namespace) -> int:
    """``backup --to FILE``, or ``--to-dir DIR`` with retention (the scheduled form: a file
    named by the time, then the older ones pruned to --keep-daily and --keep-weekly)."""
    from queries import ops

    if bool(args.to) == bool(args.to_dir):
        raise CommandError("give either --to FILE or --to-dir DIR")
    folder = Path(args.to_dir).expanduser().resolve() if args.to_dir else None
    if folder is not None and not folder.is_dir():
        raise CommandError(f"{folder}: no such folder")
    target = str(folder / ops.backup_name(clock.now())) if folder else args.to
    result = run_write_op(args.db_path or load_settings().db_path, "backup", to=target)
    via = f" (through the server at {result['via_server']})" if "via_server" in result else ""
    print(f"backup written to {result['backup']}: {result['matters']:,} matters, {result['events']:,} events, "
          f"{result['bytes'] / 1e6:.1f} MB in {result['seconds']:.1f} s, writes paused "
          f"{result['writes_paused_s']:.2f} s{via}; events checksum {result['events_checksum']}")
    if folder is not None:
        for name in ops.prune_backups(folder, args.keep_daily, args.keep_weekly):
            print(f"removed old backup {name}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from queries import ops

    done = ops.restore(source=args.source, db_path=args.db_path or load_settings().db_path, replace=args.replace)
    print(f"restored {done['restored']} from {done['from']}: {done['matters']:,} matters, {done['events']:,} "
          f"events; events checksum {done['events_checksum']}")
    return 0


def cmd_channel(args: argparse.Namespace) -> int:
    db_path = args.db_path or load_settings().db_path
    if args.channel_command == "add":
        made = run_write_op(db_path, "channel_add", name=args.name, source=args.source)
        print(f"channel {made['name']} ({made['source']}) made; its api_key is shown once:")
        print(f"api_key {made['api_key']}")
    elif args.channel_command == "revoke":
        run_write_op(db_path, "channel_revoke", name=args.name)
        print(f"channel {args.name} revoked")
    else:
        from queries.channels import list_channels

        store = Store(db_path, read_only=True)
        try:
            for ch in list_channels(store):
                state = f"revoked {ch['revoked_at']}" if ch["revoked_at"] else "active"
                print(f"{ch['name']}\t{ch['source']}\t{ch['created_at']}\t{state}")
        finally:
            store.close()
    return 0


def _password_from_stdin(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise CommandError("give the password on standard input with --password-stdin "
                           "(never as an argument: it would show in the process list)")
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text


def cmd_user(args: argparse.Namespace) -> int:
    db_path = args.db_path or load_settings().db_path
    if args.user_command == "add":
        scope = None if args.scope is None else [c.strip() for c in args.scope.split(",")]
        made = run_write_op(db_path, "user_add", name=args.name, role=args.role, scope=scope,
                            department=args.department, password=_password_from_stdin(args))
        where = ", ".join(made["scope"]) if made["scope"] else "the whole township"
        print(f"user {made['name']} ({made['role']}) made; sees {where}"
              + (f"; department {made['department']}" if made["department"] else ""))
    elif args.user_command == "list":
        for u in run_write_op(db_path, "user_list")["users"]:
            state = "disabled" if u["disabled"] else (f"locked until {u['locked_until']}" if u["locked_until"]
                                                       else "active")
            scope = ",".join(u["scope_codes"]) if u["scope_codes"] else "all"
            print(f"{u['name']}\t{u['role']}\t{scope}\t{u['dept_code'] or '-'}\t{state}\t"
                  f"{u['tokens']} tokens\t{u['created_at']}")
    elif args.user_command == "disable":
        run_write_op(db_path, "user_disable", name=args.name)
        print(f"user {args.name} disabled; its tokens are revoked")
    elif args.user_command == "reset":
        run_write_op(db_path, "user_reset", name=args.name, password=_password_from_stdin(args))
        print(f"password of {args.name} reset")
    elif args.user_command == "revoke":
        done = run_write_op(db_path, "user_revoke", name=args.name)
        print(f"{done['revoked']} tokens of {args.name} revoked")
    else:
        made = run_write_op(db_path, "user_token", name=args.name, kiosk=bool(args.kiosk))
        if made.get("kiosk"):
            print(f"a read-only kiosk token for {made['name']} (the big screen, with the user's scope), shown once; "
                  f"open this path on the wall's browser (revoke with: user revoke {made['name']}):")
            print(f"/screen?kiosk={made['token']}")
        else:
            print(f"a token for {made['name']} ({made['role']}), shown once:")
            print(made["token"])
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit prune --before YYYY-MM-DD``: remove audit records older than the date, which
    must lie at least 183 days back (queries.audit.KEEP_DAYS); through the running server."""
    db_path = args.db_path or load_settings().db_path
    done = run_write_op(db_path, "audit_prune", before=args.before)
    print(f"{done['pruned']} audit records before {done['before']} removed")
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from dashboard.simulate import Simulator

    token = args.token or os.environ.get("TOWNSHIP_TOKEN")
    if not token:
        raise CommandError("simulate needs an API token: --token T (made with: python -m dashboard user token NAME)")
    sim = Simulator(args.url, rate=args.rate, seed=args.seed, log=print, token=token)
    if args.scenario == "storm":
        from dashboard.simulate import StormScenario

        print(f"storm scenario against {args.url}")
        stats = StormScenario(sim, sign_alarm_min=args.sign_alarm_min).run()
        print(f"created {stats.created}, actions {stats.actions}, refused {stats.refused}")
        return 0
    print(f"simulating against {args.url} at {args.rate}/s; Ctrl-C stops")
    try:
        stats = sim.run(duration_s=args.duration)
    except KeyboardInterrupt:
        stats = sim.stats
    print(f"created {stats.created}, actions {stats.actions}, refused {stats.refused}, "
          f"errors {len(stats.errors)}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from queries import calendar_ops

    store = Store(args.db_path or load_settings().db_path, read_only=True)
    today = clock.now().date()
    try:
        counts = store.run("store/counts").iloc[0]
        print(f"schema version {store.schema_version} (this program: {LATEST_SCHEMA_VERSION}); "
              f"{int(counts['matters']):,} matters, {int(counts['open_matters']):,} open, "
              f"data version {store.data_version()}")
        periods = calendar_ops.office_hours_periods(store)
        print("office hours: " + "; ".join(f"{h} from {d}" for d, h in periods))
        print("holiday schedules loaded: " + ", ".join(map(str, calendar_ops.known_years(store))))
        for line in calendar_ops.notices(store, load_settings().office_hours, today):
            print(f"warning: {line}")
    finally:
        store.close()
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from queries import workcal

    db_path = args.db_path or load_settings().db_path
    if args.calendar_command == "load":
        path = Path(args.file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read it as UTF-8 text ({exc.__class__.__name__})") from None
        rows = workcal.parse_schedule(text, path.name)
        done = run_write_op(db_path, "calendar_load", source=path.name, rows=[
            {"date": d.isoformat(), "kind": k, "festival": f}
            for d, k, f in zip(rows["day"], rows["kind"], rows["festival"])])
        what = f"holiday schedule {', '.join(map(str, done['years']))} loaded from {done['source']}"
    else:
        done = run_write_op(db_path, "calendar_hours", hours=args.hours, from_day=args.from_day)
        what = f"office hours {done['office_hours']} from {done['from']}"
    via = f" (through the server at {done['via_server']})" if "via_server" in done else ""
    print(f"{what}{via}: {done['days_changed']} days changed"
          + (f" from {done['first_changed_day']}" if done["first_changed_day"] else "")
          + f"; {done['deadlines_moved']} deadlines moved, {done['events']} events written")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard",
                                     description="乡镇(街道)指挥调度中心 operations dashboard")
    sub = parser.add_subparsers(dest="command", required=True)

    def db(p):
        p.add_argument("--db", dest="db_path", help="the DuckDB file (default: setting db_path)")

    p = sub.add_parser("serve", help="serve the dashboard")
    db(p)
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--threads", dest="server_threads", type=int)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="build the demo township database")
    db(p)
    p.add_argument("--matters", type=int, default=200_000, help="about how many matters (default 200000)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--days", type=int, default=730, help="days of history (default 730)")
    p.add_argument("--as-of", help="end of the history (default: now), e.g. 2026-11-26T10:00")
    p.add_argument("--replace", action="store_true", help="rebuild an existing file")
    p.add_argument("--if-missing-or-stale", action="store_true",
                   help="build when missing; top up to now when built more than a day ago")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("backup", help="write a consistent copy of the database (works while serving)")
    db(p)
    p.add_argument("--to", help="the new file")
    p.add_argument("--to-dir", help="a folder: the file is named by the time, older ones pruned (retention)")
    p.add_argument("--keep-daily", type=int, default=7, help="with --to-dir: the newest of this many days (7)")
    p.add_argument("--keep-weekly", type=int, default=4, help="with --to-dir: and of this many weeks (4)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="bring a backup back as the database (never over a running server's)")
    db(p)
    p.add_argument("--from", dest="source", required=True, help="the backup file")
    p.add_argument("--replace", action="store_true", help="overwrite an existing database file (its server stopped)")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("channel", help="intake channels (Open311 api keys): add, list, revoke")
    channel_sub = p.add_subparsers(dest="channel_command", required=True)
    for name, text in (("add", "make a channel and print its key once"), ("list", "list the channels"),
                       ("revoke", "revoke a channel's key")):
        q = channel_sub.add_parser(name, help=text)
        db(q)
        if name != "list":
            q.add_argument("--name", required=True)
        if name == "add":
            q.add_argument("--source", default="public", choices=SOURCES)
        q.set_defaults(func=cmd_channel)

    p = sub.add_parser("simulate", help="post new matters and drive open ones through the API")
    p.add_argument("--url", default="http://127.0.0.1:8050")
    p.add_argument("--rate", type=float, default=2.0, help="requests per second")
    p.add_argument("--duration", type=float, help="seconds (default: until Ctrl-C)")
    p.add_argument("--seed", type=int)
    p.add_argument("--token", help="an API token (python -m dashboard user token NAME); or TOWNSHIP_TOKEN")
    p.add_argument("--scenario", choices=("storm",), help="storm: a burst of flooding, fallen-tree and power "
                   "matters in a few villages, an emergency with tasks, some signed for late")
    p.add_argument("--sign-alarm-min", type=float, default=2.0,
                   help="storm: minutes within which a task must be signed for (later ones raise an alarm)")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("user", help="accounts: add, list, disable, reset a password, make an API token")
    user_sub = p.add_subparsers(dest="user_command", required=True)
    for name, text in (("add", "make an account"), ("list", "list the accounts"),
                       ("disable", "disable an account and revoke its tokens"),
                       ("reset", "set a new password"), ("token", "print a new API token once"),
                       ("revoke", "revoke every API token of the user")):
        q = user_sub.add_parser(name, help=text)
        db(q)
        if name != "list":
            q.add_argument("name")
        if name == "add":
            q.add_argument("--role", required=True, help=", ".join(ROLES))
            q.add_argument("--scope", help="village codes, separated by commas (default: the whole township)")
            q.add_argument("--department", help="a department user's department code")
        if name == "token":
            q.add_argument("--kiosk", action="store_true",
                           help="a read-only token of the big screen alone: prints the URL /screen?kiosk=TOKEN")
        if name in ("add", "reset"):
            q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        q.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="the security audit log: prune records older than 6 months")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    q = audit_sub.add_parser("prune", help="remove audit records older than a date at least 183 days ago")
    db(q)
    q.add_argument("--before", required=True, help="YYYY-MM-DD: records before this day go")
    q.set_defaults(func=cmd_audit)

    p = sub.add_parser("calendar", help="the working calendar: load a year's holiday schedule, change office hours")
    cal_sub = p.add_subparsers(dest="calendar_command", required=True)
    q = cal_sub.add_parser("load", help="load a holiday schedule (CSV date,kind,festival as data/holidays.csv)")
    db(q)
    q.add_argument("file")
    q.set_defaults(func=cmd_calendar)
    q = cal_sub.add_parser("hours", help="change office hours from a day on (running deadlines stay)")
    db(q)
    q.add_argument("--from", dest="from_day", required=True, help="the first day, YYYY-MM-DD, after today")
    q.add_argument("hours", help="e.g. 08:30-12:00,13:30-17:30")
    q.set_defaults(func=cmd_calendar)

    p = sub.add_parser("info", help="schema version and counts")
    db(p)
    p.set_defaults(func=cmd_info)
    cli_import.register(sub)           # import-grid, import-matters, report
    cli_dispatch.register(sub)         # dispatch-default list / set
    cli_brief.register(sub)            # brief
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        clock.use_zone(load_settings().timezone)
        return args.func(args)
    except (StoreError, SettingsError, CommandError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
