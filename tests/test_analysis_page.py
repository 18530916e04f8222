"""The analysis page (分析研判, /analysis) without a browser: its filters and cross-filter,
every panel on the demo township (each filter narrows every panel, counts agree with the
matters), the indicators table and the ranking, CSV/Excel export with formula cells
neutralised, its strings, and its callbacks called directly."""
from __future__ import annotations

import csv
import io
import json
import sys
from contextvars import copy_context
from datetime import date, timedelta

import dash
import plotly.graph_objects as go
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import clock
from dashboard.app import create_app
from dashboard.components.ids import analysis as ids
from dashboard.context import whole_township
from dashboard.export import Column, export_file, neutralise, to_csv, to_xlsx
from dashboard.i18n import STRINGS, t
from dashboard.reader import Reader
from dashboard.views import analysis_charts as charts
from dashboard.views import analysis_filters as af
from dashboard.views import analysis_tables as tables
from dashboard.views import common
from queries.analysis_config import load_analysis_config
from queries.settings import load_settings
from queries.store import Store
from queries.warnings import METHODS
from tests.servers import act_as_admin

SETTINGS = load_settings({})
CONFIG = load_analysis_config()
SPAN_DAYS = 30


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture
def reader(demo_store) -> Reader:
    return Reader(demo_store)


@pytest.fixture
def period(demo_store) -> tuple[date, date]:
    today = clock.now().date()
    return today - timedelta(days=SPAN_DAYS - 1), today


def view_of(reader: Reader, period, values: dict | None = None, selection: dict | None = None) -> af.AnalysisView:
    filters = af.AnalysisFilters.from_values(values or {}, period[0].isoformat(), period[1].isoformat(),
                                             period[1])
    return af.AnalysisView(scope=tuple(whole_township(reader.store)), filters=filters,
                           now=clock.to_minute(clock.now()), selection=selection or {})


def cohort_count(store: Store, period, condition: str = "true", params: list | None = None) -> int:
    """Matters received in the period, not voided, matching ``condition``: counted here
    independently of the analysis queries."""
    return int(store.scalar(
        "SELECT count(*) FROM matters WHERE voided_at IS NULL AND created_at >= ? "
        f"AND created_at < ? + INTERVAL 1 DAY AND ({condition})", [period[0], period[1], *(params or [])]))


def busiest(store: Store, period, column: str):
    return store.scalar(f"SELECT {column} FROM matters WHERE voided_at IS NULL AND created_at >= ? "
                        f"AND {column} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1", [period[0]])


# -- the filter bar and the cross-filter (pure) ------------------------------------------------
def test_filters_normalise_dates_and_values():
    today = date(2026, 3, 31)
    f = af.AnalysisFilters.from_values({"villages": ["3", 1, 3], "majors": [], "sources": "grid"}, None, None, today)
    assert (f.from_day, f.to_day) == (date(2026, 3, 2), today)                    # the last 30 days
    assert f.villages == (1, 3) and f.majors is None and f.sources == ("grid",)
    swapped = af.AnalysisFilters.from_values({}, "2026-03-10", "2026-03-01", today)
    assert (swapped.from_day, swapped.to_day) == (date(2026, 3, 1), date(2026, 3, 10))
    long = af.AnalysisFilters.from_values({}, "2010-01-01", "2026-03-31", today)
    assert (long.to_day - long.from_day).days + 1 == af.MAX_SPAN_DAYS              # never unbounded history
    assert af.AnalysisFilters.from_data(f.to_data(), today) == f
    assert not af.AnalysisFilters.from_values({}, None, None, today).active and f.active


def test_cross_filter_toggles_clears_and_lists_chips():
    sel = af.toggle({}, "source", "grid", "网格上报")
    sel = af.toggle(sel, "category", "11", "暴露垃圾")
    assert af.selected(sel, "category") == 11                                       # typed per dimension
    assert af.chips(sel) == [("category", "暴露垃圾"), ("source", "网格上报")]       # in dimension order
    assert af.selected(af.toggle(sel, "category", 11, "x"), "category") is None     # clicked again: off
    assert af.selected(af.toggle(sel, "category", 12, "y"), "category") == 12       # another value: replaced
    assert af.clear(sel, "source") == {"category": {"value": 11, "label": "暴露垃圾"}}
    assert af.clear(sel) == {}


def test_clicks_intersect_the_filters_and_spare_the_panel_that_was_clicked():
    f = af.AnalysisFilters.from_values({"villages": [1, 2], "sources": ["grid"]}, "2026-03-01", "2026-03-31",
                                       date(2026, 3, 31))
    inside = af.narrowed(f, {"village": {"value": 2, "label": "b"}})
    assert inside["villages"] == [2] and inside["sources"] == ["grid"] and inside["cell_ids"] is None
    assert af.narrowed(f, {"village": {"value": 7, "label": "g"}})["villages"] == []     # outside: nothing
    assert af.narrowed(f, {"village": {"value": 2, "label": "b"}}, own=["village"])["villages"] == [1, 2]
    assert af.narrowed(f, {"week_hour": {"value": 58, "label": "w"}})["week_hours"] == [58]
    params = af.indicator_filter_params([1, 2, -1], f, {"week_hour": {"value": 58, "label": "w"}})
    assert "week_hours" not in params and params["villages"] == [1, 2]


def test_clicks_are_read_from_each_chart():
    bar = {"points": [{"customdata": [11, "暴露垃圾", "市容环境"], "x": 60}]}
    assert af.click_selection("categories", bar) == ("category", 11, "暴露垃圾")
    assert af.click_selection("sources", {"points": [{"customdata": ["grid", "网格上报"]}]}) == ("source", "grid",
                                                                                             "网格上报")
    assert af.click_selection("departments", {"points": [{"customdata": [-1, "未派单"]}]}) == ("dept", -1, "未派单")
    assert af.click_selection("heatmap", {"points": [{"x": 10, "y": 2, "z": 16}]}) == ("week_hour", 58, "")
    assert af.click_selection("map", {"points": [{"location": 1007}]}) == ("cell", 1007, "")
    trend = {"points": [{"customdata": ["04", "市容环境"]}]}
    assert af.click_selection("trend", trend, breakdown="major") == ("major", "04", "市容环境")
    assert af.click_selection("trend", trend, breakdown="none") is None             # a total selects nothing
    assert af.click_selection("trend", {"points": [{"customdata": [af.OTHER, "其他"]}]}, breakdown="major") is None
    assert af.click_selection("heatmap", {"points": [{"x": 30, "y": 2}]}) is None
    assert af.click_selection("categories", None) is None


def test_the_cross_filter_follows_clicks_chips_and_clear_all():
    graphs = {"categories": "g-cat", "heatmap": "g-heat"}
    labels = lambda dim, value: f"{dim}={value}"  # noqa: E731
    sel = af.next_selection({}, "g-heat", {"heatmap": {"points": [{"x": 9, "y": 0}]}}, [], None, graph_ids=graphs,
                            clear_all_id="all", label_of=labels)
    assert sel == {"week_hour": {"value": 9, "label": "week_hour=9"}}
    chip = {"type": "an-chip-clear", "dim": "week_hour"}
    redrawn = [{"id": chip, "property": "n_clicks", "value": 0}]
    assert af.next_selection(sel, chip, {}, redrawn, None, graph_ids=graphs, clear_all_id="all",
                             label_of=labels) is None                          # a chip drawn, not clicked
    clicked = [{"id": chip, "property": "n_clicks", "value": 1}]
    assert af.next_selection(sel, chip, {}, clicked, None, graph_ids=graphs, clear_all_id="all",
                             label_of=labels) == {}
    assert af.next_selection(sel, "all", {}, [], None, graph_ids=graphs, clear_all_id="all", label_of=labels) == {}
    assert af.next_selection({}, "all", {}, [], None, graph_ids=graphs, clear_all_id="all", label_of=labels) is None


def test_drill_down_links_set_the_first_filters():
    values = af.initial_values({"village": "3", "cell": "1007", "dept": "2", "major": "04", "category": "11",
                                "matter": "2026010100001", "from": "2026-01-01"})
    assert values == {"villages": [3], "cells": [1007], "depts": [2], "majors": ["04"], "categories": [11]}
    assert af.initial_values({"village": "x", "cell": ""}) == {}


# -- the panels on the demo ----------------------------------------------------------------------
def panel_totals(reader: Reader, view: af.AnalysisView) -> dict[str, float]:
    """One number per panel that any narrowing must lower."""
    indicators = tables.indicators_frame(reader, view, CONFIG, "township")
    ranking = tables.ranking_frame(reader, view, CONFIG)
    return {
        "trend": charts.trend_frame(reader, view, "week", "major")["received"].sum(),
        "heatmap": charts.heatmap_frame(reader, view)["received"].sum(),
        "categories": charts.top_categories_frame(reader, view, limit=100)["received"].sum(),
        "sources": charts.sources_frame(reader, view)["received"].sum(),
        "departments": charts.departments_frame(reader, view)["received"].sum(),
        "map": reader.run("analysis/cells", **view.cohort(["cell"]))["received"].sum(),
        "handling": charts.handling_frame(reader, view, "major")["handled"].sum(),
        "satisfaction": charts.satisfaction_frame(reader, view, "week")["received"].sum(),
        "indicators": indicators.loc[indicators["indicator"] == "closure_rate", "denominator"].sum(),
        "ranking": ranking["volume"].sum(),
    }


def filter_cases(store: Store, period) -> dict[str, tuple[dict, str, list]]:
    """Filter bar values that select some of the demo's matters, with the same condition
    in plain SQL."""
    village = int(busiest(store, period, "village_id"))
    cell = int(busiest(store, period, "cell_id"))
    major = busiest(store, period, "major_code")
    category = int(busiest(store, period, "category_id"))
    dept = int(busiest(store, period, "lead_dept_id"))
    return {
        "villages": ({"villages": [village]}, "village_id = ?", [village]),
        "cells": ({"cells": [cell]}, "cell_id = ?", [cell]),
        "majors": ({"majors": [major]}, "major_code = ?", [major]),
        "categories": ({"categories": [category]}, "category_id = ?", [category]),
        "sources": ({"sources": ["grid"]}, "source = 'grid'", []),
        "depts": ({"depts": [dept]}, "lead_dept_id = ?", [dept]),
    }


@pytest.mark.parametrize("name", af.FILTER_NAMES)
def test_each_filter_narrows_every_panel(name, reader, demo_store, period):
    values, condition, params = filter_cases(demo_store, period)[name]
    everything = panel_totals(reader, view_of(reader, period))
    narrowed = panel_totals(reader, view_of(reader, period, values))
    for panel, total in narrowed.items():
        assert 0 < total < everything[panel], f"{name} did not narrow {panel}: {total} of {everything[panel]}"
    assert narrowed["sources"] == cohort_count(demo_store, period, condition, params)
    assert narrowed["trend"] == narrowed["heatmap"] == narrowed["departments"] == narrowed["sources"]


@pytest.mark.parametrize("dim", ["category", "source", "dept", "week_hour", "cell", "village", "major"])
def test_a_click_narrows_the_other_panels_and_highlights_its_own(dim, reader, demo_store, period):
    values = {"category": int(busiest(demo_store, period, "category_id")), "source": "public",
              "dept": int(busiest(demo_store, period, "lead_dept_id")),
              "week_hour": 58, "cell": int(busiest(demo_store, period, "cell_id")),
              "village": int(busiest(demo_store, period, "village_id")), "major": busiest(demo_store, period,
                                                                                        "major_code")}
    selection = af.toggle({}, dim, values[dim], "x")
    plain, clicked = view_of(reader, period), view_of(reader, period, selection=selection)
    before, after = panel_totals(reader, plain), panel_totals(reader, clicked)
    own = {"category": "categories", "source": "sources", "dept": "departments", "week_hour": "heatmap",
           "cell": "map", "major": "trend"}.get(dim)          # the trend here is broken down by 大类
    for panel in after:
        if panel == own or (dim == "week_hour" and panel in ("indicators", "ranking")):
            assert after[panel] == before[panel], f"{panel} changed with a click on its own {dim}"
        else:
            assert 0 < after[panel] < before[panel], f"a {dim} click did not narrow {panel}"
    if dim == "week_hour":        # the daily indicator rollup cannot follow an hour: the page says so
        assert tables.week_hour_note(selection, "zh") and tables.week_hour_note({}, "zh") is None


def test_the_clicked_bar_stands_out(reader, demo_store, period):
    category = int(busiest(demo_store, period, "category_id"))
    selection = af.toggle({}, "category", category, "x")
    view = view_of(reader, period, selection=selection)
    figure = charts.top_categories_figure(charts.top_categories_frame(reader, view), selection, "zh")
    bars = figure.data[0]
    chosen = [c[0] for c in bars.customdata].index(category)
    assert bars.marker.color[chosen] == charts.SELECTED_COLOUR
    assert bars.marker.opacity[chosen] == 1.0 and min(bars.marker.opacity) == charts.DIMMED
    heat = charts.heatmap_figure(charts.heatmap_frame(reader, view), af.toggle({}, "week_hour", 58, "x"), "zh")
    assert heat.layout.shapes[0].x0 == 9.5 and heat.layout.shapes[0].y0 == 1.5      # Wednesday 10:00


def test_the_cohort_agrees_with_the_matters(reader, demo_store, period):
    view = view_of(reader, period)
    total = cohort_count(demo_store, period)
    assert charts.trend_frame(reader, view, "day", "none")["received"].sum() == total
    assert charts.trend_frame(reader, view, "month", "village")["received"].sum() == total
    assert sum(map(sum, charts.heatmap_matrix(charts.heatmap_frame(reader, view)))) == total
    tops = charts.top_categories_frame(reader, view)
    assert len(tops) == charts.TOP_CATEGORIES and list(tops["received"]) == sorted(tops["received"], reverse=True)
    assert tops["share"].iloc[0] == pytest.approx(tops["received"].iloc[0] / total)
    sat = charts.satisfaction_frame(reader, view, "week")
    assert (sat["satisfied"] + sat["basic_satisfied"] + sat["unsatisfied"] <= sat["followed_up"]).all()
    handling = charts.handling_frame(reader, view, "department")
    assert ((handling["p10"] <= handling["p25"]) & (handling["p25"] <= handling["p50"])
            & (handling["p50"] <= handling["p75"]) & (handling["p75"] <= handling["p90"])).all()
    assert handling["handled"].sum() == cohort_count(demo_store, period, "feedback_at IS NOT NULL "
                                                                         "AND dispatched_at IS NOT NULL")


def test_every_figure_draws_in_both_languages(reader, period):
    view = view_of(reader, period)
    for lang in ("zh", "en"):
        trend = charts.trend_figure(charts.trend_frame(reader, view, "week", "source"), "week", "source", {}, lang)
        assert {d.name for d in trend.data} == {t(f"source.{s}", lang) for s in ("transfer", "inspection", "grid",
                                                                                  "public")}
        depts = charts.trend_figure(charts.trend_frame(reader, view, "day", "department"), "day", "department", {}, lang)
        assert len(depts.data) == charts.TREND_SERIES + 1 and depts.data[-1].name == t("an.other", lang)
        assert charts.heatmap_figure(charts.heatmap_frame(reader, view), {}, lang).data[0].type == "heatmap"
        assert charts.sources_figure(charts.sources_frame(reader, view), {}, lang).data[0].type == "bar"
        assert len(charts.departments_figure(charts.departments_frame(reader, view), {}, lang).data) == 3
        box = charts.handling_figure(charts.handling_frame(reader, view, "major"), "major", lang)
        assert box.data[0].type == "box" and t("an.handling.hours", lang) in box.layout.xaxis.title.text
        sat = charts.satisfaction_figure(charts.satisfaction_frame(reader, view, "week"), "week", CONFIG, lang)
        assert sat.data[-1].name == t("an.satisfaction.rate", lang) and sat.data[-1].yaxis == "y2"
        figure, cells = charts.map_figure(reader, view, lang)
        assert figure.data[0].type == "choroplethmap" and len(cells) == len(figure.data[0].z)
        assert figure.layout.map.style == "white-bg"                                # offline


def test_satisfaction_follows_the_configured_rule():
    row = {"satisfied": 6, "basic_satisfied": 2, "unsatisfied": 2}
    assert charts.satisfaction_rate(row, CONFIG) == (8.0, 10.0)          # data/analysis.toml: 基本满意 counts


def test_the_map_outlines_the_clicked_cell(reader, period):
    figure, cells = charts.map_figure(reader, view_of(reader, period), "zh")
    chosen = cells[5]
    update = charts.map_colouring(reader, view_of(reader, period, selection=af.toggle({}, "cell", chosen, "x")), cells,
                              "zh")
    widths = update["marker"]["line"]["width"]
    assert widths[5] == 3.0 and sorted(set(widths)) == [0.6, 3.0]
    patch = common.map_patch(update)
    assert isinstance(patch, dash.Patch)


def test_filter_options_form_a_tree(reader):
    options = af.filter_options(reader, whole_township(reader.store), "zh")
    village = options["villages"][0]["value"]
    cells = af.narrow_options(options["cells"], "village", [village])
    assert cells and len(cells) < len(options["cells"]) and set(cells[0]) == {"label", "value"}
    assert af.prune_values([cells[0]["value"], -5], cells) == [cells[0]["value"]]
    garbage = af.narrow_options(options["categories"], "major", ["04"])
    assert all(o["label"].startswith("04") for o in garbage)
    assert af.narrow_options(options["categories"], "major", []) == [
        {"label": o["label"], "value": o["value"]} for o in options["categories"]]


def test_indicators_table_shows_every_indicator_with_numerator_and_denominator(reader, period):
    view = view_of(reader, period)
    rows = tables.indicator_rows(tables.indicators_frame(reader, view, CONFIG, "township"), CONFIG, "township", "zh")
    assert [r["indicator_key"] for r in rows] == [i.key for i in CONFIG.indicators]
    for r in rows:
        assert r["rule"] and r["denominator"] > 0
        assert r["value"] == pytest.approx(r["numerator"] / r["denominator"], rel=1e-5)
    closure = next(r for r in rows if r["indicator_key"] == "closure_rate")
    assert closure["value_text"].endswith("%") and closure["group"] == "全镇(街道)"
    hours = next(r for r in rows if r["indicator_key"] == "avg_handling_hours")
    assert hours["value_text"].endswith("工作时")
    by_dept = tables.indicator_rows(tables.indicators_frame(reader, view, CONFIG, "department"), CONFIG, "department", "en")
    assert {r["group"] for r in by_dept} >= {"Not dispatched"} and len(by_dept) > len(rows)


def test_ranking_rows_carry_the_score_and_its_changes(reader, period):
    frame = tables.ranking_frame(reader, view_of(reader, period), CONFIG)
    rows = tables.ranking_rows(frame, CONFIG, "zh")
    ranked = [r for r in rows if r["rank"] is not None]
    assert ranked and [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked)
    with_prev = [r for r in ranked if r["prev_score"] is not None]
    assert with_prev and all(r["mom_change"] == pytest.approx(r["score"] - r["prev_score"], abs=0.11)
                             for r in with_prev)
    assert all(f"term_{term.indicator}" in rows[0] for term in CONFIG.score_terms)
    assert "环比对比" in tables.ranking_note(frame, {}, "zh")


def test_an_empty_township_draws_explained_empty_panels(empty_db_path, period):
    store = Store(empty_db_path, read_only=True)
    try:
        reader = Reader(store)
        view = view_of(reader, period)
        assert af.notice_kind(reader, view) == "none"
        for figure in (charts.trend_figure(charts.trend_frame(reader, view, "day", "none"), "day", "none", {}, "zh"),
                       charts.heatmap_figure(charts.heatmap_frame(reader, view), {}, "zh"),
                       charts.sources_figure(charts.sources_frame(reader, view), {}, "zh"),
                       charts.handling_figure(charts.handling_frame(reader, view, "major"), "major", "zh")):
            assert figure.layout.annotations[0].text == t("an.empty.cohort", "zh")
        assert tables.ranking_rows(tables.ranking_frame(reader, view, CONFIG), CONFIG, "zh") == []
    finally:
        store.close()


# -- export ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("暴露垃圾", "暴露垃圾"), ("a=b", "a=b"), ("", ""), (-3.5, -3.5), (12, 12), (None, None)])
def test_formula_cells_are_neutralised_and_nothing_else(value, shown):
    assert neutralise(value) == shown


EXPORT_COLUMNS = [Column("name", "名称"), Column("value", "值"), Column("note", "=备注")]
EXPORT_ROWS = [{"name": "=1+1", "value": 0.25, "note": "+86 139"}, {"name": "暴露垃圾", "value": -2, "note": None},
               {"name": "@cmd", "value": 3, "note": "-x"}]


def test_csv_round_trips_with_formulas_neutralised():
    text = to_csv(EXPORT_COLUMNS, EXPORT_ROWS).decode("utf-8")
    assert text.startswith("\ufeff")                                  # Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["名称", "值", "'=备注"], ["'=1+1", "0.25", "'+86 139"], ["暴露垃圾", "-2", ""],
                    ["'@cmd", "3", "'-x"]]


def test_xlsx_round_trips_with_no_formula_cell():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(to_xlsx(EXPORT_COLUMNS, EXPORT_ROWS, sheet="考核/指标")))
    ws = book.active
    assert ws.title == "考核 指标"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values == [["名称", "值", "'=备注"], ["'=1+1", 0.25, "'+86 139"], ["暴露垃圾", -2, None],
                      ["'@cmd", 3, "'-x"]]
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_indicators_and_ranking_tables_export_as_shown(reader, period):
    view = view_of(reader, period)
    for table in tables.EXPORT_TABLES:
        columns, rows, stem = tables.export_table(reader, view, CONFIG, table, "zh", group_by="department")
        content, name = export_file(columns, rows, "csv", name=stem, sheet=table)
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert lines[0] == [c.header for c in columns] and len(lines) == len(rows) + 1 and rows
        assert name.endswith(".csv") and period[0].strftime("%Y%m%d") in name
        content, name = export_file(columns, rows, "xlsx", name=stem, sheet=table)
        assert content[:2] == b"PK" and name.endswith(".xlsx")
    with pytest.raises(ValueError):
        export_file([], [], "pdf", name="x", sheet="x")


# -- strings (tests/test_i18n.py checks every table) ---------------------------------------------
def test_every_value_the_pages_name_has_a_string():
    needed = ([f"wn.method.{m}" for m in METHODS] + [f"wn.method.short.{m}" for m in METHODS]
              + [f"an.dim.{d}" for d in af.DIMENSIONS] + [f"an.filter.{n}" for n in af.FILTER_NAMES]
              + [f"an.grain.{g}" for g in charts.GRAINS] + [f"an.breakdown.{b}" for b in charts.BREAKDOWNS]
              + [f"an.ind.by.{g}" for g in tables.INDICATOR_GROUPS] + [f"an.dow.{d}" for d in range(1, 8)])
    assert [k for k in needed if k not in STRINGS] == []


# -- the page's callbacks, called directly ---------------------------------------------------------
@pytest.fixture(scope="module")
def page_app(demo_db_path):
    store = Store(demo_db_path, read_only=True)
    app = create_app(SETTINGS, store)
    module = sys.modules[dash.page_registry["pages.analysis"]["module"]]
    yield app, module
    store.close()


def _prop(id_, prop, value=None):
    return {"id": id_, "property": prop, "value": value}


def call_callback(app, fn, *args, inputs_list=(), outputs_list=(), triggered=None):
    """Run a callback as Dash would: inside the Flask app and a callback context."""
    def run():
        context_value.set(AttributeDict(inputs_list=list(inputs_list), outputs_list=list(outputs_list),
                                        states_list=[], triggered_inputs=triggered or []))
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            act_as_admin()
            return fn(*args)
    return copy_context().run(run)


def _trigger(id_, prop, value):
    key = json.dumps(id_, sort_keys=True, separators=(",", ":")) if isinstance(id_, dict) else id_
    return [{"prop_id": f"{key}.{prop}", "value": value}]


def test_layout_speaks_the_chosen_language_and_takes_a_drill_down(page_app):
    app, page = page_app
    with app.server.test_request_context("/analysis?lang=en"):
        act_as_admin()
        en = json.dumps(page.layout(lang="en").to_plotly_json(), default=str, ensure_ascii=False)
        zh = page.layout(lang="zh", village="1", major="04", category="11", **{"from": "2026-01-01",
                                                                               "to": "2026-02-01"})
    for word in ("Matters received over time", "Assessment indicators", "Department ranking", "Cross-filter"):
        assert word in en
    tree = zh.to_plotly_json()
    text = json.dumps(tree, default=str, ensure_ascii=False)
    assert "受理量趋势" in text and "考核指标" in text
    stores = {c.id: c.data for c in zh.children if getattr(c, "id", None) in (ids.AN_FILTERS,)}
    assert stores[ids.AN_FILTERS]["villages"] == [1] and stores[ids.AN_FILTERS]["categories"] == [11]
    assert (stores[ids.AN_FILTERS]["from"], stores[ids.AN_FILTERS]["to"]) == ("2026-01-01", "2026-01-31")

    # The options come with the first callback, narrowed to the link's village and 大类.
    names = list(af.FILTER_NAMES)
    outputs = [None, [_prop(ids.an_filter(n), "options") for n in names], []]
    options, _, values = call_callback(app, page.fill_options, "zh", {}, outputs_list=outputs)
    assert values == [[] for _ in names]
    village = options["villages"][0]["value"]
    link = {"villages": [village], "majors": ["04"], "categories": [11, 99999]}
    _, shown, values = call_callback(app, page.fill_options, "zh", link, outputs_list=outputs)
    cells = shown[names.index("cells")]
    assert cells and len(cells) < len(options["cells"])
    assert {o["value"] for o in cells} == {o["value"] for o in options["cells"] if o["village"] == village}
    assert all(o["label"].startswith("04") for o in shown[names.index("categories")])
    assert dict(zip(names, values)) == {"villages": [village], "cells": [], "majors": ["04"], "categories": [11],
                                        "sources": [], "depts": []}      # the link's values, set again


def test_the_layout_reads_no_data(tmp_path, demo_db_path):
    """Dash builds every page's layout on the server's first request (health checks too):
    a store that cannot answer must not turn that request into a 500."""
    import shutil

    copy = tmp_path / "closed.duckdb"
    shutil.copy(demo_db_path, copy)
    store = Store(copy, read_only=True)
    app = create_app(SETTINGS, store)
    store.close()
    assert app.server.test_client().get("/healthz").status_code == 503


def test_callbacks_fill_the_page_and_follow_a_click(page_app):
    app, page = page_app
    tick = call_callback(app, page.refresh_tick, 0, None)
    assert set(tick) == {"version", "as_of"} and call_callback(app, page.refresh_tick, 1, tick) is dash.no_update
    names = list(af.FILTER_NAMES)
    values = [[] for _ in names]
    values[names.index("sources")] = ["public"]
    filters = call_callback(app, page.collect_filters, None, None, values, None,
                            inputs_list=[None, None, [_prop(ids.an_filter(n), "value") for n in names]])
    assert filters["sources"] == ["public"] and filters["villages"] is None

    figure = call_callback(app, page.update_categories, tick, filters, {}, "zh")
    first = figure.data[0].customdata[-1]                     # the top sub-category (drawn on top)
    click = {"points": [{"customdata": list(first)}]}
    graph_inputs = [click if graph == ids.AN_CATEGORIES else None for graph in page.GRAPHS.values()]
    out = call_callback(app, page.cross_filter, *graph_inputs, [], 0, {}, "none", "zh",
                        inputs_list=[*[_prop(g, "clickData") for g in page.GRAPHS.values()], [], None],
                        triggered=_trigger(ids.AN_CATEGORIES, "clickData", click))
    selection = out[0]
    assert selection == {"category": {"value": first[0], "label": first[1]}}
    assert all(v is None for v in out[1:])                     # clickData reset: the same bar can toggle
    chips = call_callback(app, page.render_chips, selection, "zh")
    chip_text = json.dumps([c.to_plotly_json() for c in chips], default=str, ensure_ascii=False)
    assert first[1] in chip_text and "小类" in chip_text

    plain = call_callback(app, page.update_sources, tick, filters, {}, "zh")
    narrowed = call_callback(app, page.update_sources, tick, filters, selection, "zh")
    assert sum(narrowed.data[0].x) < sum(plain.data[0].x)
    summary, as_of, note = call_callback(app, page.update_summary, tick, filters, selection, "zh")
    assert summary.startswith(filters["from"]) and as_of.startswith("数据时间") and note is None
    rows, note = call_callback(app, page.update_indicators, tick, filters, selection, "category", "zh")
    assert {r["group"] for r in rows} == {first[1]} and note is None
    rows, note = call_callback(app, page.update_ranking, tick, filters, selection, "zh")
    assert rows and "环比" in note
    for fn, extra in ((page.update_trend, ("week", "major")), (page.update_heatmap, ()),
                      (page.update_departments, ()), (page.update_handling, ("department",)),
                      (page.update_satisfaction, ("month",))):
        assert isinstance(call_callback(app, fn, tick, filters, selection, *extra, "en"), go.Figure)
    figure, cells = call_callback(app, page.draw_map, "zh", filters)
    assert isinstance(call_callback(app, page.recolour_map, cells, tick, filters, selection, "zh"), dash.Patch)

    chip = ids.an_chip_clear("category")
    cleared = call_callback(app, page.cross_filter, *[None] * len(page.GRAPHS), [1], 0, selection, "none", "zh",
                            inputs_list=[*[_prop(g, "clickData") for g in page.GRAPHS.values()],
                                         [_prop(chip, "n_clicks", 1)], None],
                            triggered=_trigger(chip, "n_clicks", 1))
    assert cleared[0] == {}


def test_export_callback_sends_a_file(page_app):
    app, page = page_app
    tick = call_callback(app, page.refresh_tick, 0, None)
    button = ids.an_export("ranking", "xlsx")
    sent = call_callback(app, page.export, [1], tick, None, {}, "township", "zh",
                         inputs_list=[[_prop(button, "n_clicks", 1)]], triggered=_trigger(button, "n_clicks", 1))
    assert sent["filename"].startswith("department-ranking-") and sent["filename"].endswith(".xlsx")
    assert sent["base64"] and sent["content"]
    drawn = call_callback(app, page.export, [0], tick, None, {}, "township", "zh",
                          inputs_list=[[_prop(button, "n_clicks", 0)]], triggered=_trigger(button, "n_clicks", 0))
    assert drawn is dash.no_update


def test_every_chart_offers_plotlys_own_png_download(page_app):
    """Each graph of the page keeps the mode bar's PNG button (drawn in the browser, offline),
    named after the chart."""
    app, page = page_app
    with app.server.test_request_context("/analysis"):
        act_as_admin()
        tree = page.layout(lang="zh")
    graphs = []

    def walk(node):
        if isinstance(node, dash.dcc.Graph):
            graphs.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if child is not None and hasattr(child, "to_plotly_json"):
                walk(child)
    walk(tree)
    assert len(graphs) >= 6
    for graph in graphs:
        config = graph.config
        assert config.get("displayModeBar", True) is not False, graph.id
        assert "toImage" not in config.get("modeBarButtonsToRemove", []), graph.id
        assert config.get("modeBarButtons", [["toImage"]]) and "toImage" in sum(config.get("modeBarButtons",
                                                                                            [["toImage"]]), [])
        assert config["toImageButtonOptions"] == {"format": "png", "scale": 2, "filename": graph.id}
