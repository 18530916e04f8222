"""村/社区 — a village or community (``/area/<village-code>``): the breadcrumb, the KPI strip
over the viewer's scope ∩ the village, its cells on a map zoomed to them (layers switchable;
a click on a cell opens the cell, on a point the matter), its department workload, its open
matters, its 30-day history and its cells with their grid workers. An unknown code, or one
outside the viewer's villages, is one and the same not-found page (HTTP 404 on a full load,
``dashboard/drill_routes.py``)."""
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
from dashboard.views import drill
from dashboard.views.common import GRAPH_CONFIG


def page_title(code: str | None = None, **_query: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('drill.page.area', lang)} {code or ''}".strip()


dash.register_page(__name__, path_template="/area/<code>", name="村/社区", title=page_title, order=10)


def layout(code: str | None = None, lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    if current_user() is None:         # Dash's validation layout at start-up: every id, no data
        return _page(drill.Village(0, "", "", 0), lang)
    village = drill.find_village(app_context().reader, viewer_scope(), code)
    if village is None:
        return drill_layout.not_found("area", lang, code=str(code or "")[:40])
    return _page(village, lang)


def _page(village: drill.Village, lang: str) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.NAV, refresh="callback-nav"),
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.TICK, data=None),
            dcc.Store(id=ids.PLACE, data={"village": village.code}),
            dcc.Store(id=ids.MAP_LAYERS, data=None),
            dcc.Store(id=ids.CELL_CODES, data=None),
            dcc.Interval(id=ids.INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([drill_layout.breadcrumb(drill.breadcrumb(lang, village=village), lang),
                      html.Div(t("asof.waiting", lang), id=ids.AS_OF, className="as-of")], className="toolbar"),
            html.Div([html.H1(village.name, className="page-title"),
                      html.Span(t("drill.area.code", lang, code=village.code, cells=village.cell_count),
                                className="drill-code")], className="drill-head"),
            drill_layout.kpi_row(lang),
            html.Div(
                [panel(t("drill.map.title", lang),
                       dcc.Graph(id=ids.MAP, config={**GRAPH_CONFIG, "scrollZoom": True}, className="map-graph",
                                 style={"height": "480px"}),
                       subtitle=t("drill.map.subtitle", lang), tools=drill_layout.layer_switch(lang),
                       class_name="panel-map"),
                 panel(t("drill.dept.title", lang),
                       dcc.Graph(id=ids.DEPT_CHART, config={**GRAPH_CONFIG, "displayModeBar": False}),
                       class_name="panel-dept")],
                className="panel-row",
            ),
            html.Div(
                [panel(t("drill.trend.title", lang), dcc.Graph(id=ids.TREND, config={**GRAPH_CONFIG,
                                                                                     "displayModeBar": False}),
                       subtitle=t("drill.trend.subtitle", lang), class_name="panel-trend"),
                 panel(t("drill.cells.title", lang), html.Div(id=ids.CELL_LIST, className="drill-scroll"),
                       subtitle=t("drill.cells.subtitle", lang), class_name="panel-cells")],
                className="panel-row",
            ),
            panel(t("drill.open.title", lang), html.Div(id=ids.OPEN_LIST, className="drill-scroll"),
                  subtitle=t("drill.open.subtitle", lang), class_name="panel-table"),
        ],
        className="drill-page area-page", lang="en" if lang == "en" else "zh-CN",
        **{"data-village": village.code},
    )
