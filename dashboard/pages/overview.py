"""态势总览 — the overview: KPI tiles, the grid map, department workload and the open
matters, all obeying one filter bar and refreshed together.

Refreshing: an Interval asks for the data version every ``refresh_interval_s``; the
``TICK`` store changes only when the data or the minute change, and every panel listens
to it, so an idle township costs one tiny query per refresh. The map's geometry is drawn
once per page (``draw_map``); later changes recolour it with a ``Patch``.

Drilling down: a click on a cell of the map opens its village (``/area/<code>``), a row of
the table its matter (``/matter/<id>``); the filters and the map's view live in the query
string (written by ``assets/drill.js``, read back by ``layout``), so back returns to them and
a filtered view is a link.
"""
from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)

from dashboard import clock
from dashboard.components import timecontrol
from dashboard.components.ids import overview as ids
from dashboard.components.ids import playback as pb_ids
from dashboard.components.light import grid_cell_class_rules, light_legend
from dashboard.components.panel import notice, panel
from dashboard.context import app_context, current_user, viewer_scope
from dashboard.i18n import grid_locale, t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.pages.drill_layout import breadcrumb
from dashboard.pages.overview_layout import filter_bar, kpi_row
from dashboard.views import common, drill, geo_export, playback
from dashboard.views import overview as panels
from layers.focus import layer_visibility


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


def layout(lang: str | None = None, at: str | None = None, **query: Any) -> html.Div:
    lang = page_language(lang)
    initial = drill.filters_from_query(query)       # a shared or bookmarked filtered view
    options = (panels.filter_options(app_context().reader, viewer_scope(), lang)
               if initial.active and current_user() is not None else None)
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
            dcc.Store(id=ids.FILTERS, data=initial.to_data()),
            dcc.Store(id=ids.MAP_CELLS, data=None),
            dcc.Store(id=ids.MAP_VIEW, data=drill.map_view(query.get("view"))),
            dcc.Store(id=ids.URL_STATE, data=None),
            dcc.Store(id=ids.MAP_LAYERS, data=None),
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            dcc.Interval(id=ids.INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([filter_bar(lang, initial.to_data(), options),
                      html.Div(t("asof.waiting", lang), id=ids.AS_OF, className="as-of")],
                     className="toolbar"),
            breadcrumb(drill.breadcrumb(lang), lang),
            timecontrol.control(lang, at),
            html.Div(id=ids.NOTICE),
            kpi_row(lang),
            html.Div(
                [
                    panel(t("map.title", lang),
                          dcc.Graph(id=ids.MAP, config=common.graph_config(ids.MAP), className="map-graph",
                                    style={"height": "480px"}),
                          tools=html.Span([dcc.RadioItems(id=ids.MAP_METRIC, options=metric_options, value="open",
                                                          inline=True, className="metric-switch"),
                                           dcc.Checklist(id=ids.LAYER_SWITCH,
                                                         value=list(drill.OVERVIEW_DEFAULT_LAYERS),
                                                         inline=True, className="layer-switch",
                                                         options=[{"label": t(f"drill.layer.{layer}", lang),
                                                                   "value": layer} for layer in drill.LAYERS]),
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


def _view(tick: dict | None, filters: dict | None, at: str | None = None) -> panels.View:
    settings, reader = _config()
    past = playback.parse_at(at, clock.now())
    return panels.View(scope=tuple(viewer_scope()),
                       now=past or common.as_of_from_tick(tick, clock.now()),
                       yellow_share=settings.yellow_fraction,
                       filters=panels.Filters.from_data(filters))


def _reader(at: str | None):
    """The live reader, or while the time control shows a past instant, the board then."""
    settings, reader = _config()
    past = playback.parse_at(at, clock.now())
    return reader if past is None else playback.PlaybackReader(reader, past, settings.yellow_fraction)


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
    Input(pb_ids.AT, "data"),
)
def update_kpis(tick: dict | None, filters: dict | None, lang: str, at: str | None = None):
    reader = _reader(at)
    view = _view(tick, filters, at)
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


@callback(Output(ids.MAP, "figure"), Output(ids.MAP_CELLS, "data"), Input(ids.LANG, "data"),
          State(ids.MAP_VIEW, "data"))
def draw_map(lang: str, asked_view: dict | None = None):
    settings, reader = _config()
    view = _view(None, None)
    figure, cell_ids = panels.map_figure(reader, view, lang, metric="open", tile_url=settings.map_tile_url,
                                         tile_attribution=settings.map_tile_attribution)
    if asked_view:                                  # the centre and zoom the URL asked for
        figure.update_layout(map={"center": asked_view["center"], "zoom": asked_view["zoom"]})
    return figure, cell_ids


@callback(
    Output(ids.MAP, "figure", allow_duplicate=True),
    Input(ids.MAP_CELLS, "data"),
    Input(ids.TICK, "data"),
    Input(ids.FILTERS, "data"),
    Input(ids.MAP_METRIC, "value"),
    State(ids.LANG, "data"),
    Input(pb_ids.AT, "data"),
    prevent_initial_call=True,
)
def recolour_map(cell_ids: list | None, tick: dict | None, filters: dict | None, metric: str, lang: str,
                 at: str | None = None):
    if cell_ids is None:
        return no_update
    return common.map_patch(panels.map_colouring(_reader(at), _view(tick, filters, at), metric, lang, cell_ids))


@callback(Output(ids.DEPT_CHART, "figure"), Input(ids.TICK, "data"), Input(ids.FILTERS, "data"),
          State(ids.LANG, "data"), Input(pb_ids.AT, "data"))
def update_departments(tick: dict | None, filters: dict | None, lang: str, at: str | None = None):
    return panels.department_figure(_reader(at), _view(tick, filters, at), lang)


@callback(Output(ids.TABLE, "rowData"), Input(ids.TICK, "data"), Input(ids.FILTERS, "data"),
          State(ids.LANG, "data"), Input(pb_ids.AT, "data"))
def update_table(tick: dict | None, filters: dict | None, lang: str, at: str | None = None):
    return panels.open_matter_rows(_reader(at), _view(tick, filters, at), lang,
                                   common.day_minutes(app_context().store, clock.now()))



# -- drilling down and sharing ----------------------------------------------------------------
clientside_callback(ClientsideFunction(namespace="drill", function_name="writeOverviewState"),
                    Output(ids.URL_STATE, "data"), Input(ids.FILTERS, "data"), Input(ids.MAP, "relayoutData"))


@callback(Output(ids.NAV, "href"), Input(ids.MAP, "clickData"), Input(ids.TABLE, "cellClicked"),
          State(ids.LANG, "data"), prevent_initial_call=True)
def go_down(click: dict | None, cell: dict | None, lang: str):
    """A cell on the map opens its village (/area/<code>), a row of the table its matter."""
    if ctx.triggered_id == ids.TABLE:
        number = drill.matter_number((cell or {}).get("rowId"))
        return drill.matter_href(number, lang) if number is not None else no_update
    codes = drill.cell_codes(app_context().reader, viewer_scope())
    return drill.click_target(click, codes, lang, level="township") or no_update


@callback(Output(ids.MAP, "figure", allow_duplicate=True), Output(ids.MAP_LAYERS, "data"),
          Input(ids.MAP_CELLS, "data"), Input(ids.LAYER_SWITCH, "value"), Input(ids.TICK, "data"),
          Input(ids.FILTERS, "data"), State(ids.MAP_LAYERS, "data"), State(ids.LANG, "data"),
          prevent_initial_call=True)
def switch_layers(cell_ids: list | None, shown: list | None, tick: dict | None, filters: dict | None,
                  layers: list | None, lang: str):
    """The map's layers on and off. The heat, hot-cell and point layers join the figure when
    first switched on (a redrawn map starts without them), then follow the data and filters."""
    if cell_ids is None:
        return no_update, no_update
    shown = shown or []
    if ctx.triggered_id == ids.MAP_CELLS:
        layers = None                               # draw_map drew a fresh figure
    extra_on = {"heat", "hot", "points"} & set(shown)
    if ctx.triggered_id in (ids.TICK, ids.FILTERS) and (layers is None or not {"heat", "points"} & extra_on):
        return no_update, no_update                 # nothing on the map follows the data: no request body
    if ctx.triggered_id == ids.MAP_CELLS and not extra_on and set(drill.OVERVIEW_DEFAULT_LAYERS) <= set(shown):
        return no_update, None                      # the fresh figure is what the switches show
    patch = Patch()
    extra = [layer for layer in drill.EXTRA_LAYERS if layer in shown]
    if layers is None and extra:
        _, reader = _config()
        patch["data"].extend(drill.overview_extra_traces(reader, _view(tick, filters), lang, cell_ids))
        layers = [*drill.BASE_LAYERS, "heat", "hot", *["points"] * len(drill.POINT_LIGHTS)]
    elif layers is not None and ctx.triggered_id in (ids.TICK, ids.FILTERS) and {"heat", "points"} & set(shown):
        _, reader = _config()
        heat, points = drill.overview_point_updates(reader, _view(tick, filters), lang)
        for key, value in heat.items():
            patch["data"][layers.index("heat")][key] = value
        for i, update in zip([i for i, layer in enumerate(layers) if layer == "points"], points):
            for key, value in update.items():
                patch["data"][i][key] = value
    for i, visible in enumerate(layer_visibility(layers or list(drill.BASE_LAYERS), shown)):
        patch["data"][i]["visible"] = visible
    # the points' legend names each light (offline maps draw no text on the map itself)
    patch["layout"]["showlegend"] = layers is not None and "points" in shown
    patch["layout"]["legend"] = {"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.85)"}
    return patch, layers
