"""The import page's upload endpoint, POST /admin/import/upload, on the real server (a
subprocess over its own copy of the empty township): the file is streamed to disk, so a
50 MB upload leaves the server's memory where it was (measured in /proc/<pid>/status, a
bound, not a timing); what the name says must be what the file is; only an administrator
uploads, and a session must send its form token."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from dashboard.launch import serving
from queries import accounts
from queries.store import Store
from tests.servers import copy_db

URL = "/admin/import/upload"
MB = 1024 * 1024


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def reset_peak(pid: int) -> bool:
    """Set VmHWM (the peak) to the current VmRSS (Linux: 5 > clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def served(empty_db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("upload")
    db = copy_db(empty_db_path, folder)
    store = Store(db)
    accounts.add_user(store, name="up-viewer", role="viewer", password="an-upload-viewer-pw")
    viewer = accounts.new_token(store, name="up-viewer")["token"]
    store.close()
    with serving(db, folder) as running:
        yield running, viewer


def big_csv(size: int) -> bytes:
    line = "{},2026-11-01 08:00:00,江阳路{}号路面破损\n"
    rows, total, i = ["id,created_at,description\n"], 0, 0
    while total < size:
        row = line.format(i, i)
        rows.append(row)
        total += len(row.encode())
        i += 1
    return "".join(rows).encode()


def test_a_50_mb_upload_is_streamed_to_disk_and_leaves_the_server_s_memory_alone(served, empty_admin_token):
    running, _viewer = served
    headers = {"Authorization": f"Bearer {empty_admin_token}"}
    small = requests.post(running.url + URL, files={"file": ("m.csv", b"id,created_at\n1,2026-11-01\n")},
                          headers=headers, timeout=60)
    assert small.status_code == 200 and len(small.json()["token"]) == 16 and small.json()["name"] == "m.csv"
    body = big_csv(50 * MB)
    pid = running.process.pid
    peak_known = reset_peak(pid)
    before = status_kb(pid, "VmRSS")
    answer = requests.post(running.url + URL, files={"file": ("big.csv", body)}, headers=headers, timeout=600)
    assert answer.status_code == 200, answer.text
    grown_kb = status_kb(pid, "VmHWM" if peak_known else "VmRSS") - before
    print(f"server grew {grown_kb} kB (peak known: {peak_known})")
    assert grown_kb < 20 * 1024, f"the server grew by {grown_kb / 1024:.1f} MB for a 50 MB upload"


def test_an_upload_must_be_what_its_name_says_and_come_from_an_administrator(served, empty_admin_token):
    running, viewer = served
    url = running.url + URL
    admin = {"Authorization": f"Bearer {empty_admin_token}"}
    wrong_kind = requests.post(url, files={"file": ("grid.shp", b"abc")}, headers=admin, timeout=60)
    assert wrong_kind.status_code == 415 and wrong_kind.json()["status"] == 415
    not_a_zip = requests.post(url, files={"file": ("m.xlsx", b"id,created_at\n")}, headers=admin, timeout=60)
    assert not_a_zip.status_code == 422 and not_a_zip.json()["errors"] == []
    no_file = requests.post(url, files={"other": ("m.csv", b"a\n")}, headers=admin, timeout=60)
    assert no_file.status_code == 422
    refused = requests.post(url, files={"file": ("m.csv", b"id\n1\n")},
                            headers={"Authorization": f"Bearer {viewer}"}, timeout=60)
    assert refused.status_code == 403 and refused.json()["status"] == 403
    session = requests.Session()
    signed = session.post(running.url + "/login", data={"name": "test-admin", "password": "test-admin-password"},
                          timeout=60)
    assert signed.status_code == 200 and "township_session" in session.cookies
    no_token = session.post(url, files={"file": ("m.csv", b"id\n1\n")}, timeout=60)
    assert no_token.status_code == 403 and "form token" in no_token.json()["error"]
    anonymous = requests.post(url, files={"file": ("m.csv", b"id\n1\n")}, timeout=60, allow_redirects=False)
    assert anonymous.status_code in (302, 401)
