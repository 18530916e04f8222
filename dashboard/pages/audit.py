"""安全审计 — ``/audit``, for administrators (``queries.permissions``: ``audit``): the audit
log filtered by user, kind, outcome and period, newest first, and its CSV. Other roles get a
refusal from the page and a 403 from its callbacks (``dashboard.permit``); exporting the log
is itself recorded.
"""
from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import auditing, clock, permit
from dashboard.components.ids import audit as ids
from dashboard.context import app_context, current_user
from dashboard.i18n import t
from dashboard.pagelang import forbidden_notice, page_language
from dashboard.views import audit as logic
from queries import audit


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('audit.page', lang)}"


dash.register_page(__name__, path="/audit", name="安全审计", title=page_title, order=91)


def _field(label_key: str, control: Any, lang: str, for_id: str | None = None) -> html.Div:
    return html.Div([html.Label(t(label_key, lang), className="filter-label", htmlFor=for_id), control],
                    className="filter-field")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    if permit.layout_refused("audit"):
        return forbidden_notice(lang)
    signed_in = current_user() is not None         # none: Dash's validation layout, no data
    anyone = t("audit.filter.any", lang)
    users = [{"label": n, "value": n} for n in audit.user_names(app_context().store)] if signed_in else []
    whats = [{"label": t(f"audit.what.{w}", lang), "value": w} for w in audit.WHATS]
    outcomes = [{"label": t(f"audit.outcome.{o}", lang), "value": o} for o in audit.OUTCOMES]
    return html.Div([
        dcc.Store(id=ids.AUD_LANG, data=lang),
        dcc.Download(id=ids.AUD_DOWNLOAD),
        html.Div([html.H1(t("audit.page", lang), className="page-title"),
                  html.Button(t("audit.export", lang), id=ids.AUD_EXPORT, className="export-button")],
                 className="toolbar"),
        html.P(t("audit.intro", lang), className="adm-intro"),
        html.Div([
            _field("audit.filter.user", dcc.Dropdown(id=ids.AUD_USER, options=users, value=None,
                                                     placeholder=anyone), lang, ids.AUD_USER),
            _field("audit.filter.what", dcc.Dropdown(id=ids.AUD_WHAT, options=whats, value=None,
                                                     placeholder=anyone), lang, ids.AUD_WHAT),
            _field("audit.filter.outcome", dcc.Dropdown(id=ids.AUD_OUTCOME, options=outcomes, value=None,
                                                        placeholder=anyone), lang, ids.AUD_OUTCOME),
            _field("audit.filter.period", dcc.DatePickerRange(id=ids.AUD_PERIOD, display_format="YYYY-MM-DD",
                                                              clearable=True), lang),
        ], className="filter-bar"),
        html.P(id=ids.AUD_COUNT, className="aud-count"),
        html.Div(id=ids.AUD_TABLE, className="aud-table"),
    ], className="page page-audit")


def _records(user, what, outcome, start, end, lang: str) -> list[dict[str, Any]]:
    frame = audit.records(app_context().store, **logic.filters(user, what, outcome, start, end))
    return logic.rows(frame, lang)


def _table(rows: list[dict[str, Any]], lang: str) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t(f"audit.col.{c}", lang)) for c in logic.COLUMNS]))
    body = html.Tbody([html.Tr([html.Td(r[c]) for c in logic.COLUMNS]) for r in rows])
    return html.Table([head, body], className="data-table")


@callback(Output(ids.AUD_TABLE, "children"), Output(ids.AUD_COUNT, "children"),
          Input(ids.AUD_USER, "value"), Input(ids.AUD_WHAT, "value"), Input(ids.AUD_OUTCOME, "value"),
          Input(ids.AUD_PERIOD, "start_date"), Input(ids.AUD_PERIOD, "end_date"), State(ids.AUD_LANG, "data"))
def show(user, what, outcome, start, end, lang: str):
    rows = _records(user, what, outcome, start, end, lang)
    return _table(rows, lang), t("audit.count", lang, n=len(rows), most=audit.MAX_ROWS)


@callback(Output(ids.AUD_DOWNLOAD, "data"), Input(ids.AUD_EXPORT, "n_clicks"),
          State(ids.AUD_USER, "value"), State(ids.AUD_WHAT, "value"), State(ids.AUD_OUTCOME, "value"),
          State(ids.AUD_PERIOD, "start_date"), State(ids.AUD_PERIOD, "end_date"), State(ids.AUD_LANG, "data"),
          prevent_initial_call=True)
def export(n_clicks, user, what, outcome, start, end, lang: str):
    if not n_clicks:
        return no_update
    rows = _records(user, what, outcome, start, end, lang)
    content, filename = logic.csv_file(rows, lang, f"{clock.now():%Y%m%d-%H%M}")
    auditing.note("export", target=filename, detail=f"audit log: {len(rows)} records")
    return dcc.send_bytes(content, filename)
