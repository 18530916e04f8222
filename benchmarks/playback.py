"""Time playback at scale: the board at a past minute (open matters' lights, counts per
cell, department loads) folded from the event log of a demo township.

    python -m benchmarks.playback --size 1000000

Builds (or reuses) ``benchmarks/township-<size>.duckdb`` like ``benchmarks.run`` and prints,
for instants 1 hour, 1 day, 7 days and 30 days back, the median (min–max) of 7 runs after
a warm-up, with the number of open matters at the instant and how many needed the step
function's fold (moved deadlines); writes ``benchmarks/results-playback-<size>.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.run import ensure_db, machine, measure, summary  # noqa: E402
from queries import clock, playback  # noqa: E402
from queries.store import Store  # noqa: E402

BACK = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.playback")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--folder", default=str(HERE))
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    db, build_rate = ensure_db(args.size, folder)
    store = Store(db, read_only=True)
    try:
        scope = store.all_village_ids() + [-1]
        history = store.run("playback/history").iloc[0]
        latest = history["latest"].to_pydatetime()
        counts = store.run("store/counts").iloc[0]
        results = {"size": args.size, "load_average_at_start": list(os.getloadavg()),
                   "events": int(history["events"]),
                   "measured_at": clock.now().isoformat(timespec="seconds"), "machine": machine(),
                   "history_ends": latest.isoformat(timespec="seconds"), "open_now": int(counts["open_matters"])}
        for label, back in BACK.items():
            at = (latest - back).replace(second=0, microsecond=0)
            state = playback.state_at(store, at, scope, 0.25)
            rows = store.run("playback/open_at", at=at, now=at, scope=scope, yellow_share=0.25,
                             open_statuses=list(playback.OPEN_STATUSES))
            cpu: list[float] = []

            def once(at=at, cpu=cpu):
                start = time.process_time()
                playback.state_at(store, at, scope, 0.25)
                cpu.append((time.process_time() - start) * 1000)

            times = measure(once, args.runs)
            results[f"playback_{label}_ms"] = summary(times)
            results[f"playback_{label}_cpu_ms"] = summary(cpu[1:])     # CPU of every thread, warm-up left out
            results[f"playback_{label}_open"] = state.counts["open_count"]
            results[f"playback_{label}_folded"] = int(rows["needs_fold"].sum())
            fig = results[f"playback_{label}_ms"]
            print(f"playback {label:>3} back ({at:%Y-%m-%d %H:%M}): {fig['median']:.0f} ms "
                  f"({fig['min']:.0f}–{fig['max']:.0f}), CPU {results[f'playback_{label}_cpu_ms']['median']:.0f} ms, "
                  f"{state.counts['open_count']:,} open, "
                  f"{results[f'playback_{label}_folded']:,} folded")
    finally:
        store.close()
    out = folder / f"results-playback-{args.size}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"written {out} (build {build_rate or 'reused'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
