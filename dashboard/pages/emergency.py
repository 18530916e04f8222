"""应急指挥 — the emergency board (``/emergency/<id>``): the affected area on the map with
the cells, matters and hazard sites inside it, the linkage task board, the commander's
log, the 上报 record and the alarms with their acknowledge buttons; a closed emergency links
its after-action summary and its CSV/Excel export.

Live like the other pages: an Interval re-reads the board every ``refresh_interval_s``
(alarms depend on the clock as well as on the data, so every refresh recomputes them).
"""
from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import auditing, clock
from dashboard.components.ids import emergency as ids
from dashboard.components.panel import notice, panel
from dashboard.context import actor_name, app_context, current_user, viewer_scope
from dashboard.i18n import name_of, pick, t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.views import common
from dashboard.views import emergency as views
from layers.area import area_figure
from queries import emergency as em
from queries.concurrency import Refusal


def page_title(emergency_id: str | None = None, **_query: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('em.page', lang)} {emergency_id or ''}".strip()


dash.register_page(__name__, path_template="/emergency/<emergency_id>", name="应急指挥", title=page_title,
                   order=5)


def _eid(text: Any) -> int | None:
    try:
        value = int(str(text))
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def layout(emergency_id: str | None = None, lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    return html.Div(
        [
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Store(id=ids.EMERGENCY, data=_eid(emergency_id)),
            dcc.Interval(id=ids.INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([html.Div(id=ids.HEADER, className="em-header"),
                      html.Div(t("asof.waiting", lang), id=ids.AS_OF, className="as-of")], className="toolbar"),
            html.Div(id=ids.OUTCOME),
            panel(t("em.alarms", lang), html.Div(id=ids.ALARMS), class_name="panel-em-alarms"),
            html.Div(
                [
                    panel(t("em.map", lang),
                          [dcc.Graph(id=ids.MAP, config=common.GRAPH_CONFIG, style={"height": "420px"}),
                           html.Div(id=ids.INSIDE, className="em-inside")],
                          class_name="panel-map"),
                    panel(t("em.tasks", lang), html.Div(id=ids.TASKS), class_name="panel-em-tasks"),
                ],
                className="panel-row",
            ),
            html.Div(
                [panel(t("em.log", lang), html.Div(id=ids.LOG), class_name="panel-em-log"),
                 panel(t("em.reports", lang), html.Div(id=ids.REPORTS), class_name="panel-em-reports")],
                className="panel-row",
            ),
            html.Div(id=ids.SUMMARY),
        ],
        className="emergency-page",
        lang="en" if lang == "en" else "zh-CN",
    )


def _time(text: str | None) -> str:
    return (text or "").replace("T", " ")[:16]


def _task_table(tasks: list[dict], lang: str) -> html.Table | html.Div:
    if not tasks:
        return notice(t("em.tasks.empty", lang))
    head = html.Tr([html.Th(t(k, lang)) for k in ("em.col.no", "em.col.dept", "em.col.what", "em.col.due",
                                                   "em.col.clock", "em.col.status", "em.col.left", "em.col.report")])
    rows = [html.Tr([html.Td(task["task_no"]), html.Td(pick(task["dept_name"], task["dept_name_en"], lang)),
                     html.Td(task["what"]), html.Td(_time(task["due_at"])),
                     html.Td(name_of("em.clock", task["clock"], lang)),
                     html.Td(name_of("em.task", task["status"], lang), className=f"em-task-{task['status']}"),
                     html.Td("" if task["time_left_min"] is None else f"{task['time_left_min']:.0f}"),
                     html.Td(task["report"] or "")],
                    className="em-task-row", **{"data-task": str(task["task_no"])}) for task in tasks]
    return html.Table([html.Thead(head), html.Tbody(rows)], className="em-table")


def _entries(entries: list[dict], lang: str, empty_key: str) -> html.Ul | html.Div:
    if not entries:
        return notice(t(empty_key, lang))
    items = []
    for e in entries:
        if e["kind"] == "report":
            who = t("em.report.to", lang, to=e["counterpart"] or "")
        elif e["kind"] == "reply":
            who = t("em.report.from", lang, **{"from": e["counterpart"] or ""})
        else:
            who = name_of("em.logkind", e["kind"], lang)
        items.append(html.Li([html.Span(_time(e["logged_at"]), className="em-at"), html.Span(who, className="em-kind"),
                              html.Span(e["text"], className="em-text"), html.Span(e["actor"], className="em-actor")],
                             className=f"em-entry em-entry-{e['kind']}"))
    return html.Ul(items, className="em-entries")


def _alarms(alarms: list[dict], depts: dict[int, str], lang: str) -> html.Ul | html.Div:
    if not alarms:
        return notice(t("em.alarms.none", lang))
    items = []
    for a in alarms:
        if a["kind"] == "task_unsigned":
            text = t("em.alarm.task_unsigned", lang, task=a["task_no"], dept=depts.get(a["dept_id"], ""))
        else:
            text = t("em.alarm.matter_inside", lang, matter=a["matter_id"])
        tail = (html.Span(t("em.alarm.acked", lang, who=a["acked_by"], time=_time(a["acked_at"])), className="em-acked")
                if a["acked_at"] else html.Button(t("em.alarm.ack", lang), id=ids.ack(a["key"]), className="em-ack"))
        items.append(html.Li([html.Span(_time(a["raised_at"]), className="em-at"), html.Span(text), tail],
                             className="em-alarm" + (" is-acked" if a["acked_at"] else " is-open"),
                             **{"data-alarm": a["key"]}))
    return html.Ul(items, className="em-alarm-list")


@callback(
    Output(ids.HEADER, "children"), Output(ids.AS_OF, "children"), Output(ids.ALARMS, "children"),
    Output(ids.MAP, "figure"), Output(ids.INSIDE, "children"), Output(ids.TASKS, "children"),
    Output(ids.LOG, "children"), Output(ids.REPORTS, "children"), Output(ids.SUMMARY, "children"),
    Input(ids.INTERVAL, "n_intervals"), Input(ids.EMERGENCY, "data"), State(ids.LANG, "data"),
)
def render(_n: int, emergency_id: int | None, lang: str):
    store = app_context().store
    settings = app_context().settings
    now = clock.now()
    try:
        data = views.board(store, int(emergency_id or 0), viewer_scope(), now)
    except Refusal:
        missing = notice(t("em.none", lang))
        return (missing, "", "", no_update, "", "", "", "", "")
    e = data["emergency"]
    depts = {int(r["dept_id"]): pick(r["name"], r["name_en"], lang)
             for r in app_context().reader.run("reference/departments").to_dict("records")}
    header = [html.H1(t("em.title", lang, id=e["emergency_id"], title=e["title"]), className="em-title"),
              html.Div(t("em.header", lang, level=name_of("level", e["level"], lang),
                         kind=name_of("em.kind", e["kind"], lang), commander=e["commander"],
                         declared=_time(e["declared_at"])), className="em-meta"),
              html.Div(t("em.closed", lang, time=_time(e["closed_at"])) if e["status"] == "closed"
                       else t("em.active", lang), className=f"em-status em-status-{e['status']}")]
    inside = data["inside"]
    figure = area_figure(e["area_geojson"], inside["matters"], inside["resources"],
                         names={"area": t("em.map.area", lang), "matters": t("em.map.matters", lang),
                                "resources": t("em.map.resources", lang)},
                         tile_url=settings.map_tile_url, tile_attribution=settings.map_tile_attribution)
    inside_line = t("em.inside", lang, cells=len(inside["cells"]), matters=len(inside["matters"]),
                    resources=len(inside["resources"]))
    summary = ""
    if e["status"] == "closed":
        base = f"/api/v1/emergencies/{e['emergency_id']}/summary"
        summary = panel(t("em.summary.title", lang), html.Div([
            html.A(t("em.summary.link", lang), href=base, className="em-summary-link"),
            html.A(t("em.summary.export_csv", lang), href=f"{base}.csv?lang={lang}", className="em-export"),
            html.A(t("em.summary.export_xlsx", lang), href=f"{base}.xlsx?lang={lang}", className="em-export")]))
    return (header, common.as_of_text(now, lang), _alarms(data["alarms"], depts, lang), figure, inside_line,
            _task_table(data["tasks"], lang), _entries(data["log"], lang, "em.log.empty"),
            _entries(data["reports"], lang, "em.reports.empty"), summary)


@callback(Output(ids.OUTCOME, "children"), Input(ids.ack(ALL), "n_clicks"), State(ids.EMERGENCY, "data"),
          prevent_initial_call=True)
def acknowledge(clicks: list, emergency_id: int | None):
    """Acknowledge the clicked alarm: an action with its event, by the signed-in user."""
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if button is None or not any(clicks or []):
        return no_update
    store = app_context().store
    target = f"emergency {emergency_id}"
    now = clock.now()
    try:
        views.check_raised(store, int(emergency_id or 0), viewer_scope(), button["key"], now)
        em.act(store, int(emergency_id or 0), "ack_alarm", {"alarm_key": button["key"]}, now=now,
               by=current_user(), actor=actor_name())
    except Refusal as exc:
        auditing.note("action", target=target, outcome="refused", detail=f"ack_alarm: {str(exc)[:200]}")
        return notice(str(exc), kind="filtered")
    auditing.note("action", target=target, detail="ack_alarm")
    return ""
