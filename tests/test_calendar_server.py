"""On a UTC machine in late December, the real server counts in Beijing time, says that
next year's holidays are not loaded, and `calendar load` through it moves a running
deadline with an event. The server runs under Debian faketime with no pinned clock."""
import re
from pathlib import Path

import pytest
import requests

from dashboard.launch import running_server
from tests.conftest import CHROMIUM
from tests.servers import copy_db
from tests.test_calendar_changes import SCHEDULE_2027
from tests.test_cli import cli

# The library itself, preloaded into the server: the `faketime` command would stand between
# the test and the server's process and leave the server running when stopped.
LIBFAKETIME = next(iter(sorted(Path("/usr/lib").glob("*/faketime/libfaketimeMT.so.1"))), None)
pytestmark = [
    pytest.mark.skipif(LIBFAKETIME is None, reason="Debian faketime is not installed (.ci/run installs it)"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]
# The machine: zone UTC, clock at 2026-12-31 01:00 UTC = 09:00 Thursday in Beijing.
MACHINE = {"TZ": "UTC", "TOWNSHIP_CLOCK_AT": None, "TOWNSHIP_TIMEZONE": None,
           "LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": "@2026-12-31 01:00:00"}


def test_a_utc_server_in_december_shows_beijing_time_and_loads_next_year(empty_db_path, tmp_path, browser, login_state,
                                                                         empty_admin_token):
    signed_in = {"Authorization": f"Bearer {empty_admin_token}"}
    db = copy_db(empty_db_path, tmp_path)
    with running_server(db, tmp_path, env=MACHINE) as url:
        page = browser.new_page(storage_state=login_state(url))
        try:
            page.goto(url + "/")
            page.wait_for_selector("#ov-as-of:has-text('数据时间 2026-12-31')", timeout=60_000)
            assert re.search(r"数据时间 2026-12-31 09:0\d", page.inner_text("#ov-as-of"))
            notice = page.inner_text(".navbar-notice")
            assert "2027 年节假日安排尚未载入" in notice

            # 0401 (1 working day) registered 09:0x Thursday: due Friday 1 January 09:0x on a
            # plain week, Monday 4 January once 1 January is a holiday.
            made = requests.post(f"{url}/api/v1/matters", json={
                "source": "public", "category": "0401", "description": "路口暴露垃圾",
                "address": "测试路 1 号"}, headers=signed_in, timeout=30).json()
            assert made["created_at"].startswith("2026-12-31T09:0"), made
            assert made["due_at"].startswith("2027-01-01T09:0"), made

            schedule = tmp_path / "2027.csv"
            schedule.write_text(SCHEDULE_2027, encoding="utf-8")
            r = cli("calendar", "load", "--db", db, schedule)
            assert r.returncode == 0, r.stderr
            assert "through the server" in r.stdout and "1 deadlines moved" in r.stdout, r.stdout

            after = requests.get(f"{url}/api/v1/matters/{made['id']}", headers=signed_in, timeout=30).json()
            assert after["due_at"] == "2027-01-04" + made["due_at"][10:], after
            redue = [e for e in after["events"] if e["action"] == "redue"]
            assert len(redue) == 1 and redue[0]["actor"] == "system:calendar"
            assert made["due_at"][:16].replace("T", " ") + " → " in redue[0]["note"]

            page.goto(url + "/desk")
            page.wait_for_selector("#desk-as-of:has-text('数据时间')", timeout=60_000)
            assert page.locator(".navbar-notice").count() == 0
        finally:
            page.close()
    # A bad file through the CLI: one error line, nothing loaded.
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,festival\n2027-01-04,workday,x\n", encoding="utf-8")
    r = cli("calendar", "load", "--db", db, bad)
    assert r.returncode == 2 and r.stderr.startswith("error: bad.csv: line 2: 2027-01-04 is a weekday")
    r = cli("info", "--db", db)
    assert "holiday schedules loaded: 2024, 2025, 2026, 2027" in r.stdout, r.stdout
