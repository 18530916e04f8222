"""The big screen runs for days: its JavaScript heap must not grow without bound.

``python -m benchmarks.screen_heap [--minutes 120] [--rate 2] [--size 20000]``

Builds (or reuses) a demo database (as ``make bench``: ``benchmarks/township-N.duckdb``),
serves a working copy of it on 127.0.0.1, makes a commander's token for the simulator and a
kiosk token for the screen, opens ``/screen?kiosk=…`` in headless Chromium at 1920×1080 and
runs the simulator (``python -m dashboard simulate``: new matters and every lifecycle step,
through the API) against it. After a warm-up, every ``--sample-s`` seconds it forces a
garbage collection through the DevTools protocol and reads ``JSHeapUsedSize`` (and the
DOM's node count); it prints every sample and, at the end, the heap at start and end and
the growth, with ``"ok"`` when the growth is under ``--limit-mb`` (default 50). The figures
go to ``benchmarks/screen-heap-<size>.json`` too. Not part of ``make test``: it takes the
time it measures. The 2-hour run of the issue: ``--minutes 120``.
"""
from __future__ import annotations

import argparse
import json
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.run import CHROMIUM, LAUNCH_ARGS, ensure_db, working_copy  # noqa: E402

MB = 1024 * 1024


def tokens(db: Path) -> tuple[str, str]:
    """(a commander's API token for the simulator, a kiosk token for the screen)."""
    from queries import accounts
    from queries.store import Store

    store = Store(db)
    try:
        for name, role in (("bench-sim", "commander"), ("bench-wall", "leader")):
            if accounts.user_named(store, name) is None:
                accounts.add_user(store, name=name, role=role, password=secrets.token_urlsafe(24))
        return (accounts.new_token(store, name="bench-sim")["token"],
                accounts.new_token(store, name="bench-wall", kiosk=True)["token"])
    finally:
        store.close()


def heap(cdp) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {"heap_mb": round(metrics["JSHeapUsedSize"] / MB, 2), "nodes": int(metrics.get("Nodes", 0)),
            "listeners": int(metrics.get("JSEventListeners", 0))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=120.0, help="how long to watch (the issue's run: 120)")
    parser.add_argument("--rate", type=float, default=2.0, help="the simulator's new matters per second")
    parser.add_argument("--size", type=int, default=20_000, help="matters in the demo database")
    parser.add_argument("--warmup-s", type=float, default=60.0)
    parser.add_argument("--sample-s", type=float, default=60.0)
    parser.add_argument("--limit-mb", type=float, default=50.0)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from dashboard.launch import serving

    source, _ = ensure_db(args.size, HERE)
    with tempfile.TemporaryDirectory(prefix="screen-heap-") as tmp:
        folder = Path(tmp)
        db = working_copy(source, folder, "township.duckdb")
        sim_token, kiosk = tokens(db)
        with serving(db, folder) as served, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{served.url}/screen?kiosk={kiosk}")
            page.wait_for_selector("#scr-ranking table", timeout=120_000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            seconds = args.minutes * 60
            simulator = subprocess.Popen(
                [sys.executable, "-m", "dashboard", "simulate", "--url", served.url, "--rate", str(args.rate),
                 "--token", sim_token, "--duration", str(seconds + args.warmup_s + 30)],
                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            try:
                time.sleep(args.warmup_s)
                start = heap(cdp)
                samples = [{"t_s": 0, **start}]
                print(json.dumps(samples[-1]), flush=True)
                began = time.monotonic()
                while time.monotonic() - began < seconds:
                    time.sleep(min(args.sample_s, max(0.0, seconds - (time.monotonic() - began))))
                    samples.append({"t_s": round(time.monotonic() - began), **heap(cdp)})
                    print(json.dumps(samples[-1]), flush=True)
                conn = page.inner_text("#scr-conn")
            finally:
                simulator.terminate()
                simulator.wait(timeout=30)
                browser.close()
    end = samples[-1]
    growth = round(end["heap_mb"] - start["heap_mb"], 2)
    result = {"minutes": args.minutes, "rate_per_s": args.rate, "size": args.size,
              "heap_start_mb": start["heap_mb"], "heap_end_mb": end["heap_mb"], "growth_mb": growth,
              "heap_max_mb": max(s["heap_mb"] for s in samples), "nodes_start": start["nodes"],
              "nodes_end": end["nodes"], "connection_at_end": conn, "limit_mb": args.limit_mb,
              "ok": growth < args.limit_mb, "samples": samples,
              "machine": {"python": platform.python_version(), "platform": platform.platform()}}
    (HERE / f"screen-heap-{args.size}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                                                        encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("samples", "machine")}, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
