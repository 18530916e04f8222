"""Layout pieces of the drill-down pages (村/社区, 网格, 事项): the breadcrumb, the KPI strip
(the overview's tiles with the drill pages' own ids), the layer switch, the lists and the
not-found page. Pure builders from the plain data ``dashboard/views/drill.py`` computes; no
data access. (Not a page: Dash registers only the modules here that register themselves.)"""
from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.components.ids import drill as ids
from dashboard.components.light import light_badge
from dashboard.components.panel import notice
from dashboard.i18n import t
from dashboard.pages.overview_layout import KPIS, KpiSpec
from dashboard.views.drill import DEFAULT_LAYERS, LAYERS, href


def breadcrumb(crumbs: list[tuple[str, str | None]], lang: str) -> html.Nav:
    """Township › village › cell › matter; every level but the current one a link."""
    items: list[Any] = []
    for i, (label, link) in enumerate(crumbs):
        if i:
            items.append(html.Span("›", className="crumb-sep", **{"aria-hidden": "true"}))
        items.append(dcc.Link(label, href=link, className="crumb-link") if link
                     else html.Span(label, className="crumb-current", **{"aria-current": "page"}))
    return html.Nav(items, className="breadcrumb", **{"aria-label": t("drill.crumbs", lang)})


def kpi_tile(spec: KpiSpec, lang: str) -> html.Div:
    return html.Div(
        [html.Div(t(spec.label_key, lang), className="kpi-label"),
         html.Div("–", id=ids.kpi_value(spec.key), className="kpi-value"),
         html.Div("", id=ids.kpi_detail(spec.key), className="kpi-detail")],
        className=f"kpi-tile kpi-{spec.tone} kpi-key-{spec.key}",
    )


def kpi_row(lang: str) -> html.Div:
    """The overview's seven tiles, filled for the page's village or cell."""
    return html.Div([kpi_tile(spec, lang) for spec in KPIS], className="kpi-row")


def layer_switch(lang: str, extra: tuple[str, ...] = ()) -> dcc.Checklist:
    """The map's layer switches; ``extra`` layers (the cell page's resources) shown at first."""
    return dcc.Checklist(id=ids.LAYER_SWITCH, value=[*DEFAULT_LAYERS, *extra], inline=True, className="layer-switch",
                         options=[{"label": t(f"drill.layer.{layer}", lang), "value": layer}
                                  for layer in (*LAYERS, *extra)])


def not_found(kind: str, lang: str, **values: Any) -> html.Div:
    """One answer for an unknown code, a malformed one and one outside the viewer's scope."""
    return html.Div(
        [html.H1(t("drill.page.not_found", lang), className="page-title"),
         notice(t(f"drill.not_found.{kind}", lang, **values), t("drill.not_found.hint", lang), kind="filtered"),
         dcc.Link(t("drill.not_found.back", lang), href=href("/", lang), className="crumb-link")],
        className="drill-page drill-not-found", id="dr-not-found",
    )


def _table(head: list[str], rows: list[list[Any]], class_name: str) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])),
                       html.Tbody([html.Tr(cells) for cells in rows])], className=f"drill-table {class_name}")


def open_matter_table(rows: list[dict[str, Any]], lang: str, *, with_cell: bool) -> Any:
    """The open matters, most urgent first; each number a link to its matter page, each light
    its dot and its words (the working time left)."""
    if not rows:
        return html.Div(t("drill.open.empty", lang), className="queue-empty")
    head = [t("drill.col.light", lang), t("drill.col.id", lang), t("drill.col.category", lang),
            t("drill.col.dept", lang), t("drill.col.status", lang)]
    if with_cell:
        head.append(t("drill.col.cell", lang))
    head += [t("drill.col.created", lang), t("drill.col.description", lang)]
    body = []
    for r in rows:
        words = (r["remaining_text"] if r["light"] in ("paused", "none")     # their text names them already
                 else f"{r['light_label']} · {r['remaining_text']}")
        cells = [html.Td(light_badge(r["light"], lang, text=words)),
                 html.Td(dcc.Link(r["matter_id"], href=r["href"], className="matter-link"),
                         **{"data-matter": r["matter_id"]}),
                 html.Td(r["category"]), html.Td(r["dept"]), html.Td(r["status"])]
        if with_cell:
            cells.append(html.Td(r["cell"], title=r["cell_code"]))
        cells += [html.Td(r["created_at"]), html.Td(r["description"], className="drill-description",
                                                    title=r["address"])]
        body.append(cells)
    return _table(head, body, "drill-open-table")


def cell_table(rows: list[dict[str, Any]], lang: str) -> Any:
    head = [t("drill.col.worst", lang), t("drill.col.code", lang), t("drill.col.name", lang),
            t("drill.col.worker", lang), t("drill.col.open", lang), t("drill.col.overdue", lang)]
    body = [[html.Td(light_badge(r["light"], lang, text=r["light_label"])),
             html.Td(dcc.Link(r["code"], href=r["href"], className="cell-link"), **{"data-cell": r["code"]}),
             html.Td(r["name"]), html.Td(" · ".join(p for p in (r["worker"], r["phone"]) if p)),
             html.Td(str(r["open"]), className="num"), html.Td(str(r["overdue"]), className="num")]
            for r in rows]
    return _table(head, body, "drill-cell-table")


def warning_list(rows: list[dict[str, Any]], lang: str) -> Any:
    if not rows:
        return html.Div(t("drill.warnings.empty", lang), className="queue-empty")
    items = [html.Li([html.Span(r["severity_label"], className=f"wn-severity wn-severity-{r['severity']}"),
                      html.Span(r["method_label"], className="drill-warning-method"),
                      html.Span(r["scope"], className="drill-warning-scope"),
                      html.Span(t("drill.warnings.why", lang, observed=r.get("observed", ""),
                                  threshold=r.get("threshold", "")), className="drill-warning-why"),
                      html.Span(r["window"], className="drill-warning-window")],
                     className="drill-warning") for r in rows]
    return html.Ul(items, className="drill-warnings")


def department_list(depts: list[dict[str, Any]], lang: str) -> Any:
    if not depts:
        return html.Div(t("drill.matter.depts.none", lang), className="queue-empty")
    return html.Ul([html.Li([html.Div([html.Span(d["role_label"], className=f"dept-role dept-role-{d['role']}"),
                                       html.Span(d["name"], className="dept-name")], className="dept-head"),
                             html.Ul([html.Li(x) for x in d["did"]], className="dept-did")],
                            className="drill-dept", **{"data-dept": str(d["dept_id"])})
                    for d in depts], className="drill-depts")


def resource_table(rows: list[dict[str, Any]], lang: str) -> Any:
    """Resources nearest first: kind, name, contact (a phone link), state, distance."""
    if not rows:
        return html.Div(t("drill.res.empty", lang), className="queue-empty")
    head = [t("drill.res.col.kind", lang), t("drill.res.col.name", lang), t("drill.res.col.contact", lang),
            t("drill.res.col.state", lang), t("drill.res.col.distance", lang)]
    body = [html.Tr([html.Td(r["kind_label"], className=f"res-kind res-kind-{r['kind']}"), html.Td(r["name"]),
                     html.Td(html.A(r["contact"], href=f"tel:{r['contact']}")
                             if r["contact"].replace("-", "").isdigit() else r["contact"]),
                     html.Td(r["state_label"], className=f"res-state res-state-{r['state']}"),
                     html.Td(r["distance_text"], className="num")], **{"data-resource": str(r["id"])})
            for r in rows]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
                      className="drill-table drill-res-table")


def radius_choice(radii: tuple[int, ...], chosen: int, lang: str) -> dcc.RadioItems:
    return dcc.RadioItems(id=ids.RES_RADIUS, value=chosen, inline=True, className="res-radius",
                          options=[{"label": t("drill.res.radius", lang, metres=f"{r:,}"), "value": r}
                                   for r in radii])


def duplicate_table(rows: list[dict[str, Any]], lang: str, *, can_merge: bool) -> Any:
    """Possible duplicates; with ``can_merge`` a 合并为重复 button per row: this matter merged
    into that one (the original)."""
    if not rows:
        return html.Div(t("drill.dup.empty", lang), className="queue-empty")
    head = [t("drill.col.id", lang), t("drill.col.category", lang), t("drill.col.created", lang),
            t("drill.dup.col.address", lang), t("drill.res.col.distance", lang), t("drill.col.status", lang)]
    if can_merge:
        head.append("")
    body = []
    for r in rows:
        cells = [html.Td(dcc.Link(r["id"], href=href(f"/matter/{r['id']}", lang), className="matter-link")),
                 html.Td(r["category"]), html.Td(r["created_at"]),
                 html.Td(r["address"], title=r["description"]), html.Td(r["distance_text"], className="num"),
                 html.Td(r["status_label"])]
        if can_merge:
            cells.append(html.Td(None if r["voided"] else
                                 html.Button(t("drill.dup.merge", lang), id=ids.merge(r["id"]), n_clicks=0,
                                             className="btn btn-merge",
                                             title=t("drill.dup.merge_hint", lang, id=r["id"]))))
        body.append(cells)
    return _table(head, body, "drill-dup-table")
