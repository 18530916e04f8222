"""Layout pieces of the warnings page: the KPI strip, the list of active warnings with an
acknowledge button each, the hot cells' table and the outcome line. Pure builders from
the plain data that ``dashboard/views/warnings.py`` computes; no data access. (Not a page:
Dash registers only the modules here that register themselves.)"""
from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.components.ids import warnings as ids
from dashboard.i18n import t

WARNING_KPIS = (("total", "neutral"), ("unacknowledged", "accent"), ("high", "red"), ("medium", "yellow"),
                ("low", "neutral"), ("deadline", "family"), ("volume", "family"), ("drift", "family"),
                ("hotspot", "family"), ("repeat", "family"))


def warning_kpi_row(lang: str) -> html.Div:
    tiles = []
    for key, tone in WARNING_KPIS:
        tiles.append(html.Div(
            [html.Div(t(f"wn.kpi.{key}", lang), className="kpi-label"),
             html.Div("–", id=ids.wn_kpi_value(key), className="kpi-value"),
             html.Div("", id=ids.wn_kpi_detail(key), className="kpi-detail")],
            className=f"kpi-tile wn-kpi wn-kpi-{tone} wn-kpi-key-{key}" + (
                " kpi-red" if tone == "red" else " kpi-yellow" if tone == "yellow" else "")))
    return html.Div(tiles, className="wn-kpi-row")


COLUMNS = ("severity", "method", "scope", "reason", "window", "acknowledged", "actions")
REASON = ("observed", "expected", "threshold", "statistic")


def _reason(row: dict[str, Any], lang: str) -> html.Dl:
    """Observed, expected, threshold and the statistic, each named."""
    return html.Dl([item for key in REASON
                    for item in (html.Dt(t(f"wn.head.{key}", lang)), html.Dd(row[key], className=f"wn-{key}"))],
                   className="wn-reason")


def warning_table(rows: list[dict[str, Any]], lang: str) -> html.Div:
    """The active warnings, most severe first: why each was raised (method, observed,
    expected, threshold, statistic, window), what it concerns, its drill-down link and its
    acknowledge button."""
    if not rows:
        return html.Div(t("wn.list.empty", lang), className="wn-empty")
    head = html.Thead(html.Tr([html.Th(t(f"wn.head.{c}", lang), className=f"wn-col-{c}") for c in COLUMNS]))
    body = []
    for r in rows:
        acked = r["acknowledged_by"]
        body.append(html.Tr(
            [
                html.Td(html.Span(r["severity_label"], className=f"wn-sev wn-sev-{r['severity']}"),
                        className="wn-col-severity"),
                html.Td([html.Div(r["method_label"], className="wn-method"),
                         html.Div(t(f"wn.family.{r['family']}", lang), className="wn-family")],
                        className="wn-col-method"),
                html.Td(r["scope"], className="wn-col-scope"),
                html.Td(_reason(r, lang), className="wn-col-reason"),
                html.Td([html.Div(r["window"]),
                         html.Div(t("wn.seen", lang, first=r["first_seen"], last=r["last_seen"]),
                                  className="wn-faint", title=t("wn.head.seen.title", lang))],
                        className="wn-col-window"),
                html.Td(html.Div([html.Div(acked, className="wn-ack-by"),
                                  html.Div(r["acknowledged_at"], className="wn-faint")]) if acked
                        else html.Span(t("wn.ack.none", lang), className="wn-unacked"),
                        className="wn-col-acknowledged"),
                html.Td([dcc.Link(t(f"wn.link.{r['link_kind']}", lang), href=r["link"], className="wn-link"),
                         html.Button(t("wn.ack.again" if acked else "wn.ack.button", lang), id=ids.wn_ack(r["key"]),
                                     n_clicks=0, type="button",
                                     className="wn-ack-btn" + (" wn-ack-btn-again" if acked else ""))],
                        className="wn-col-actions"),
            ],
            className=f"wn-row wn-row-{r['severity']}" + (" wn-row-acked" if acked else ""),
            **{"data-key": r["key"], "data-method": r["method"]}))
    return html.Div(html.Table([head, html.Tbody(body)], className="wn-table"), className="wn-table-wrap")


def hot_cell_table(rows: list[dict[str, Any]], lang: str) -> html.Div:
    """The Gi* hot cells, hottest first, each with a link to analyse it over the window."""
    if not rows:
        return html.Div(t("wn.hot.cells.none", lang), className="wn-empty")
    head = html.Thead(html.Tr([html.Th(t(f"wn.hot.head.{c}", lang)) for c in
                               ("cell", "village", "observed", "expected", "z", "level", "link")]))
    body = [html.Tr([html.Td([html.Div(r["name"]), html.Div(r["code"], className="wn-faint")]),
                     html.Td(r["village"]), html.Td(r["observed"], className="wn-num"),
                     html.Td(r["expected"], className="wn-num"), html.Td(r["z"], className="wn-num"),
                     html.Td(html.Span(r["level_label"], className=f"wn-hot-level wn-hot-level-{r['level']}")),
                     html.Td(dcc.Link(t("wn.link.analysis", lang), href=r["link"], className="wn-link"))],
                    **{"data-cell": str(r["cell_id"])})
            for r in rows]
    return html.Div(html.Table([head, html.Tbody(body)], className="wn-table"), className="wn-table-wrap")


def outcome_view(kind: str, message: str) -> html.Div:
    return html.Div(message, className=f"wn-outcome wn-outcome-{kind}",
                    role="status" if kind == "done" else "alert")
