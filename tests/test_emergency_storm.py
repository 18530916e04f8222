"""The storm scenario against a real server: during the run the live board's per-cell open
counts, every open matter's light and the department loads are recorded at six instants;
afterwards playback of each instant returns exactly the same values. The scenario's
emergency shows its tasks, the late sign-fors' alarms and the new matter inside its area."""
from __future__ import annotations

import time

import pytest
import requests

from dashboard.launch import running_server
from dashboard.simulate import Simulator, StormScenario
from tests.servers import copy_db


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_db_path):
    folder = tmp_path_factory.mktemp("storm")
    with running_server(copy_db(demo_db_path, folder), folder) as url:
        yield url


def test_playback_of_every_recorded_instant_equals_the_live_board(server, admin_token, admin_headers):
    sim = Simulator(server, seed=5, token=admin_token)
    storm = StormScenario(sim, sign_alarm_min=0.05, matters=18)
    recorded = []

    def record():
        live = requests.get(f"{server}/api/v1/playback/live", headers=admin_headers, timeout=30)
        assert live.status_code == 200, live.text
        recorded.append(live.json())
        time.sleep(1.1)                 # the next write falls in a later second than this reading

    record()
    for _phase in storm.phases():
        record()
    assert sim.stats.errors == [] and sim.stats.created == 19
    assert len(recorded) == 6

    for live in recorded:
        past = requests.get(f"{server}/api/v1/playback", params={"at": live["as_of"]}, headers=admin_headers,
                            timeout=30)
        assert past.status_code == 200, past.text
        shown = past.json()
        assert shown["as_of"] == live["as_of"]
        for part in ("cells", "lights", "departments", "counts"):
            assert shown[part] == live[part], f"{part} differ at {live['as_of']}"
    # the storm changed the board: the first and the last instant differ
    assert recorded[0]["counts"]["open_count"] + 19 == recorded[-1]["counts"]["open_count"]
    assert recorded[0]["lights"] != recorded[-1]["lights"]

    board = requests.get(f"{server}/api/v1/emergencies/{storm.emergency_id}", headers=admin_headers,
                         timeout=30).json()
    assert [t["status"] for t in board["tasks"]] == ["closed", "signed", "signed"]
    alarms = {a["key"] for a in board["alarms"]}
    assert {"task:2", "task:3"} <= alarms and "task:1" not in alarms
    assert any(a["kind"] == "matter_inside" for a in board["alarms"])
    assert [r["kind"] for r in board["reports"]] == ["report"]


def test_playback_refuses_the_future_and_bad_instants(server, admin_headers):
    for value, problem in (("2999-01-01T00:00:00", "future"), ("yesterday", "ISO"), ("", "required"),
                           ("1990-01-01T00:00:00", "calendar")):
        r = requests.get(f"{server}/api/v1/playback", params={"at": value}, headers=admin_headers, timeout=30)
        assert r.status_code == 422, value
        body = r.get_json() if hasattr(r, "get_json") else r.json()
        assert body["status"] == 422 and problem in body["errors"][0]["problem"]


def test_the_storm_from_the_command_line(server, admin_token, admin_headers, capsys):
    from dashboard.cli import main

    before = len(requests.get(f"{server}/api/v1/emergencies", headers=admin_headers, timeout=30).json()["items"])
    assert main(["simulate", "--scenario", "storm", "--url", server, "--token", admin_token, "--seed", "3",
                 "--sign-alarm-min", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "declared emergency" in out and "refused 0" in out
    items = requests.get(f"{server}/api/v1/emergencies", headers=admin_headers, timeout=30).json()["items"]
    assert len(items) == before + 1 and items[0]["open_tasks"] == 2
