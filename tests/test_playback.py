"""Time playback equals the live board: a scripted sequence of actions over several days
(a weekend, extensions, a stopped clock, a reopen, a return), the live state recorded at
each instant with the clock pinned there, then playback of every instant compared."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest

from queries import playback
from queries.store import Store
from queries.writepath import Placement, apply_action, check_action, check_new_matter, create_matter
from tests.conftest import DEMO_AS_OF

YELLOW = 0.25


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("playback") / "p.duckdb"
    shutil.copy(demo_db_path, path)
    s = Store(path)
    yield s
    s.close()


def _scope(store):
    return store.all_village_ids() + [-1]


def _act(store, matter_id, now, **body):
    return apply_action(store, matter_id, check_action(store, {"actor": "test", **body}), now=now)


def _new(store, now, category="0401"):
    row = store.frame("SELECT area_id, village_id, lon, lat FROM areas WHERE level = 'cell' "
                      "ORDER BY area_id LIMIT 1 OFFSET 3").iloc[0]
    body = {"source": "public", "category": category, "description": "回放测试", "lon": 119.4, "lat": 32.4,
            "actor": "test"}
    result, _ = create_matter(store, check_new_matter(store, body),
                              Placement(float(row.lon), float(row.lat), int(row.area_id), int(row.village_id)),
                              now=now)
    return result["id"]


def _open_ids(store, status, n):
    return [int(x) for x in store.frame("SELECT matter_id FROM open_matters WHERE status = ? ORDER BY matter_id "
                                        "LIMIT ?", [status, n])["matter_id"]]


def _comparable(state: playback.BoardState) -> dict:
    out = state.to_json()
    out.pop("as_of")
    return out


def test_playback_equals_the_live_board_at_every_instant(store):
    scope = _scope(store)
    recorded: list[tuple[datetime, dict]] = []

    def record(at):
        recorded.append((at, _comparable(playback.live_state(store, at, scope, YELLOW))))

    t = DEMO_AS_OF + timedelta(seconds=20)
    record(t)                                            # the demo's own history, untouched
    registered = [_new(store, t + timedelta(seconds=5 + i)) for i in range(2)]
    dispatched = _open_ids(store, "dispatched", 3)
    handling = _open_ids(store, "handling", 6)
    fresh = _new(store, t + timedelta(minutes=1))
    _act(store, registered[0], t + timedelta(minutes=2), action="dispatch", department=1)
    _act(store, dispatched[0], t + timedelta(minutes=3), action="sign")
    _act(store, handling[0], t + timedelta(minutes=4), action="extend", note="雨天", hours=4)
    _act(store, handling[1], t + timedelta(minutes=5), action="suspend", note="等待配件")
    _act(store, handling[2], t + timedelta(minutes=6), action="feedback")
    record(t + timedelta(minutes=7, seconds=30))
    t2 = t + timedelta(hours=5)
    _act(store, handling[1], t2, action="resume")
    _act(store, handling[2], t2 + timedelta(minutes=1), action="verify")
    _act(store, handling[2], t2 + timedelta(minutes=2), action="close")
    _act(store, dispatched[1], t2 + timedelta(minutes=3), action="return", note="不属本部门")
    _act(store, fresh, t2 + timedelta(minutes=4), action="dispatch", department=2)
    _act(store, handling[3], t2 + timedelta(minutes=5), action="supervise", note="抓紧")
    record(t2 + timedelta(minutes=6))
    t3 = t + timedelta(days=2, hours=1)                  # past the end of the week
    _act(store, handling[2], t3, action="reopen", note="群众再次反映")
    _act(store, registered[1], t3 + timedelta(minutes=1), action="void", note="重复")
    _act(store, handling[4], t3 + timedelta(minutes=2), action="extend", note="再延", work_days=1)
    record(t3 + timedelta(minutes=3))
    t4 = t + timedelta(days=4, hours=3)
    _act(store, handling[0], t4, action="feedback")
    _act(store, handling[4], t4 + timedelta(minutes=1), action="suspend", note="停工")
    record(t4 + timedelta(minutes=2, seconds=59))
    record(t + timedelta(days=6))

    assert len(recorded) == 6
    for at, live in recorded:
        shown = _comparable(playback.state_at(store, at, scope, YELLOW))
        for part in ("counts", "cells", "departments", "lights"):
            assert shown[part] == live[part], f"{part} differ at {at}"
    # the instants differ from each other: a playback that returned today's state would fail
    assert recorded[0][1]["lights"] != recorded[-1][1]["lights"]
    assert str(handling[2]) in recorded[0][1]["lights"] and str(handling[2]) not in recorded[2][1]["lights"]


def test_playback_of_the_past_differs_from_now_and_never_writes(store):
    scope = _scope(store)
    version = store.data_version()
    before = playback.state_at(store, DEMO_AS_OF - timedelta(days=3), scope, YELLOW)
    now = playback.state_at(store, DEMO_AS_OF, scope, YELLOW)
    assert before.counts != now.counts
    assert store.data_version() == version


def test_a_scoped_viewer_sees_only_their_villages(store):
    village = store.all_village_ids()[0]
    state = playback.state_at(store, DEMO_AS_OF, [village], YELLOW)
    whole = playback.state_at(store, DEMO_AS_OF, _scope(store), YELLOW)
    assert 0 < state.counts["open_count"] < whole.counts["open_count"]
