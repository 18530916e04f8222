"""The filter bar: village/community, source, category (大类) and department. Every panel
of the page obeys it; an empty selection means "all"."""
from __future__ import annotations

from dash import dcc, html

from dashboard.components.ids import overview as ids
from dashboard.i18n import t

FILTER_NAMES = ("villages", "sources", "majors", "depts")


def dropdown_labels(lang: str) -> dict[str, str]:
    return {key: t(f"dropdown.{key}", lang) for key in
            ("select_all", "deselect_all", "selected_count", "search", "clear_search",
             "clear_selection", "no_options_found")}


def filter_bar(lang: str) -> html.Div:
    fields = []
    for name in FILTER_NAMES:
        fields.append(html.Div(
            [
                html.Label(t(f"filter.{name}", lang), className="filter-label"),
                dcc.Dropdown(id=ids.filter_dropdown(name), options=[], value=[], multi=True,
                             placeholder=t("filter.all", lang), labels=dropdown_labels(lang),
                             className="filter-dropdown", maxHeight=320),
            ],
            className=f"filter-field filter-{name}",
        ))
    fields.append(html.Button(t("filter.clear", lang), id=ids.FILTER_CLEAR, n_clicks=0,
                              className="filter-clear", type="button"))
    return html.Div(fields, className="filter-bar")
