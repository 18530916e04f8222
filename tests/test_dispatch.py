"""The dispatch suggestion (派单建议): the ranking on a hand-made history, the center's own
default, live loads and on-time rates, what a dispatch records, the acceptance indicator,
the API, the CLI, and the demo naming each 小类's default department."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pandas as pd
import pytest

from queries import dispatch
from queries.store import Store
from queries.writepath import Placement, apply_action, check_action, check_new_matter, create_matter
from tests.conftest import DEMO_AS_OF
from tests.servers import REPO, copy_db

NOW = DEMO_AS_OF


def test_rank_on_hand_made_candidates():
    """The default leads (0.5 + its kept share) unless the village's practice clearly went
    elsewhere; returns count against a department; ties go to the default."""
    frame = pd.DataFrame({
        "dept_id": [1, 2, 3], "department": ["甲", "乙", "丙"], "department_en": ["A", "B", "C"],
        "code": ["A", "B", "C"], "is_default": [True, False, False], "default_source": ["code_table", None, None],
        "past_dispatches": [1, 4, 5], "past_returns": [0, 0, 5], "village_dispatches": [10, 10, 10]})
    ranked = dispatch.rank(frame)
    assert list(ranked["code"]) == ["A", "B", "C"]                 # 0.6, 0.4, 0 (all returned)
    assert list(ranked["score"].round(3)) == [0.6, 0.4, 0.0]
    frame.loc[1, "past_dispatches"] = 8
    assert list(dispatch.rank(frame)["code"]) == ["B", "A", "C"]   # 0.8 beats 0.6
    frame.loc[1, "past_dispatches"] = 6                            # 0.6 = 0.6: the default
    assert list(dispatch.rank(frame)["code"][:2]) == ["A", "B"]
    assert dispatch.rank(frame.iloc[0:0]).empty


@pytest.fixture
def town(empty_db_path, tmp_path):
    """An empty township, a 小类 whose code-table default is department A, two villages."""
    store = Store(copy_db(empty_db_path, tmp_path))
    cat = store.frame("SELECT code, default_dept_id FROM categories WHERE default_dept_id IS NOT NULL "
                      "ORDER BY code LIMIT 1").iloc[0]
    cells = store.frame("SELECT c.area_id, c.village_id, c.code, c.lon, c.lat FROM areas c WHERE level = 'cell' "
                        "ORDER BY c.village_id, c.area_id")
    first, other = cells.groupby("village_id").head(1).iloc[:2].to_dict("records")
    others = [int(d) for d in store.frame("SELECT dept_id FROM departments WHERE dept_id <> ? ORDER BY dept_id",
                                          [int(cat["default_dept_id"])])["dept_id"][:2]]
    yield store, str(cat["code"]), int(cat["default_dept_id"]), others, first, other
    store.close()


def _matter(store, code, cell, at):
    clean = check_new_matter(store, {"source": "public", "category": code, "description": "测试", "address": "某处",
                                     "lon": float(cell["lon"]), "lat": float(cell["lat"])})
    placed = Placement(float(cell["lon"]), float(cell["lat"]), int(cell["area_id"]), int(cell["village_id"]))
    return create_matter(store, clean, placed, now=at)[0]["id"]


def _act(store, mid, at, **body):
    return apply_action(store, mid, check_action(store, {"actor": "测试员", **body}), now=at)


def test_suggest_ranks_default_and_village_history_with_loads(town):
    store, code, default, (b, c), village, other = town
    scope = store.all_village_ids() + [-1]
    start = NOW - timedelta(days=40)
    # The village's history: B took four such matters 40 days ago, A one, C one it returned;
    # B took a fifth ten days ago and closed it within the hour (on time).
    past = [_matter(store, code, village, start + timedelta(hours=i)) for i in range(6)]
    for mid, dept in zip(past, [b, b, b, b, default, c]):
        _act(store, mid, start + timedelta(days=1), action="dispatch", department=dept)
    _act(store, past[5], start + timedelta(days=1, hours=1), action="return", note="不归我们")
    recent = _matter(store, code, village, NOW - timedelta(days=10))
    for i, step in enumerate(("dispatch", "sign", "feedback", "verify", "close")):
        _act(store, recent, NOW - timedelta(days=10) + timedelta(minutes=5 * (i + 1)), action=step,
             **({"department": b} if step == "dispatch" else {}))
    new = _matter(store, code, village, NOW - timedelta(hours=1))
    got = dispatch.suggest(store, new, scope=scope, now=NOW)
    assert [g["dept_id"] for g in got] == [b, default, c]          # 5/7 kept = 0.71 > 0.5 + 1/7 = 0.64
    first = got[0]
    assert first["reason"] == [{"code": "past_dispatches", "kept": 5, "dispatches": 5, "returned": 0, "of": 7,
                                "days": dispatch.PAST_DAYS}]
    assert got[1]["reason"][0] == {"code": "category_default", "source": "code_table"}
    assert got[2]["score"] == 0 and got[2]["reason"][0]["returned"] == 1
    assert (first["open"], first["on_time_rate_30d"], first["closed_with_due_30d"]) == (4, 1.0, 1)
    assert got[1]["open"] == 1 and got[1]["overdue"] == 1           # dispatched 39 days ago: overdue
    assert got[1]["on_time_rate_30d"] is None and "no matter" in got[1]["on_time_reason"]
    # Another village has no history: the default alone.
    there = _matter(store, code, other, NOW - timedelta(hours=1))
    alone = dispatch.suggest(store, there, scope=scope, now=NOW)
    assert [g["dept_id"] for g in alone] == [default] and len(alone[0]["reason"]) == 1
    # Outside the viewer's scope: nothing.
    assert dispatch.suggest(store, there, scope=[int(village["village_id"])], now=NOW) == []
    # The center's own default replaces the code table's.
    dispatch.set_default(store, category=code, department=str(c))
    assert dispatch.suggest(store, there, scope=scope, now=NOW)[0]["dept_id"] == c
    assert dispatch.suggest(store, there, scope=scope, now=NOW)[0]["reason"][0]["source"] == "center"
    dispatch.set_default(store, category=code, department=None)
    assert dispatch.suggest(store, there, scope=scope, now=NOW)[0]["dept_id"] == default
    with pytest.raises(ValueError, match="no department"):
        dispatch.set_default(store, category=code, department="NOPE")


def test_a_dispatch_records_whether_the_suggestion_was_taken(town):
    store, code, default, (b, _c), village, _other = town
    first = _matter(store, code, village, NOW - timedelta(hours=3))
    second = _matter(store, code, village, NOW - timedelta(hours=2))
    _act(store, first, NOW - timedelta(hours=1), action="dispatch", department=default)
    _act(store, second, NOW - timedelta(hours=1), action="dispatch", department=b)
    values = store.frame("SELECT matter_id, value FROM events WHERE action = 'dispatch' ORDER BY matter_id")
    assert list(values["value"]) == ["suggestion_taken", "suggestion_declined"]
    got = store.run("dispatch/acceptance", scope=store.all_village_ids() + [-1], from_day=NOW.date(),
                    to_day=NOW.date()).iloc[0]
    assert (int(got["taken"]), int(got["offered"]), int(got["dispatches"])) == (1, 2, 2)
    from tests.test_generate import assert_state_is_replay

    assert_state_is_replay(store, [first, second])


def test_the_demo_proposes_each_categorys_default_with_live_loads(demo_store):
    scope = demo_store.all_village_ids() + [-1]
    waiting = demo_store.frame(
        "SELECT m.matter_id, k.default_dept_id FROM matters m JOIN categories k USING (category_id) "
        "WHERE m.status IN ('registered', 'returned') AND k.default_dept_id IS NOT NULL ORDER BY m.matter_id")
    assert len(waiting) > 0
    for row in waiting.head(10).itertuples():
        got = dispatch.suggest(demo_store, int(row.matter_id), scope=scope, now=NOW)
        assert got[0]["dept_id"] == int(row.default_dept_id)
        assert got[0]["open"] > 0 and got[0]["on_time_rate_30d"] is not None
        assert any(r["code"] == "category_default" for r in got[0]["reason"])
    # The demo's dispatches record the suggestion: to the default taken, a wrong first one declined.
    got = demo_store.run("dispatch/acceptance", scope=scope, from_day=NOW.date() - timedelta(days=29),
                         to_day=NOW.date()).iloc[0]
    assert 0 < int(got["taken"]) < int(got["offered"]) == int(got["dispatches"])


def test_api_suggestion_and_the_analysis_row(writable_app):
    app, store = writable_app
    client = app.server.test_client()
    mid = int(store.scalar("SELECT max(matter_id) FROM matters WHERE status = 'registered'"))
    r = client.get(f"/api/v1/matters/{mid}/suggestion")
    assert r.status_code == 200
    body = r.get_json()
    assert body["candidates"] and {"rank", "dept_id", "reason", "open", "overdue", "on_time_rate_30d"} <= set(
        body["candidates"][0])
    assert client.get("/api/v1/matters/1/suggestion").status_code == 404
    r = client.post(f"/api/v1/matters/{mid}/actions", json={"action": "dispatch",
                                                            "department": body["candidates"][0]["dept_id"]})
    assert r.status_code == 200
    assert store.scalar("SELECT value FROM events WHERE matter_id = ? AND action = 'dispatch'", [mid]) == \
        "suggestion_taken"

    from dashboard.views.analysis_filters import AnalysisFilters, AnalysisView
    from dashboard.views.analysis_tables import suggestion_acceptance_row

    with app.server.app_context():
        from dashboard.context import app_context

        reader = app_context().reader
        filters = AnalysisFilters(from_day=NOW.date() - timedelta(days=6), to_day=NOW.date())
        view = AnalysisView(scope=tuple(store.all_village_ids() + [-1]), now=NOW, filters=filters, selection={})
        row = suggestion_acceptance_row(reader, view, "zh")
        assert row["indicator"] == "派单建议采纳率" and row["numerator"] >= 1 and row["value_text"].endswith("%")
        empty = AnalysisView(scope=(), now=NOW, filters=filters, selection={})
        assert suggestion_acceptance_row(reader, empty, "en")["value_text"] == "—"


def test_dispatch_default_cli(empty_db_path, tmp_path):
    db = copy_db(empty_db_path, tmp_path)
    store = Store(db, read_only=True)
    code, dept = store.frame("SELECT k.code, d.code AS dept FROM categories k, departments d "
                             "WHERE d.dept_id <> k.default_dept_id ORDER BY k.code, d.dept_id LIMIT 1").iloc[0]
    store.close()
    run = lambda *a: subprocess.run([sys.executable, "-m", "dashboard", "dispatch-default", "--db", str(db), *a],  # noqa: E731
                                    cwd=REPO, capture_output=True, text=True, timeout=120)
    r = run("set", code, dept)
    assert r.returncode == 0 and "now" in r.stdout, r.stderr
    r = run("list")
    line = next(x for x in r.stdout.splitlines() if x.startswith(code + "\t"))
    assert line.split("\t")[3] == dept and line.split("\t")[4] == dept
    r = run("set", code, "NOPE")
    assert r.returncode == 2 and r.stderr.startswith("error: ")


def test_the_desk_card_shows_the_suggestion_and_one_click_fills_the_picker(writable_app):
    import dash

    from dashboard.components.ids import desk as ids
    from tests.test_desk import _prop, call, find, ids_of, tree_text

    app, store = writable_app
    page = sys.modules[dash.page_registry["pages.desk"]["module"]]
    code, default = store.frame("SELECT code, default_dept_id FROM categories WHERE default_dept_id IS NOT NULL "
                                "ORDER BY code LIMIT 1").iloc[0]
    default = int(default)
    cell = store.frame("SELECT lon, lat FROM areas WHERE level = 'cell' ORDER BY area_id LIMIT 1").iloc[0]
    made = app.server.test_client().post("/api/v1/matters", json={
        "source": "public", "category": code, "description": "待派单", "lon": float(cell.lon), "lat": float(cell.lat)})
    mid = made.get_json()["id"]
    tick = call(app, page.refresh_tick, 0, None)
    key = {"id": str(mid), "status": "registered", "default_dept_id": default, "category": "", "default_dept": "",
           "lead_dept_id": None, "co_dept_ids": None}
    actions = call(app, page.render_actions, key, tick, "zh")
    buttons = ids_of(actions, "desk-suggest")
    assert buttons and buttons[0]["dept"] == str(default)
    assert find(actions, ids.desk_dept("department")).value == default
    text = tree_text(actions)
    assert "派单建议" in text and "小类默认部门" in text and "近30天按期率" in text and "在办" in text
    # One click on a candidate puts it in the lead-department picker (and leaves the co-handling one).
    other = {"type": "desk-suggest", "dept": "999"}
    inputs = [[_prop(ids.desk_suggest(str(default)), "n_clicks", 1), _prop(other, "n_clicks", 0)]]
    outputs = [_prop(ids.desk_dept("department"), "value"), _prop(ids.desk_dept("co_departments"), "value")]
    got = call(app, page.take_suggestion, [1, 0], inputs_list=inputs, outputs_list=outputs,
               triggered=(ids.desk_suggest(str(default)), "n_clicks", 1))
    assert got == [default, dash.no_update]
    redrawn = call(app, page.take_suggestion, [0, 0], inputs_list=[[_prop(other, "n_clicks", 0)]],
                   outputs_list=outputs, triggered=(other, "n_clicks", 0))
    assert redrawn == [dash.no_update, dash.no_update]
