"""Backup while the server runs and writes go on, restore, and the retention of scheduled
backups: the copy is consistent (state = replay, derived = rebuild), and a restore gives
back the same row counts and the same checksum of the event log."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from datetime import datetime

import requests

from dashboard.launch import serving
from queries import ops
from queries.store import Store
from tests.servers import REPO
from tests.test_generate import assert_state_is_replay
from tests.test_writepath import assert_derived_in_step


def cli(*argv, timeout=300):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, argv)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def keep_writing(url: str, headers: dict, stop: threading.Event, answers: list[int]) -> None:
    session = requests.Session()
    n = 0
    while not stop.is_set():
        n += 1
        body = {"source": "public", "category": "0401", "description": f"备份期间 {n}", "address": f"文昌路 {n}"}
        answer = session.post(f"{url}/api/v1/matters", json=body, headers=headers, timeout=60)
        answers.append(answer.status_code)
        if answer.status_code == 201:
            mid = answer.json()["id"]
            answers.append(session.post(f"{url}/api/v1/matters/{mid}/actions", headers=headers, timeout=60,
                                        json={"action": "dispatch", "department": "HWS"}).status_code)


def test_backup_under_writes_and_restore_round_trip(demo_db_path, admin_token, tmp_path):
    headers = {"Authorization": f"Bearer {admin_token}"}
    db = tmp_path / "township.duckdb"
    shutil.copy(demo_db_path, db)
    backups = []
    answers: list[int] = []
    stop = threading.Event()
    with serving(db, tmp_path, {"TOWNSHIP_DEV_TOOLS": None, "TOWNSHIP_INTAKE_RATE_PER_MIN": "100000"}) as served:
        writers = [threading.Thread(target=keep_writing, args=(served.url, headers, stop, answers), daemon=True)
                   for _ in range(3)]
        for w in writers:
            w.start()
        try:
            for i in range(3):           # each while the writers post: none may fail
                target = tmp_path / f"backup-{i}.duckdb"
                done = cli("backup", "--db", db, "--to", target)
                assert done.returncode == 0, done.stderr
                assert "through the server" in done.stdout
                checksum = re.search(r"events checksum (-?\d+)", done.stdout).group(1)
                backups.append((target, checksum))
        finally:
            stop.set()
            for w in writers:
                w.join(timeout=60)
        assert answers and set(answers) <= {200, 201}, sorted(set(answers))
        again = cli("backup", "--db", db, "--to", backups[0][0])     # exists: one line, exit 2
        assert again.returncode == 2 and again.stderr.startswith("error: ") and "<" not in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1
        live = cli("restore", "--from", backups[0][0], "--db", db, "--replace")
        assert live.returncode == 2 and "running server" in live.stderr
    grown = [ops.describe(b)["matters"] for b, _ in backups]
    assert grown == sorted(grown)
    for target, checksum in backups:
        store = Store(target, read_only=True)
        try:
            ids = store.frame("SELECT matter_id FROM matters WHERE description LIKE '备份期间%' "
                              "OR matter_id % 97 = 0")["matter_id"].tolist()
            assert assert_state_is_replay(store, ids) == len(ids)
            assert_derived_in_step(store)
        finally:
            store.close()
        assert ops.describe(target)["events_checksum"] == checksum
    # the round trip: restore the last backup as a new database; counts and checksum agree
    target, checksum = backups[-1]
    restored = tmp_path / "restored" / "township.duckdb"
    restored.parent.mkdir()
    done = cli("restore", "--from", target, "--db", restored)
    assert done.returncode == 0, done.stderr
    assert ops.describe(restored) == ops.describe(target) and ops.describe(restored)["events_checksum"] == checksum
    refused = cli("restore", "--from", target, "--db", restored)          # exists: refused without --replace
    assert refused.returncode == 2 and "--replace" in refused.stderr
    assert cli("restore", "--from", backups[0][0], "--db", restored, "--replace").returncode == 0
    assert ops.describe(restored) == ops.describe(backups[0][0])
    with serving(restored, tmp_path) as served:
        state = requests.get(f"{served.url}/healthz", timeout=30).json()
        assert state["status"] == "ok" and state["matters"] == ops.describe(backups[0][0])["matters"]


def test_retention_keeps_the_newest_of_each_day_and_week():
    names = [ops.backup_name(datetime(2026, 11, d, h)) for d in range(1, 29) for h in (2, 14)] + ["notes.txt"]
    keep = ops.backups_to_keep(names, keep_daily=3, keep_weekly=2)
    assert keep == {ops.backup_name(datetime(2026, 11, 28, 14)), ops.backup_name(datetime(2026, 11, 27, 14)),
                    ops.backup_name(datetime(2026, 11, 26, 14)),
                    ops.backup_name(datetime(2026, 11, 22, 14))}    # Sunday of the week before
    assert "notes.txt" not in keep


def test_scheduled_backup_to_a_folder_prunes_by_retention(empty_db_path, tmp_path):
    db = tmp_path / "township.duckdb"
    shutil.copy(empty_db_path, db)
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [ops.backup_name(datetime(2020, 1, d, 3)) for d in (1, 2, 3, 8, 15)]
    for name in old:
        (folder / name).write_bytes(b"old")
    (folder / "README").write_text("not a backup")
    done = cli("backup", "--db", db, "--to-dir", folder, "--keep-daily", "2", "--keep-weekly", "2")
    assert done.returncode == 0, done.stderr
    left = sorted(p.name for p in folder.iterdir())
    new = [n for n in left if n not in old and n != "README"]
    assert len(new) == 1
    assert set(left) == {"README", new[0], ops.backup_name(datetime(2020, 1, 15, 3))}
