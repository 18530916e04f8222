"""The one clock: the center's zone whatever the machine's zone, and a pinned instant."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from queries import clock
from queries.workcal import WorkCalendar
from tests.servers import REPO

FAKETIME = shutil.which("faketime")
SHOW_NOW = "from queries import clock; print(clock.now().isoformat())"


def center_now(machine_zone: str, utc_instant: str, **env: str) -> datetime:
    """clock.now() in a fresh process whose machine clock is ``utc_instant`` UTC, zone ``machine_zone``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_")}
    # faketime reads its instant as the machine zone's wall-clock time.
    machine_wall = (datetime.fromisoformat(utc_instant).replace(tzinfo=timezone.utc)
                    .astimezone(ZoneInfo(machine_zone)).strftime("%Y-%m-%d %H:%M:%S"))
    r = subprocess.run([FAKETIME, "-f", f"@{machine_wall}", sys.executable, "-c", SHOW_NOW], cwd=REPO,
                       env={**base, "TZ": machine_zone, "FAKETIME_DONT_FAKE_MONOTONIC": "1", **env},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # The faked clock runs from the instant on: a busy machine takes seconds to start Python.
    return datetime.fromisoformat(r.stdout.strip()).replace(microsecond=0)


def to_minute(moment: datetime) -> datetime:
    assert moment.second < 50, f"{moment}: the process took too long to start to tell the minute"
    return moment.replace(second=0)


@pytest.mark.skipif(FAKETIME is None, reason="Debian faketime is not installed (.ci/run installs it)")
@pytest.mark.parametrize("machine_zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_now_is_beijing_time_whatever_the_machine_zone(machine_zone):
    # 08:50 UTC is 16:50 in Beijing on a Wednesday.
    assert to_minute(center_now(machine_zone, "2026-12-02 08:50:00")) == datetime(2026, 12, 2, 16, 50)


@pytest.mark.skipif(FAKETIME is None, reason="Debian faketime is not installed (.ci/run installs it)")
def test_a_deadline_from_now_is_the_same_on_a_utc_and_a_beijing_machine():
    calendar = WorkCalendar.default()
    deadlines = {zone: calendar.add_work_minutes(np.array([to_minute(center_now(zone, "2026-12-02 08:50:00"))],
                                                          dtype="datetime64[s]"), 60)[0]
                 for zone in ("UTC", "Asia/Shanghai")}
    # registered 16:50 on a workday, 1 working hour: 40 minutes today, 20 from 08:30 tomorrow.
    assert set(deadlines.values()) == {np.datetime64("2026-12-03T08:50")}


@pytest.mark.skipif(FAKETIME is None, reason="Debian faketime is not installed (.ci/run installs it)")
def test_another_zone_setting_moves_now_and_a_bad_one_is_an_error():
    assert to_minute(center_now("UTC", "2026-12-02 08:50:00", TOWNSHIP_TIMEZONE="Europe/Berlin")) == \
        datetime(2026, 12, 2, 9, 50)
    with pytest.raises(clock.ClockError, match="unknown time zone"):
        clock.use_zone("Mars/Olympus")


def test_the_suite_runs_at_its_pinned_instant():
    from tests.conftest import DEMO_AS_OF

    assert DEMO_AS_OF <= clock.now() < DEMO_AS_OF.replace(hour=23, minute=59)
