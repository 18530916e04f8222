"""The benchmark suite: ``make bench SIZE=N`` (``python -m benchmarks.run --size N``).

Builds (or reuses) a demo database of N matters, measures the product through its real
code paths and writes ``benchmarks/results-N.json``: every figure is the median of several
runs with their min and max, warm-up runs apart. Figures:

- overview_refresh_ms: after a data change (a matter registered through the write path,
  so the cache is cold for the new data version), the overview's tick and every panel's
  callback through Dash's real endpoint with Flask's test client, summed;
- overview_refresh_pandas_ms: the same answers from a fair pandas implementation (data in
  memory with category dtypes, vectorised), and ratio_pandas_over_ours;
- map_update_bytes: the size of the map's recolouring response after a data change;
- intake_rps / intake_p95_ms: POST /api/v1/matters on a real server on 127.0.0.1 by 8
  concurrent clients;
- assign_points_per_s, demo_build_matters_per_s (only when the database is built here);
- first_render_ms (headless Chromium: navigation to the map and charts drawn on /) and
  server_rss_mb after every page has been refreshed once.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.dash_client import DashCallbackClient  # noqa: E402
from benchmarks.pandas_overview import PandasOverview, same_answers, sql_answers  # noqa: E402
from queries import clock  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3), "runs": len(values)}


def measure(fn: Callable[[], Any], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


# -- the database ---------------------------------------------------------------------------
def ensure_db(size: int, folder: Path) -> tuple[Path, float | None]:
    from data.demo.build import build_demo

    path = folder / f"township-{size}.duckdb"
    if path.exists():
        return path, None
    stats = build_demo(path, matters=size, seed=7)
    return path, stats.matters_per_s


BENCH_USER = "benchmarks"


def bench_token(db: Path) -> str:
    """A new API token of the benchmarks' own account (made once in the database): the
    figures are measured as a signed-in client sees them."""
    import secrets

    from queries import accounts
    from queries.store import Store

    store = Store(db)
    try:
        if accounts.user_named(store, BENCH_USER) is None:
            accounts.add_user(store, name=BENCH_USER, role="operator", password=secrets.token_urlsafe(24))
        return accounts.new_token(store, name=BENCH_USER)["token"]
    finally:
        store.close()


def working_copy(path: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(path, target)
    return target


# -- overview -----------------------------------------------------------------------------------
def bench_overview(db: Path, runs: int, token: str) -> dict[str, Any]:
    import dash

    from dashboard.app import create_app
    from dashboard.components.ids import overview as ids
    from dashboard.context import whole_township
    from queries.settings import load_settings
    from queries.store import Store
    from queries.writepath import Placement, check_new_matter, create_matter

    store = Store(db)
    settings = load_settings({}).with_overrides(db_path=str(db))
    app = create_app(settings, store)
    http = app.server.test_client()
    http.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    page = next(p for p in dash.page_registry.values() if p["path"] == "/")
    with app.server.test_request_context("/"):
        layout = page["layout"](lang="zh")
    client = DashCallbackClient(http, layout)
    reader = app.server.extensions["township"].reader
    cell = store.run("reference/a_cell").iloc[0]
    placement = Placement(float(cell.lon), float(cell.lat), int(cell.area_id), int(cell.village_id))

    def data_change() -> None:
        body = {"source": "public", "category": "0401", "description": "基准测试事项", "lon": placement.lon,
                "lat": placement.lat}
        create_matter(store, check_new_matter(store, body), placement, now=clock.now())

    drawn, _ = client.call(client.dependency("..ov-map.figure"), [f"{ids.LANG}.data"])
    client.set(ids.MAP_CELLS, "data", drawn["response"][ids.MAP_CELLS]["data"])
    tick_dep = client.dependency(f"{ids.TICK}.data")
    panels = [d for d in client.callbacks_triggered_by(ids.TICK, "data")]
    map_dep = next(d for d in panels if d["output"].startswith(f"{ids.MAP}.figure"))
    sizes: list[int] = []

    def refresh() -> None:
        client.set(ids.INTERVAL, "n_intervals", int(time.time()))
        answer, _ = client.call(tick_dep, [f"{ids.INTERVAL}.n_intervals"])
        if answer:
            client.set(ids.TICK, "data", answer["response"][ids.TICK]["data"])
        for dep in panels:
            _, size = client.call(dep, [f"{ids.TICK}.data"])
            if dep is map_dep:
                sizes.append(size)

    ours = []
    for i in range(runs + 1):
        data_change()
        start = time.perf_counter()
        refresh()
        if i:                                   # the first is the warm-up
            ours.append((time.perf_counter() - start) * 1000)

    scope = whole_township(reader.store)
    load_start = time.perf_counter()
    pandas_app = PandasOverview.load(store)
    load_ms = (time.perf_counter() - load_start) * 1000
    now = clock.to_minute(clock.now())
    kwargs = dict(scope=scope, now=now, yellow_share=settings.yellow_fraction)
    problems = same_answers(pandas_app.answers(**kwargs), sql_answers(store, **kwargs))
    pandas_times = measure(lambda: pandas_app.answers(**kwargs), runs)
    store.close()
    result = {
        "overview_refresh_ms": summary(ours),
        "overview_refresh_pandas_ms": summary(pandas_times),
        "pandas_load_ms": round(load_ms, 1),
        "ratio_pandas_over_ours": round(statistics.median(pandas_times) / statistics.median(ours), 2),
        "map_update_bytes": summary([float(s) for s in sizes[1:] or sizes]),
        "answers_identical": not problems,
    }
    if problems:
        result["answer_differences"] = problems
    return result


# -- intake through a real server -----------------------------------------------------------
def bench_intake(db: Path, folder: Path, seconds: float, token: str, clients: int = 8) -> dict[str, Any]:
    import requests

    from dashboard.launch import serving

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    # the intake capacity is measured, not the rate limit (intake_rate_per_min)
    with serving(db, folder, {"TOWNSHIP_SERVER_THREADS": str(clients),
                              "TOWNSHIP_INTAKE_RATE_PER_MIN": "100000000"}) as served:
        signed_in = {"Authorization": f"Bearer {token}"}
        point = requests.get(f"{served.url}/api/v1/matters?limit=1", headers=signed_in).json()["items"][0]
        body = {"source": "grid", "category": "0403", "description": "垃圾满溢（压测）",
                "lon": point["lon"], "lat": point["lat"]}
        stop_at = time.monotonic() + seconds

        def worker() -> None:
            session = requests.Session()
            session.headers.update(signed_in)
            mine = []
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                r = session.post(f"{served.url}/api/v1/matters", json=body, timeout=30)
                mine.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 201:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:100]}")
            with lock:
                latencies.extend(mine)

        start = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
    ok = len(latencies) - len(errors)
    return {"intake_rps": round(ok / elapsed, 1), "intake_p95_ms": round(float(np.percentile(latencies, 95)), 1),
            "intake_p50_ms": round(float(np.percentile(latencies, 50)), 1), "intake_requests": len(latencies),
            "intake_errors": errors[:5], "intake_clients": clients, "intake_seconds": seconds}


# -- point assignment -------------------------------------------------------------------------
def bench_assign(runs: int) -> dict[str, Any]:
    from layers.assign import CellIndex
    from layers.township import build_demo_township

    cells = build_demo_township(7).cells
    index = CellIndex(cells)
    minx, miny, maxx, maxy = cells.total_bounds
    rng = np.random.default_rng(1)
    n = 1_000_000
    lon, lat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    times = measure(lambda: index.assign(lon, lat), runs)
    return {"assign_points_per_s": summary([n / (t / 1000) for t in times])}


# -- the browser: first render, then every page once, then the server's memory ---------------
PAGES = ("/", "/desk", "/analysis", "/warnings")


def bench_browser(db: Path, folder: Path, runs: int, token: str) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        return {"first_render_ms": None, "server_rss_mb": None, "browser_note": f"no Chromium at {CHROMIUM}"}
    from playwright.sync_api import sync_playwright

    from dashboard.launch import serving

    with serving(db, folder) as served, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        signed_in = {"Authorization": f"Bearer {token}"}
        times = []
        for i in range(runs + 1):
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, extra_http_headers=signed_in)
            start = time.perf_counter()
            page.goto(served.url + "/")
            page.wait_for_selector("#ov-map .maplibregl-canvas", timeout=60_000)
            page.wait_for_selector("#ov-dept-chart .main-svg", timeout=60_000)
            page.wait_for_function("() => (document.querySelector('.kpi-key-open .kpi-value') || {}).textContent"
                                   " && document.querySelector('.kpi-key-open .kpi-value').textContent !== '…'",
                                   timeout=60_000)
            if i:
                times.append((time.perf_counter() - start) * 1000)
            page.close()
        visited = []
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, extra_http_headers=signed_in)
        for path in PAGES:
            response = page.goto(served.url + path)
            if response is not None and response.status == 200:
                page.wait_for_load_state("networkidle", timeout=60_000)
                visited.append(path)
        page.close()
        browser.close()
        rss_kb = _rss_kb(served.process.pid)
    return {"first_render_ms": summary(times), "server_rss_mb": round(rss_kb / 1024, 1) if rss_kb else None,
            "pages_refreshed": visited}


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# -- the run ------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "platform": platform.platform()}


def print_table(results: dict[str, Any]) -> None:
    print(f"\nbenchmark at {results['size']:,} matters ({results['machine']['cpus']} cores)")
    for key, value in results.items():
        if isinstance(value, dict) and "median" in value:
            print(f"  {key:32s} median {value['median']:>12,.1f}   min {value['min']:>12,.1f}   "
                  f"max {value['max']:>12,.1f}")
        elif key not in ("machine", "size") and not isinstance(value, (dict, list)):
            print(f"  {key:32s} {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--intake-seconds", type=float, default=30.0)
    parser.add_argument("--folder", default=str(HERE), help="where databases and results go")
    parser.add_argument("--skip", action="append", default=[], choices=("intake", "browser", "assign"))
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.time()
    db, build_rate = ensure_db(args.size, folder)
    token = bench_token(db)            # the working copies carry it
    results: dict[str, Any] = {"size": args.size, "measured_at": clock.now().isoformat(timespec="seconds"),
                               "machine": machine()}
    results["demo_build_matters_per_s"] = round(build_rate) if build_rate else None
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        tmp_path = Path(tmp)
        results.update(bench_overview(working_copy(db, tmp_path, "overview.duckdb"), args.runs, token))
        if "assign" not in args.skip:
            results.update(bench_assign(args.runs))
        if "intake" not in args.skip:
            results.update(bench_intake(working_copy(db, tmp_path, "intake.duckdb"), tmp_path, args.intake_seconds,
                                        token))
        if "browser" not in args.skip:
            results.update(bench_browser(working_copy(db, tmp_path, "browser.duckdb"), tmp_path,
                                         max(3, args.runs // 2), token))
    results["seconds"] = round(time.time() - started, 1)
    out = folder / f"results-{args.size}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print_table(results)
    print(f"\nwritten {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
