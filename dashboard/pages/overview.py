"""态势总览 — the overview: KPI tiles, the grid map, department workload and the open
matters, all obeying one filter bar and refreshed together.

Refreshing: an Interval asks for the data version every ``refresh_interval_s``; the
``TICK`` store changes only when the data or the minute change, and every panel listens
to it, so an idle township costs one tiny query per refresh. The map's geometry is drawn
once per page (``draw_map``); later changes recolour it with a ``Patch``.
"""
from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import clock
from dashboard.components.ids import overview as ids
from dashboard.components.light import grid_cell_class_rules, light_legend
from dashboard.components.panel import notice, panel
from dashboard.context import app_context, viewer_scope
from dashboard.i18n import grid_locale, t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.pages.overview_layout import filter_bar, kpi_row
from dashboard.views import common, geo_export
from dashboard.views import overview as panels


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('page.overview', lang)}"


dash.register_page(__name__, path="/", name="态势总览", title=page_title, order=0)


def _config() -> tuple[Any, Any]:
    return app_context().settings, app_context().reader


def _geojson_links(lang: str) -> html.Span:
    """Downloads of the cells and villages with their counts over the last 30 days, [from, to)."""
    start, end = geo_export.last_days_period(clock.now().date())
    help_text = t("map.download.help", lang, start=start.isoformat(), end=end.isoformat())
    return html.Span([html.A(t(f"map.download.{level}s", lang), href=geo_export.geojson_href(level, start, end),
                             download="", title=help_text, className="geojson-download")
                      for level in ("cell", "village")], className="geojson-downloads")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    metric_options = [{"label": t(f"map.metric.{m}", lang), "value": m} for m in panels.MAP_METRICS]
    grid = dag.AgGrid(
        id=ids.TABLE,
        columnDefs=panels.table_columns(lang, grid_cell_class_rules()),
        rowData=[],
        getRowId="params.data.matter_id",
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 80},
        dashGridOptions={
            "theme": {"function": "themeBalham.withParams({fontFamily: 'Noto Sans CJK SC, Noto Sans SC, "
                                  "Microsoft YaHei, sans-serif', fontSize: 13, headerFontWeight: 600, "
                                  "accentColor: '#2f6db0', rowHeight: 32, headerHeight: 34})"},
            "localeText": grid_locale(lang),
            "tooltipShowDelay": 400,
            "animateRows": False,
            "suppressCellFocus": True,
        },
        columnSize="responsiveSizeToFit",
        className="matters-grid",
        style={"height": "460px", "width": "100%"},
    )
    return html.Div(
        [
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.TICK, data=None),
            dcc.Store(id=ids.FILTERS, data=panels.Filters().to_data()),
            dcc.Store(id=ids.MAP_CELLS, data=None),
            dcc.Interval(id=ids.INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([filter_bar(lang), html.Div(t("asof.waiting", lang), id=ids.AS_OF, className="as-of")],
                     className="toolbar"),
            html.Div(id=ids.NOTICE),
            kpi_row(lang),
            html.Div(
                [
                    panel(t("map.title", lang),
                          dcc.Graph(id=ids.MAP, config=common.graph_config(ids.MAP), className="map-graph",
                                    style={"height": "480px"}),
                          tools=html.Span([dcc.RadioItems(id=ids.MAP_METRIC, options=metric_options, value="open",
                                                          inline=True, className="metric-switch"),
                                           _geojson_links(lang)]),
                          class_name="panel-map"),
                    panel(t("dept.title", lang),
                          dcc.Graph(id=ids.DEPT_CHART, config=common.graph_config(ids.DEPT_CHART, png_only=True),
                                    className="dept-graph"),
                          subtitle=t("dept.sorted", lang), class_name="panel-dept"),
                ],
                className="panel-row",
            ),
            panel(t("table.title", lang), grid,
                  subtitle=t("table.subtitle", lang, limit=panels.OPEN_MATTERS_LIMIT),
                  tools=light_legend(lang), class_name="panel-table"),
        ],
        className="overview-page",
        lang="en" if lang == "en" else "zh-CN",
    )


def _view(tick: dict | None, filters: dict | None) -> panels.View:
    settings, reader = _config()
    return panels.View(scope=tuple(viewer_scope()),
                       now=common.as_of_from_tick(tick, clock.now()),
                       yellow_share=settings.yellow_fraction,
                       filters=panels.Filters.from_data(filters))


@callback(Output(ids.TICK, "data"), Input(ids.INTERVAL, "n_intervals"), State(ids.TICK, "data"))
def refresh_tick(_n: int, current: dict | None):
    _, reader = _config()
    latest = common.tick(reader, clock.now())
    return no_update if latest == current else latest


@callback(Output(ids.FILTERS, "data"), Input(ids.filter_dropdown(ALL), "value"))
def collect_filters(values: list):
    names = [item["id"]["name"] for item in ctx.inputs_list[0]]
    return panels.Filters.from_values(dict(zip(names, values))).to_data()


@callback(Output(ids.filter_dropdown(ALL), "value"), Input(ids.FILTER_CLEAR, "n_clicks"),
          prevent_initial_call=True)
def clear_filters(_clicks: int):
    return [[] for _ in ctx.outputs_list]


@callback(Output(ids.filter_dropdown(ALL), "options"), Input(ids.LANG, "data"))
def fill_filter_options(lang: str):
    _, reader = _config()
    options = panels.filter_options(reader, viewer_scope(), lang)
    return [options[item["id"]["name"]] for item in ctx.outputs_list]


@callback(
    Output(ids.kpi_value(ALL), "children"),
    Output(ids.kpi_detail(ALL), "children"),
    Output(ids.NOTICE, "children"),
    Output(ids.AS_OF, "children"),
    Input(ids.TICK, "data"),
    Input(ids.FILTERS, "data"),
    State(ids.LANG, "data"),
)
def update_kpis(tick: dict | None, filters: dict | None, lang: str):
    _, reader = _config()
    view = _view(tick, filters)
    values = panels.kpi_values(reader, view)
    shown = panels.kpi_display(values, lang, view.yellow_share)
    keys = [item["id"]["key"] for item in ctx.outputs_list[0]]
    kind = panels.notice_kind(values, view.filters)
    note = None
    if kind == "none":
        note = notice(t("empty.none", lang), t("empty.none.hint", lang))
    elif kind == "filtered":
        note = notice(t("empty.filtered", lang), kind="filtered")
    return ([shown[k][0] for k in keys], [shown[k][1] for k in keys], note,
            common.as_of_text(view.now, lang))


@callback(Output(ids.MAP, "figure"), Output(ids.MAP_CELLS, "data"), Input(ids.LANG, "data"))
def draw_map(lang: str):
    settings, reader = _config()
    view = _view(None, None)
    figure, cell_ids = panels.map_figure(reader, view, lang, metric="open", tile_url=settings.map_tile_url,
                                         tile_attribution=settings.map_tile_attribution)
    return figure, cell_ids


@callback(
    Output(ids.MAP, "figure", allow_duplicate=True),
    Input(ids.MAP_CELLS, "data"),
    Input(ids.TICK, "data"),
    Input(ids.FILTERS, "data"),
    Input(ids.MAP_METRIC, "value"),
    State(ids.LANG, "data"),
    prevent_initial_call=True,
)
def recolour_map(cell_ids: list | None, tick: dict | None, filters: dict | None, metric: str, lang: str):
    if cell_ids is None:
        return no_update
    _, reader = _config()
    return common.map_patch(panels.map_colouring(reader, _view(tick, filters), metric, lang, cell_ids))


@callback(Output(ids.DEPT_CHART, "figure"), Input(ids.TICK, "data"), Input(ids.FILTERS, "data"),
          State(ids.LANG, "data"))
def update_departments(tick: dict | None, filters: dict | None, lang: str):
    _, reader = _config()
    return panels.department_figure(reader, _view(tick, filters), lang)


@callback(Output(ids.TABLE, "rowData"), Input(ids.TICK, "data"), Input(ids.FILTERS, "data"),
          State(ids.LANG, "data"))
def update_table(tick: dict | None, filters: dict | None, lang: str):
    _, reader = _config()
    return panels.open_matter_rows(reader, _view(tick, filters), lang,
                                   common.day_minutes(app_context().store, clock.now()))

