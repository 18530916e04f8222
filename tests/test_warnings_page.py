"""The warnings page (预测预警, /warnings) without a browser, on a writable copy of the demo
township: the active warnings listed with their reason, scope and drill-down link; the KPI
strip; acknowledging (an event with who and when); the scheduled refresh that never piles
up; the Gi* hot-spot layer (and its builders on three hand-made cells); the callbacks."""
from __future__ import annotations

import json
import shutil
import sys
import threading
from contextvars import copy_context
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import dash
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard.app import create_app
from dashboard.components.ids import warnings as ids
from dashboard.context import use_user
from dashboard.pages import warnings_layout
from dashboard.reader import Reader
from dashboard.views import warnings as wp
from layers.analysis_layers import HOTSPOT_COLOURS, highlight_marker, hotspot_colouring, hotspot_level
from queries import accounts
from queries.analysis_config import load_analysis_config
from queries.settings import load_settings
from queries.store import Store
from queries.warnings import METHODS, last_refreshed, refresh_warnings
from tests.conftest import DEMO_AS_OF

COMMANDER = "指挥长 陈刚"

CONFIG = load_analysis_config()
SETTINGS = load_settings({})
MINUTES_PER_DAY = 450


@pytest.fixture(scope="module")
def live(tmp_path_factory, demo_db_path):
    """A writable copy of the demo with its warnings evaluated at the demo's instant."""
    path = tmp_path_factory.mktemp("warnings-page") / "township.duckdb"
    shutil.copy(demo_db_path, path)
    store = Store(path)
    now = datetime.fromisoformat(store.meta("demo_as_of"))
    refresh_warnings(store, now, config=CONFIG)
    yield store, now
    store.close()


@pytest.fixture
def reader(live) -> Reader:
    return Reader(live[0])


def scope(store: Store) -> list[int]:
    return store.all_village_ids() + [-1]


# -- the list ---------------------------------------------------------------------------------
def test_active_warnings_are_listed_with_their_reason_scope_and_link(live, reader):
    store, _ = live
    frame = wp.active_frame(reader, scope(store))
    assert len(frame) == store.scalar("SELECT count(*) FROM warnings WHERE resolved_at IS NULL") > 0
    rows = wp.warning_rows(frame, "zh", MINUTES_PER_DAY)
    for row in rows:
        for field in ("method_label", "severity_label", "scope", "observed", "expected", "threshold", "statistic",
                      "window", "first_seen", "last_seen", "link"):
            assert row[field], (field, row)
        assert not row["method_label"].startswith("wn.")
    deadline = next(r for r in rows if r["method"] == "deadline_red")
    matter = frame.loc[frame["warning_key"] == deadline["key"], "matter_id"].iloc[0]
    assert deadline["link"] == f"/desk?matter={matter}&lang=zh" and deadline["link_kind"] == "desk"
    assert deadline["observed"].startswith("已用时限") and "超期" in deadline["statistic"]
    repeat = next(r for r in rows if r["method"] == "repeat_complaint")
    link = urlparse(repeat["link"])
    query = parse_qs(link.query)
    assert link.path == "/analysis" and query["lang"] == ["zh"] and "category" in query
    # the link's period is half-open [from, to): to is the day after the window's last day
    assert (query["from"][0], query["to"][0]) == (repeat["window_start"],
                                                  (date.fromisoformat(repeat["window_end"]) + timedelta(days=1)).isoformat())
    assert repeat["threshold"].startswith("≥") and repeat["expected"] == "—"
    en = wp.warning_rows(frame, "en", MINUTES_PER_DAY)
    assert {r["method_label"] for r in en} <= {wp.t(f"wn.method.{m}", "en") for m in METHODS}


def components(tree):
    """Every component and text of a layout tree."""
    yield tree
    children = getattr(tree, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None:
            yield from components(child)


def texts(tree) -> str:
    return " ".join(str(c) for c in components(tree) if isinstance(c, (str, int, float)))


def test_the_list_shows_an_acknowledge_button_per_warning(live, reader):
    rows = wp.warning_rows(wp.active_frame(reader, scope(live[0])).head(20), "zh", MINUTES_PER_DAY)
    table = warnings_layout.warning_table(rows, "zh")
    buttons = [c.id for c in components(table) if isinstance(c, dash.html.Button)]
    assert buttons == [ids.wn_ack(row["key"]) for row in rows]
    links = [c.href for c in components(table) if isinstance(c, dash.dcc.Link)]
    assert links == [row["link"] for row in rows]
    words = texts(table)
    for head in ("观测值", "期望值", "阈值", "统计量", "时间窗 / 研判", rows[0]["scope"], rows[0]["observed"]):
        assert head in words
    assert "没有符合条件的在控预警" in texts(warnings_layout.warning_table([], "zh"))


def test_list_filters_narrow_by_kind_severity_and_acknowledgement(live, reader):
    everything = wp.active_frame(reader, scope(live[0]))
    deadlines = wp.active_frame(reader, scope(live[0]), wp.ListFilters.from_values(["deadline"], None, False))
    assert 0 < len(deadlines) < len(everything) and set(deadlines["method"]) <= set(wp.FAMILIES["deadline"])
    high = wp.active_frame(reader, scope(live[0]), wp.ListFilters.from_values(None, ["high"], False))
    assert set(high["severity"]) == {"high"}
    assert wp.ListFilters.from_values(["nonsense"], ["urgent"], []) == wp.ListFilters()


def test_the_kpi_strip_counts_by_severity_and_method(live, reader):
    frame = wp.active_frame(reader, scope(live[0]))
    values = wp.kpi_values(frame, "zh")
    assert set(values) == set(wp.KPI_KEYS)
    count = lambda key: int(values[key][0].replace(",", ""))  # noqa: E731
    assert count("total") == len(frame)
    assert sum(count(s) for s in ("high", "medium", "low")) == len(frame)
    assert sum(count(f) for f in wp.FAMILIES) == len(frame)
    red = int((frame["method"] == "deadline_red").sum())
    assert f"红灯 {red}" in values["deadline"][1]


# -- acknowledging ------------------------------------------------------------------------------
def test_acknowledging_records_who_and_when(live, reader):
    store, now = live
    key = wp.active_frame(reader, scope(store))["warning_key"].iloc[0]
    at = now + timedelta(minutes=3)
    refused = wp.acknowledge(store, key, "  ", None, at, "zh")
    assert refused.kind == "invalid" and refused.message == "请先填写确认人"
    done = wp.acknowledge(store, key, "坐席员 王敏", "已通知环卫所", at, "zh")
    assert done.kind == "done" and "王敏" in done.message
    event = store.frame("SELECT actor, occurred_at, note FROM warning_events WHERE warning_key = ? "
                        "AND action = 'acknowledged'", [key]).iloc[-1]
    assert (event["actor"], event["note"]) == ("坐席员 王敏", "已通知环卫所")
    assert event["occurred_at"].to_pydatetime() == at
    row = wp.warning_rows(wp.active_frame(Reader(store), scope(store)).query("warning_key == @key"), "zh",
                          MINUTES_PER_DAY)[0]
    assert row["acknowledged_by"] == "坐席员 王敏" and row["acknowledged_at"] == at.strftime("%m-%d %H:%M")
    assert wp.acknowledge(store, "no:such:warning", "王敏", None, at, "en").kind == "not_found"
    assert wp.acknowledge(store, key, "x" * 101, None, at, "en").kind == "invalid"


# -- refreshing on a schedule, never piling up ----------------------------------------------------
def test_refreshes_run_when_stale_once_at_a_time(live):
    store, now = live
    lock = threading.Lock()
    later = now + timedelta(minutes=5)
    with lock:                                  # a refresh is running elsewhere: not waited for, not repeated
        assert wp.ensure_fresh(store, later, lock, config=CONFIG, yellow_share=0.25) is None
    assert last_refreshed(store) < later
    result = wp.ensure_fresh(store, later, lock, config=CONFIG, yellow_share=0.25)
    assert result is not None and last_refreshed(store) == later
    soon = later + timedelta(seconds=CONFIG.warnings["refresh_interval_s"] - 1)
    assert wp.ensure_fresh(store, soon, lock, config=CONFIG, yellow_share=0.25) is None      # still fresh
    assert not lock.locked()


def test_a_read_only_store_is_left_as_it_is(demo_db_path):
    store = Store(demo_db_path, read_only=True)
    try:
        assert wp.ensure_fresh(store, DEMO_AS_OF, threading.Lock(), config=CONFIG, yellow_share=0.25) is None
    finally:
        store.close()


# -- the hot-spot layer -----------------------------------------------------------------------------
def test_hotspot_levels_follow_the_90_95_99_thresholds():
    assert [hotspot_level(z) for z in (None, float("nan"), 1.0, 1.645, 1.9, 1.96, 2.5, 2.576, 4.0)] == [
        0, 0, 0, 1, 1, 2, 2, 3, 3]


def test_layer_builders_on_three_hand_made_cells():
    colouring = hotspot_colouring([0, 3, 1], labels=["no", "90", "95", "99"], title="hot")
    assert colouring["z"] == [0, 3, 1] and colouring["colorbar"]["ticktext"] == ["no", "90", "95", "99"]
    assert [c for _, c in colouring["colorscale"][::2]] == list(HOTSPOT_COLOURS)
    with pytest.raises(ValueError):
        hotspot_colouring([0], labels=["a"], title="x")
    marker = highlight_marker([11, 12, 13], 12)
    assert marker["line"]["width"] == [0.6, 3.0, 0.6] and marker["line"]["color"][1] != marker["line"]["color"][0]
    assert highlight_marker([11, 12, 13], None)["line"]["width"] == 0.6


def test_the_hotspot_layer_colours_hot_cells_by_level(live, reader):
    store, now = live
    frame = wp.hotspot_frame(reader, CONFIG, now, scope(store), "count")
    assert not frame.empty and (frame["statistic"] >= 1.645).all()
    figure, cells = wp.hotspot_figure(reader, frame, scope(store), "zh")
    z = list(figure.data[0].z)
    hot = dict(zip(frame["cell_id"].astype(int), frame["statistic"]))
    for cell, level in zip(cells, z):
        assert level == hotspot_level(hot.get(cell))
    assert {1, 2, 3} & set(z) and figure.layout.map.style == "white-bg"
    summary = wp.hotspot_summary(frame, cells, "count", 7, "zh")
    assert f"99% {z.count(3)} 个" in summary and f"95% {z.count(2)} 个" in summary
    rows = wp.hot_cell_rows(reader, frame, scope(store), "en")
    assert [float(r["z"]) for r in rows] == sorted((float(r["z"]) for r in rows), reverse=True)
    assert rows[0]["name"] and rows[0]["link"].startswith(f"/analysis?cell={rows[0]['cell_id']}&from=")
    assert wp.default_hot_metric(CONFIG) == CONFIG.warnings["gi_metric"]       # the map agrees with the list
    excess = wp.hotspot_frame(reader, CONFIG, now, scope(store), "excess")
    assert set(excess["cell_id"]) != set(frame["cell_id"]) or len(excess) != len(frame)


# -- the page's callbacks ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def page_app(live):
    store, _ = live
    app = create_app(SETTINGS, store)
    accounts.add_user(store, name=COMMANDER, role="commander", password="指挥长的密码要够十二个字")
    module = sys.modules[dash.page_registry["pages.warnings"]["module"]]
    yield app, module


def _prop(id_, prop, value=None):
    return {"id": id_, "property": prop, "value": value}


def call_callback(app, fn, *args, inputs_list=(), outputs_list=(), triggered=None):
    def run():
        context_value.set(AttributeDict(inputs_list=list(inputs_list), outputs_list=list(outputs_list),
                                        states_list=[], triggered_inputs=triggered or []))
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            use_user(accounts.user_named(app.server.extensions["township"].store, COMMANDER))
            return fn(*args)
    return copy_context().run(run)


def test_callbacks_list_acknowledge_and_map(page_app, live):
    app, page = page_app
    store, _ = live
    with app.server.test_request_context("/warnings?lang=en"):
        tree = json.dumps(page.layout(lang="en").to_plotly_json(), default=str, ensure_ascii=False)
    for word in ("Active warnings", "Hot spots (Gi*)", "Repeat complaints"):
        assert word in tree
    tick = call_callback(app, page.refresh_tick, 0, None)
    assert set(tick) == {"version", "as_of"}
    assert app.server.extensions["township"].warnings_lock.locked() is False
    values, details, as_of = call_callback(app, page.update_kpis, tick, "zh",
                                           outputs_list=[[_prop(ids.wn_kpi_value(k), "children") for k in wp.KPI_KEYS],
                                                         [], None])
    assert values[0] == f"{store.scalar('SELECT count(*) FROM warnings WHERE resolved_at IS NULL'):,}"
    assert "研判于" in as_of
    table, count = call_callback(app, page.update_list, tick, ["repeat"], [], [], "zh")
    text = texts(table)
    assert "重复投诉" in text and "红灯" not in text and count.startswith("显示")

    key = wp.active_frame(Reader(store), scope(store), wp.ListFilters(families=("repeat",)))["warning_key"].iloc[0]
    button = ids.wn_ack(key)
    trigger = [{"prop_id": json.dumps(button, sort_keys=True, separators=(",", ":")) + ".n_clicks", "value": 1}]
    # Who acknowledges is the signed-in user: the page has no field for it.
    assert ids.WN_NOTE in tree and '"wn-actor"' not in tree
    outcome, new_tick = call_callback(app, page.acknowledge, [1], "", "zh",
                                      inputs_list=[[_prop(button, "n_clicks", 1)]], triggered=trigger)
    assert "陈刚" in texts(outcome) and new_tick != tick
    assert store.scalar("SELECT acknowledged_by FROM warnings WHERE warning_key = ?", [key]) == COMMANDER
    redrawn = call_callback(app, page.acknowledge, [0], "", "zh",
                            inputs_list=[[_prop(button, "n_clicks", 0)]], triggered=trigger)
    assert redrawn == (dash.no_update, dash.no_update)

    figure, cells = call_callback(app, page.draw_map, "zh", "count")
    patch, summary, hot_table = call_callback(app, page.recolour_map, cells, new_tick, "excess", "zh")
    assert isinstance(patch, dash.Patch) and "超常热点" in summary

    export = ids.wn_export("csv")
    sent = call_callback(app, page.export, [1], [], [], [], "zh", inputs_list=[[_prop(export, "n_clicks", 1)]],
                         triggered=[{"prop_id": json.dumps(export, separators=(",", ":")) + ".n_clicks", "value": 1}])
    assert sent["filename"].startswith("warnings-") and sent["filename"].endswith(".csv")
