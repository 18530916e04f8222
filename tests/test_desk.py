"""The dispatch desk without a browser: its queues against their definitions, the legal
actions, the department picker, the card and mini-map, acting through the write path
(with field errors and refusals told in the page's language), and the page's callbacks
called directly — all on a copy of the demo township."""
from __future__ import annotations

import json
import shutil
import sys
from contextvars import copy_context
from datetime import datetime, timedelta

import dash
import numpy as np
import pandas as pd
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import clock
from dashboard.app import create_app
from dashboard.components.ids import desk as ids
from dashboard.components.navbar import navbar
from dashboard.context import whole_township
from dashboard.i18n import STRINGS, t
from dashboard.reader import Reader
from dashboard.views import common, desk
from dashboard.views import desk_actions as acting
from queries import lifecycle
from queries.settings import load_settings
from queries.store import Store
from queries.vocabulary import OPEN_STATUSES
from queries.writepath import NEEDS, Placement, apply_action, check_action, check_new_matter, create_matter
from tests.servers import TEST_ADMIN, act_as_admin, client_with, sign_in

SETTINGS = load_settings({})
MINUTES_PER_DAY = 450
NOW = clock.to_minute(clock.now())
ALL_STATUSES = (*OPEN_STATUSES, "closed", "voided")


# -- a copy of the demo township with a matter in every situation ---------------------------
def _placement(store: Store) -> Placement:
    row = store.frame("SELECT area_id, village_id, lon, lat FROM areas WHERE level = 'cell' "
                      "ORDER BY area_id LIMIT 1").iloc[0]
    return Placement(float(row.lon), float(row.lat), int(row.area_id), int(row.village_id))


def new_matter(store: Store, at: datetime, *, category: str = "0401", placed: bool = True) -> int:
    body = {"source": "public", "category": category, "description": "小区门口垃圾堆放",
            "address": "测试路 1 号", "actor": "测试"}
    placement = _placement(store) if placed else Placement(None, None, None, None)
    result, created = create_matter(store, check_new_matter(store, body), placement, now=at)
    assert created
    return int(result["id"])


def act(store: Store, matter_id: int, at: datetime, action: str, **fields) -> dict:
    return apply_action(store, matter_id, check_action(store, {"action": action, "actor": "测试", **fields}), now=at)


def drive(store: Store, matter_id: int, start: datetime, *steps: tuple) -> None:
    """Apply ``(action, fields)`` steps a minute apart from ``start``."""
    for i, (action, fields) in enumerate(steps):
        act(store, matter_id, start + timedelta(minutes=i + 1), action, **fields)


LOOP_TO_CLOSE = (("dispatch", {"department": 13}), ("sign", {}), ("feedback", {}), ("verify", {}), ("close", {}))


@pytest.fixture(scope="module")
def township(demo_db_path, tmp_path_factory):
    """A writable copy of the demo and the matters the queue tests look for."""
    path = tmp_path_factory.mktemp("desk") / "desk.duckdb"
    shutil.copy(demo_db_path, path)
    store = Store(path)
    made = {}
    made["new"] = new_matter(store, NOW - timedelta(hours=1))
    made["returned"] = new_matter(store, NOW - timedelta(hours=3))
    drive(store, made["returned"], NOW - timedelta(hours=3),
          ("dispatch", {"department": 2}), ("return", {"note": "不属于本部门"}))
    # Dispatched two weeks ago and never signed for: the sign-for day has long passed
    # (whatever holidays lie between).
    made["sign_late"] = new_matter(store, NOW - timedelta(days=15))
    drive(store, made["sign_late"], NOW - timedelta(days=15), ("dispatch", {"department": 2}))
    made["feedback"] = new_matter(store, NOW - timedelta(hours=2))
    drive(store, made["feedback"], NOW - timedelta(hours=2), *LOOP_TO_CLOSE[:3])
    made["closed_recently"] = new_matter(store, NOW - timedelta(days=2))
    drive(store, made["closed_recently"], NOW - timedelta(days=2), *LOOP_TO_CLOSE)
    made["closed_long_ago"] = new_matter(store, NOW - timedelta(days=12))
    drive(store, made["closed_long_ago"], NOW - timedelta(days=12), *LOOP_TO_CLOSE)
    made["followed_up"] = new_matter(store, NOW - timedelta(days=2))
    drive(store, made["followed_up"], NOW - timedelta(days=2), *LOOP_TO_CLOSE,
          ("follow_up", {"satisfaction": "satisfied"}))
    made["unplaced"] = new_matter(store, NOW - timedelta(minutes=30), placed=False)
    yield store, made
    store.close()


@pytest.fixture(scope="module")
def store(township) -> Store:
    return township[0]


@pytest.fixture(scope="module")
def made(township) -> dict[str, int]:
    return township[1]


@pytest.fixture
def reader(store) -> Reader:
    return Reader(store)


@pytest.fixture
def view(reader) -> desk.DeskView:
    return desk.DeskView(scope=tuple(whole_township(reader.store)), now=NOW, yellow_share=0.25, follow_up_days=7)


# -- the queues, against their definitions --------------------------------------------------------
def expected_queues(store: Store, now: datetime, yellow_share: float = 0.25, days: int = 7) -> dict[str, set]:
    """Each queue computed independently: plain SQL on matters and the working calendar
    in Python (not the lights macro the queue query uses)."""
    cal = store.calendar
    w_now = float(cal.work_min_at(np.datetime64(now, "s")))
    open_ = store.frame("SELECT matter_id, status, due_at, limit_min, suspended_at, sign_due_at FROM matters "
                        "WHERE list_contains(?, status)", [list(OPEN_STATUSES)])
    red, yellow = set(), set()
    for r in open_.itertuples():
        if not pd.isna(r.suspended_at) or pd.isna(r.due_at):
            continue
        if r.due_at <= now:
            red.add(r.matter_id)
        elif float(cal.work_min_at(np.datetime64(r.due_at.to_pydatetime(), "s"))) - w_now < yellow_share * r.limit_min:
            yellow.add(r.matter_id)
    closed = store.frame("SELECT matter_id FROM matters WHERE status = 'closed' AND followed_up_at IS NULL "
                         "AND closed_at >= ?", [now - timedelta(days=days)])
    return {
        "new": set(open_.loc[open_.status.isin(["registered", "returned"]), "matter_id"]),
        "sign_overdue": set(open_.loc[(open_.status == "dispatched") & (open_.sign_due_at <= now), "matter_id"]),
        "verify": set(open_.loc[open_.status == "feedback", "matter_id"]),
        "due_soon": yellow,
        "overdue": red,
        "follow_up": set(closed["matter_id"]),
    }


def test_queues_hold_exactly_what_needs_action_now(reader, view, store, made):
    queues = desk.queues(reader, view, "zh", MINUTES_PER_DAY, limit=5000)
    want = expected_queues(store, NOW)
    assert list(queues) == list(desk.QUEUES)
    for key in desk.QUEUES:
        got = [int(r["matter_id"]) for r in queues[key].rows]
        assert len(got) == len(set(got)), f"{key}: a matter twice"
        assert set(got) == want[key], key
        assert queues[key].total == len(want[key])
    assert {made["new"], made["returned"], made["unplaced"]} <= want["new"]
    assert made["sign_late"] in want["sign_overdue"] and made["feedback"] in want["verify"]
    assert made["closed_recently"] in want["follow_up"]
    assert made["closed_long_ago"] not in want["follow_up"] and made["followed_up"] not in want["follow_up"]
    assert all(want[k] for k in desk.QUEUES), "the scenario leaves some queue empty: the test would prove little"


def test_queues_come_most_urgent_first_and_are_cut_to_the_limit(reader, view):
    frame = reader.run("desk/queues", **view.params(), limit=5000)
    rank = {"red": 0, "yellow": 1, "green": 2, "paused": 3}
    for key in ("new", "verify", "due_soon", "overdue"):
        part = frame[frame.queue == key]
        keys = [(rank.get(light, 4), rem if rem == rem else 1e12)
                for light, rem in zip(part.light, part.remaining_min.astype(float))]
        assert keys == sorted(keys), key
    assert frame[frame.queue == "sign_overdue"].sign_due_at.is_monotonic_increasing
    assert frame[frame.queue == "follow_up"].closed_at.is_monotonic_increasing
    full = frame.groupby("queue").size()
    cut = desk.queues(reader, view, "zh", MINUTES_PER_DAY, limit=2)
    for key, queue in cut.items():
        assert len(queue.rows) == min(2, full.get(key, 0))
        assert queue.total == full.get(key, 0)
        assert [r["matter_id"] for r in queue.rows] == [str(m) for m in frame[frame.queue == key].matter_id[:2]]


def test_queue_rows_read_as_people_say_it(reader, view, made):
    queues = desk.queues(reader, view, "zh", MINUTES_PER_DAY, limit=5000)
    sign = next(r for r in queues["sign_overdue"].rows if r["matter_id"] == str(made["sign_late"]))
    assert sign["when"].startswith("签收超时") and "工作日" in sign["when"]
    closed = next(r for r in queues["follow_up"].rows if r["matter_id"] == str(made["closed_recently"]))
    assert closed["when"].startswith("办结于") and closed["light"] is None
    new = next(r for r in queues["new"].rows if r["matter_id"] == str(made["new"]))
    assert new["light"] == "green" and new["when"].startswith("剩余") and new["category"] == "暴露垃圾"
    unplaced = next(r for r in queues["new"].rows if r["matter_id"] == str(made["unplaced"]))
    assert unplaced["place"] == "测试路 1 号"
    english = desk.queues(reader, view, "en", MINUTES_PER_DAY, limit=5000)
    sign_en = next(r for r in english["sign_overdue"].rows if r["matter_id"] == str(made["sign_late"]))
    assert sign_en["when"].startswith("sign-for") and sign_en["when"].endswith("late")


def test_queues_obey_the_scope(reader, store, made):
    village = int(store.scalar("SELECT village_id FROM matters WHERE matter_id = ?", [made["new"]]))
    others = tuple(v for v in whole_township(reader.store) if v != village)
    narrowed = desk.DeskView(scope=others, now=NOW, yellow_share=0.25)
    rows = desk.queues(reader, narrowed, "zh", MINUTES_PER_DAY, limit=5000)["new"].rows
    assert str(made["new"]) not in {r["matter_id"] for r in rows}
    assert str(made["unplaced"]) in {r["matter_id"] for r in rows}     # -1: not placed in a village


def test_an_empty_township_has_empty_queues(empty_db_path):
    store = Store(empty_db_path, read_only=True)
    try:
        reader = Reader(store)
        v = desk.DeskView(scope=tuple(whole_township(reader.store)), now=NOW, yellow_share=0.25)
        queues = desk.queues(reader, v, "zh", MINUTES_PER_DAY)
        assert all(q.total == 0 and q.rows == [] for q in queues.values())
        assert len(desk.department_options(reader, v, "zh", None)) == 17
    finally:
        store.close()


# -- legal actions ---------------------------------------------------------------------------
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_the_card_offers_exactly_the_legal_actions(status):
    want = {a for a, (starts, _to) in lifecycle.TRANSITIONS.items() if status in starts} - acting.NOT_ON_THE_CARD
    assert set(acting.legal_actions(status)) == want
    for action in acting.legal_actions(status):
        lifecycle.next_status(action, status)          # raises when illegal


def test_legal_actions_in_the_desks_order():
    assert acting.legal_actions("registered") == ("dispatch", "supervise", "escalate", "void")
    assert acting.legal_actions("closed") == ("follow_up", "reopen")
    assert acting.legal_actions("voided") == ()
    assert set(acting.ACTION_ORDER) == set(lifecycle.TRANSITIONS) - {"accept", "merge"}


def test_every_action_and_refusal_reason_has_words_in_both_languages():
    for action in lifecycle.TRANSITIONS:
        assert f"action.{action}" in STRINGS
    for action in NEEDS:
        assert f"need.{action}" in STRINGS
    for key in desk.QUEUES:
        assert f"desk.queue.{key}" in STRINGS and f"desk.queue.{key}.hint" in STRINGS


# -- the department picker --------------------------------------------------------------------
def test_the_picker_suggests_the_default_department_and_shows_each_load(reader, view, store):
    options = desk.department_options(reader, view, "zh", suggested=13)
    assert len(options) == store.scalar("SELECT count(*) FROM departments")
    assert options[0]["value"] == 13 and options[0]["label"].endswith("(建议)")
    assert sum("(建议)" in o["label"] for o in options) == 1
    load = store.frame("SELECT lead_dept_id, count(*) AS n, count(*) FILTER (WHERE light = 'red') AS red "
                       "FROM open_matter_lights(?, 0.25) WHERE lead_dept_id IS NOT NULL GROUP BY 1", [NOW])
    by_dept = {int(d): (int(n), int(r)) for d, n, r in zip(load.lead_dept_id, load.n, load.red)}
    for option in options:
        n, red = by_dept.get(option["value"], (0, 0))
        assert f"在办 {n} · 超期 {red}" in option["label"], option
    english = desk.department_options(reader, view, "en", suggested=13)
    assert english[0]["label"].startswith("Sanitation Station — ") and english[0]["label"].endswith("(suggested)")


# -- the card ------------------------------------------------------------------------------------
def test_card_of_an_open_matter(reader, view, store, made):
    card = desk.matter_card(reader, view, made["feedback"], "zh", MINUTES_PER_DAY)
    light = store.scalar("SELECT light FROM open_matter_lights(?, 0.25) WHERE matter_id = ?", [NOW, made["feedback"]])
    assert card["status"] == "feedback" and card["status_label"] == "已反馈"
    assert card["light"] == light and card["remaining_text"].startswith(("剩余", "超期", "已到期"))
    fields = dict(card["fields"])
    code = store.scalar("SELECT a.code FROM matters m JOIN areas a ON a.area_id = m.cell_id WHERE matter_id = ?",
                        [made["feedback"]])
    assert code in fields["位置"] and fields["责任部门"] == "环卫所" and fields["来源"] == "群众反映"
    assert card["default_dept"] == "环卫所" and card["default_dept_id"] == 13
    assert [e["action"] for e in card["timeline"]] == ["accept", "dispatch", "sign", "feedback"]
    assert card["timeline"][1]["details"] == "部门：环卫所"
    assert card["timeline"][3]["from_status"] == "处置中" and card["timeline"][3]["to_status"] == "已反馈"


def test_card_of_a_closed_matter_and_of_no_matter(reader, view, made):
    card = desk.matter_card(reader, view, made["closed_recently"], "en", MINUTES_PER_DAY)
    assert card["light"] is None and card["remaining_text"] == t("desk.card.finished", "en")
    assert card["status_label"] == "Closed" and "Closed" in dict(card["fields"])
    assert desk.matter_card(reader, view, 1, "zh", MINUTES_PER_DAY) is None
    outside = desk.DeskView(scope=(), now=NOW, yellow_share=0.25)
    assert desk.matter_card(reader, outside, made["new"], "zh", MINUTES_PER_DAY) is None


def test_minimap_shows_the_point_in_its_cell_offline(reader, view, store, made):
    figure = desk.minimap_figure(reader, view, made["new"], "zh")
    assert [tr.type for tr in figure.data] == ["scattermap", "scattermap", "scattermap"]
    assert figure.data[0].fill == "toself" and len(figure.data[0].lon) > 4          # the cell's outline
    lon, lat = store.frame("SELECT lon, lat FROM matters WHERE matter_id = ?", [made["new"]]).iloc[0]
    assert figure.data[2].lon == (lon,) and figure.data[2].lat == (lat,)
    assert figure.layout.map.style == "white-bg" and not figure.layout.map.layers
    assert "http" not in json.dumps(figure.to_plotly_json(), default=str)
    tiled = desk.minimap_figure(reader, view, made["new"], "zh", tile_url="http://tiles.local/{z}/{x}/{y}.png")
    assert tiled.layout.map.layers[0].source == ("http://tiles.local/{z}/{x}/{y}.png",)
    assert desk.minimap_figure(reader, view, made["unplaced"], "zh") is None


# -- acting ---------------------------------------------------------------------------------------
def events_of(store: Store, matter_id: int):
    return store.frame("SELECT seq, action, actor, from_status, to_status, dept_id, minutes, value, note "
                       "FROM events WHERE matter_id = ? ORDER BY seq", [matter_id])


def test_action_body_is_what_the_api_takes():
    fields = {"note": "  请尽快处理  ", "extend_amount": "2.5", "extend_unit": "work_days", "satisfaction": "basic"}
    depts = {"department": 13, "co_departments": [2, 13, 5]}
    assert acting.action_body("dispatch", fields, depts, "坐席员 王敏") == {
        "action": "dispatch", "actor": "坐席员 王敏", "note": "请尽快处理", "department": 13,
        "co_departments": [2, 5]}
    assert acting.action_body("extend", fields, depts, TEST_ADMIN)["work_days"] == 2.5
    assert acting.action_body("extend", {**fields, "extend_unit": None, "extend_amount": 3}, depts,
                              TEST_ADMIN)["hours"] == 3
    assert "hours" not in acting.action_body("extend", {"extend_amount": None}, {}, TEST_ADMIN)
    assert acting.action_body("follow_up", fields, depts, TEST_ADMIN)["satisfaction"] == "basic"
    assert acting.action_body("sign", {"note": "   "}, {}, TEST_ADMIN) == {"action": "sign", "actor": TEST_ADMIN}


def test_a_desk_action_writes_the_same_events_as_the_api(store, reader, made, admin_token):
    by_desk = new_matter(store, NOW - timedelta(minutes=20))
    by_api = new_matter(store, NOW - timedelta(minutes=20))
    outcome = acting.perform(store, whole_township(reader.store), by_desk,
                           acting.action_body("dispatch", {"note": "请处理"}, {"department": 13, "co_departments": [2]},
                                              TEST_ADMIN), now=NOW, lang="zh")
    assert outcome.ok and outcome.status == "dispatched"
    assert outcome.message == f"已办理「派单」：事项 {by_desk} 当前状态「已派单」"
    app = create_app(SETTINGS, store)
    answer = client_with(app.server, admin_token).post(f"/api/v1/matters/{by_api}/actions", json={
        "action": "dispatch", "department": 13, "co_departments": [2], "note": "请处理"})
    assert answer.status_code == 200
    mine, theirs = events_of(store, by_desk), events_of(store, by_api)
    assert mine.drop(columns=[]).to_dict("records") == theirs.to_dict("records")
    assert mine.iloc[-1].action == "dispatch" and mine.iloc[-1].actor == TEST_ADMIN and mine.iloc[-1].dept_id == 13
    rows = store.frame("SELECT status, lead_dept_id, co_dept_ids FROM matters WHERE matter_id IN (?, ?)",
                       [by_desk, by_api])
    assert rows.status.tolist() == ["dispatched"] * 2 and rows.lead_dept_id.tolist() == [13, 13]
    assert store.scalar("SELECT status FROM open_matters WHERE matter_id = ?", [by_desk]) == "dispatched"


@pytest.mark.parametrize(("action", "fields", "slot", "zh", "en"), [
    ("supervise", {}, "note", "必填", "required"),
    ("extend", {"note": "需要协调"}, "extend_amount", "请填写延期时长", "give the length of the extension"),
    ("extend", {"note": "需要协调", "extend_amount": -2}, "extend_amount", "须为大于 0 的数", "must be a number above 0"),
    ("extend", {"note": "需要协调", "extend_amount": 100, "extend_unit": "work_days"}, "extend_amount",
     "不得超过 30 天的工作时间", "at most 30 days of working time"),
    # What the number input sends for 1e308: once an OverflowError, and no word to the operator.
    ("extend", {"note": "需要协调", "extend_amount": 1e308}, "extend_amount",
     "不得超过 30 天的工作时间", "at most 30 days of working time"),
    ("extend", {"note": "需要协调", "extend_amount": 1e308, "extend_unit": "work_days"}, "extend_amount",
     "不得超过 30 天的工作时间", "at most 30 days of working time"),
    ("extend", {"note": "需要协调", "extend_amount": "1e309"}, "extend_amount",
     "不得超过 30 天的工作时间", "at most 30 days of working time"),
    ("extend", {"note": "需要协调", "extend_amount": "nan"}, "extend_amount", "须为大于 0 的数", "must be a number above 0"),
])
def test_field_errors_show_beside_the_field_in_the_page_language(store, reader, action, fields, slot, zh, en):
    matter = new_matter(store, NOW - timedelta(minutes=20))
    act(store, matter, NOW - timedelta(minutes=10), "dispatch", department=13)
    before = store.scalar("SELECT count(*) FROM events")
    for lang, text in (("zh", zh), ("en", en)):
        outcome = acting.perform(store, whole_township(reader.store), matter, acting.action_body(action, fields, {}, TEST_ADMIN),
                               now=NOW, lang=lang)
        assert outcome.kind == "invalid" and outcome.field_errors == {slot: text}
        assert outcome.message == t("desk.fix_fields", lang)
    assert store.scalar("SELECT count(*) FROM events") == before


def test_follow_up_needs_a_satisfaction(store, reader, made):
    outcome = acting.perform(store, whole_township(reader.store), made["closed_recently"],
                           acting.action_body("follow_up", {}, {}, TEST_ADMIN), now=NOW, lang="zh")
    assert outcome.kind == "invalid" and outcome.field_errors == {"satisfaction": "请选择一项"}


def test_a_dispatch_without_a_department_is_refused_beside_the_picker(store, reader):
    matter = new_matter(store, NOW - timedelta(minutes=5))
    outcome = acting.perform(store, whole_township(reader.store), matter, acting.action_body("dispatch", {}, {}, TEST_ADMIN),
                           now=NOW, lang="en")
    assert outcome.field_errors == {"department": "required"}


def test_an_illegal_action_is_refused_with_the_reason_in_the_page_language(store, reader, made):
    matter = new_matter(store, NOW - timedelta(minutes=5))
    before = events_of(store, matter).to_dict("records")
    zh = acting.perform(store, whole_township(reader.store), matter, acting.action_body("close", {}, {}, TEST_ADMIN), now=NOW, lang="zh")
    assert zh.kind == "refused" and zh.status == "registered"
    assert zh.message == f"无法办理「办结」：事项 {matter} 当前为「已受理」，须先通过核查"
    en = acting.perform(store, whole_township(reader.store), matter, acting.action_body("close", {}, {}, TEST_ADMIN), now=NOW, lang="en")
    assert en.message == f"Close refused: matter {matter} is Registered; it must pass verification first"
    assert events_of(store, matter).to_dict("records") == before
    assert store.scalar("SELECT status FROM matters WHERE matter_id = ?", [matter]) == "registered"
    missing = acting.perform(store, whole_township(reader.store), 1, {"action": "sign"}, now=NOW, lang="zh")
    assert missing.kind == "not_found" and missing.message == "事项 1 不存在或不在可见范围内"


@pytest.mark.parametrize(("problem", "zh"), [
    ("required", "必填"), ("unknown department", "未知部门"), ("must be one of satisfied, basic, unsatisfied", "请选择一项"),
    ("longer than 2000 characters", "内容过长"), ("something new", "something new"),
])
def test_write_path_problems_read_in_chinese(problem, zh):
    assert acting.problem_text(problem, "zh") == zh


def test_clicked_ignores_buttons_that_were_only_redrawn():
    a, b = ids.desk_action("sign"), ids.desk_action("supervise")
    items = [{"id": a, "property": "n_clicks", "value": 0}, {"id": b, "property": "n_clicks", "value": 1}]
    assert common.clicked(AttributeDict(b), items) == b
    assert common.clicked(AttributeDict(a), items) is None
    assert common.clicked(None, items) is None


# -- the page's callbacks, called directly --------------------------------------------------------------
@pytest.fixture(scope="module")
def page_app(store, admin_token):
    app = create_app(SETTINGS, store)
    sign_in(app.server, admin_token)
    module = sys.modules[dash.page_registry["pages.desk"]["module"]]
    return app, module


def _prop(id_, prop, value=None):
    return {"id": id_, "property": prop, "value": value}


def call(app, fn, *args, inputs_list=(), states_list=(), outputs_list=(), triggered=None):
    """Run a callback as Dash would: in the Flask app and a callback context."""
    def run():
        fired = []
        if triggered is not None:
            fired = [{"prop_id": json.dumps(triggered[0], sort_keys=True, separators=(",", ":")) + "." + triggered[1],
                      "value": triggered[2]}]
        context_value.set(AttributeDict(inputs_list=list(inputs_list), states_list=list(states_list),
                                        outputs_list=list(outputs_list), triggered_inputs=fired))
        with app.server.app_context():
            act_as_admin()
            return fn(*args)
    return copy_context().run(run)


def walk(component):
    """Every component in a layout tree."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


def ids_of(component, kind: str) -> list[dict]:
    return [c.id for c in walk(component) if isinstance(getattr(c, "id", None), dict) and c.id["type"] == kind]


def html_div(children):
    return dash.html.Div(children)


def find(component, id_):
    return next(c for c in walk(component) if getattr(c, "id", None) == id_)


def tree_text(component) -> str:
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
                      default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o),
                      ensure_ascii=False)


def test_callbacks_refresh_on_the_tick(page_app):
    app, page = page_app
    tick = call(app, page.refresh_tick, 0, None)
    assert set(tick) == {"version", "as_of"}
    assert call(app, page.refresh_tick, 1, tick) is dash.no_update
    outputs = [[_prop(ids.desk_queue_count(k), "children") for k in desk.QUEUES],
               [_prop(ids.desk_queue_list(k), "children") for k in desk.QUEUES],
               [_prop(ids.desk_queue(k), "className") for k in desk.QUEUES],
               _prop(ids.DESK_QUEUE_DIGESTS, "data"), _prop(ids.DESK_AS_OF, "children")]
    counts, lists, classes, digests, as_of = call(app, page.update_queues, tick, None, {}, "zh",
                                                  outputs_list=outputs)
    assert all(c.isdigit() for c in counts) and as_of.startswith("数据时间")
    assert "queue-has-items" in classes[desk.QUEUES.index("overdue")]
    assert ids_of(html_div(lists[desk.QUEUES.index("overdue")]), "desk-row")
    assert set(digests) == set(desk.QUEUES)
    # Nothing changed: nothing is sent again but the time.
    again = call(app, page.update_queues, tick, None, digests, "zh", outputs_list=outputs)
    assert again[0] == [dash.no_update] * 6 and again[1] == [dash.no_update] * 6 and again[3] is dash.no_update
    # Choosing a row redraws only the queue that shows it.
    row_id = ids_of(html_div(lists[desk.QUEUES.index("overdue")]), "desk-row")[0]["matter"]
    chosen = call(app, page.update_queues, tick, row_id, digests, "zh", outputs_list=outputs)
    redrawn = [k for k, body in zip(desk.QUEUES, chosen[1]) if body is not dash.no_update]
    assert "overdue" in redrawn and "new" not in redrawn


def test_choosing_a_row_opens_the_card(page_app, made):
    app, page = page_app
    row = ids.desk_row("new", str(made["new"]))
    other = ids.desk_row("new", "1")
    inputs = [[_prop(row, "n_clicks", 1), _prop(other, "n_clicks", 0)]]
    selected, feedback = call(app, page.select_matter, [1, 0], None, inputs_list=inputs,
                              triggered=(row, "n_clicks", 1))
    assert selected == str(made["new"]) and feedback is None
    redrawn = call(app, page.select_matter, [0, 0], None, inputs_list=[[_prop(row, "n_clicks", 0)]],
                   triggered=(row, "n_clicks", 0))
    assert redrawn == (dash.no_update, dash.no_update)

    tick = call(app, page.refresh_tick, 0, None)
    card, timeline, key, fingerprint = call(app, page.update_card, selected, tick, None, None, "zh")
    assert key["id"] == str(made["new"]) and key["status"] == "registered"
    assert str(made["new"]) in tree_text(card) and "受理" in tree_text(timeline)
    again = call(app, page.update_card, selected, tick, key, fingerprint, "zh")
    assert again == (dash.no_update,) * 4        # nothing changed: nothing sent, the form not redrawn
    moved = call(app, page.update_card, selected, tick, key, "older", "zh")
    assert moved[2] is dash.no_update            # the card is redrawn, the form (and a note being typed) kept
    actions = call(app, page.render_actions, key, tick, "zh")
    assert [i["action"] for i in ids_of(actions, "desk-action")] == ["dispatch", "supervise", "escalate", "void"]
    picker = find(actions, ids.desk_dept("department"))
    assert picker.value == 13 and picker.options[0]["label"].endswith("(建议)")
    assert "按类别「暴露垃圾」建议派往：环卫所" in tree_text(actions)
    minimap = call(app, page.draw_minimap, selected, "zh")
    assert isinstance(minimap, dash.dcc.Graph) and minimap.figure.data[0].type == "scattermap"
    empty = call(app, page.update_card, None, tick, key, fingerprint, "zh")
    assert empty[2] is None and "从左侧队列中选择一个事项" in tree_text(empty[0])
    gone = call(app, page.update_card, "1", tick, None, None, "en")
    assert "does not exist" in tree_text(gone[0])


ACT_STATES_NAMES = ("note", "extend_amount", "extend_unit", "satisfaction")


def act_context(action: str, fields: dict, depts: dict, n: int = 1):
    button = ids.desk_action(action)
    inputs = [[_prop(button, "n_clicks", n)]]
    field_items = [_prop(ids.desk_field(name), "value", fields.get(name)) for name in ACT_STATES_NAMES]
    dept_items = [_prop(ids.desk_dept(role), "value", depts.get(role)) for role in ("department", "co_departments")]
    outputs = [_prop(ids.DESK_FEEDBACK, "children"),
               [_prop(ids.desk_field_error(name), "children") for name in ("note", "department", "extend_amount")],
               [_prop(ids.desk_field(name), "value") for name in ACT_STATES_NAMES],
               _prop(ids.DESK_TICK, "data")]
    return dict(inputs_list=inputs, states_list=[field_items, dept_items], outputs_list=outputs,
                triggered=(button, "n_clicks", n))


def test_the_act_callback_dispatches_refuses_and_marks_fields(page_app, store):
    app, page = page_app
    matter = str(new_matter(store, NOW - timedelta(minutes=3)))
    version = store.data_version()

    feedback, errors, values, tick = call(app, page.act, [1], [], [], matter, "zh",
                                          **act_context("supervise", {"note": ""}, {}))
    assert "outcome-invalid" in feedback.className and errors == ["必填", "", ""]
    assert values == [dash.no_update] * 4 and tick is dash.no_update and store.data_version() == version
    version = store.data_version()

    feedback, errors, values, tick = call(app, page.act, [1], [], [], matter, "zh",
                                          **act_context("dispatch", {"note": "尽快"}, {"department": 13}))
    assert "outcome-done" in feedback.className and feedback.children.startswith("已办理「派单」")
    assert errors == ["", "", ""] and values[0] == "" and tick["version"] == store.data_version() > version
    assert store.scalar("SELECT status FROM matters WHERE matter_id = ?", [int(matter)]) == "dispatched"

    # A stale card (the matter moved on elsewhere) offers dispatch again: refused, and refreshed.
    feedback, _errors, _values, tick = call(app, page.act, [2], [], [], matter, "en",
                                            **act_context("dispatch", {}, {"department": 13}, n=2))
    assert "outcome-refused" in feedback.className
    assert feedback.children == (f"Dispatch refused: matter {matter} is Dispatched; "
                                 "only a new or returned matter can be dispatched")
    assert isinstance(tick, dict)

    # An extension by 1e308 hours: the error beside the amount, nothing written.
    version = store.data_version()
    feedback, errors, values, tick = call(app, page.act, [3], [], [], matter, "zh", **act_context(
        "extend", {"note": "等材料", "extend_amount": 1e308, "extend_unit": "hours"}, {}, n=3))
    assert "outcome-invalid" in feedback.className and errors == ["", "", "不得超过 30 天的工作时间"]
    assert values == [dash.no_update] * 4 and tick is dash.no_update and store.data_version() == version

    nothing = call(app, page.act, [0], [], [], matter, "zh", **act_context("sign", {}, {}, n=0))
    assert nothing[0] is dash.no_update and nothing[3] is dash.no_update


def test_department_options_follow_the_load(page_app):
    app, page = page_app
    tick = call(app, page.refresh_tick, 0, None)
    outputs = [_prop(ids.desk_dept("department"), "options"), _prop(ids.desk_dept("co_departments"), "options")]
    options = call(app, page.refresh_department_load, tick, {"default_dept_id": 13}, "zh", outputs_list=outputs)
    assert len(options) == 2 and options[0][0]["value"] == 13 and "在办" in options[0][0]["label"]


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["调度台", "待派单", "签收超时", "待核查", "即将超期 (黄灯)", "已超期 (红灯)", "待回访", "事项卡片"]),
    ("en", ["Dispatch desk", "To dispatch", "Not signed for", "To verify", "Due soon (yellow)", "Overdue (red)",
            "To follow up", "Matter card"]),
])
def test_layout_speaks_the_chosen_language(page_app, lang, words):
    app, page = page_app
    with app.server.app_context():
        layout = page.layout(lang=lang, matter="2026010100001")
        junk = page.layout(matter="x; drop")
    text = tree_text(layout)
    for word in words:
        assert word in text
    assert find(layout, ids.DESK_SELECTED).data == "2026010100001"      # ?matter= opens that card
    assert find(junk, ids.DESK_SELECTED).data is None


def test_navbar_links_the_desk_and_marks_the_current_page():
    bar = tree_text(navbar("zh", "/desk"))
    assert "/desk?lang=zh" in bar and "调度台" in bar
    links = navbar("en", "/desk").children[0].children[1]          # the bar, its page links
    desk_link = links.children[1]
    assert desk_link.children == "Dispatch desk" and "nav-active" in desk_link.className
    assert "nav-active" not in links.children[0].className


def test_the_desk_page_is_served(page_app):
    app, _ = page_app
    client = app.server.test_client()
    assert client.get("/desk").status_code == 200
    assert client.get("/desk?lang=en&matter=1").status_code == 200


# -- the mini-map's builder on a hand-made cell ------------------------------------------------
def test_location_figure_on_a_hand_made_cell():
    import geopandas as gpd
    from shapely.geometry import box

    from layers.matter_map import location_figure

    cell = gpd.GeoDataFrame(geometry=[box(119.40, 32.40, 119.41, 32.405)], crs="EPSG:4326")
    both = location_figure(119.405, 32.402, cell, point_name="p", cell_name="c", hovertext="网格 1")
    assert [tr.fill for tr in both.data] == ["toself", None, None]
    assert both.data[2].hovertext == ("网格 1",)
    assert 119.40 < both.layout.map.center.lon < 119.41 and 32.40 < both.layout.map.center.lat < 32.405
    assert 12 < both.layout.map.zoom < 18 and both.layout.map.style == "white-bg"
    point_only = location_figure(119.405, 32.402, None, point_name="p", cell_name="c")
    assert len(point_only.data) == 2 and point_only.layout.map.zoom == 16
    cell_only = location_figure(None, None, cell, point_name="p", cell_name="c")
    assert len(cell_only.data) == 1
    tiled = location_figure(119.405, 32.402, cell, point_name="p", cell_name="c", tile_url="http://t/{z}/{x}/{y}")
    assert tiled.layout.map.layers[0].below == "traces"


def test_a_followed_up_matter_is_not_offered_a_second_follow_up():
    assert "follow_up" in acting.legal_actions("closed", {"followed_up_at": None})
    assert "follow_up" not in acting.legal_actions("closed", {"followed_up_at": "2026-11-20 10:00:00"})
    assert "reopen" in acting.legal_actions("closed", {"followed_up_at": "2026-11-20 10:00:00"})
