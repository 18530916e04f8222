"""A bounded load run against a real server: ``python -m benchmarks.load --db FILE [--seconds 600]``.

Serves a copy of FILE (the demo database: ``make demo`` builds ``data/township.duckdb``) on
127.0.0.1 and, with plain threads, for ``--seconds`` (then it stops by itself):

- ``--viewers`` (50) simulated viewers, each polling the callbacks of the pages in
  ``--pages`` (``/``, ``/desk`` and ``/screen`` where it exists) as the browser does: every
  ``refresh_interval_s`` the page's Interval fires its callbacks, and when the tick they
  return changes (new data), every panel on the tick is fetched;
- ``--intake-rate`` (20) new matters a second and ``--action-rate`` (10) actions a second
  (dispatch, sign, supervise on the matters it registered), paced by the clock, with real
  API tokens.

Prints the requests served, p50/p95/p99 latency per endpoint and per callback, the errors
(which must be 0), and the server's memory (RSS) and open file descriptors at the start,
every 30 s and at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.dash_client import DashCallbackClient  # noqa: E402

WALK = ({"action": "dispatch", "department": "HWS"}, {"action": "sign"},
        {"action": "supervise", "note": "督办：压测"})


class Answer:
    """A ``requests`` response as DashCallbackClient reads a Flask test client's."""

    def __init__(self, response: Any) -> None:
        self.response = response
        self.status_code = response.status_code

    def get_json(self) -> Any:
        return self.response.json()

    def get_data(self, as_text: bool = False) -> Any:
        return self.response.text if as_text else self.response.content


class Http:
    def __init__(self, url: str, token: str) -> None:
        import requests

        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str) -> Answer:
        return Answer(self.session.get(self.url + path, timeout=60))

    def post(self, path: str, json: Any) -> Answer:
        return Answer(self.session.post(self.url + path, json=json, timeout=60))


class Figures:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.unsent = 0

    def late(self) -> None:
        with self.lock:
            self.unsent += 1

    def add(self, name: str, ms: float, error: str | None = None) -> None:
        with self.lock:
            self.latency[name].append(ms)
            if error:
                self.errors[name].append(error[:200])

    def report(self) -> dict[str, Any]:
        out = {}
        for name, values in sorted(self.latency.items()):
            ordered = sorted(values)

            out[name] = {"n": len(values), "p50_ms": _pct(ordered, 0.50), "p95_ms": _pct(ordered, 0.95),
                         "p99_ms": _pct(ordered, 0.99),
                         "max_ms": round(ordered[-1], 1), "errors": len(self.errors.get(name, []))}
        return out


def _pct(ordered: list[float], p: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)


def make_tokens(db: Path) -> tuple[str, str]:
    """Tokens of two accounts made for the run: an admin that writes, a leader that reads."""
    from queries import accounts
    from queries.store import Store

    store = Store(db)
    try:
        for name, role in (("load-writer", "admin"), ("load-viewer", "leader")):
            if accounts.user_named(store, name) is None:
                accounts.add_user(store, name=name, role=role, password=f"{name}-password-0")
        return (accounts.new_token(store, name="load-writer")["token"],
                accounts.new_token(store, name="load-viewer")["token"])
    finally:
        store.close()


def page_layouts(db: Path, paths: list[str]) -> dict[str, Any]:
    """The layout trees of the pages (their component ids and initial props), built here
    from the original file opened read-only (the server holds its copy)."""
    import dash

    from dashboard.app import create_app
    from queries.settings import load_settings
    from queries.store import Store

    store = Store(db, read_only=True)
    try:
        app = create_app(load_settings({}).with_overrides(db_path=str(db)), store)
        layouts = {}
        for path in paths:
            page = next((p for p in dash.page_registry.values() if p["path"] == path), None)
            if page is None:
                print(f"page {path}: not in this build, skipped")
                continue
            with app.server.test_request_context(path):
                layouts[path] = page["layout"](lang="zh")
        return layouts
    finally:
        store.close()


def interval_ids(layout: Any) -> list[str]:
    from dash import dcc

    found = []
    for component in [layout, *layout._traverse()]:
        if isinstance(component, dcc.Interval) and isinstance(getattr(component, "id", None), str):
            found.append(component.id)
    return found


def viewer(url: str, token: str, path: str, layout: Any, figures: Figures, stop_at: float, refresh_s: float,
           seed: int) -> None:
    rng = random.Random(seed)
    client = DashCallbackClient(Http(url, token), layout)
    intervals = interval_ids(layout)
    on_interval = [d for i in intervals for d in client.callbacks_triggered_by(i, "n_intervals")]
    n = 0
    time.sleep(rng.uniform(0, refresh_s))
    while time.monotonic() < stop_at:
        n += 1
        for i in intervals:
            client.set(i, "n_intervals", n)
        for dep in on_interval:
            changed = [f"{dep['inputs'][0]['id']}.n_intervals"]
            answer = call(client, dep, changed, figures, path)
            if not answer or not dep["output"].endswith(".data") or dep["output"].startswith(".."):
                continue
            cid, prop = dep["output"].rsplit(".", 1)
            value = answer.get("response", {}).get(cid, {}).get(prop)
            if value is None or value == client._value(cid, prop):
                continue
            client.set(cid, prop, value)
            for panel in client.callbacks_triggered_by(cid, prop):
                call(client, panel, [f"{cid}.{prop}"], figures, path)
        time.sleep(refresh_s)


def call(client: DashCallbackClient, dep: dict, changed: list[str], figures: Figures, path: str) -> dict:
    name = f"callback {path} {dep['output'][:70]}"
    t0 = time.perf_counter()
    try:
        answer, _ = client.call(dep, changed)
    except Exception as exc:  # noqa: BLE001 — every failure is an error of the run, counted
        figures.add(name, (time.perf_counter() - t0) * 1000, f"{type(exc).__name__}: {exc}")
        return {}
    figures.add(name, (time.perf_counter() - t0) * 1000)
    return answer


def writers(url: str, token: str, figures: Figures, stop_at: float, intake_rate: float, action_rate: float,
            point: dict) -> None:
    import requests

    local = threading.local()
    lock = threading.Lock()
    walking: list[tuple[int, int]] = []        # (matter id, next step of WALK)

    def session() -> Any:
        if getattr(local, "s", None) is None:
            local.s = requests.Session()
            local.s.headers["Authorization"] = f"Bearer {token}"
        return local.s

    def intake(n: int) -> None:
        if time.monotonic() > stop_at + 5:
            figures.late()         # queued behind a slow server past the end: not sent, counted
            return
        body = {"source": "grid", "category": "0403", "description": f"压测事项 {n}",
                "lon": point["lon"], "lat": point["lat"]}
        t0 = time.perf_counter()
        try:
            r = session().post(f"{url}/api/v1/matters", json=body, timeout=60)
            error = None if r.status_code == 201 else f"{r.status_code} {r.text[:120]}"
        except requests.RequestException as exc:
            r, error = None, f"{type(exc).__name__}"
        figures.add("POST /api/v1/matters", (time.perf_counter() - t0) * 1000, error)
        if error is None:
            with lock:
                walking.append((r.json()["id"], 0))

    def action() -> None:
        if time.monotonic() > stop_at + 5:
            figures.late()
            return
        with lock:
            if not walking:
                return
            mid, step = walking.pop(0)
        t0 = time.perf_counter()
        try:
            r = session().post(f"{url}/api/v1/matters/{mid}/actions", json=WALK[step], timeout=60)
            error = None if r.status_code == 200 else f"{r.status_code} {r.text[:120]}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}"
        figures.add("POST /api/v1/matters/{id}/actions", (time.perf_counter() - t0) * 1000, error)
        if error is None and step + 1 < len(WALK):
            with lock:
                walking.append((mid, step + 1))

    with ThreadPoolExecutor(24) as pool:
        start = time.monotonic()
        jobs = sorted([(i / intake_rate, "intake", i) for i in range(int((stop_at - start) * intake_rate))]
                      + [(0.5 + i / action_rate, "action", i)
                         for i in range(int((stop_at - start - 0.5) * action_rate))])
        for due, kind, i in jobs:
            delay = start + due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(intake, i) if kind == "intake" else pool.submit(action)


def server_resources(pid: int) -> dict[str, float]:
    rss_kb = 0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
    return {"rss_mb": round(rss_kb / 1024, 1), "open_fds": len(os.listdir(f"/proc/{pid}/fd"))}


def main(argv: list[str] | None = None) -> int:
    import requests

    from dashboard.launch import serving

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(REPO / "data" / "township.duckdb"))
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--intake-rate", type=float, default=20)
    parser.add_argument("--action-rate", type=float, default=10)
    parser.add_argument("--pages", default="/,/desk,/screen")
    parser.add_argument("--threads", type=int, default=16, help="the server's worker threads")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="township-load-"))
    db = folder / "township.duckdb"
    shutil.copy(args.db, db)
    writer_token, viewer_token = make_tokens(db)
    layouts = page_layouts(Path(args.db), [p for p in args.pages.split(",") if p])
    figures = Figures()
    samples = []
    try:
        env = {"TOWNSHIP_INTAKE_RATE_PER_MIN": "100000000", "TOWNSHIP_DEV_TOOLS": None,
               "TOWNSHIP_SERVER_THREADS": str(args.threads)}
        with serving(db, folder, env) as served:
            headers = {"Authorization": f"Bearer {writer_token}"}
            point = requests.get(f"{served.url}/api/v1/matters?limit=1", headers=headers, timeout=60).json()["items"][0]
            refresh_s = 2.0
            start = time.monotonic()
            stop_at = start + args.seconds
            samples.append({"t_s": 0, **server_resources(served.process.pid)})
            threads = [threading.Thread(target=writers, daemon=True, args=(
                served.url, writer_token, figures, stop_at, args.intake_rate, args.action_rate, point))]
            paths = list(layouts)
            for i in range(args.viewers):
                path = paths[i % len(paths)]
                threads.append(threading.Thread(target=viewer, daemon=True, args=(
                    served.url, viewer_token, path, layouts[path], figures, stop_at, refresh_s, i)))
            for t in threads:
                t.start()
            while time.monotonic() < stop_at:
                time.sleep(min(30, max(0.1, stop_at - time.monotonic())))
                samples.append({"t_s": round(time.monotonic() - start), **server_resources(served.process.pid)})
            for t in threads:
                t.join(timeout=120)
            elapsed = time.monotonic() - start
            samples.append({"t_s": round(elapsed), **server_resources(served.process.pid)})
            state = requests.get(f"{served.url}/healthz", timeout=60).json()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    per = figures.report()
    total = sum(v["n"] for v in per.values())
    errors = sum(v["errors"] for v in per.values())
    first, last = samples[0], samples[-1]
    warm = next((s for s in samples if s["t_s"] >= 60), first)     # caches filled after the first minute
    result = {"seconds": round(elapsed), "viewers": args.viewers, "intake_rate": args.intake_rate,
              "action_rate": args.action_rate, "requests": total, "requests_per_s": round(total / elapsed, 1),
              "errors": errors, "writes_not_sent_in_time": figures.unsent,
              "error_samples": {k: v[:3] for k, v in figures.errors.items()},
              "per_endpoint": per, "server": samples,
              "rss_growth_pct": round(100 * (last["rss_mb"] - first["rss_mb"]) / first["rss_mb"], 1),
              "rss_growth_after_warmup_pct": round(100 * (last["rss_mb"] - warm["rss_mb"]) / warm["rss_mb"], 1),
              "health_at_end": state}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"{total} requests in {elapsed:.0f} s, {errors} errors; server RSS {first['rss_mb']} → {last['rss_mb']} MB "
          f"({result['rss_growth_pct']:+.1f} %; {result['rss_growth_after_warmup_pct']:+.1f} % after the first "
          f"minute), open fds {first['open_fds']} → {last['open_fds']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
