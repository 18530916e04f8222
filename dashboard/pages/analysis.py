"""分析研判 — the analysts' page: trends, the hour-of-week heatmap, the top sub-categories,
the source mix, departments, the grid map, handling time, satisfaction, every assessment
indicator with its numerator and denominator, and the department ranking with 环比/同比.

Two layers narrow every panel: the filter bar (period, area, category tree, source,
department) and the cross-filter — a click on a bar, a heatmap square or a map cell,
shown as a chip that clears it (``dashboard/views/analysis_filters.py``). Refreshing works
as on the overview: an Interval asks for the data version; ``AN_TICK`` changes only when the
data or the minute change. A drill-down link (from ``/warnings`` or the warnings API) opens the
page with its ``village``, ``cell``, ``dept``, ``major``, ``category``, ``from`` and ``to``.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_ag_grid as dag
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import auditing, clock
from dashboard.components.dropdown import dropdown_labels
from dashboard.components.export import export_buttons
from dashboard.components.ids import analysis as ids
from dashboard.components.panel import notice, panel
from dashboard.context import app_context, viewer_scope
from dashboard.export import export_file
from dashboard.i18n import grid_locale, t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.views import analysis_charts as charts
from dashboard.views import analysis_filters as af
from dashboard.views import analysis_tables as tables
from dashboard.views import common
from queries.analysis_config import load_analysis_config


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('an.page', lang)}"


dash.register_page(__name__, path="/analysis", name="分析研判", title=page_title, order=2)

GRAPHS = {"trend": ids.AN_TREND, "heatmap": ids.AN_HEATMAP, "categories": ids.AN_CATEGORIES,
          "sources": ids.AN_SOURCES, "departments": ids.AN_DEPARTMENTS, "map": ids.AN_MAP}
GRID_THEME = {"function": "themeBalham.withParams({fontFamily: 'Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, "
                          "sans-serif', fontSize: 13, headerFontWeight: 600, accentColor: '#2f6db0', rowHeight: 30, "
                          "headerHeight: 34})"}


def _config() -> tuple[Any, Any]:
    return app_context().settings, app_context().reader


def _today() -> date:
    return clock.now().date()


# -- layout ------------------------------------------------------------------------------------
def _dropdown(name: str, options: list[dict], value: list, lang: str) -> html.Div:
    return html.Div(
        [html.Label(t(f"an.filter.{name}", lang), className="filter-label"),
         dcc.Dropdown(id=ids.an_filter(name), options=options, value=value, multi=True,
                      placeholder=t("filter.all", lang), labels=dropdown_labels(lang),
                      className="filter-dropdown", maxHeight=320)],
        className=f"filter-field an-filter-{name}")


def _radio(id_: str, options: list[tuple[str, str]], value: str) -> dcc.RadioItems:
    return dcc.RadioItems(id=id_, options=[{"label": label, "value": v} for v, label in options], value=value,
                          inline=True, className="metric-switch an-switch")


def _graph(id_: str, height: int) -> dcc.Graph:
    return dcc.Graph(id=id_, config=common.graph_config(id_, png_only=True), className="an-graph",
                     style={"minHeight": f"{height}px"})


def _grid(id_: str, columns: list[dict], lang: str, height: int) -> dag.AgGrid:
    return dag.AgGrid(
        id=id_, columnDefs=columns, rowData=[],
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 70},
        dashGridOptions={"theme": GRID_THEME, "animateRows": False, "suppressCellFocus": True,
                         "tooltipShowDelay": 300,
                         "localeText": {**grid_locale(lang), "noRowsToShow": t("an.table.empty", lang)}},
        columnSize="responsiveSizeToFit", className="an-grid", style={"height": f"{height}px", "width": "100%"})


def _export_buttons(table: str, lang: str) -> html.Div:
    return export_buttons(lambda fmt: ids.an_export(table, fmt), lang)


def crossfilter_chips(chips: list[tuple[str, str]], lang: str) -> list:
    """One chip per active cross-filter (its dimension, its value, a button that clears
    it); a hint when there is none."""
    if not chips:
        return [html.Span(t("an.chips.none", lang), className="an-chips-empty")]
    out = []
    for dim, label in chips:
        dim_label = t(f"an.dim.{dim}", lang)
        out.append(html.Span(
            [html.Span(dim_label, className="an-chip-dim"),
             html.Span(label, className="an-chip-label"),
             html.Button("×", id=ids.an_chip_clear(dim), n_clicks=0, type="button", className="an-chip-clear",
                         title=t("an.chips.clear_one", lang, dim=dim_label),
                         **{"aria-label": t("an.chips.clear_one", lang, dim=dim_label)})],
            className=f"an-chip an-chip-{dim}", **{"data-dim": dim}))
    return out


def layout(lang: str | None = None, **query: Any) -> html.Div:
    """The page; a drill-down link's parameters set the first filters. Nothing here reads
    the store (Dash builds every page's layout on the first request, health checks
    included): the options come with the first callback."""
    lang = page_language(lang)
    config = load_analysis_config()
    initial = af.initial_values(query)
    filters = af.AnalysisFilters.from_values(initial, *af.url_period(query.get("from"), query.get("to")), _today())
    grains = [(g, t(f"an.grain.{g}", lang)) for g in charts.GRAINS]
    breakdowns = [(b, t(f"an.breakdown.{b}", lang)) for b in charts.BREAKDOWNS]
    return html.Div(
        [
            dcc.Store(id=ids.AN_LANG, data=lang),
            dcc.Store(id=ids.AN_TICK, data=None),
            dcc.Store(id=ids.AN_FILTERS, data=filters.to_data()),
            dcc.Store(id=ids.AN_OPTIONS, data=None),
            dcc.Store(id=ids.AN_INITIAL, data=initial),
            dcc.Store(id=ids.AN_SELECTION, data={}),
            dcc.Store(id=ids.AN_MAP_CELLS, data=None),
            dcc.Interval(id=ids.AN_INTERVAL, interval=refresh_ms(), n_intervals=0),
            dcc.Download(id=ids.AN_DOWNLOAD),
            html.Div([html.H1(t("an.page", lang), className="page-title"),
                      html.Div("", id=ids.AN_SUMMARY, className="an-summary"),
                      html.Div(t("asof.waiting", lang), id=ids.AN_AS_OF, className="as-of")],
                     className="toolbar an-toolbar"),
            html.Div(
                [html.Div([html.Label(t("an.filter.period", lang), className="filter-label"),
                           dcc.DatePickerRange(id=ids.AN_DATES, start_date=filters.from_day.isoformat(),
                                               end_date=filters.to_day.isoformat(), display_format="YYYY-MM-DD",
                                               month_format="YYYY-MM", first_day_of_week=1,
                                               max_date_allowed=_today().isoformat(), updatemode="bothdates",
                                               minimum_nights=0, className="an-dates")],
                          className="filter-field an-filter-period"),
                 *[_dropdown(name, [], initial.get(name, []), lang) for name in af.FILTER_NAMES],
                 html.Button(t("filter.clear", lang), id=ids.AN_FILTER_CLEAR, n_clicks=0, className="filter-clear",
                             type="button")],
                className="filter-bar an-filter-bar"),
            html.Div([html.Span(t("an.chips.title", lang), className="an-chips-title"),
                      html.Div(crossfilter_chips([], lang), id=ids.AN_CHIPS, className="an-chips"),
                      html.Button(t("an.chips.clear_all", lang), id=ids.AN_CHIPS_CLEAR, n_clicks=0, type="button",
                                  className="an-chips-clear")],
                     className="an-crossfilter", **{"aria-live": "polite"}),
            html.Div(id=ids.AN_NOTICE),
            html.Div(
                [panel(t("an.trend.title", lang), _graph(ids.AN_TREND, 300), class_name="an-panel-trend",
                       tools=html.Div([_radio(ids.AN_GRAIN, grains, "day"),
                                       _radio(ids.AN_BREAKDOWN, breakdowns, "none")], className="an-tools")),
                 panel(t("an.heatmap.title", lang), _graph(ids.AN_HEATMAP, 250),
                       subtitle=t("an.click_hint", lang), class_name="an-panel-heatmap")],
                className="an-row an-row-wide"),
            html.Div(
                [panel(t("an.map.title", lang),
                       dcc.Graph(id=ids.AN_MAP, config=common.graph_config(ids.AN_MAP, scrollZoom=True),
                                 className="an-map-graph", style={"height": "420px"}),
                       subtitle=t("an.map.subtitle", lang), class_name="an-panel-map"),
                 panel(t("an.categories.title", lang), _graph(ids.AN_CATEGORIES, 300),
                       subtitle=t("an.click_hint", lang), class_name="an-panel-categories"),
                 panel(t("an.sources.title", lang), _graph(ids.AN_SOURCES, 200),
                       subtitle=t("an.click_hint", lang), class_name="an-panel-sources")],
                className="an-row an-row-three"),
            html.Div(
                [panel(t("an.departments.title", lang), _graph(ids.AN_DEPARTMENTS, 300),
                       subtitle=t("an.click_hint", lang), class_name="an-panel-departments"),
                 panel(t("an.handling.title", lang),
                       html.Div([_graph(ids.AN_HANDLING, 300),
                                 html.Div(t("an.handling.note", lang), className="an-table-note an-graph-note")]),
                       subtitle=t("an.handling.subtitle", lang), class_name="an-panel-handling",
                       tools=_radio(ids.AN_HANDLING_BY, [(g, t(f"an.breakdown.{g}", lang))
                                                         for g in charts.HANDLING_GROUPS], "major")),
                 panel(t("an.satisfaction.title", lang), _graph(ids.AN_SATISFACTION, 260),
                       subtitle=t("an.satisfaction.subtitle", lang), class_name="an-panel-satisfaction")],
                className="an-row an-row-three"),
            panel(t("an.ind.title", lang),
                  html.Div([html.Div(id=ids.AN_INDICATORS_NOTE, className="an-table-note"),
                            _grid(ids.AN_INDICATORS, tables.indicator_columns(lang), lang, 420)]),
                  subtitle=t("an.ind.subtitle", lang), class_name="an-panel-indicators",
                  tools=html.Div([
                      html.Label(t("an.ind.by", lang), className="filter-label an-inline-label"),
                      dcc.Dropdown(id=ids.AN_INDICATORS_BY, value="township", clearable=False, searchable=False,
                                   options=[{"label": t(f"an.ind.by.{g}", lang), "value": g}
                                            for g in tables.INDICATOR_GROUPS], className="an-by-dropdown"),
                      _export_buttons("indicators", lang)], className="an-tools")),
            panel(t("an.rank.title", lang),
                  html.Div([html.Div(id=ids.AN_RANKING_NOTE, className="an-table-note"),
                            _grid(ids.AN_RANKING, tables.ranking_columns(config, lang), lang, 440)]),
                  subtitle=t("an.rank.subtitle", lang), class_name="an-panel-ranking",
                  tools=_export_buttons("ranking", lang)),
        ],
        className="analysis-page",
        lang="en" if lang == "en" else "zh-CN",
    )


# -- callbacks ---------------------------------------------------------------------------------
def _view(tick: dict | None, filters: dict | None, selection: dict | None) -> af.AnalysisView:
    _, reader = _config()
    return af.AnalysisView(scope=tuple(viewer_scope()),
                           filters=af.AnalysisFilters.from_data(filters, _today()),
                           now=common.as_of_from_tick(tick, clock.now()), selection=selection or {})


@callback(Output(ids.AN_TICK, "data"), Input(ids.AN_INTERVAL, "n_intervals"), State(ids.AN_TICK, "data"))
def refresh_tick(_n: int, current: dict | None):
    _, reader = _config()
    latest = common.tick(reader, clock.now())
    return no_update if latest == current else latest


@callback(Output(ids.AN_FILTERS, "data"), Input(ids.AN_DATES, "start_date"), Input(ids.AN_DATES, "end_date"),
          Input(ids.an_filter(ALL), "value"), State(ids.AN_FILTERS, "data"))
def collect_filters(start: str | None, end: str | None, values: list, current: dict | None):
    names = [item["id"]["name"] for item in ctx.inputs_list[2]]
    data = af.AnalysisFilters.from_values(dict(zip(names, values)), start, end, _today()).to_data()
    return no_update if data == current else data


@callback(Output(ids.AN_OPTIONS, "data"), Output(ids.an_filter(ALL), "options"),
          Output(ids.an_filter(ALL), "value", allow_duplicate=True), Input(ids.AN_LANG, "data"),
          State(ids.AN_INITIAL, "data"), prevent_initial_call="initial_duplicate")
def fill_options(lang: str, initial: dict | None):
    """Every dropdown's options (kept whole, with the cells' villages and the 小类's 大类, in
    ``AN_OPTIONS``); cells and 小类 narrowed to the chosen villages and 大类. The values a
    drill-down link chose are set again with them: a Dropdown drops values it has no
    option for."""
    _, reader = _config()
    options = af.filter_options(reader, viewer_scope(), lang)
    names = [item["id"]["name"] for item in ctx.outputs_list[1]]
    shown = af.shown_options(options, initial or {})
    values = [af.prune_values((initial or {}).get(name), shown[name]) for name in names]
    return options, [shown[name] for name in names], values


@callback(Output(ids.an_filter("cells"), "options", allow_duplicate=True), Output(ids.an_filter("cells"), "value"),
          Input(ids.an_filter("villages"), "value"), State(ids.an_filter("cells"), "value"),
          State(ids.AN_OPTIONS, "data"), prevent_initial_call=True)
def narrow_cells(villages: list | None, cells: list | None, options: dict | None):
    if not options:
        return no_update, no_update
    shown = af.narrow_options(options["cells"], "village", villages)
    kept = af.prune_values(cells, shown)
    return shown, (kept if kept != (cells or []) else no_update)


@callback(Output(ids.an_filter("categories"), "options", allow_duplicate=True),
          Output(ids.an_filter("categories"), "value"),
          Input(ids.an_filter("majors"), "value"), State(ids.an_filter("categories"), "value"),
          State(ids.AN_OPTIONS, "data"), prevent_initial_call=True)
def narrow_categories(majors: list | None, categories: list | None, options: dict | None):
    if not options:
        return no_update, no_update
    shown = af.narrow_options(options["categories"], "major", majors)
    kept = af.prune_values(categories, shown)
    return shown, (kept if kept != (categories or []) else no_update)


@callback(Output(ids.an_filter(ALL), "value", allow_duplicate=True), Output(ids.AN_DATES, "start_date"),
          Output(ids.AN_DATES, "end_date"), Input(ids.AN_FILTER_CLEAR, "n_clicks"), prevent_initial_call=True)
def clear_filters(_clicks: int):
    start, end = af.default_period(_today())
    return [[] for _ in ctx.outputs_list[0]], start.isoformat(), end.isoformat()


@callback(
    Output(ids.AN_SELECTION, "data"),
    *[Output(graph, "clickData") for graph in GRAPHS.values()],
    *[Input(graph, "clickData") for graph in GRAPHS.values()],
    Input(ids.an_chip_clear(ALL), "n_clicks"),
    Input(ids.AN_CHIPS_CLEAR, "n_clicks"),
    State(ids.AN_SELECTION, "data"),
    State(ids.AN_BREAKDOWN, "value"),
    State(ids.AN_LANG, "data"),
    prevent_initial_call=True,
)
def cross_filter(*args):
    """A click on a chart selects (or, clicked again, unselects) its value; a chip's button
    clears its own, the clear-all button every one."""
    clicks = dict(zip(GRAPHS, args[:len(GRAPHS)]))
    selection, breakdown, lang = args[-3:]
    _, reader = _config()
    reset = [None] * len(GRAPHS)
    new = af.next_selection(selection, ctx.triggered_id, clicks, ctx.inputs_list[len(GRAPHS)], breakdown,
                            graph_ids=GRAPHS, clear_all_id=ids.AN_CHIPS_CLEAR,
                            label_of=lambda dim, value: af.click_label(reader, viewer_scope(), dim, value,
                                                                       lang))
    if new is None:
        return no_update, *[no_update] * len(GRAPHS)
    return new, *reset


@callback(Output(ids.AN_CHIPS, "children"), Input(ids.AN_SELECTION, "data"), State(ids.AN_LANG, "data"))
def render_chips(selection: dict | None, lang: str):
    return crossfilter_chips(af.chips(selection), lang)


@callback(Output(ids.AN_SUMMARY, "children"), Output(ids.AN_AS_OF, "children"), Output(ids.AN_NOTICE, "children"),
          Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"), Input(ids.AN_SELECTION, "data"),
          State(ids.AN_LANG, "data"))
def update_summary(tick: dict | None, filters: dict | None, selection: dict | None, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    kind = af.notice_kind(reader, view)
    note = None
    if kind == "filtered":
        note = notice(t("an.empty.filtered", lang), t("an.empty.filtered.hint", lang), kind="filtered")
    elif kind == "none":
        note = notice(t("an.empty.period", lang), kind="filtered")
    return af.summary_text(reader, view, lang), common.as_of_text(view.now, lang), note


@callback(Output(ids.AN_TREND, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), Input(ids.AN_GRAIN, "value"), Input(ids.AN_BREAKDOWN, "value"),
          State(ids.AN_LANG, "data"))
def update_trend(tick, filters, selection, grain: str, breakdown: str, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    frame = charts.trend_frame(reader, view, grain, breakdown)
    return charts.trend_figure(frame, grain, breakdown, view.selection, lang)


@callback(Output(ids.AN_HEATMAP, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), State(ids.AN_LANG, "data"))
def update_heatmap(tick, filters, selection, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    return charts.heatmap_figure(charts.heatmap_frame(reader, view), view.selection, lang)


@callback(Output(ids.AN_CATEGORIES, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), State(ids.AN_LANG, "data"))
def update_categories(tick, filters, selection, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    return charts.top_categories_figure(charts.top_categories_frame(reader, view), view.selection, lang)


@callback(Output(ids.AN_SOURCES, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), State(ids.AN_LANG, "data"))
def update_sources(tick, filters, selection, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    return charts.sources_figure(charts.sources_frame(reader, view), view.selection, lang)


@callback(Output(ids.AN_DEPARTMENTS, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), State(ids.AN_LANG, "data"))
def update_departments(tick, filters, selection, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    return charts.departments_figure(charts.departments_frame(reader, view), view.selection, lang)


@callback(Output(ids.AN_HANDLING, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), Input(ids.AN_HANDLING_BY, "value"), State(ids.AN_LANG, "data"))
def update_handling(tick, filters, selection, group_by: str, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    return charts.handling_figure(charts.handling_frame(reader, view, group_by), group_by, lang)


@callback(Output(ids.AN_SATISFACTION, "figure"), Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"),
          Input(ids.AN_SELECTION, "data"), Input(ids.AN_GRAIN, "value"), State(ids.AN_LANG, "data"))
def update_satisfaction(tick, filters, selection, grain: str, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    frame = charts.satisfaction_frame(reader, view, grain)
    return charts.satisfaction_figure(frame, grain, load_analysis_config(), lang)


@callback(Output(ids.AN_MAP, "figure"), Output(ids.AN_MAP_CELLS, "data"), Input(ids.AN_LANG, "data"),
          State(ids.AN_FILTERS, "data"))
def draw_map(lang: str, filters: dict | None):
    settings, reader = _config()
    figure, cell_ids = charts.map_figure(reader, _view(None, filters, None), lang, tile_url=settings.map_tile_url,
                                     tile_attribution=settings.map_tile_attribution)
    return figure, cell_ids


@callback(Output(ids.AN_MAP, "figure", allow_duplicate=True), Input(ids.AN_MAP_CELLS, "data"),
          Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"), Input(ids.AN_SELECTION, "data"),
          State(ids.AN_LANG, "data"), prevent_initial_call=True)
def recolour_map(cell_ids: list | None, tick, filters, selection, lang: str):
    if cell_ids is None:
        return no_update
    _, reader = _config()
    return common.map_patch(charts.map_colouring(reader, _view(tick, filters, selection), cell_ids, lang))


@callback(Output(ids.AN_INDICATORS, "rowData"), Output(ids.AN_INDICATORS_NOTE, "children"),
          Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"), Input(ids.AN_SELECTION, "data"),
          Input(ids.AN_INDICATORS_BY, "value"), State(ids.AN_LANG, "data"))
def update_indicators(tick, filters, selection, group_by: str, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    config = load_analysis_config()
    rows = tables.indicator_rows(tables.indicators_frame(reader, view, config, group_by), config, group_by, lang)
    if group_by == "township":              # one figure for the township, not per group
        rows.append(tables.suggestion_acceptance_row(reader, view, lang, rows))
    return rows, tables.week_hour_note(view.selection, lang)


@callback(Output(ids.AN_RANKING, "rowData"), Output(ids.AN_RANKING_NOTE, "children"),
          Input(ids.AN_TICK, "data"), Input(ids.AN_FILTERS, "data"), Input(ids.AN_SELECTION, "data"),
          State(ids.AN_LANG, "data"))
def update_ranking(tick, filters, selection, lang: str):
    _, reader = _config()
    view = _view(tick, filters, selection)
    config = load_analysis_config()
    frame = tables.ranking_frame(reader, view, config)
    return tables.ranking_rows(frame, config, lang), tables.ranking_note(frame, view.selection, lang)


@callback(Output(ids.AN_DOWNLOAD, "data"), Input(ids.an_export(ALL, ALL), "n_clicks"),
          State(ids.AN_TICK, "data"), State(ids.AN_FILTERS, "data"), State(ids.AN_SELECTION, "data"),
          State(ids.AN_INDICATORS_BY, "value"), State(ids.AN_LANG, "data"), prevent_initial_call=True)
def export(_clicks: list, tick, filters, selection, group_by: str, lang: str):
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if button is None:
        return no_update
    _, reader = _config()
    columns, rows, stem = tables.export_table(reader, _view(tick, filters, selection), load_analysis_config(),
                                          button["table"], lang, group_by=group_by)
    content, filename = export_file(columns, rows, button["format"], name=stem,
                                    sheet=t(f"an.export.sheet.{button['table']}", lang))
    auditing.note("export", target=filename, detail=f"{button['table']}: {len(rows)} rows")
    return dcc.send_bytes(content, filename)
