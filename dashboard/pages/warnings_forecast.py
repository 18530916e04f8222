"""The forecast panel of the warnings page (预测): per 大类 or per village, the fan chart of
the next 14 days with its 80 % and 95 % prediction intervals beside the last 8 weeks, the
backtest's MASE and MAPE beside seasonal naive's, and a table of every series. The data:
``dashboard/views/forecast.py`` (as ``GET /api/v1/forecasts``). Not a page: the warnings
page lays this panel out and importing it registers its callbacks."""
from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import clock
from dashboard.components.ids import warnings as ids
from dashboard.components.panel import panel
from dashboard.context import app_context, viewer_scope
from dashboard.i18n import t
from dashboard.views import common
from dashboard.views import forecast as fc
from queries.analysis_config import load_analysis_config

BY = ("major", "village")
TABLE_COLUMNS = ("name", "total", "mase", "naive_mase", "mape", "naive_mape")


def forecast_panel(lang: str) -> html.Section:
    tools = html.Div([
        dcc.RadioItems(id=ids.WN_FC_BY, value="major", inline=True, className="metric-switch an-switch",
                       options=[{"label": t(f"wn.fc.by.{b}", lang), "value": b} for b in BY]),
        dcc.Dropdown(id=ids.WN_FC_SERIES, options=[], value=None, clearable=False, className="wn-fc-series",
                     placeholder=t("wn.fc.series", lang), style={"minWidth": "220px"}),
    ], className="an-tools")
    body = html.Div([
        html.Figure([dcc.Graph(id=ids.WN_FC_CHART, config=common.GRAPH_CONFIG, style={"height": "300px"}),
                     html.Figcaption("", id=ids.WN_FC_ALT, className="wn-faint")], className="wn-fc-figure"),
        html.Div("", id=ids.WN_FC_ACCURACY, className="wn-fc-accuracy", role="note"),
        html.Div(id=ids.WN_FC_TABLE, className="wn-fc-table"),
    ])
    return panel(t("wn.fc.title", lang), body, subtitle=t("wn.fc.subtitle", lang), tools=tools,
                 class_name="wn-panel-forecast")


def _series(by: str, lang: str) -> list[fc.Series]:
    by = by if by in BY else "major"
    return fc.series_list(app_context().reader, viewer_scope(), clock.now(), load_analysis_config(), by, lang)


def _table(series: list[fc.Series], lang: str) -> html.Div:
    if not series:
        return html.Div(t("wn.fc.none", lang), className="wn-empty")

    def ratio(value) -> str:
        return "—" if value is None else f"{value:.2f}"

    def share(value) -> str:
        return "—" if value is None else f"{100 * value:.1f}%"

    head = html.Thead(html.Tr([html.Th(t(f"wn.fc.table.{c}", lang)) for c in TABLE_COLUMNS]))
    rows = []
    for s in series:
        a = s.accuracy
        better = a["mase"] is not None and a["naive_mase"] is not None and a["mase"] < a["naive_mase"]
        rows.append(html.Tr([html.Td(s.name), html.Td(fc.total_text(s, lang)),
                             html.Td(ratio(a["mase"]), className="wn-num" + (" wn-fc-better" if better else "")),
                             html.Td(ratio(a["naive_mase"]), className="wn-num"),
                             html.Td(share(a["mape"]), className="wn-num"),
                             html.Td(share(a["naive_mape"]), className="wn-num")], **{"data-key": s.key}))
    return html.Div(html.Table([head, html.Tbody(rows)], className="wn-table"), className="wn-table-wrap")


# Drawn once the warnings list is, after the first tick (the list's count line changes with it),
# so that the page's first answer, the list, never waits behind the forecast.
@callback(Output(ids.WN_FC_SERIES, "options"), Output(ids.WN_FC_SERIES, "value"), Output(ids.WN_FC_TABLE, "children"),
          Input(ids.WN_FC_BY, "value"), Input(ids.WN_COUNT, "children"), State(ids.WN_TICK, "data"),
          State(ids.WN_FC_SERIES, "value"), State(ids.WN_LANG, "data"), prevent_initial_call=True)
def list_series(by: str, _count: Any, tick: dict | None, current: str | None, lang: str):
    if tick is None:                      # the page's first look, before the warnings are evaluated
        return no_update, no_update, no_update
    series = _series(by, lang)
    options = [{"label": s.name, "value": s.key} for s in series]
    keys = [s.key for s in series]
    value = current if current in keys else (keys[0] if keys else None)
    return options, value, _table(series, lang)


@callback(Output(ids.WN_FC_CHART, "figure"), Output(ids.WN_FC_ACCURACY, "children"), Output(ids.WN_FC_ALT, "children"),
          Input(ids.WN_FC_SERIES, "value"), State(ids.WN_FC_BY, "value"), State(ids.WN_LANG, "data"))
def draw_series(key: str | None, by: str, lang: str):
    chosen = next((s for s in _series(by, lang) if s.key == key), None)
    if chosen is None:
        return fc.fan_figure(None, lang), t("wn.fc.none", lang), ""
    return fc.fan_figure(chosen, lang, height=300), fc.accuracy_text(chosen, lang), fc.alt_text(chosen, lang)
