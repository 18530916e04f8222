"""``python -m dashboard brief``: a briefing (情况报告) as a PDF or a static HTML file.

    brief --db PATH --period day|week|month [--end YYYY-MM-DD] --format pdf|html --out FILE
          [--user NAME] [--lang zh|en]
    brief --url URL --token T …            the same, asked of a running server (which holds the file)
    brief … --every day --at 08:00 --out-dir DIR
          a scheduled briefing: at every 08:00 of the center's clock, the briefing of the period
          ending yesterday is written to DIR/briefing-<period>-<end>.<format>; or from cron:
          ``0 8 * * * cd /srv/township && .venv/bin/python -m dashboard brief --db data/township.duckdb
          --period day --format pdf --out-dir /srv/briefings``

``--end`` defaults to yesterday (the last complete day). ``--user`` gives the briefing that
user's scope (a village's user: that village alone); without it, the whole township.
"""
from __future__ import annotations

import argparse
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

from dashboard.writeops import CommandError
from queries import clock
from queries.settings import load_settings


def _end(args: argparse.Namespace, now: datetime) -> date:
    return date.fromisoformat(args.end) if args.end else now.date() - timedelta(days=1)


def _out(args: argparse.Namespace, end: date) -> Path:
    from dashboard.brief import file_name

    if args.out:
        return Path(args.out)
    folder = Path(args.out_dir or load_settings().briefing_dir or "briefings")
    return folder / file_name(args.period, end, args.format)


def _from_file(args: argparse.Namespace, end: date, out: Path) -> Path:
    from dashboard import brief
    from dashboard.context import whole_township
    from dashboard.reader import Reader
    from queries import accounts
    from queries.store import Store

    settings = load_settings().with_overrides(db_path=args.db_path)
    store = Store(settings.db_path, read_only=True)
    try:
        user = None
        if args.user:
            user = accounts.user_named(store, args.user)
            if user is None:
                raise CommandError(f"no active user named {args.user!r}")
        scope = whole_township(store) if user is None or user.township_wide else accounts.scope_village_ids(store, user)
        reader = Reader(store)
        lang = args.lang or settings.language
        content = brief.compose(reader, store, settings, period=args.period, end=end, lang=lang, scope=scope,
                                scope_text=brief.scope_text_of(reader, scope, user, lang), now=clock.now())
        return brief.render(content, args.format, out, chromium=settings.chromium_path)
    finally:
        store.close()


def _from_server(args: argparse.Namespace, end: date, out: Path) -> Path:
    if not args.token:
        raise CommandError("brief --url needs --token T (python -m dashboard user token NAME)")
    query = {"period": args.period, "end": end.isoformat(), "format": args.format,
             **({"lang": args.lang} if args.lang else {})}
    request = urllib.request.Request(f"{args.url.rstrip('/')}/briefing/download?{urllib.parse.urlencode(query)}",
                                     headers={"Authorization": f"Bearer {args.token}"})
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            data = answer.read()
    except urllib.error.HTTPError as exc:
        raise CommandError(f"{args.url} answered {exc.code}: {exc.read()[:200].decode('utf-8', 'replace')}") from None
    except OSError as exc:
        raise CommandError(f"{args.url}: {exc}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def _one(args: argparse.Namespace) -> Path:
    now = clock.now()
    end = _end(args, now)
    out = _out(args, end)
    return _from_server(args, end, out) if args.url else _from_file(args, end, out)


def next_run(now: datetime, at: str) -> datetime:
    """The next time of day ``at`` (HH:MM) after ``now``."""
    hour, minute = (int(x) for x in at.split(":"))
    run = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return run if run > now else run + timedelta(days=1)


def cmd_brief(args: argparse.Namespace) -> int:
    if not args.url and not args.db_path and not load_settings().db_path:
        raise CommandError("brief needs --db PATH or --url URL")
    if args.every is None:
        print(f"briefing written: {_one(args)}")
        return 0
    if args.out:
        raise CommandError("a scheduled briefing writes to --out-dir (one file a run), not --out")
    try:
        next_run(clock.now(), args.at)
    except ValueError:
        raise CommandError("--at is a time of day HH:MM") from None
    while True:
        due = next_run(clock.now(), args.at)
        print(f"next briefing at {due:%Y-%m-%d %H:%M}", flush=True)
        while clock.now() < due:
            time.sleep(min(60.0, max(1.0, (due - clock.now()).total_seconds())))
        args.end = None
        try:
            print(f"briefing written: {_one(args)}", flush=True)
        except CommandError as exc:       # the next run may succeed: the loop keeps going
            print(f"error: {exc}", flush=True)


def register(sub) -> None:
    p = sub.add_parser("brief", help="a briefing (情况报告) as PDF or HTML, once or every day")
    p.add_argument("--db", dest="db_path", help="the DuckDB file (default: setting db_path)")
    p.add_argument("--url", help="ask a running server instead (it holds the file)")
    p.add_argument("--token", help="an API token for --url")
    p.add_argument("--period", choices=("day", "week", "month"), default="day")
    p.add_argument("--end", help="the period's last day, YYYY-MM-DD (default: yesterday)")
    p.add_argument("--format", choices=("pdf", "html"), default="pdf")
    p.add_argument("--out", help="the file to write")
    p.add_argument("--out-dir", help="the folder to write briefing-<period>-<end>.<format> to")
    p.add_argument("--user", help="the user whose scope the briefing takes (default: the whole township)")
    p.add_argument("--lang", choices=("zh", "en"))
    p.add_argument("--every", choices=("day",), help="keep running: one briefing every day")
    p.add_argument("--at", default="08:00", help="with --every: the time of day, HH:MM (the center's clock)")
    p.set_defaults(func=cmd_brief)
