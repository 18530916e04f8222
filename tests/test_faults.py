"""Faults of the disk and the file, on the real server over a real DuckDB file: a full disk
(a small tmpfs filled up), a read-only file system (the tmpfs remounted read-only) and a
vanished folder. Writes answer 503 with the reason while reads go on; once the fault
clears, writes resume without a restart, and what they save holds exactly what their
requests sent: nothing of a failed request ever reaches a saved row (DuckDB 1.4 reused
after a failed COMMIT wrote such bytes into the next rows).

Needs ``mount -t tmpfs`` (we run as root in a container); skipped with the reason where it
is refused.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
import requests

from dashboard.launch import serving
from tests.conftest import CHROMIUM

FAILED_DESCRIPTION = "F" * 1999            # what a failed request sent (the longest allowed): never saved
FAILED_ADDRESS = "aaaaaa"
FAST_MAINTENANCE = {"TOWNSHIP_CHECKPOINT_INTERVAL_S": "1", "TOWNSHIP_CHECKPOINT_WAL_MB": "0.05",
                    "TOWNSHIP_DEV_TOOLS": None}


def _mount(folder: Path, size_mb: int) -> str | None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or f"mount exited {done.returncode}")


@contextlib.contextmanager
def small_disk(folder: Path, size_mb: int):
    """A real file system of ``size_mb`` at ``folder`` (tmpfs), unmounted afterwards."""
    problem = _mount(folder, size_mb)
    if problem:
        pytest.skip(f"cannot mount a small tmpfs here ({problem}); the fault tests need a real small disk")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True, capture_output=True)


def fill_up(folder: Path) -> Path:
    """Write a file until the disk is full; removing it gives the space back."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:
        block = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                out.write(block)
        with contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 512)
    return filler


def a_body(tag: str, description: str | None = None, address: str | None = None) -> dict:
    return {"source": "public", "category": "0401", "description": description or f"垃圾未清理 {tag}",
            "address": address or f"文昌路 {tag} 号", "reporter": f"报告人{tag}", "external_ref": f"T-{tag}"}


def post_matter(url: str, headers: dict, body: dict) -> requests.Response:
    return requests.post(f"{url}/api/v1/matters", json=body, headers=headers, timeout=60)


def assert_unavailable(answer: requests.Response) -> str:
    assert answer.status_code == 503, (answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["status"] == 503 and body["errors"] == [] and body["error"]
    return body["error"]


def health(url: str) -> dict:
    return requests.get(f"{url}/healthz", timeout=30).json()


def until_written(url: str, headers: dict, body: dict, seconds: float = 30) -> requests.Response:
    """Post ``body`` until the store takes it (it looks again at most once a second)."""
    deadline = time.monotonic() + seconds
    while True:
        answer = post_matter(url, headers, body)
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def saved_text(db: Path) -> tuple[list[tuple], list[tuple]]:
    """Every matter's text fields and every event's action and note, read from the file."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        matters = con.execute("SELECT matter_id, description, address, reporter, external_ref FROM matters "
                              "ORDER BY matter_id").fetchall()
        events = con.execute("SELECT matter_id, action, coalesce(note, '') FROM events").fetchall()
    finally:
        con.close()
    return matters, events


def assert_nothing_of_the_failed(matters: list[tuple], events: list[tuple]) -> None:
    for row in matters:
        assert all("FFFFFFFF" not in str(v) and str(v) != FAILED_ADDRESS for v in row[1:]), row[0]
    actions = {"accept", "dispatch", "sign", "feedback", "verify", "reject", "close", "follow_up", "supervise",
               "extend", "suspend", "resume", "return", "void", "escalate", "reopen", "redue"}
    bad = [e for e in events if e[1] not in actions]
    assert not bad, bad[:3]


def test_a_full_disk_refuses_writes_with_503_keeps_reads_and_heals_without_a_restart(empty_build, tmp_path):
    source, token = empty_build
    headers = {"Authorization": f"Bearer {token}"}
    size_mb = os.path.getsize(source) // (1 << 20) + 24
    with small_disk(tmp_path / "disk", size_mb) as disk:
        db = disk / "township.duckdb"
        shutil.copy(source, db)
        written: dict[int, dict] = {}
        with serving(db, tmp_path, FAST_MAINTENANCE) as served:
            url = served.url
            for i in range(5):
                body = a_body(f"before-{i}")
                answer = post_matter(url, headers, body)
                assert answer.status_code == 201
                written[answer.json()["id"]] = body
            filler = fill_up(disk)
            refusals = []
            for i in range(12):     # big requests, while the disk stays full
                answer = post_matter(url, headers, a_body(f"full-{i}", FAILED_DESCRIPTION, FAILED_ADDRESS))
                if answer.status_code == 201:       # the WAL's last free bytes took it: a real write
                    written[answer.json()["id"]] = a_body(f"full-{i}", FAILED_DESCRIPTION, FAILED_ADDRESS)
                    continue
                refusals.append(assert_unavailable(answer))
                mid = next(iter(written))
                act = requests.post(f"{url}/api/v1/matters/{mid}/actions", headers=headers, timeout=60,
                                    json={"action": "supervise", "note": "acceptaccept" * 80})
                assert act.status_code in (200, 503), act.text[:200]
            assert refusals, "the full disk never refused a write"
            assert any("full" in reason or "space" in reason for reason in refusals), refusals[:2]
            # reads go on from the last good data; /healthz says why writing stopped
            listing = requests.get(f"{url}/api/v1/matters", params={"limit": 50}, headers=headers, timeout=60)
            assert listing.status_code == 200 and listing.json()["total"] >= 5
            state = health(url)
            assert state["status"] == "degraded" and state["writable"] is False and state["reason"]
            time.sleep(2.5)          # maintenance tries (and fails) its checkpoint on the full disk
            assert served.process.poll() is None
            filler.unlink()
            # space is back: the next writes take, without a restart, each exactly as sent
            for i in range(8):
                body = a_body(f"after-{i}-" + "é" * i)
                answer = until_written(url, headers, body)
                assert answer.status_code == 201, answer.text[:300]
                mid = answer.json()["id"]
                written[mid] = body
                detail = requests.get(f"{url}/api/v1/matters/{mid}", headers=headers, timeout=60).json()
                assert {k: detail[k] for k in ("description", "address", "reporter", "external_ref")} == \
                    {k: body[k] for k in ("description", "address", "reporter", "external_ref")}
                assert [e["action"] for e in detail["events"]] == ["accept"]
            assert health(url)["status"] == "ok"
            listing = requests.get(f"{url}/api/v1/matters", params={"limit": 200}, headers=headers, timeout=60)
            assert listing.status_code == 200
        # after a restart: the file holds exactly the answered writes, and lists without a crash
        matters, events = saved_text(db)
        saved = {m[0]: m for m in matters}
        for mid, body in written.items():
            assert saved[mid][1:] == (body["description"], body["address"], body["reporter"], body["external_ref"])
        assert_nothing_of_the_failed([m for m in matters if m[0] not in written or m[2] != FAILED_ADDRESS],
                                     events)
        with serving(db, tmp_path) as served:
            listing = requests.get(f"{served.url}/api/v1/matters", params={"limit": 500}, headers=headers,
                                   timeout=60)
            assert listing.status_code == 200 and listing.json()["total"] == len(matters)
            assert health(served.url)["status"] == "ok"


def test_a_read_only_file_serves_the_pages_answers_503_and_writes_again_once_writable(
        empty_build, tmp_path, browser, login_state):
    source, token = empty_build
    headers = {"Authorization": f"Bearer {token}"}
    with small_disk(tmp_path / "disk", os.path.getsize(source) // (1 << 20) + 32) as disk:
        db = disk / "township.duckdb"
        shutil.copy(source, db)
        remount(disk, "ro")
        with serving(db, tmp_path, {"TOWNSHIP_DEV_TOOLS": None}) as served:
            url = served.url
            state = health(url)
            assert state["status"] == "degraded" and "read-only" in state["reason"]
            reason = assert_unavailable(post_matter(url, headers, a_body("ro-1")))
            assert "read-only" in reason
            if Path(CHROMIUM).exists():
                page = browser.new_page(storage_state=login_state(url))
                try:
                    page.goto(f"{url}/", wait_until="networkidle")
                    page.wait_for_selector("#ov-map .js-plotly-plot", timeout=30_000)
                    assert "Internal Server Error" not in page.content()
                    page.goto(f"{url}/desk?lang=en", wait_until="domcontentloaded")
                    banner = page.wait_for_selector("#desk-store-banner:not(.store-banner-hidden)", timeout=30_000)
                    assert "cannot be written" in banner.inner_text() and "read-only" in banner.inner_text()
                except BaseException:
                    page.close()
                    raise
            remount(disk, "rw")
            answer = until_written(url, headers, a_body("rw-1"))
            if Path(CHROMIUM).exists():     # the banner goes once the store writes again
                page.wait_for_selector("#desk-store-banner.store-banner-hidden", state="attached", timeout=30_000)
                page.close()
            assert answer.status_code == 201, answer.text[:300]
            assert health(url)["status"] == "ok"
            mid = answer.json()["id"]
            detail = requests.get(f"{url}/api/v1/matters/{mid}", headers=headers, timeout=60).json()
            assert detail["description"] == a_body("rw-1")["description"]


def test_a_vanished_folder_refuses_writes_keeps_reads_and_heals_when_it_is_back(empty_build, tmp_path):
    source, token = empty_build
    headers = {"Authorization": f"Bearer {token}"}
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "township.duckdb"
    shutil.copy(source, db)
    with serving(db, tmp_path, {"TOWNSHIP_DEV_TOOLS": None}) as served:
        url = served.url
        first = post_matter(url, headers, a_body("here"))
        assert first.status_code == 201
        moved = tmp_path / "data-moved-away"
        folder.rename(moved)
        try:
            reason = assert_unavailable(post_matter(url, headers, a_body("gone")))
            assert "gone" in reason
            listing = requests.get(f"{url}/api/v1/matters", headers=headers, timeout=60)
            assert listing.status_code == 200 and listing.json()["total"] >= 1
            assert health(url)["status"] == "degraded"
        finally:
            moved.rename(folder)
        answer = until_written(url, headers, a_body("back"))
        assert answer.status_code == 201, answer.text[:300]
        assert health(url)["status"] == "ok"
    matters, _ = saved_text(db)
    assert [m[1] for m in matters if m[4] in ("T-here", "T-back", "T-gone")] == \
        [a_body("here")["description"], a_body("back")["description"]]


def test_request_driven_queries_reach_no_file_but_the_database(empty_db_path, tmp_path):
    """The server's store opens DuckDB with external access off: no query of a request can
    read another file, while the imports (read in Python) and backups (a file copy) work."""
    from layers.matterimport import import_matters
    from queries import ops
    from queries.store import Store
    from tests.test_import import SMALL, SMALL_MAPPING

    db = tmp_path / "township.duckdb"
    shutil.copy(empty_db_path, db)
    (tmp_path / "m.csv").write_text(SMALL, encoding="utf-8")
    store = Store(db, external_access=False)
    try:
        for sql in ("SELECT * FROM read_csv('/etc/passwd')", f"SELECT * FROM read_csv('{tmp_path / 'm.csv'}')",
                    "COPY (SELECT 1) TO '/tmp/township-escape.csv'", f"ATTACH '{tmp_path / 'other.duckdb'}' AS o"):
            with pytest.raises(duckdb.PermissionException):
                store.frame(sql)
        assert not Path("/tmp/township-escape.csv").exists()
        assert int(store.run("overview/health").iloc[0]["matters"]) == 0
        summary = import_matters(store, path=str(tmp_path / "m.csv"), mapping=SMALL_MAPPING)
        assert summary["imported"] == 3
        done = ops.backup(store, to=str(tmp_path / "copy.duckdb"))
        assert done["matters"] == 3
    finally:
        store.close()


def test_slow_clients_do_not_starve_the_server(empty_build, tmp_path):
    """Hundreds of idle, half-sent connections (more than waitress's default limit of 100):
    a normal request is still answered, and the idle ones are closed after the timeout."""
    import socket

    source, _token = empty_build
    db = tmp_path / "township.duckdb"
    shutil.copy(source, db)
    with serving(db, tmp_path, {"TOWNSHIP_SERVER_CHANNEL_TIMEOUT_S": "3", "TOWNSHIP_DEV_TOOLS": None}) as served:
        port = int(served.url.rsplit(":", 1)[1])
        slow = []
        try:
            for _ in range(250):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")     # never finished
                slow.append(s)
            assert requests.get(f"{served.url}/healthz", timeout=30).json()["status"] == "ok"
            closed = 0
            deadline = time.monotonic() + 30
            for s in slow:
                s.settimeout(max(0.1, deadline - time.monotonic()))
                with contextlib.suppress(OSError):
                    if s.recv(1) == b"":
                        closed += 1
            assert closed == len(slow)
        finally:
            for s in slow:
                s.close()
        assert requests.get(f"{served.url}/healthz", timeout=30).json()["status"] == "ok"
