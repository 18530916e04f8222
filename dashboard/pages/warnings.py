"""预测预警 — the active warnings: a KPI strip by severity and method, the list with each
warning's reason (method, observed, expected, threshold, statistic, window, what it
concerns), its drill-down link and an acknowledge button, and the map of Gi* hot cells at
90 / 95 / 99 %.

Refreshing: the page's Interval (every ``refresh_interval_s``) first lets the stored
warnings be re-evaluated when they are older than ``warnings.refresh_interval_s`` (60 s by
default; one refresh at a time per server, however many pages tick), then moves
``WN_TICK`` when the data version (which a refresh or an acknowledgement bumps) or the
minute changed; the panels listen to ``WN_TICK``.
"""
from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import auditing, clock
from dashboard.components.dropdown import dropdown_labels
from dashboard.components.export import export_buttons
from dashboard.components.ids import warnings as ids
from dashboard.components.panel import panel
from dashboard.context import actor_name, app_context, current_user, viewer_scope
from dashboard.export import export_file
from dashboard.i18n import t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.pages import warnings_layout
from dashboard.pages.warnings_forecast import forecast_panel
from dashboard.views import common
from dashboard.views import warnings as wp
from queries.analysis_config import load_analysis_config
from queries.warnings import SEVERITIES


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('wn.page', lang)}"


dash.register_page(__name__, path="/warnings", name="预测预警", title=page_title, order=3)


def _config() -> tuple[Any, Any, Any]:
    ctx = app_context()
    return ctx.settings, ctx.reader, ctx.store


def _list_controls(lang: str) -> html.Div:
    """Which warnings the list shows, and who acknowledges (remembered in this browser)."""
    families = [{"label": t(f"wn.family.{f}", lang), "value": f} for f in wp.FAMILIES]
    severities = [{"label": t(f"wn.severity.{s}", lang), "value": s} for s in SEVERITIES]

    def field(label_key: str, control: Any, name: str, for_id: str | None = None) -> html.Div:
        label = html.Label(t(label_key, lang), className="filter-label", htmlFor=for_id)
        return html.Div([label, control], className=f"filter-field wn-{name}")

    return html.Div(
        [
            field("wn.filter.families", dcc.Dropdown(id=ids.WN_FAMILIES, options=families, value=[], multi=True,
                                                     placeholder=t("filter.all", lang), labels=dropdown_labels(lang),
                                                     className="filter-dropdown"), "filter-families"),
            field("wn.filter.severities", dcc.Checklist(id=ids.WN_SEVERITIES, options=severities, value=[],
                                                        inline=True, className="wn-checklist"), "filter-severities"),
            dcc.Checklist(id=ids.WN_UNACKNOWLEDGED, value=[], inline=True, className="wn-checklist wn-unacked-only",
                          options=[{"label": t("wn.filter.unacknowledged", lang), "value": "only"}]),
            field("wn.ack.note", dcc.Input(id=ids.WN_NOTE, type="text", value="", maxLength=wp.MAX_NOTE_CHARS,
                                           placeholder=t("wn.ack.note.placeholder", lang), className="wn-input"),
                  "note", ids.WN_NOTE),
        ],
        className="filter-bar wn-filter-bar")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    config = load_analysis_config()
    metrics = [{"label": t(f"wn.hot.metric.{m}", lang), "value": m} for m in wp.HOT_METRICS]
    return html.Div(
        [
            dcc.Store(id=ids.WN_LANG, data=lang),
            dcc.Store(id=ids.WN_TICK, data=None),
            dcc.Store(id=ids.WN_MAP_CELLS, data=None),
            dcc.Interval(id=ids.WN_INTERVAL, interval=refresh_ms(), n_intervals=0),
            dcc.Download(id=ids.WN_DOWNLOAD),
            html.Div([html.H1(t("wn.page", lang), className="page-title"),
                      html.Div(t("wn.subtitle", lang, s=int(config.warnings["refresh_interval_s"])),
                               className="an-summary"),
                      html.Div(t("asof.waiting", lang), id=ids.WN_AS_OF, className="as-of")],
                     className="toolbar an-toolbar"),
            warnings_layout.warning_kpi_row(lang),
            panel(t("wn.list.title", lang),
                  html.Div([_list_controls(lang),
                            html.Div(id=ids.WN_OUTCOME, className="wn-outcome-slot", **{"aria-live": "polite"}),
                            html.Div(t("asof.waiting", lang), id=ids.WN_LIST, className="wn-list")]),
                  tools=html.Div([html.Span("", id=ids.WN_COUNT, className="panel-subtitle"),
                                  export_buttons(ids.wn_export, lang)], className="an-tools"),
                  class_name="wn-panel-list"),
            html.Div(
                [
                    panel(t("wn.hot.title", lang),
                          html.Div([dcc.Graph(id=ids.WN_MAP, config=common.graph_config(ids.WN_MAP, scrollZoom=True),
                                              className="wn-map-graph", style={"height": "440px"}),
                                    html.Div("", id=ids.WN_HOT_SUMMARY, className="wn-hot-summary")]),
                          tools=dcc.RadioItems(id=ids.WN_HOT_METRIC, value=wp.default_hot_metric(config),
                                               inline=True, options=metrics,
                                               className="metric-switch an-switch"),
                          subtitle=t("wn.hot.subtitle", lang), class_name="wn-panel-map"),
                    panel(t("wn.hot.cells.title", lang), html.Div(id=ids.WN_HOT_TABLE, className="wn-hot-table"),
                          subtitle=t("wn.hot.cells.subtitle", lang), class_name="wn-panel-hot-cells"),
                ],
                className="wn-columns",
            ),
            forecast_panel(lang),
        ],
        className="warnings-page",
        lang="en" if lang == "en" else "zh-CN",
    )


def _minutes_per_day() -> int:
    return common.day_minutes(app_context().store, clock.now())


@callback(Output(ids.WN_TICK, "data"), Input(ids.WN_INTERVAL, "n_intervals"), State(ids.WN_TICK, "data"))
def refresh_tick(_n: int, current: dict | None):
    """Re-evaluate the warnings when stale (never more than one refresh at a time), then
    move the tick if the data or the minute changed."""
    settings, reader, store = _config()
    wp.ensure_fresh(store, clock.now(), app_context().warnings_lock, config=load_analysis_config(),
                    yellow_share=settings.yellow_fraction)
    latest = common.tick(reader, clock.now())
    return no_update if latest == current else latest


@callback(Output(ids.wn_kpi_value(ALL), "children"), Output(ids.wn_kpi_detail(ALL), "children"),
          Output(ids.WN_AS_OF, "children"), Input(ids.WN_TICK, "data"), State(ids.WN_LANG, "data"))
def update_kpis(tick: dict | None, lang: str):
    _, reader, store = _config()
    values = wp.kpi_values(wp.active_frame(reader, viewer_scope()), lang)
    keys = [item["id"]["key"] for item in ctx.outputs_list[0]]
    now = common.as_of_from_tick(tick, clock.now())
    refreshed = store.meta("warnings_refreshed_at")
    as_of = common.as_of_text(now, lang) + (" · " + t("wn.refreshed", lang, time=refreshed[11:16])
                                              if refreshed else "")
    return [values[k][0] for k in keys], [values[k][1] for k in keys], as_of


@callback(Output(ids.WN_LIST, "children"), Output(ids.WN_COUNT, "children"),
          Input(ids.WN_TICK, "data"), Input(ids.WN_FAMILIES, "value"), Input(ids.WN_SEVERITIES, "value"),
          Input(ids.WN_UNACKNOWLEDGED, "value"), State(ids.WN_LANG, "data"))
def update_list(_tick: dict | None, families: list, severities: list, unacknowledged: list, lang: str):
    _, reader, _store = _config()
    filters = wp.ListFilters.from_values(families, severities, "only" in (unacknowledged or []))
    frame = wp.active_frame(reader, viewer_scope(), filters)
    rows = wp.warning_rows(frame.head(wp.LIST_LIMIT), lang, _minutes_per_day())
    count = t("wn.list.count", lang, shown=len(rows), total=len(frame))
    return warnings_layout.warning_table(rows, lang), count


@callback(Output(ids.WN_OUTCOME, "children"), Output(ids.WN_TICK, "data", allow_duplicate=True),
          Input(ids.wn_ack(ALL), "n_clicks"), State(ids.WN_NOTE, "value"),
          State(ids.WN_LANG, "data"),
          running=[(Output(ids.WN_LIST, "className"), "wn-list is-busy", "wn-list")],
          prevent_initial_call=True)
def acknowledge(_clicks: list, note: str | None, lang: str):
    """Acknowledge the warning whose button was clicked (who: the signed-in user, and when,
    as an event); the list refreshes at once."""
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if button is None:
        return no_update, no_update
    _, reader, store = _config()
    outcome = wp.acknowledge(store, button["key"], actor_name(), note, clock.now(), lang, by=current_user(),
                           scope=viewer_scope())
    tick = common.tick(reader, clock.now()) if outcome.kind in ("done", "not_found") else no_update
    return warnings_layout.outcome_view(outcome.kind, outcome.message), tick


@callback(Output(ids.WN_MAP, "figure"), Output(ids.WN_MAP_CELLS, "data"), Input(ids.WN_LANG, "data"),
          State(ids.WN_HOT_METRIC, "value"))
def draw_map(lang: str, metric: str):
    settings, reader, _store = _config()
    scope = viewer_scope()
    frame = wp.hotspot_frame(reader, load_analysis_config(), common.as_of_from_tick(None, clock.now()), scope,
                             metric)
    return wp.hotspot_figure(reader, frame, scope, lang, tile_url=settings.map_tile_url,
                             tile_attribution=settings.map_tile_attribution)


@callback(Output(ids.WN_MAP, "figure", allow_duplicate=True), Output(ids.WN_HOT_SUMMARY, "children"),
          Output(ids.WN_HOT_TABLE, "children"),
          Input(ids.WN_MAP_CELLS, "data"), Input(ids.WN_TICK, "data"), Input(ids.WN_HOT_METRIC, "value"),
          State(ids.WN_LANG, "data"), prevent_initial_call=True)
def recolour_map(cell_ids: list | None, tick: dict | None, metric: str, lang: str):
    if cell_ids is None:
        return no_update, no_update, no_update
    _, reader, _store = _config()
    config = load_analysis_config()
    scope = viewer_scope()
    frame = wp.hotspot_frame(reader, config, common.as_of_from_tick(tick, clock.now()), scope, metric)
    return (common.map_patch(wp.hotspot_colouring_for(frame, cell_ids, lang)),
            wp.hotspot_summary(frame, cell_ids, metric, int(config.warnings["gi_window_days"]), lang),
            warnings_layout.hot_cell_table(wp.hot_cell_rows(reader, frame, scope, lang), lang))


@callback(Output(ids.WN_DOWNLOAD, "data"), Input(ids.wn_export(ALL), "n_clicks"),
          State(ids.WN_FAMILIES, "value"), State(ids.WN_SEVERITIES, "value"), State(ids.WN_UNACKNOWLEDGED, "value"),
          State(ids.WN_LANG, "data"), prevent_initial_call=True)
def export(_clicks: list, families: list, severities: list, unacknowledged: list, lang: str):
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if button is None:
        return no_update
    _, reader, _store = _config()
    filters = wp.ListFilters.from_values(families, severities, "only" in (unacknowledged or []))
    rows = wp.warning_rows(wp.active_frame(reader, viewer_scope(), filters), lang, _minutes_per_day())
    content, filename = export_file(wp.export_columns(lang), rows, button["format"],
                                    name=f"warnings-{clock.now():%Y%m%d-%H%M}", sheet=t("wn.page", lang))
    auditing.note("export", target=filename, detail=f"{len(rows)} warnings")
    return dcc.send_bytes(content, filename)
