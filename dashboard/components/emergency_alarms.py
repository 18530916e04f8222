"""The emergencies' open alarms as a strip for the desk: each unacknowledged alarm of an
active emergency (a task not signed for in time, a new matter inside the area) with a link
to its board, where the commander acknowledges it. Refreshes on its own interval."""
from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html

from dashboard import clock
from dashboard.components.ids import emergency as ids
from dashboard.context import app_context, viewer_scope
from dashboard.i18n import t
from dashboard.pagelang import refresh_ms
from dashboard.views import emergency as views


def strip(lang: str) -> html.Div:
    return html.Div([dcc.Store(id=ids.DESK_LANG, data=lang),
                     dcc.Interval(id=ids.DESK_INTERVAL, interval=refresh_ms(), n_intervals=0),
                     html.Div(id=ids.DESK_ALARMS)], className="em-desk")


@callback(Output(ids.DESK_ALARMS, "children"), Input(ids.DESK_INTERVAL, "n_intervals"), State(ids.DESK_LANG, "data"))
def show(_n: int, lang: str):
    alarms = views.open_alarms(app_context().store, viewer_scope(), clock.now())
    if not alarms:
        return None
    items = []
    for a in alarms[:10]:
        text = (t("em.alarm.task_unsigned", lang, task=a["task_no"], dept="") if a["kind"] == "task_unsigned"
                else t("em.alarm.matter_inside", lang, matter=a["matter_id"]))
        items.append(html.Li([html.A(f"{a['title']}", href=f"/emergency/{a['emergency_id']}"), html.Span(" · "),
                              html.Span(text)], className="em-alarm is-open", **{"data-alarm": a["key"]}))
    return html.Div([html.Div(t("em.alarms", lang), className="em-kind"), html.Ul(items, className="em-alarm-list")],
                    className="em-desk-alarms", role="alert")
