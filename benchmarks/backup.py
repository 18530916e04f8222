"""Backups while intake goes on: ``python -m benchmarks.backup --db FILE [--rate 20] [--backups 3]``.

Serves a copy of FILE (say a 1M-matter demo, ``python -m dashboard demo --matters 1000000``)
on 127.0.0.1, posts writes at a steady ``--rate`` per second (new matters and a dispatch of
each, with a real token; paced by the clock, so a stalled write does not slow the schedule)
and runs ``python -m dashboard backup`` through the server ``--backups`` times. Prints, for
the writes answered during a backup and for all: median/min/max wait (from the write's
scheduled time to its answer), the slowest, and each backup's pause and duration. The goal:
no write waits longer than 1 s.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))


def bench_token(db: Path) -> str:
    from queries import accounts
    from queries.store import Store

    store = Store(db)
    try:
        if accounts.user_named(store, "bench-admin") is None:
            accounts.add_user(store, name="bench-admin", role="admin", password="bench-admin-password")
        return accounts.new_token(store, name="bench-admin")["token"]
    finally:
        store.close()


def figures(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {"n": len(values), "median_ms": round(statistics.median(values), 1), "min_ms": round(min(values), 1),
            "max_ms": round(max(values), 1), "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 1)}


def main(argv: list[str] | None = None) -> int:
    import requests

    from dashboard.launch import serving

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the database to copy and serve")
    parser.add_argument("--rate", type=float, default=20, help="writes per second (default 20)")
    parser.add_argument("--backups", type=int, default=3)
    parser.add_argument("--gap-s", type=float, default=5, help="seconds of writes before, between and after")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="township-backup-bench-"))
    db = folder / "township.duckdb"
    shutil.copy(args.db, db)
    token = bench_token(db)
    headers = {"Authorization": f"Bearer {token}"}
    waits: list[tuple[float, float, float, int]] = []      # (scheduled, answered, wait ms, status)
    lock = threading.Lock()
    stop = threading.Event()
    backups = []
    try:
        with serving(db, folder, {"TOWNSHIP_INTAKE_RATE_PER_MIN": "100000000", "TOWNSHIP_DEV_TOOLS": None}) as served:
            point = requests.get(f"{served.url}/api/v1/matters?limit=1", headers=headers, timeout=60).json()["items"][0]
            created: list[int] = []
            local = threading.local()

            def one_write(scheduled: float, n: int) -> None:
                session = getattr(local, "session", None)
                if session is None:
                    session = local.session = requests.Session()
                    session.headers.update(headers)
                with lock:
                    target = created.pop() if (n % 2 and created) else None
                if target is None:
                    r = session.post(f"{served.url}/api/v1/matters", timeout=60, json={
                        "source": "grid", "category": "0403", "description": f"备份压测 {n}",
                        "lon": point["lon"], "lat": point["lat"]})
                    if r.status_code == 201:
                        with lock:
                            created.append(r.json()["id"])
                else:
                    r = session.post(f"{served.url}/api/v1/matters/{target}/actions", timeout=60,
                                     json={"action": "dispatch", "department": "HWS"})
                answered = time.monotonic()
                with lock:
                    waits.append((scheduled, answered, (answered - scheduled) * 1000, r.status_code))

            def pace() -> None:
                with ThreadPoolExecutor(16) as pool:
                    start, n = time.monotonic(), 0
                    while not stop.is_set():
                        due = start + n / args.rate
                        delay = due - time.monotonic()
                        if delay > 0:
                            time.sleep(delay)
                        pool.submit(one_write, due, n)
                        n += 1

            pacer = threading.Thread(target=pace, daemon=True)
            pacer.start()
            time.sleep(args.gap_s)
            for i in range(args.backups):
                target = folder / f"backup-{i}.duckdb"
                t0 = time.monotonic()
                command = [sys.executable, "-m", "dashboard", "backup", "--db", str(db), "--to", str(target)]
                done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600)
                t1 = time.monotonic()
                if done.returncode != 0:
                    print(f"backup {i + 1} failed: {done.stderr.strip()}")
                backups.append({"start": t0, "end": t1, "ok": done.returncode == 0, "line": done.stdout.strip()})
                target.unlink(missing_ok=True)
                time.sleep(args.gap_s)
            stop.set()
            pacer.join(timeout=120)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    during = [w for s, a, w, _ in waits if any(b["start"] <= a and s <= b["end"] for b in backups)]
    result = {
        "rate_per_s": args.rate, "writes": len(waits), "errors": sum(1 for *_, st in waits if st not in (200, 201)),
        "during_backups": figures(during), "all": figures([w for _, _, w, _ in waits]),
        "backups": [{"seconds": round(b["end"] - b["start"], 2), "ok": b["ok"], "summary": b["line"]} for b in backups],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    slowest = max((w for _, _, w, _ in waits), default=0)
    print(f"longest write wait: {slowest:.0f} ms ({'within' if slowest <= 1000 else 'OVER'} 1 s); "
          f"backups ok {sum(b['ok'] for b in backups)}/{len(backups)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
