"""数据导入 — ``/admin/import``: upload a matter export, preview it, match its columns to our
fields (saved as a mapping file), run the import with a progress bar, read the summary
and the rejects.

For admins only (``queries.permissions``: ``import``): ``dashboard.permit`` refuses the page
and its callbacks to every other role; it is reached by its URL, not the navbar.
The server is the database's one writer: the import runs ``OPS["import_matters"]`` on the
server's own store, in a worker thread (``dashboard.views.admin_import.JobBoard``, held in the
Flask config) that a dcc.Interval polls. Callbacks stay thin; the logic and its tests live
in ``dashboard/views/admin_import.py``.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update
from flask import has_request_context

from dashboard import auditing, auth, permit
from dashboard.components.ids import admin_import as ids
from dashboard.components.panel import panel
from dashboard.context import app_context
from dashboard.i18n import STRINGS, t
from dashboard.pagelang import forbidden_notice, page_language
from dashboard.views import admin_import as logic
from dashboard.writeops import OPS


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('admin.page', lang)}"


dash.register_page(__name__, path="/admin/import", name="数据导入", title=page_title, order=90)


# -- per-server state, in the app context ---------------------------------------------------
def _board() -> logic.JobBoard:
    ctx = app_context()
    if ctx.jobs is None:
        ctx.jobs = logic.JobBoard()
    return ctx.jobs


def _upload_dir() -> Path:
    return app_context().import_folder()


def _mappings_dir() -> Path:
    """Saved mappings: a folder next to the database (data, never the app's source tree)."""
    ctx = app_context()
    if ctx.mappings_dir is None:
        db = Path(ctx.settings.db_path)
        ctx.mappings_dir = db.with_name(f"{db.stem}-mappings")
    return ctx.mappings_dir


def _form_token() -> str:
    """The session's form token for the upload's POST (none while Dash builds its
    validation layout at start-up, outside any request)."""
    return auth.csrf_token() if has_request_context() else ""


def _limit_mb() -> int:
    return app_context().settings.upload_max_mb


# -- layout ------------------------------------------------------------------------------------
def _field_row(field: str, lang: str) -> html.Div:
    label = t(f"admin.field.{field}", lang)
    if field in logic.REQUIRED:
        label += f" · {t('admin.columns.required', lang)}"
    return html.Div([html.Label(label, htmlFor=ids.admin_field(field), className="adm-field-label"),
                     dcc.Dropdown(id=ids.admin_field(field), options=[], value=None, clearable=True,
                                  placeholder=t("admin.columns.none", lang), className="adm-field-select")],
                    className=f"adm-field adm-field-{field}")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    if permit.layout_refused("import"):         # the guard refuses its callbacks too
        return forbidden_notice(lang)
    return html.Div(
        [
            dcc.Store(id=ids.ADM_LANG, data=lang),
            dcc.Store(id=ids.ADM_FILE, data=None),
            dcc.Store(id=ids.ADM_STATUS_VALUES, data=[]),
            dcc.Store(id=ids.ADM_MAPPING, data=None),
            dcc.Store(id=ids.ADM_JOB, data=None),
            dcc.Interval(id=ids.ADM_INTERVAL, interval=700, disabled=True),
            dcc.Download(id=ids.ADM_MAPPING_DOWNLOAD),
            dcc.Download(id=ids.ADM_REJECTS_DOWNLOAD),
            html.Div([html.H1(t("admin.page", lang), className="page-title")], className="toolbar"),
            html.P(t("admin.intro", lang, limit=_limit_mb()), className="adm-intro"),
            html.P(t("admin.access", lang), className="adm-access"),
            panel(t("admin.step.upload", lang), [
                dcc.Store(id=ids.ADM_UPLOADED, data=None),
                html.Div([html.Div(t("admin.upload.prompt", lang), className="adm-upload-prompt"),
                          html.Div(t("admin.upload.hint", lang), className="adm-upload-hint")],
                         id=ids.ADM_UPLOAD, className="adm-upload",
                         **{"data-accept": ".csv,.gz,.xlsx,.xls", "data-csrf": _form_token()}),
                html.Div(id=ids.ADM_UPLOAD_MSG, className="adm-msg", role="status"),
            ], class_name="adm-panel"),
            panel(t("admin.step.preview", lang),
                  html.Div(t("admin.preview.empty", lang), id=ids.ADM_PREVIEW, className="adm-preview"),
                  subtitle=t("admin.preview.subtitle", lang, n=logic.PREVIEW_ROWS), class_name="adm-panel"),
            html.Div([
                panel(t("admin.step.columns", lang), [
                    html.Div([_field_row(f, lang) for f in logic.FIELDS], className="adm-fields"),
                    html.P(t("admin.columns.coords", lang), className="adm-hint"),
                    html.Div([html.Label(t("admin.timestamp", lang), htmlFor=ids.ADM_TIMESTAMP,
                                         className="adm-field-label"),
                              dcc.Input(id=ids.ADM_TIMESTAMP, type="text", value="", debounce=True,
                                        className="adm-input")], className="adm-field adm-timestamp"),
                    html.H3(t("admin.status.title", lang), className="adm-subtitle"),
                    html.P(t("admin.status.hint", lang), className="adm-hint"),
                    html.Div(id=ids.ADM_STATUS_ROWS, className="adm-status-rows"),
                ], subtitle=t("admin.columns.subtitle", lang), class_name="adm-panel"),
                panel(t("admin.step.mapping", lang), [
                    html.Div(id=ids.ADM_MAPPING_MSG, className="adm-msg", role="status"),
                    html.Pre(id=ids.ADM_TOML, className="adm-toml"),
                    html.Div([
                        html.Label(t("admin.mapping.name", lang), htmlFor=ids.ADM_MAPPING_NAME,
                                   className="adm-field-label"),
                        dcc.Input(id=ids.ADM_MAPPING_NAME, type="text", value="", className="adm-input"),
                        html.Button(t("admin.mapping.save", lang), id=ids.ADM_SAVE, n_clicks=0,
                                    className="adm-button"),
                        html.Button(t("admin.mapping.download", lang), id=ids.ADM_DOWNLOAD_MAPPING, n_clicks=0,
                                    className="adm-button adm-button-quiet"),
                    ], className="adm-save-row"),
                    html.Div(id=ids.ADM_SAVE_MSG, className="adm-msg", role="status"),
                ], class_name="adm-panel"),
                panel(t("admin.step.run", lang), [
                    html.Button(t("admin.run", lang), id=ids.ADM_RUN, n_clicks=0, disabled=True,
                                className="adm-button adm-button-primary"),
                    html.Div(id=ids.ADM_RUN_MSG, className="adm-msg", role="status"),
                    html.Div([html.Div(html.Div(id=ids.ADM_PROGRESS_BAR, className="adm-progress-bar",
                                                style={"width": "0%"}), className="adm-progress-track",
                                       role="progressbar"),
                              html.Div(id=ids.ADM_PROGRESS_TEXT, className="adm-progress-text")],
                             id=ids.ADM_PROGRESS, className="adm-progress", hidden=True),
                    html.Div(id=ids.ADM_RESULT, className="adm-result"),
                    html.Button(t("admin.result.download_rejects", lang), id=ids.ADM_DOWNLOAD_REJECTS, n_clicks=0,
                                hidden=True, className="adm-button adm-button-quiet"),
                ], class_name="adm-panel"),
            ], id=ids.ADM_FORM, hidden=True),
        ],
        className="admin-page",
        lang="en" if lang == "en" else "zh-CN",
    )


def _reason(reason: str, lang: str) -> str:
    key = f"admin.reason.{reason}"
    return t(key, lang) if key in STRINGS else reason


def _message(text: str, kind: str = "ok") -> html.Div:
    return html.Div(text, className=f"adm-note adm-note-{kind}")


def _preview_table(info: dict[str, Any]) -> html.Div:
    head = html.Thead(html.Tr([html.Th(c) for c in info["columns"]]))
    body = html.Tbody([html.Tr([html.Td(row.get(c) or "") for c in info["columns"]]) for row in info["preview"]])
    return html.Div(html.Table([head, body], className="adm-table"), className="adm-table-wrap")


# -- callbacks ---------------------------------------------------------------------------------
@callback(Output(ids.ADM_FILE, "data"), Output(ids.ADM_UPLOAD_MSG, "children"), Output(ids.ADM_JOB, "data"),
          Input(ids.ADM_UPLOADED, "data"), State(ids.ADM_LANG, "data"), prevent_initial_call=True)
def receive_upload(answer: dict | None, lang: str):
    """What POST /admin/import/upload answered (assets/admin_upload.js): the saved file's
    token, or the refusal in the error shape; the file is inspected here, from the disk."""
    if not isinstance(answer, dict) or not isinstance(answer.get("body"), dict):
        return no_update, no_update, no_update
    body, filename = answer["body"], str(answer.get("name") or "")
    path = logic.upload_path(_upload_dir(), body.get("token")) if answer.get("status") == 200 else None
    if path is None:
        key = logic.UPLOAD_REFUSALS.get(answer.get("status"), "admin.error.unreadable")
        return None, _message(t(key, lang, limit=_limit_mb(), reason=str(body.get("error", ""))[:200]), "error"), None
    token = body["token"]
    try:
        info = logic.inspect_upload(path, filename or path.name)
    except ValueError as exc:
        logic.remove_upload(path)                     # not a table: nothing to keep
        return None, _message(t("admin.error.file", lang, reason=str(exc)), "error"), None
    info["token"] = token
    encoding = t("admin.upload.encoding", lang, encoding=info["encoding"]) if info["encoding"] != "utf-8" else ""
    text = t("admin.upload.ok", lang, name=info["name"], rows=f"{info['rows']:,}",
             columns=len(info["columns"]), encoding=encoding)
    return info, _message(text), None


@callback(*[Output(ids.admin_field(f), "options") for f in logic.FIELDS],
          *[Output(ids.admin_field(f), "value") for f in logic.FIELDS],
          Output(ids.ADM_TIMESTAMP, "value"), Output(ids.ADM_PREVIEW, "children"), Output(ids.ADM_FORM, "hidden"),
          Output(ids.ADM_MAPPING_NAME, "value"),
          Input(ids.ADM_FILE, "data"), State(ids.ADM_LANG, "data"))
def fill_form(info: dict | None, lang: str):
    if not info:
        empty = [[] for _ in logic.FIELDS]
        return (*empty, *[None for _ in logic.FIELDS], "", t("admin.preview.empty", lang), True, "")
    options = [{"label": c, "value": c} for c in info["columns"]]
    picks = logic.guess_columns(info["columns"])
    created = picks.get("created_at")
    fmt = logic.guess_timestamp_format([row.get(created) for row in info["preview"]]) if created else ""
    stem = Path(info["name"]).name.split(".")[0]
    name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else "_" for ch in stem).strip("_") or "import"
    return (*[options for _ in logic.FIELDS], *[picks[f] for f in logic.FIELDS], fmt, _preview_table(info), False,
            name)


@callback(Output(ids.ADM_STATUS_ROWS, "children"), Output(ids.ADM_STATUS_VALUES, "data"),
          Input(ids.admin_field("status"), "value"), Input(ids.ADM_FILE, "data"), State(ids.ADM_LANG, "data"))
def status_rows(column: str | None, info: dict | None, lang: str):
    values = logic.status_values(info, column)
    if values is None:
        return _message(t("admin.status.too_many", lang, n=logic.MAX_STATUS_VALUES), "error"), []
    if not values:
        return html.P(t("admin.status.none", lang), className="adm-hint"), []
    options = [{"label": f"{t(f'status.{s}', lang)} ({s})", "value": s} for s in logic.STATUSES]
    head = html.Div([html.Span(t("admin.status.theirs", lang)), html.Span(t("admin.status.ours", lang))],
                    className="adm-status-row adm-status-head")
    rows = [html.Div([html.Span(v, className="adm-status-theirs"),
                      dcc.Dropdown(id=ids.admin_status(i), options=options, value=logic.guess_status(v),
                                   clearable=False, className="adm-status-select")],
                     className="adm-status-row") for i, v in enumerate(values)]
    return [head, *rows], values


@callback(Output(ids.ADM_TOML, "children"), Output(ids.ADM_MAPPING, "data"), Output(ids.ADM_MAPPING_MSG, "children"),
          Output(ids.ADM_RUN, "disabled"),
          *[Input(ids.admin_field(f), "value") for f in logic.FIELDS],
          Input(ids.ADM_TIMESTAMP, "value"), Input(ids.admin_status(ALL), "value"),
          Input(ids.ADM_STATUS_VALUES, "data"), State(ids.ADM_FILE, "data"), State(ids.ADM_LANG, "data"))
def render_mapping(*args):
    picks = dict(zip(logic.FIELDS, args[:len(logic.FIELDS)]))
    timestamp, ours, theirs, info, lang = args[len(logic.FIELDS):]
    if not info:
        return "", None, "", True
    status = dict(zip(theirs or [], ours or [])) if picks.get("status") else {}
    mapping = logic.build_mapping(picks, timestamp=timestamp, status=status, encoding=info.get("encoding", "utf-8"))
    text = logic.render_toml(mapping, source_name=info["name"])
    problem = logic.check_mapping(text)
    if problem:
        return text, None, _message(t("admin.mapping.invalid", lang, reason=problem), "error"), True
    return text, {"toml": text}, _message(t("admin.mapping.ok", lang)), False


@callback(Output(ids.ADM_SAVE_MSG, "children"), Input(ids.ADM_SAVE, "n_clicks"),
          State(ids.ADM_MAPPING_NAME, "value"), State(ids.ADM_TOML, "children"), State(ids.ADM_LANG, "data"),
          prevent_initial_call=True)
def save_mapping(_n: int, name: str | None, text: str | None, lang: str):
    try:
        path = logic.save_mapping_file(_mappings_dir(), name or "", text or "")
    except logic.UploadError as exc:
        return _message(t(exc.key, lang, reason=exc.detail), "error")
    return _message(t("admin.mapping.saved", lang, path=str(path)))


@callback(Output(ids.ADM_MAPPING_DOWNLOAD, "data"), Input(ids.ADM_DOWNLOAD_MAPPING, "n_clicks"),
          State(ids.ADM_MAPPING_NAME, "value"), State(ids.ADM_TOML, "children"), prevent_initial_call=True)
def download_mapping(_n: int, name: str | None, text: str | None):
    if not text:
        return no_update
    stem = (name or "").strip().removesuffix(".toml") or "mapping"
    return {"content": text, "filename": f"{stem}.toml", "type": "application/toml"}


@callback(Output(ids.ADM_JOB, "data", allow_duplicate=True), Output(ids.ADM_RUN_MSG, "children"),
          Input(ids.ADM_RUN, "n_clicks"), State(ids.ADM_FILE, "data"), State(ids.ADM_MAPPING, "data"),
          State(ids.ADM_LANG, "data"), prevent_initial_call=True)
def run_import(_n: int, info: dict | None, mapping: dict | None, lang: str):
    path = logic.upload_path(_upload_dir(), (info or {}).get("token"))
    if path is None or not mapping:
        return no_update, _message(t("admin.run.need", lang), "error")
    board = _board()
    if board.running():
        return no_update, _message(t("admin.run.busy", lang), "error")
    job_id = board.start(OPS["import_matters"], app_context().store, path,
                         tomllib.loads(mapping["toml"]), int(info["rows"]))
    auditing.note("import", target=str(info.get("name") or path.name),
                  detail=f"started from the page, {info['rows']} rows")
    return job_id, _message(t("admin.run.started", lang, rows=f"{info['rows']:,}"))


@callback(Output(ids.ADM_PROGRESS, "hidden"), Output(ids.ADM_PROGRESS_BAR, "style"),
          Output(ids.ADM_PROGRESS_BAR, "className"), Output(ids.ADM_PROGRESS_TEXT, "children"),
          Output(ids.ADM_RESULT, "children"), Output(ids.ADM_DOWNLOAD_REJECTS, "hidden"),
          Output(ids.ADM_INTERVAL, "disabled"), Output(ids.ADM_RUN, "disabled", allow_duplicate=True),
          Input(ids.ADM_INTERVAL, "n_intervals"), Input(ids.ADM_JOB, "data"), State(ids.ADM_LANG, "data"),
          prevent_initial_call=True)
def poll_job(_n: int | None, job_id: str | None, lang: str):
    job = _board().get(job_id)
    if job is None:
        return True, {"width": "0%"}, "adm-progress-bar", "", None, True, True, no_update
    snap = job.snapshot()
    running = snap["state"] == "running"
    width = {"width": f"{snap['percent']}%"}
    if running:
        text = t("admin.progress.running", lang, percent=snap["percent"], seconds=snap["seconds"])
        return False, width, "adm-progress-bar", text, None, True, False, True
    if snap["state"] == "failed":
        return (False, width, "adm-progress-bar adm-progress-failed", t("admin.progress.failed", lang),
                _message(t("admin.result.error", lang, reason=snap["error"]), "error"), True, True, False)
    text = t("admin.progress.done", lang, seconds=snap["seconds"])
    return (False, width, "adm-progress-bar adm-progress-done", text, _summary_view(snap, lang),
            not snap["summary"].get("rejected"), True, False)


def _summary_view(snap: dict[str, Any], lang: str) -> html.Div:
    s = snap["summary"]
    tiles = [("rows_read", s["rows_read"]), ("imported", s["imported"]), ("rejected", s["rejected"]),
             ("without_cell", s["without_cell"])]
    parts: list[Any] = [html.Div([html.Div([html.Div(t(f"admin.result.{k}", lang), className="adm-tile-label"),
                                            html.Div(f"{v:,}", className="adm-tile-value")],
                                           className=f"adm-tile adm-tile-{k}") for k, v in tiles],
                                 className="adm-tiles"),
                        html.P(t("admin.result.without_cell_detail", lang, none=f"{s['without_coordinates']:,}",
                                 outside=f"{s['outside_grid']:,}"), className="adm-hint"),
                        html.P(t("admin.result.created", lang, departments=s["departments_created"],
                                 categories=s["categories_created"], events=f"{s['events']:,}"), className="adm-hint")]
    if s.get("first_created_at"):
        parts.append(html.P(t("admin.result.period", lang, first=s["first_created_at"], last=s["last_created_at"]),
                            className="adm-hint"))
    if not s["rejected"]:
        parts.append(html.P(t("admin.result.no_rejects", lang), className="adm-hint"))
        return html.Div(parts, className="adm-summary")
    parts.append(html.H3(t("admin.result.by_reason", lang), className="adm-subtitle"))
    rows = [html.Tr([html.Td(_reason(reason, lang)), html.Td(f"{n:,}", className="adm-num")])
            for reason, n in s["rejected_by_reason"].items()]
    parts.append(html.Table(html.Tbody(rows), className="adm-table adm-reasons"))
    rejects = snap["rejects"]
    if rejects:
        columns = list(rejects[0])
        labels = {"row": t("admin.result.row", lang), "reason": t("admin.result.reason", lang)}
        parts.append(html.H3(t("admin.result.rejects", lang, n=len(rejects)), className="adm-subtitle"))
        parts.append(html.Div(html.Table([
            html.Thead(html.Tr([html.Th(labels.get(c, c)) for c in columns])),
            html.Tbody([html.Tr([html.Td(_reason(r.get(c, ""), lang) if c == "reason" else r.get(c, ""))
                                 for c in columns]) for r in rejects]),
        ], className="adm-table adm-rejects"), className="adm-table-wrap"))
    return html.Div(parts, className="adm-summary")


@callback(Output(ids.ADM_REJECTS_DOWNLOAD, "data"), Input(ids.ADM_DOWNLOAD_REJECTS, "n_clicks"),
          State(ids.ADM_JOB, "data"), State(ids.ADM_FILE, "data"), prevent_initial_call=True)
def download_rejects(_n: int, job_id: str | None, info: dict | None):
    job = _board().get(job_id)
    if job is None or not job.rejects_path.exists():
        return no_update
    stem = Path((info or {}).get("name") or "import").name
    auditing.note("export", target=f"{stem}.rejects.csv", detail="import rejects")
    return dcc.send_file(str(job.rejects_path), filename=f"{stem}.rejects.csv")
