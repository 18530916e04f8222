"""大屏 — the big screen for the leaders' room (``/screen``, also ``/screen?kiosk=TOKEN``).

A fixed 1920×1080 canvas that ``assets/screen.js`` scales with one CSS transform to fill
any screen (a 3840×2160 wall too) without distortion or scrollbars; dark, for a dim room.
The live clock is the browser's (screen.js); the data time is the server's (the tick).

Refreshing: one Interval polls; the server answers every poll on ``BEAT`` (the connection
light in screen.js turns red when the answers stop) and changes ``TICK`` only when the data
or the minute changed, so idle data cost one tiny query a poll. Panels listen to ``TICK``;
the map's geometry is drawn once and later recoloured with a ``Patch``; the other panels
replace only their own children, so nothing flickers and the page never reloads.
"""
from __future__ import annotations

from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from dashboard import clock
from dashboard.components.ids import screen as ids
from dashboard.context import app_context, viewer_department, viewer_scope
from dashboard.i18n import t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.views import common
from dashboard.views import screen as panels
from queries.analysis_config import load_analysis_config


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('scr.page', lang)}"


dash.register_page(__name__, path="/screen", name="大屏", title=page_title, order=90)

LIGHT_ICONS = panels.LIGHT_ICONS


def _settings():
    return app_context().settings


def _panel(title: str, body: Any, class_name: str, extra: Any = None) -> html.Section:
    return html.Section([html.H2(title, className="scr-panel-title"), *([extra] if extra else []), body],
                        className=f"scr-panel {class_name}")


def _kpi(key: str, lang: str) -> html.Div:
    tone = {"overdue": "red", "due_soon": "yellow"}.get(key, "neutral")
    icon = {"overdue": LIGHT_ICONS["red"], "due_soon": LIGHT_ICONS["yellow"]}.get(key)
    label = [html.Span(icon, className="scr-kpi-icon", **{"aria-hidden": "true"}), t(f"scr.kpi.{key}", lang)] \
        if icon else [t(f"scr.kpi.{key}", lang)]
    return html.Div([html.Div(label, className="scr-kpi-label"),
                     html.Div("—", id=ids.kpi_value(key), className="scr-kpi-value"),
                     html.Div("", id=ids.kpi_detail(key), className="scr-kpi-detail")],
                    className=f"scr-kpi scr-kpi-{tone}")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    settings = _settings()
    graph = {"displayModeBar": False, "responsive": False, "staticPlot": False}
    canvas = html.Div(
        [
            html.Header([
                html.H1(t("scr.title", lang), id=ids.TITLE, className="scr-title"),
                html.Div([
                    html.Span("", id=ids.DATE, className="scr-date"),
                    html.Span("--:--:--", id=ids.CLOCK, className="scr-clock", title=t("scr.clock", lang)),
                    html.Span(t("scr.waiting", lang), id=ids.AS_OF, className="scr-as-of"),
                    html.Span([html.Span("●", className="scr-conn-icon", **{"aria-hidden": "true"}),
                               html.Span(t("scr.waiting", lang), className="scr-conn-text")],
                              id=ids.CONN, className="scr-conn scr-conn-wait", role="status",
                              **{"data-ok": t("scr.conn.ok", lang), "data-lost": t("scr.conn.lost", lang),
                                 "data-stale-ms": str(int(settings.screen_stale_s * 1000))}),
                ], className="scr-header-right"),
            ], className="scr-header"),
            html.Div([_kpi(key, lang) for key in panels.SCREEN_KPIS], className="scr-kpis"),
            html.Div([
                html.Div([
                    _panel(t("scr.ranking.title", lang), html.Div(id=ids.RANKING), "scr-ranking"),
                    _panel(t("scr.sources.title", lang),
                           dcc.Graph(id=ids.SOURCES, config=graph, style={"height": "260px"}), "scr-sources"),
                ], className="scr-col scr-col-left scr-rotating"),
                _panel(t("scr.map.title", lang),
                       dcc.Graph(id=ids.MAP, config=graph, className="scr-map",
                                 style={"height": f"{panels.MAP_SIZE[1]}px", "width": f"{panels.MAP_SIZE[0]}px"}),
                       "scr-map-panel", html.Div(t("scr.map.legend", lang), className="scr-map-legend")),
                html.Div([
                    _panel(t("scr.alerts.title", lang), html.Ul(id=ids.ALERTS, className="scr-alerts"),
                           "scr-alert-panel"),
                    _panel(t("scr.ticker.title", lang),
                           html.Div(html.Ul(id=ids.TICKER, className="scr-ticker"), className="scr-ticker-window"),
                           "scr-ticker-panel"),
                    _panel(t("scr.trend.title", lang),
                           html.Figure([dcc.Graph(id=ids.TREND, config=graph, style={"height": "240px"}),
                                        html.Figcaption(id=ids.TREND_ALT, className="scr-sr-only")]),
                           "scr-trend"),
                ], className="scr-col scr-col-right"),
            ], className="scr-body"),
        ],
        id=ids.CANVAS, className="screen-canvas",
    )
    return html.Div(
        [dcc.Store(id=ids.LANG, data=lang), dcc.Store(id=ids.TICK, data=None), dcc.Store(id=ids.BEAT, data=None),
         dcc.Store(id=ids.BEAT_SEEN, data=None), dcc.Store(id=ids.MAP_CELLS, data=None),
         dcc.Interval(id=ids.INTERVAL, interval=refresh_ms(), n_intervals=0),
         html.Div(id=ids.ROTATE, className="scr-hidden",
                  **{"data-rotate-ms": str(int(settings.screen_rotate_s * 1000))}),
         canvas],
        id=ids.VIEWPORT, className="screen-viewport", lang="en" if lang == "en" else "zh-CN",
    )


# -- polling ---------------------------------------------------------------------------------
@callback(Output(ids.BEAT, "data"), Output(ids.TICK, "data"), Input(ids.INTERVAL, "n_intervals"),
          State(ids.TICK, "data"))
def poll(n: int, current: dict | None):
    reader = app_context().reader
    now = clock.now()
    latest = common.tick(reader, now)
    return {"n": n, "served": now.isoformat(timespec="seconds")}, (no_update if latest == current else latest)


clientside_callback(ClientsideFunction(namespace="townshipScreen", function_name="beat"),
                    Output(ids.BEAT_SEEN, "data"), Input(ids.BEAT, "data"))


def _now(tick: dict | None):
    return common.as_of_from_tick(tick, clock.now())


@callback(Output(ids.TITLE, "children"), Output(ids.DATE, "children"), Output(ids.AS_OF, "children"),
          Input(ids.TICK, "data"), State(ids.LANG, "data"), prevent_initial_call=True)
def header(tick: dict | None, lang: str):
    now = _now(tick)
    name = panels.township_name(app_context().reader, viewer_scope(), lang)
    day = now.strftime("%Y年%m月%d日") if lang == "zh" else now.strftime("%Y-%m-%d")
    return (f"{name} · {t('scr.title', lang)}", day, t("scr.as_of", lang, time=now.strftime("%H:%M")))


@callback(Output(ids.kpi_value(ALL), "children"), Output(ids.kpi_detail(ALL), "children"),
          Input(ids.TICK, "data"), State(ids.LANG, "data"), prevent_initial_call=True)
def kpis(tick: dict | None, lang: str):
    shown = panels.kpis(app_context().reader, viewer_scope(), _now(tick), _settings().yellow_fraction, lang)
    keys = [item["id"]["key"] for item in ctx.outputs_list[0]]
    return [shown[k][0] for k in keys], [shown[k][1] for k in keys]


@callback(Output(ids.MAP, "figure"), Output(ids.MAP_CELLS, "data"), Input(ids.LANG, "data"))
def draw_map(lang: str):
    s = _settings()
    return panels.map_figure(app_context().reader, load_analysis_config(), viewer_scope(), clock.now(),
                             s.yellow_fraction, lang, tile_url=s.map_tile_url, tile_attribution=s.map_tile_attribution)


@callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.TICK, "data"), State(ids.MAP_CELLS, "data"),
          State(ids.LANG, "data"), prevent_initial_call=True)
def recolour_map(tick: dict | None, cell_ids: list | None, lang: str):
    if cell_ids is None:
        return no_update
    update = panels.map_update(app_context().reader, load_analysis_config(), viewer_scope(), _now(tick),
                               _settings().yellow_fraction, lang, cell_ids)
    patch = dash.Patch()
    for trace, values in update.items():
        for key, value in values.items():
            patch["data"][trace][key] = value
    return patch


def _light(light: str, label: str) -> html.Span:
    return html.Span([html.Span(LIGHT_ICONS.get(light, "○"), className="scr-light-icon", **{"aria-hidden": "true"}),
                      html.Span(label, className="scr-light-text")], className=f"scr-light scr-light-{light}")


@callback(Output(ids.ALERTS, "children"), Output(ids.TICKER, "children"), Input(ids.TICK, "data"),
          State(ids.LANG, "data"), prevent_initial_call=True)
def lists(tick: dict | None, lang: str):
    reader, s, now = app_context().reader, _settings(), _now(tick)
    scope = viewer_scope()
    alerts = panels.alerts(reader, scope, now, s.yellow_fraction, lang, common.day_minutes(app_context().store, now))
    alert_items = [html.Li([_light(a["light"], a["kind"]), html.Span(a["id"], className="scr-alert-id"),
                            html.Span(a["text"], className="scr-alert-text"),
                            html.Span(a["when"], className="scr-alert-when")],
                           className="scr-alert scr-flash") for a in alerts] or [
        html.Li(t("scr.alerts.none", lang), className="scr-empty")]
    items = panels.ticker(reader, scope, now, s.yellow_fraction, lang, handled_by=viewer_department())
    rows = [html.Li([html.Span(i["at"], className="scr-tick-at"), html.Span(i["kind_label"], className="scr-tick-kind"),
                     _light(i["light"], i["light_label"]), html.Span(i["text"], className="scr-tick-text")],
                    className=f"scr-tick scr-tick-{i['kind']}") for i in items]
    if not rows:
        return alert_items, [html.Li(t("scr.ticker.none", lang), className="scr-empty")]
    # the list twice: the CSS scroll loops without a jump (the second copy is hidden from readers)
    copy = [html.Li(r.children, className=r.className, **{"aria-hidden": "true"}) for r in rows]
    return alert_items, rows + copy


@callback(Output(ids.RANKING, "children"), Output(ids.SOURCES, "figure"), Output(ids.TREND, "figure"),
          Output(ids.TREND_ALT, "children"), Input(ids.TICK, "data"), State(ids.LANG, "data"),
          prevent_initial_call=True)
def charts(tick: dict | None, lang: str):
    reader, now, scope, config = app_context().reader, _now(tick), viewer_scope(), load_analysis_config()
    rows = panels.ranking(reader, config, scope, now, lang)
    arrows = {"up": "▲", "down": "▼", "flat": "–"}
    table = html.Table([
        html.Thead(html.Tr([html.Th(t(f"scr.ranking.{c}", lang)) for c in ("rank", "dept", "score", "change")])),
        html.Tbody([html.Tr([html.Td(r["rank"]), html.Td(r["dept"]), html.Td(r["score"], className="scr-num"),
                             html.Td([html.Span(arrows[r["trend"]], **{"aria-hidden": "true"}), r["change"]],
                                     className=f"scr-num scr-change-{r['trend']}")]) for r in rows]),
    ], className="scr-table") if rows else html.P(t("scr.ranking.none", lang), className="scr-empty")
    trend, alt = panels.trend_figure(reader, config, scope, now, lang)
    return table, panels.sources_figure(reader, scope, now, lang), trend, alt
