"""The CLI's writing commands work against a stopped database and a running server alike."""
import re
import subprocess
import sys

import requests

from dashboard.launch import running_server
from queries.store import Store
from queries.vocabulary import ROLES
from tests.servers import REPO, copy_db


def cli(*argv, timeout=120):
    return subprocess.run([sys.executable, "-m", "dashboard", *map(str, argv)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def test_backup_and_channels_with_and_without_a_server(demo_db_path, admin_headers, tmp_path):
    db = copy_db(demo_db_path, tmp_path)
    r = cli("backup", "--db", db, "--to", tmp_path / "offline.duckdb")
    assert r.returncode == 0 and "through the server" not in r.stdout, r.stderr
    with running_server(db, tmp_path) as url:
        created = requests.post(f"{url}/api/v1/matters", json={
            "source": "public", "category": "1003", "description": "邻里噪音纠纷", "address": "某小区"},
            headers=admin_headers).json()
        r = cli("backup", "--db", db, "--to", tmp_path / "online.duckdb")
        assert r.returncode == 0, r.stderr
        assert "through the server" in r.stdout
        r = cli("channel", "add", "--db", db, "--name", "微信小程序", "--source", "public")
        assert r.returncode == 0 and "api_key" in r.stdout, r.stderr
        r = cli("backup", "--db", db, "--to", tmp_path / "online.duckdb")       # exists: refused, one line
        assert r.returncode == 2 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1
        r = cli("info", "--db", db)                                           # a reader while serving
        assert r.returncode == 2 and "in use by another process" in r.stderr
    copy = Store(tmp_path / "online.duckdb", read_only=True)
    assert copy.scalar("SELECT count(*) FROM matters WHERE matter_id = ?", [created["id"]]) == 1
    copy.close()
    r = cli("channel", "list", "--db", db)
    assert "微信小程序" in r.stdout and "active" in r.stdout
    r = cli("channel", "revoke", "--db", db, "--name", "微信小程序")
    assert r.returncode == 0
    assert "revoked" in cli("channel", "list", "--db", db).stdout


def test_demo_refuses_to_overwrite_and_builds_fresh(tmp_path):
    db = tmp_path / "d.duckdb"
    r = cli("demo", "--db", db, "--matters", 2000, "--days", 60)
    assert r.returncode == 0 and re.search(r"[0-9],[0-9]{3} matters", r.stdout), r.stderr
    # One account per role, printed once and kept in a file only the owner can read.
    listing = tmp_path / "d.duckdb.accounts.txt"
    assert listing.stat().st_mode & 0o777 == 0o600
    rows = [line.split("\t") for line in listing.read_text(encoding="utf-8").splitlines()[1:]]
    assert [role for _, role, _ in rows] == list(ROLES)
    assert all(len(password) >= 12 and password in r.stdout for _, _, password in rows)
    r = cli("demo", "--db", db, "--matters", 2000)
    assert r.returncode == 2 and "exists already" in r.stderr
    r = cli("demo", "--db", db, "--if-missing-or-stale")
    assert r.returncode == 0 and "current" in r.stdout and "demo accounts" not in r.stdout   # made once
    assert listing.stat().st_mode & 0o777 == 0o600 and rows == [
        line.split("\t") for line in listing.read_text(encoding="utf-8").splitlines()[1:]]


def test_make_run_tops_up_a_stale_demo(tmp_path):
    from datetime import timedelta

    from queries import clock

    db = tmp_path / "stale.duckdb"
    three_days_ago = (clock.now() - timedelta(days=3)).replace(microsecond=0).isoformat()
    assert cli("demo", "--db", db, "--matters", 3000, "--days", 90, "--as-of", three_days_ago).returncode == 0
    r = cli("demo", "--db", db, "--if-missing-or-stale")
    assert r.returncode == 0 and "topped up" in r.stdout, r.stderr
    store = Store(db, read_only=True)
    newest = store.scalar("SELECT max(created_at) FROM matters")
    store.close()
    assert newest > clock.now() - timedelta(days=1)
