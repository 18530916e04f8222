"""The overview page without a browser: its pure functions and its callbacks, called
directly on the demo township and on an empty one."""
from __future__ import annotations

import ast
import json
import re
import sys
from contextvars import copy_context
from pathlib import Path

import dash
import plotly.graph_objects as go
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import clock
from dashboard.app import create_app
from dashboard.components.ids import overview as ids
from dashboard.components.light import light_badge
from dashboard.context import whole_township
from dashboard.i18n import t
from dashboard.pages.overview_layout import FILTER_NAMES, KPI_KEYS
from dashboard.reader import Reader
from dashboard.views import common
from dashboard.views import overview as panels
from layers import maptraces
from queries.settings import load_settings
from queries.store import Store
from queries.workcal import WorkCalendar
from tests.conftest import DEMO_AS_OF
from tests.servers import act_as_admin, sign_in

REPO = Path(__file__).resolve().parents[1]
SETTINGS = load_settings({})
MINUTES_PER_DAY = WorkCalendar.default(SETTINGS.office_hours).day_minutes()


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture
def reader(demo_store) -> Reader:
    return Reader(demo_store)


@pytest.fixture
def view(reader) -> panels.View:
    return panels.View(scope=tuple(whole_township(reader.store)), now=clock.to_minute(clock.now()),
                       yellow_share=SETTINGS.yellow_fraction)


@pytest.fixture
def empty_store(empty_db_path):
    store = Store(empty_db_path, read_only=True)
    yield store
    store.close()


@pytest.fixture
def empty_reader(empty_store) -> Reader:
    return Reader(empty_store)


@pytest.fixture
def empty_view(empty_reader) -> panels.View:
    return panels.View(scope=tuple(whole_township(empty_reader.store)), now=clock.to_minute(clock.now()),
                       yellow_share=SETTINGS.yellow_fraction)


def open_count_where(store: Store, condition: str = "true", params=None) -> int:
    return int(store.scalar(f"SELECT count(*) FROM open_matters WHERE {condition}", params))


def busiest(store: Store, column: str):
    """The most common value of ``column`` among open matters: a filter that selects some."""
    return store.scalar(f"SELECT {column} FROM open_matters WHERE {column} IS NOT NULL "
                        f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")


def hover_text(template: str, row: list, properties: dict | None = None) -> str:
    """Fill a Plotly hovertemplate the way the browser does, for the fields we use:
    customdata by index and the GeoJSON feature's properties by name."""
    text = re.sub(r"%\{customdata\[(\d+)\]\}", lambda m: str(row[int(m.group(1))]), template)
    text = re.sub(r"%\{properties\.(\w+)\}", lambda m: str((properties or {}).get(m.group(1), "")), text)
    return re.sub(r"<[^>]+>", "\n", text)


# -- small pure functions ----------------------------------------------------------------
@pytest.mark.parametrize(("light", "minutes", "lang", "expected"), [
    ("green", 210, "zh", "剩余 3.5 工作时"),
    ("yellow", 30, "zh", "剩余 0.5 工作时"),
    ("green", 3 * 450, "zh", "剩余 3 工作日"),
    ("red", -2 * 450, "zh", "超期 2 工作日"),
    ("red", -90, "zh", "超期 1.5 工作时"),
    ("red", 0, "zh", "已到期"),
    ("paused", 120, "zh", "暂停计时 · 剩余 2 工作时"),
    ("none", None, "zh", "无办理时限"),
    ("green", 210, "en", "3.5 work h left"),
    ("red", -2 * 450, "en", "2 work days overdue"),
])
def test_remaining_working_time_reads_as_people_say_it(light, minutes, lang, expected):
    assert common.remaining_text(light, minutes, 450, lang) == expected


def test_the_pages_working_day_is_the_databases(demo_store):
    # 08:30-12:00,13:30-17:30, as the demo database was built: 450 minutes = 1 工作日.
    assert common.day_minutes(demo_store, DEMO_AS_OF) == 450


def test_urgency_sorts_red_most_overdue_first():
    keys = [panels.urgency_key(*x) for x in
            [("red", -900), ("red", -10), ("yellow", 20), ("green", 5), ("paused", 100), ("none", None)]]
    assert keys == sorted(keys)


def test_filters_normalise_empty_to_all_and_sort_values():
    f = panels.Filters.from_values({"villages": ["12", 10, 10], "sources": [], "majors": None, "depts": [3]})
    assert f == panels.Filters(villages=(10, 12), sources=None, majors=None, depts=(3,))
    assert f.active
    assert panels.Filters.from_data(f.to_data()) == f
    assert not panels.Filters.from_values({}).active
    assert panels.Filters().params() == {"villages": None, "sources": None, "majors": None, "depts": None}


# -- light badges ---------------------------------------------------------------------------
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B55\u2B50]")


@pytest.mark.parametrize(("light", "zh"), [("red", "超期"), ("yellow", "临期"), ("green", "正常"),
                                           ("paused", "暂停计时"), ("none", "无时限")])
def test_light_badge_is_a_css_dot_and_a_name_never_an_emoji(light, zh):
    badge = light_badge(light, "zh")
    dot, label = badge.children
    assert f"light-{light}" in dot.className.split()
    assert dot.children is None
    assert label.children == zh
    assert not EMOJI.search(json.dumps(badge.to_plotly_json(), default=str, ensure_ascii=False))
    assert light_badge(light, "en").children[1].children == t(f"light.{light}", "en")


def test_light_badge_shows_remaining_time_when_given():
    badge = light_badge("red", "zh", text="超期 2 工作日")
    assert badge.children[1].children == "超期 2 工作日"
    assert badge.title == "超期"


def test_every_light_has_a_css_rule():
    css = (REPO / "assets" / "desk.css").read_text(encoding="utf-8")
    for light in ("red", "yellow", "green", "paused", "none", "empty"):
        assert f".light-{light}" in css and f".light-cell-{light}::before" in css


# -- KPI tiles --------------------------------------------------------------------------------
def test_kpis_on_the_demo_agree_with_the_matters(reader, view, demo_store):
    values = panels.kpi_values(reader, view)
    assert values["any_matters"] is True
    assert values["open_count"] == open_count_where(demo_store) > 0
    assert 0 <= values["overdue_count"] + values["due_soon_count"] <= values["open_count"]
    assert values["overdue_count"] == open_count_where(
        demo_store, "suspended_at IS NULL AND due_at <= ?", [view.now])
    assert values["closed_with_due_30d"] > 0 and 0 <= values["on_time_rate_30d"] <= 1
    assert values["on_time_rate_30d"] == pytest.approx(values["closed_on_time_30d"] / values["closed_with_due_30d"])
    assert values["rated_30d"] > 0 and 0 <= values["satisfaction_rate_30d"] <= 1
    shown = panels.kpi_display(values, "zh", view.yellow_share)
    assert set(shown) == set(KPI_KEYS)
    assert shown["overdue"][0] == f"{values['overdue_count']:,}"
    assert shown["on_time_rate"][0].endswith("%")
    assert f"{values['closed_with_due_30d']:,}" in shown["on_time_rate"][1]
    assert f"{values['rated_30d']:,}" in shown["satisfaction"][1]
    assert panels.notice_kind(values, view.filters) is None


def test_kpis_on_an_empty_township_are_zero_and_explained(empty_reader, empty_view):
    values = panels.kpi_values(empty_reader, empty_view)
    assert values["any_matters"] is False
    assert values["open_count"] == values["received_today"] == values["overdue_count"] == 0
    assert values["on_time_rate_30d"] is None and values["satisfaction_rate_30d"] is None
    shown = panels.kpi_display(values, "zh", empty_view.yellow_share)
    assert shown["on_time_rate"] == ("—", t("kpi.no_denominator", "zh"))
    assert shown["open"][0] == "0"
    assert panels.notice_kind(values, empty_view.filters) == "none"


# -- the map ----------------------------------------------------------------------------------
def test_map_figure_draws_every_cell_and_the_outlines(reader, view, demo_store):
    figure, cell_ids = panels.map_figure(reader, view, "zh")
    grid, villages, township = figure.data
    assert isinstance(grid, go.Choroplethmap) and grid.featureidkey == "id"
    n_cells = int(demo_store.scalar("SELECT count(*) FROM areas WHERE level = 'cell'"))
    assert len(cell_ids) == len(grid.locations) == len(grid.geojson["features"]) == n_cells
    assert {f["id"] for f in grid.geojson["features"]} == set(cell_ids)
    located = open_count_where(demo_store, "cell_id IS NOT NULL")
    assert sum(grid.z) == located > 0
    assert isinstance(villages, go.Scattermap) and villages.mode == "lines" and len(villages.lon) > 0
    assert isinstance(township, go.Scattermap) and township.mode == "lines" and len(township.lon) > 0
    assert figure.layout.map.style == "white-bg"
    assert not figure.layout.map.layers
    assert 119 < figure.layout.map.center.lon < 120 and 32 < figure.layout.map.center.lat < 33
    assert 9 < figure.layout.map.zoom < 16
    json.loads(figure.to_json())


def test_map_uses_tiles_only_when_a_tile_url_is_set(reader, view):
    figure, _ = panels.map_figure(reader, view, "zh", tile_url="https://tiles.example/{z}/{x}/{y}.png",
                                  tile_attribution="© example")
    (layer,) = figure.layout.map.layers
    assert layer.sourcetype == "raster" and layer.source == ("https://tiles.example/{z}/{x}/{y}.png",)
    assert layer.below == "traces"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_hover_names_the_cell_with_its_code_and_counts(reader, view, demo_store, lang):
    figure, cell_ids = panels.map_figure(reader, view, lang, metric="overdue")
    grid = figure.data[0]
    busiest_cell = int(busiest(demo_store, "cell_id"))
    i = cell_ids.index(busiest_cell)
    name, code = demo_store.frame("SELECT name, code FROM areas WHERE area_id = ?", [busiest_cell]).iloc[0]
    open_here = open_count_where(demo_store, "cell_id = ?", [busiest_cell])
    feature = next(f for f in grid.geojson["features"] if int(f["id"]) == busiest_cell)
    text = hover_text(grid.hovertemplate, grid.customdata[i], feature["properties"])
    assert name in text and code in text and len(code) == 15
    assert f"{t('map.hover.open', lang)} {open_here}" in text
    assert t("map.hover.overdue", lang) in text and t("map.hover.light", lang) in text


def test_map_colours_by_open_overdue_and_light(reader, view, demo_store):
    cell_ids = common.map_geometry(reader, view.scope).cell_ids
    by_open = panels.map_colouring(reader, view, "open", "zh", cell_ids)
    by_overdue = panels.map_colouring(reader, view, "overdue", "zh", cell_ids)
    by_light = panels.map_colouring(reader, view, "light", "zh", cell_ids)
    assert sum(by_open["z"]) >= sum(by_overdue["z"])
    assert sum(by_overdue["z"]) == open_count_where(demo_store, "cell_id IS NOT NULL AND suspended_at IS NULL "
                                                                "AND due_at <= ?", [view.now])
    assert by_open["colorbar"]["title"]["text"] == "在办"
    red = maptraces.LIGHTS.index("red")
    assert (red in by_light["z"]) == (sum(by_overdue["z"]) > 0)
    assert by_light["zmin"] == -0.5 and by_light["zmax"] == len(maptraces.LIGHTS) - 0.5
    assert by_light["colorbar"]["ticktext"][red] == "超期"
    empty_cells = [z for z, o in zip(by_light["z"], by_open["z"]) if o == 0]
    assert set(empty_cells) <= {maptraces.LIGHTS.index("empty")}


def test_map_patch_recolours_only_the_grid_trace(reader, view):
    cell_ids = common.map_geometry(reader, view.scope).cell_ids
    patch = common.map_patch(panels.map_colouring(reader, view, "overdue", "en", cell_ids))
    operations = patch.to_plotly_json()["operations"]
    locations = {tuple(op["location"]) for op in operations}
    assert ("data", 0, "z") in locations and ("data", 0, "customdata") in locations
    assert all(loc[:2] == ("data", 0) for loc in locations)
    assert not any(loc[2] in ("geojson", "locations") for loc in locations)


def test_map_of_an_empty_township_still_shows_its_grid(empty_reader, empty_view, empty_store):
    figure, cell_ids = panels.map_figure(empty_reader, empty_view, "zh", metric="light")
    n_cells = int(empty_store.scalar("SELECT count(*) FROM areas WHERE level = 'cell'"))
    assert len(cell_ids) == n_cells > 0
    assert set(figure.data[0].z) == {maptraces.LIGHTS.index("empty")}


def test_maptraces_builders_on_three_hand_made_cells():
    import geopandas as gpd
    from shapely.geometry import box

    cells = gpd.GeoDataFrame({"cell_id": [1, 2, 3], "code": ["a", "b", "c"], "name": ["甲", "乙", "丙"]},
                             geometry=[box(119.40, 32.40, 119.41, 32.41), box(119.41, 32.40, 119.42, 32.41),
                                       box(119.40, 32.41, 119.41, 32.42)], crs="EPSG:4326")
    geojson = maptraces.cell_geojson(cells, simplify_m=None)
    trace = maptraces.grid_choropleth(geojson, [1, 2, 3],
                                      maptraces.count_colouring([0, 2, 5], scale="open", title="n"))
    assert list(trace.z) == [0, 2, 5] and trace.zmax == 5
    lights = maptraces.light_colouring([None, "yellow", "red"], labels={k: k for k in maptraces.LIGHTS}, title="")
    assert lights["z"] == [0, 4, 5]
    outline = maptraces.village_outlines(cells, "v")
    assert outline.mode == "lines" and None in outline.lon
    center, zoom = maptraces.fit_center_zoom(cells.total_bounds, 640, 480)
    assert center["lon"] == pytest.approx(119.41) and 12 < zoom < 16


# -- department workload ----------------------------------------------------------------------
def test_department_chart_is_sorted_by_overdue(reader, view, demo_store):
    frame = panels.department_workload(reader, view, "zh")
    assert list(frame["overdue_count"]) == sorted(frame["overdue_count"], reverse=True)
    assert int(frame["open_count"].sum()) == open_count_where(demo_store)
    figure = panels.department_figure(reader, view, "zh")
    overdue, rest, closed = figure.data
    # Bars draw bottom-up: the top bar is the first row, the most overdue department.
    assert overdue.y[-1] == frame["label"].iloc[0]
    assert sum(overdue.x) + sum(rest.x) == open_count_where(demo_store)
    assert sum(closed.x) == int(frame["closed_30d"].sum()) > 0
    assert overdue.marker.color == panels.DEPT_COLOURS["overdue"]


def test_department_chart_of_an_empty_township_says_so(empty_reader, empty_view):
    figure = panels.department_figure(empty_reader, empty_view, "zh")
    assert not figure.data
    assert figure.layout.annotations[0].text == t("empty.departments", "zh")


# -- open matters table ----------------------------------------------------------------------
def test_open_matters_come_most_urgent_first(reader, view, demo_store):
    rows = panels.open_matter_rows(reader, view, "zh", MINUTES_PER_DAY)
    assert len(rows) == min(open_count_where(demo_store), panels.OPEN_MATTERS_LIMIT)
    assert [r["urgency"] for r in rows] == sorted(r["urgency"] for r in rows)
    first = rows[0]
    assert first["light"] in ("red", "yellow", "green", "paused", "none")
    for row in rows:
        if row["light"] == "red":
            assert row["remaining_text"].startswith(("超期", "已到期"))
        elif row["light"] in ("green", "yellow"):
            assert row["remaining_text"].startswith("剩余")
        assert row["description"] and row["status"] and row["source"] in ("上级交办", "巡查发现", "网格上报", "群众反映")
    json.dumps(rows)


def test_missing_texts_read_as_empty_never_nan(tmp_path, demo_db_path):
    """A matter without address, description or English names still makes strict JSON."""
    import shutil

    copy = tmp_path / "gaps.duckdb"
    shutil.copy(demo_db_path, copy)
    store = Store(copy)
    try:
        with store.write() as cur:
            cur.execute("UPDATE matters SET address = NULL, description = NULL, external_ref = NULL")
            cur.execute("UPDATE open_matters SET address = NULL, description = NULL, external_ref = NULL")
            cur.execute("UPDATE departments SET name_en = NULL")
            cur.execute("UPDATE categories SET name_en = NULL, major_name_en = NULL")
        reader = Reader(store)
        view = panels.View(tuple(whole_township(reader.store)), clock.to_minute(clock.now()), 0.25)
        rows = panels.open_matter_rows(reader, view, "en", MINUTES_PER_DAY)
        assert rows and all(r["address"] == "" and r["description"] == "" for r in rows)
        assert all(r["dept"] and r["major"] for r in rows)      # the Chinese name stands in
        json.dumps(rows, allow_nan=False)
        options = panels.filter_options(reader, view.scope, "en")
        json.dumps(options, allow_nan=False)
        figure = panels.department_figure(reader, view, "en")
        assert all(isinstance(label, str) and label for label in figure.data[0].y)
    finally:
        store.close()


def test_open_matters_respect_the_limit(reader, view):
    assert len(panels.open_matter_rows(reader, view, "en", MINUTES_PER_DAY, limit=3)) == 3


def test_open_matters_of_an_empty_township_are_none(empty_reader, empty_view):
    assert panels.open_matter_rows(empty_reader, empty_view, "zh", MINUTES_PER_DAY) == []


def test_table_columns_show_the_light_sortably_and_filterably():
    columns = panels.table_columns("zh", {"light-cell light-cell-red": "params.data.light === 'red'"})
    light = columns[0]
    assert light["headerName"] == "灯态 / 剩余时间" and light["field"] == "urgency"
    assert light["filter"] == "agTextColumnFilter" and "cellClassRules" in light
    assert {c["headerName"] for c in panels.table_columns("en", {})} >= {"Department", "Village", "Status"}


# -- filters narrow every panel ----------------------------------------------------------------
FILTER_CASES = {
    "villages": ("village_id", lambda row, names: row["village"] == names["village"]),
    "sources": ("source", lambda row, names: row["source"] == names["source"]),
    "majors": ("major_code", lambda row, names: row["major"] == names["major"]),
    "depts": ("lead_dept_id", lambda row, names: row["dept"] == names["dept"]),
}


@pytest.mark.parametrize("filter_name", list(FILTER_CASES))
def test_a_filter_narrows_every_panel(filter_name, reader, view, demo_store):
    column, row_matches = FILTER_CASES[filter_name]
    value = busiest(demo_store, column)
    expected_open = open_count_where(demo_store, f"{column} = ?", [value])
    total_open = open_count_where(demo_store)
    assert 0 < expected_open < total_open, "the demo should have open matters on both sides of the filter"
    narrowed = panels.View(view.scope, view.now, view.yellow_share,
                           panels.Filters.from_values({filter_name: [value]}))

    values = panels.kpi_values(reader, narrowed)
    everything = panels.kpi_values(reader, view)
    assert values["open_count"] == expected_open
    assert values["closed_with_due_30d"] < everything["closed_with_due_30d"]
    assert values["received_today"] <= everything["received_today"]

    cell_ids = common.map_geometry(reader, view.scope).cell_ids
    colouring = panels.map_colouring(reader, narrowed, "open", "zh", cell_ids)
    assert sum(colouring["z"]) == open_count_where(demo_store, f"{column} = ? AND cell_id IS NOT NULL", [value])

    figure = panels.department_figure(reader, narrowed, "zh")
    assert sum(figure.data[0].x) + sum(figure.data[1].x) == expected_open

    rows = panels.open_matter_rows(reader, narrowed, "zh", MINUTES_PER_DAY)
    assert len(rows) == expected_open
    names = {
        "village": demo_store.scalar("SELECT name FROM areas WHERE area_id = ?", [value]) if column == "village_id" else None,
        "source": t(f"source.{value}", "zh") if column == "source" else None,
        "major": demo_store.scalar("SELECT any_value(major_name) FROM categories WHERE major_code = ?", [value])
        if column == "major_code" else None,
        "dept": demo_store.scalar("SELECT name FROM departments WHERE dept_id = ?", [value]) if column == "lead_dept_id" else None,
    }
    assert all(row_matches(row, names) for row in rows)


def test_filters_that_match_nothing_are_explained(reader, view):
    nothing = panels.View(view.scope, view.now, view.yellow_share,
                          panels.Filters.from_values({"villages": [-999]}))
    values = panels.kpi_values(reader, nothing)
    assert values["open_count"] == 0
    assert panels.notice_kind(values, nothing.filters) == "filtered"


def test_filter_options_list_the_township(reader, view, demo_store):
    options = panels.filter_options(reader, view.scope, "zh")
    assert set(options) == set(FILTER_NAMES)
    villages = int(demo_store.scalar("SELECT count(*) FROM areas WHERE level = 'village'"))
    assert len(options["villages"]) == villages
    assert [o["label"] for o in options["sources"]] == ["上级交办", "巡查发现", "网格上报", "群众反映"]
    assert {"label": "未派单", "value": -1} in options["depts"]
    en = panels.filter_options(reader, view.scope, "en")
    assert en["sources"][0]["label"] == "Transferred"
    assert any("Public facilities" in o["label"] for o in en["majors"])


# -- the page's callbacks, called directly ------------------------------------------------------
@pytest.fixture(scope="module")
def page_app(tmp_path_factory, demo_db_path, admin_token):
    store = Store(demo_db_path, read_only=True)
    app = create_app(SETTINGS, store)
    sign_in(app.server, admin_token)
    module = sys.modules[dash.page_registry["pages.overview"]["module"]]
    yield app, module
    store.close()


@pytest.fixture(scope="module")
def empty_page_app(empty_db_path, empty_admin_token):
    store = Store(empty_db_path, read_only=True)
    app = create_app(SETTINGS, store)
    sign_in(app.server, empty_admin_token)
    module = sys.modules[dash.page_registry["pages.overview"]["module"]]
    yield app, module
    store.close()


def _prop(id_, prop):
    return {"id": id_, "property": prop}


def call_callback(app, fn, *args, inputs_list=(), outputs_list=()):
    """Run a callback as Dash would: inside the Flask app and a callback context."""
    def run():
        context_value.set(AttributeDict(inputs_list=list(inputs_list), outputs_list=list(outputs_list),
                                        states_list=[], triggered_inputs=[]))
        with app.server.app_context():
            act_as_admin()
            return fn(*args)
    return copy_context().run(run)


KPI_OUTPUTS = [[_prop(ids.kpi_value(k), "children") for k in KPI_KEYS],
               [_prop(ids.kpi_detail(k), "children") for k in KPI_KEYS],
               _prop(ids.NOTICE, "children"), _prop(ids.AS_OF, "children")]


def test_callbacks_fill_the_page_from_the_demo(page_app):
    app, page = page_app
    tick = call_callback(app, page.refresh_tick, 0, None)
    assert set(tick) == {"version", "as_of"}
    assert call_callback(app, page.refresh_tick, 1, tick) is dash.no_update

    filters = call_callback(app, page.collect_filters, [[], ["grid"], [], []],
                            inputs_list=[[_prop(ids.filter_dropdown(n), "value") for n in FILTER_NAMES]])
    assert filters == {"villages": None, "sources": ["grid"], "majors": None, "depts": None}

    options = call_callback(app, page.fill_filter_options, "zh",
                            outputs_list=[_prop(ids.filter_dropdown(n), "options") for n in FILTER_NAMES])
    assert len(options) == 4 and all(options)

    values, details, note, as_of = call_callback(app, page.update_kpis, tick, None, "zh", outputs_list=KPI_OUTPUTS)
    assert len(values) == len(KPI_KEYS) and all(re.fullmatch(r"[\d,]+|[\d.]+%", v) for v in values)
    assert note is None and as_of.startswith("数据时间")

    figure, cell_ids = call_callback(app, page.draw_map, "zh")
    assert figure.data[0].type == "choroplethmap" and len(cell_ids) > 0
    patch = call_callback(app, page.recolour_map, cell_ids, tick, filters, "light", "zh")
    assert isinstance(patch, dash.Patch)

    chart = call_callback(app, page.update_departments, tick, filters, "en")
    assert chart.data[0].name == "Overdue"
    rows = call_callback(app, page.update_table, tick, filters, "zh")
    assert rows and all(r["source"] == "网格上报" for r in rows)


def test_callbacks_on_an_empty_township_explain_instead_of_failing(empty_page_app):
    app, page = empty_page_app
    tick = call_callback(app, page.refresh_tick, 0, None)
    values, details, note, _ = call_callback(app, page.update_kpis, tick, None, "zh", outputs_list=KPI_OUTPUTS)
    assert values[KPI_KEYS.index("open")] == "0"
    assert "暂无事项" in json.dumps(note.to_plotly_json(), default=str, ensure_ascii=False)
    figure, cell_ids = call_callback(app, page.draw_map, "zh")
    assert len(cell_ids) > 0
    assert call_callback(app, page.update_table, tick, None, "zh") == []
    chart = call_callback(app, page.update_departments, tick, None, "zh")
    assert chart.layout.annotations[0].text == t("empty.departments", "zh")


@pytest.mark.parametrize(("lang", "words"), [("zh", ["网格事项分布", "部门工作量", "在办事项", "超期 (红灯)"]),
                                             ("en", ["Matters by grid cell", "Department workload",
                                                     "Open matters", "Overdue (red)"])])
def test_layout_speaks_the_chosen_language(page_app, lang, words):
    app, page = page_app
    with app.server.app_context():
        tree = json.dumps(page.layout(lang=lang).to_plotly_json(), default=str, ensure_ascii=False)
    for word in words:
        assert word in tree


def test_app_serves_nothing_from_the_internet(page_app):
    app, _ = page_app
    client = app.server.test_client()
    html = client.get("/").get_data(as_text=True)
    assert "/assets/desk.css" in html
    assert not re.search(r"(src|href)=\"https?://", html)


# -- the query cache ------------------------------------------------------------------------
def test_cached_answers_last_until_the_data_version_changes(tmp_path, demo_db_path):
    import shutil

    from flask import Flask
    from flask_caching import Cache

    copy = tmp_path / "cache.duckdb"
    shutil.copy(demo_db_path, copy)
    store = Store(copy)
    try:
        cache = Cache(Flask(__name__), config={"CACHE_TYPE": "SimpleCache"})
        reader = Reader(store, cache)
        view = panels.View(tuple(whole_township(reader.store)), clock.to_minute(clock.now()), 0.25)
        before = panels.kpi_values(reader, view)["open_count"]
        # A change that skips the writer (no version bump) stays invisible: the answer is cached …
        store.con.execute("DELETE FROM open_matters WHERE matter_id = (SELECT min(matter_id) FROM open_matters)")
        assert panels.kpi_values(reader, view)["open_count"] == before
        assert panels.kpi_values(Reader(store), view)["open_count"] == before - 1
        # … until a write bumps the data version.
        with store.write():
            pass
        assert panels.kpi_values(reader, view)["open_count"] == before - 1
    finally:
        store.close()


def test_language_comes_from_the_url():
    from dashboard.i18n import language_from_search

    assert language_from_search("?lang=en", "zh") == "en"
    assert language_from_search("", "zh") == "zh"
    assert language_from_search("?lang=fr", "en") == "en"


# -- the import direction ------------------------------------------------------------------
def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imports_run_one_way():
    for path in (REPO / "dashboard").rglob("*.py"):
        assert "duckdb" not in _imports(path), f"{path} imports duckdb"
    for path in list((REPO / "layers").rglob("*.py")) + list((REPO / "queries").rglob("*.py")):
        assert not _imports(path) & {"dash", "dashboard", "dash_ag_grid"}, f"{path} imports the app"
