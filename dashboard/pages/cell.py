"""网格 — a grid cell (``/cell/<cell-code>``): the breadcrumb, the cell's code, its grid
worker (网格员) and their contact, the KPI strip over the viewer's scope ∩ the cell, the map
zoomed to the cell within its village (layers switchable), its open matters with their
lights, its 30-day history, its active warnings and the resources in it or within 500 m of it
(listed nearest first and drawn as a map layer). An unknown code, or one outside the
viewer's villages, is one and the same not-found page (HTTP 404 on a full load)."""
from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from dashboard.components.ids import drill as ids
from dashboard.components.panel import panel
from dashboard.context import app_context, current_user, viewer_scope
from dashboard.i18n import t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.pages import drill_callbacks, drill_layout  # noqa: F401 (drill_callbacks: the page's callbacks)
from dashboard.views import drill, drill_resources
from dashboard.views.common import GRAPH_CONFIG


def page_title(code: str | None = None, **_query: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('drill.page.cell', lang)} {code or ''}".strip()


dash.register_page(__name__, path_template="/cell/<code>", name="网格", title=page_title, order=11)


def _worker(cell: drill.Cell, lang: str) -> html.Div:
    if not cell.worker_name:
        return html.Div(t("drill.cell.worker_none", lang), className="drill-worker drill-worker-none")
    return html.Div(
        [html.Span(t("drill.cell.worker", lang), className="drill-worker-label"),
         html.Span(cell.worker_name, className="drill-worker-name"),
         html.Span(t("drill.cell.phone", lang), className="drill-worker-label"),
         html.A(cell.worker_phone, href=f"tel:{cell.worker_phone}", className="drill-worker-phone")
         if cell.worker_phone else None],
        className="drill-worker",
    )


def layout(code: str | None = None, lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    if current_user() is None:         # Dash's validation layout at start-up: every id, no data
        return _page(drill.Cell(0, "", "", 0, "", "", "", ""), drill.Village(0, "", "", 0), lang)
    reader, scope = app_context().reader, viewer_scope()
    cell = drill.find_cell(reader, scope, code)
    village = drill.find_village(reader, scope, cell.village_code) if cell else None
    if cell is None or village is None:
        return drill_layout.not_found("cell", lang, code=str(code or "")[:40])
    return _page(cell, village, lang)


def _page(cell: drill.Cell, village: drill.Village, lang: str) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.TICK, data=None),
            dcc.Store(id=ids.PLACE, data={"cell": cell.code}),
            dcc.Store(id=ids.MAP_LAYERS, data=None),
            dcc.Store(id=ids.CELL_CODES, data=None),
            dcc.Interval(id=ids.INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([drill_layout.breadcrumb(drill.breadcrumb(lang, village=village, cell=cell), lang),
                      html.Div(t("asof.waiting", lang), id=ids.AS_OF, className="as-of")], className="toolbar"),
            html.Div([html.H1(cell.name, className="page-title"),
                      html.Span(t("drill.cell.code", lang, code=cell.code, village=cell.village_name),
                                className="drill-code"),
                      _worker(cell, lang)], className="drill-head"),
            drill_layout.kpi_row(lang),
            html.Div(
                [panel(t("drill.map.title", lang),
                       dcc.Graph(id=ids.MAP, config={**GRAPH_CONFIG, "scrollZoom": True}, className="map-graph",
                                 style={"height": "420px"}),
                       subtitle=t("drill.map.subtitle", lang),
                       tools=drill_layout.layer_switch(lang, extra=(drill_resources.RESOURCE_LAYER,)),
                       class_name="panel-map"),
                 panel(t("drill.warnings.title", lang), html.Div(id=ids.WARNINGS, className="drill-scroll"),
                       subtitle=t("drill.warnings.subtitle", lang), class_name="panel-warnings")],
                className="panel-row",
            ),
            html.Div(
                [panel(t("drill.open.title", lang), html.Div(id=ids.OPEN_LIST, className="drill-scroll"),
                       subtitle=t("drill.open.subtitle", lang), class_name="panel-table"),
                 panel(t("drill.trend.title", lang), dcc.Graph(id=ids.TREND, config={**GRAPH_CONFIG,
                                                                                     "displayModeBar": False}),
                       subtitle=t("drill.trend.subtitle", lang), class_name="panel-trend")],
                className="panel-row",
            ),
            html.Div(panel(t("drill.res.title", lang), html.Div(id=ids.RES_LIST, className="drill-scroll"),
                           subtitle=t("drill.res.cell_subtitle", lang), class_name="panel-resources"),
                     id=ids.RESOURCES, className="drill-resources panel-row"),
        ],
        className="drill-page cell-page", lang="en" if lang == "en" else "zh-CN",
        **{"data-cell": cell.code},
    )
