"""Crash safety, proven on the real server: writers post matters and actions at once, and
the server is killed with SIGKILL in the middle of the burst, several times in a row.

After each kill the file must hold every matter that got a 201 and every action that got a
200, with their events; nothing refused is there, and what was never answered is either
wholly there or not at all; every matter's state equals the replay of its events, and the
derived tables equal a rebuild. The same holds for a kill in the middle of an import.
"""
from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from dashboard.launch import serving
from queries.store import Store
from tests.test_generate import assert_state_is_replay
from tests.test_writepath import assert_derived_in_step

KILLS = 3
WRITERS = 6
# One matter's walk: each step answered 200, or 409 for the illegal close of a dispatched matter.
WALK = ({"action": "dispatch", "department": "HWS"}, {"action": "close"}, {"action": "sign"},
        {"action": "supervise", "note": "督办：请尽快处理"})


@dataclass
class Ledger:
    """What the writers were told: the 201s, the 200s, the refusals, and what got no answer."""
    created: dict[int, str] = field(default_factory=dict)            # matter id → the tag it was sent with
    acked: dict[int, list[str]] = field(default_factory=dict)        # matter id → actions answered 200
    refused: list[tuple[int, str]] = field(default_factory=list)
    unanswered_creates: set[str] = field(default_factory=set)
    unanswered_action: dict[int, str] = field(default_factory=dict)  # matter id → the action left hanging
    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: int = 0


def a_body(tag: str) -> dict:
    return {"source": "public", "category": "0401", "description": f"积水 {tag}", "address": f"文昌路 {tag}",
            "external_ref": tag}


def writer(url: str, headers: dict, ledger: Ledger, name: str, stop: threading.Event) -> None:
    session = requests.Session()
    n = 0
    while not stop.is_set():
        n += 1
        tag = f"{name}-{n}"
        try:
            answer = session.post(f"{url}/api/v1/matters", json=a_body(tag), headers=headers, timeout=30)
        except requests.RequestException:
            ledger.unanswered_creates.add(tag)
            return
        assert answer.status_code == 201, answer.text[:300]
        mid = answer.json()["id"]
        with ledger.lock:
            ledger.created[mid] = tag
            ledger.acked[mid] = ["accept"]
            ledger.answered += 1
        for step in WALK:
            try:
                answer = session.post(f"{url}/api/v1/matters/{mid}/actions", json=step, headers=headers, timeout=30)
            except requests.RequestException:
                ledger.unanswered_action[mid] = step["action"]
                return
            with ledger.lock:
                ledger.answered += 1
                if answer.status_code == 200:
                    ledger.acked[mid].append(step["action"])
                else:
                    assert answer.status_code == 409, answer.text[:300]
                    ledger.refused.append((mid, step["action"]))


def burst_and_kill(db: Path, folder: Path, headers: dict, writes_before_kill: int) -> Ledger:
    ledger = Ledger()
    stop = threading.Event()
    with serving(db, folder, {"TOWNSHIP_DEV_TOOLS": None, "TOWNSHIP_INTAKE_RATE_PER_MIN": "100000"}) as served:
        threads = [threading.Thread(target=writer, args=(served.url, headers, ledger, f"w{i}-{os.urandom(3).hex()}",
                                                         stop), daemon=True) for i in range(WRITERS)]
        for t in threads:
            t.start()
        while ledger.answered < writes_before_kill and all(t.is_alive() for t in threads):
            time.sleep(0.02)
        os.kill(served.process.pid, signal.SIGKILL)      # mid-burst: the writers are still posting
        served.process.wait()
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert ledger.answered >= writes_before_kill
    return ledger


def check_after_restart(db: Path, ledger: Ledger) -> None:
    """What the file holds once DuckDB has replayed its WAL, against what was answered."""
    store = Store(db)
    try:
        tags = dict(store.frame("SELECT external_ref, matter_id FROM matters WHERE external_ref LIKE 'w%'")
                    .itertuples(index=False, name=None))
        for mid, tag in ledger.created.items():
            assert tags.get(tag) == mid, f"matter {mid} ({tag}) got a 201 but is not in the file"
        extra = {tag for tag, mid in tags.items() if mid not in ledger.created}
        assert extra <= ledger.unanswered_creates | _earlier(ledger), extra - ledger.unanswered_creates
        events = store.frame("SELECT matter_id, action FROM events WHERE list_contains(?, matter_id) "
                             "ORDER BY matter_id, seq", [list(ledger.created)])
        saved = {mid: list(group["action"]) for mid, group in events.groupby("matter_id")}
        for mid, acked in ledger.acked.items():
            got = saved.get(mid, [])
            hanging = ledger.unanswered_action.get(mid)
            allowed = [acked] + ([acked + [hanging]] if hanging else [])
            assert got in allowed, (mid, got, acked, hanging)
        for mid, action in ledger.refused:
            # the refused close never became an event (the walk has no other close)
            assert "close" not in saved.get(mid, []), (mid, action)
        unanswered_ids = [mid for tag, mid in tags.items() if tag in ledger.unanswered_creates]
        for mid in unanswered_ids:            # a create left hanging is whole if it is there at all
            assert store.scalar("SELECT count(*) FROM events WHERE matter_id = ? AND action = 'accept'", [mid]) == 1
        ids = list(tags.values())
        assert assert_state_is_replay(store, ids) == len(ids)
        assert_derived_in_step(store)
    finally:
        store.close()


_PREVIOUS: set[str] = set()


def _earlier(ledger: Ledger) -> set[str]:
    """Tags written in earlier rounds (before an earlier kill): checked then."""
    return _PREVIOUS


def test_kill_9_mid_burst_loses_nothing_answered(empty_build, tmp_path):
    source, token = empty_build
    headers = {"Authorization": f"Bearer {token}"}
    db = tmp_path / "township.duckdb"
    shutil.copy(source, db)
    rng = random.Random(5)
    _PREVIOUS.clear()
    total = 0
    for kill in range(KILLS):
        ledger = burst_and_kill(db, tmp_path, headers, writes_before_kill=rng.randint(25, 60))
        assert ledger.created, f"kill {kill + 1}: no write was answered before the kill"
        assert ledger.unanswered_creates or ledger.unanswered_action, "the kill came between bursts"
        check_after_restart(db, ledger)
        total += len(ledger.created)
        store = Store(db, read_only=True)
        try:
            _PREVIOUS.update(store.frame("SELECT external_ref FROM matters WHERE external_ref LIKE 'w%'")
                             ["external_ref"])
        finally:
            store.close()
    assert total >= KILLS * 5
    with serving(db, tmp_path) as served:          # and it serves again after the last kill
        listing = requests.get(f"{served.url}/api/v1/matters", params={"limit": 500}, headers=headers, timeout=60)
        assert listing.status_code == 200 and listing.json()["total"] >= total


def _run_op_then_kill(db: Path, folder: Path, name: str, args: dict, kill_after_s: float) -> int | None:
    """Start operation ``name`` in the served database's one writer (as the CLI hands it
    over) and SIGKILL the server ``kill_after_s`` later; the op's HTTP status, if it ended."""
    from queries import ops

    outcome: dict[str, int] = {}
    with serving(db, folder, {"TOWNSHIP_DEV_TOOLS": None}) as served:
        ann = ops.read_announcement(db)

        def run():
            with contextlib.suppress(requests.RequestException):
                outcome["status"] = requests.post(f"{ann.url}/internal/v1/ops/{name}", json=args, timeout=600,
                                                  headers={"X-Township-Token": ann.token}).status_code

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        time.sleep(kill_after_s)
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait()
        thread.join(timeout=60)
    ops.announcement_path(db).unlink(missing_ok=True)    # a killed server leaves it behind
    return outcome.get("status")


def test_kill_9_during_a_matter_import_leaves_it_whole_or_absent(empty_build, tmp_path):
    from tests.test_import import SMALL_MAPPING

    source, _token = empty_build
    db = tmp_path / "township.duckdb"
    shutil.copy(source, db)
    rows = 40_000
    lines = ["编号,受理时间,办结时间,期限,类别,部门,状态,来源,内容,地址,纬度,经度"]
    lines += [f"K{i},2024-05-01 09:{i % 60:02d}:00,2024-05-02 10:00:00,2024-05-03 17:30:00,暴露垃圾,城管科,已办结,"
              f"12345热线,垃圾堆放 {i},文昌路{i}号,32.39{i % 90:02d},119.43{i % 80:02d}" for i in range(rows)]
    csv = tmp_path / "big.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status = _run_op_then_kill(db, tmp_path, "import_matters", {"path": str(csv), "mapping": SMALL_MAPPING},
                               kill_after_s=2.0)
    store = Store(db)
    try:
        imported = store.scalar("SELECT count(*) FROM matters WHERE external_ref LIKE 'K%'")
        print(f"import killed: status {status}, {imported} of {rows} imported")
        assert imported in (0, rows), imported
        if status == 200:
            assert imported == rows
        assert store.scalar("SELECT count(*) FROM events e JOIN matters m USING (matter_id) "
                            "WHERE m.external_ref LIKE 'K%' AND e.seq = 1") == imported
        assert_derived_in_step(store)
    finally:
        store.close()


def test_kill_9_during_a_grid_reimport_leaves_the_old_grid_or_the_new(demo_db_path, tmp_path):
    from tests.test_import import square_grid

    db = tmp_path / "township.duckdb"
    shutil.copy(demo_db_path, db)
    grid = tmp_path / "grid.gpkg"
    square_grid().to_file(grid, layer="wangge")
    store = Store(db, read_only=True)
    try:
        before = store.frame("SELECT code FROM areas WHERE level = 'cell' ORDER BY code")["code"].tolist()
    finally:
        store.close()
    status = _run_op_then_kill(db, tmp_path, "import_grid", {
        "path": str(grid), "id_field": "GRID_CODE", "name_field": "GRID_NAME", "parent_field": "VIL_CODE",
        "parent_name_field": "VIL_NAME", "township_name": "运河街道"}, kill_after_s=1.5)
    store = Store(db)
    try:
        after = store.frame("SELECT code FROM areas WHERE level = 'cell' ORDER BY code")["code"].tolist()
        new = sorted(square_grid()["GRID_CODE"])
        print(f"grid import killed: status {status}, {'new' if after == new else 'old'} grid")
        assert after in (before, new), (len(after), after[:3])
        if status == 200:
            assert after == new
        if after == new:   # every matter re-filed: in one of the new cells, or in none
            assert store.scalar("SELECT count(*) FROM matters m LEFT JOIN areas a ON a.area_id = m.cell_id "
                                "WHERE m.cell_id IS NOT NULL AND (a.level IS DISTINCT FROM 'cell' "
                                "OR NOT list_contains(?, a.code))", [new]) == 0
        assert_derived_in_step(store)
    finally:
        store.close()
