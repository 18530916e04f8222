"""Layout pieces of the overview page: the filter bar (village/community, source, category
(大类) and department: every panel of the page obeys it, an empty selection means "all")
and the KPI tiles (a label, a big number, a line of detail; pattern-matching ids, so one
callback fills them all). Pure builders, no data access. (Not a page: Dash registers only
the modules here that register themselves.)"""
from __future__ import annotations

from dataclasses import dataclass

from dash import dcc, html

from dashboard.components.dropdown import dropdown_labels
from dashboard.components.ids import overview as ids
from dashboard.i18n import t

FILTER_NAMES = ("villages", "sources", "majors", "depts")


# -- the filter bar ------------------------------------------------------------------------
def filter_bar(lang: str, values: dict[str, list | None] | None = None,
               options: dict[str, list[dict]] | None = None) -> html.Div:
    """``values``: the selection to start with (the page's query string), name → values;
    ``options``: each dropdown's options to start with (a dropdown drops values that are not
    among its options, so a selection from the URL needs them at once)."""
    values, options = values or {}, options or {}
    fields = []
    for name in FILTER_NAMES:
        fields.append(html.Div(
            [
                html.Label(t(f"filter.{name}", lang), className="filter-label"),
                dcc.Dropdown(id=ids.filter_dropdown(name), options=options.get(name, []),
                             value=list(values.get(name) or []), multi=True,
                             placeholder=t("filter.all", lang), labels=dropdown_labels(lang),
                             className="filter-dropdown", maxHeight=320),
            ],
            className=f"filter-field filter-{name}",
        ))
    fields.append(html.Button(t("filter.clear", lang), id=ids.FILTER_CLEAR, n_clicks=0,
                              className="filter-clear", type="button"))
    return html.Div(fields, className="filter-bar")


# -- KPI tiles -----------------------------------------------------------------------------
@dataclass(frozen=True)
class KpiSpec:
    key: str
    label_key: str
    tone: str        # neutral | red | yellow | good


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("received_today", "kpi.received_today", "neutral"),
    KpiSpec("closed_today", "kpi.closed_today", "neutral"),
    KpiSpec("open", "kpi.open", "neutral"),
    KpiSpec("overdue", "kpi.overdue", "red"),
    KpiSpec("due_soon", "kpi.due_soon", "yellow"),
    KpiSpec("on_time_rate", "kpi.on_time_rate", "good"),
    KpiSpec("satisfaction", "kpi.satisfaction", "good"),
)
KPI_KEYS = tuple(k.key for k in KPIS)


def kpi_tile(spec: KpiSpec, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(t(spec.label_key, lang), className="kpi-label"),
            html.Div("–", id=ids.kpi_value(spec.key), className="kpi-value"),
            html.Div("", id=ids.kpi_detail(spec.key), className="kpi-detail"),
        ],
        id=ids.kpi_tile(spec.key),
        className=f"kpi-tile kpi-{spec.tone} kpi-key-{spec.key}",
    )


def kpi_row(lang: str) -> html.Div:
    return html.Div([kpi_tile(spec, lang) for spec in KPIS], className="kpi-row")
