"""The briefing page (情况报告): ``GET /briefing?period=day|week|month&end=YYYY-MM-DD&lang=…``
previews the briefing in the browser (the live document: its charts drawn by
``assets/briefing.js``, with a small form to choose the period), and
``GET /briefing/download?…&format=pdf|html`` downloads the same content as a PDF or a static
HTML file, made by headless Chromium (``dashboard.brief``). Both read within the viewer's
scope (``viewer_scope()``): a village's user gets that village's briefing. Bad input: 422."""
from __future__ import annotations

import logging
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request, send_file
from markupsafe import escape

from dashboard import brief, clock
from dashboard.context import app_context, current_user, viewer_scope
from dashboard.http.replies import answer_errors, echo, raise_if
from dashboard.i18n import LANGUAGES, t
from dashboard.views.briefing import FORMATS, PERIODS
from queries.analysis_config import load_analysis_config
from queries.store import StoreError
from queries.warnings import refresh_if_stale

log = logging.getLogger(__name__)
blueprint = answer_errors(Blueprint("briefing", __name__))
PLOTLY_URL = "/_dash-component-suites/" + brief.PLOTLY_JS
SCRIPT_URL = "/assets/briefing.js"


def _args(with_format: bool) -> tuple[str, date, str, str]:
    errors: list[dict[str, Any]] = []
    known = {"period", "end", "lang", *(("format",) if with_format else ())}
    errors += [{"field": echo(name), "problem": "unknown argument", "value": echo(request.args.get(name))}
               for name in sorted(set(request.args) - known)]
    period = request.args.get("period", "day")
    if period not in PERIODS:
        errors.append({"field": "period", "problem": f"one of {', '.join(PERIODS)}", "value": period[:40]})
    today = clock.now().date()
    text = request.args.get("end") or (today - timedelta(days=1)).isoformat()
    try:
        end = date.fromisoformat(text)
    except ValueError:
        errors.append({"field": "end", "problem": "a date YYYY-MM-DD", "value": text[:40]})
        end = today
    lang = request.args.get("lang", app_context().settings.language)
    if lang not in LANGUAGES:
        errors.append({"field": "lang", "problem": f"one of {', '.join(LANGUAGES)}", "value": lang[:40]})
    fmt = request.args.get("format", "pdf")
    if with_format and fmt not in FORMATS:
        errors.append({"field": "format", "problem": f"one of {', '.join(FORMATS)}", "value": fmt[:40]})
    raise_if(errors)
    return period, end, lang, fmt


def _briefing(period: str, end: date, lang: str):
    ctx = app_context()
    try:                                  # the warnings as fresh as the warnings page's
        refresh_if_stale(ctx.store, clock.now(), config=load_analysis_config(),
                         yellow_share=ctx.settings.yellow_fraction)
    except StoreError as exc:             # a read-only deployment reports what its writer stored
        log.warning("warnings not refreshed: %s", exc)
    scope = viewer_scope()
    return brief.compose(ctx.reader, ctx.store, ctx.settings, period=period, end=end, lang=lang, scope=scope,
                         scope_text=brief.scope_text_of(ctx.reader, scope, current_user(), lang), now=clock.now())


def _toolbar(period: str, end: date, lang: str) -> str:
    options = "".join(f'<option value="{p}"{" selected" if p == period else ""}>'
                      f'{escape(t(f"br.form.period.{p}", lang))}</option>' for p in PERIODS)
    query = {"period": period, "end": end.isoformat(), "lang": lang}
    links = "".join(f'<a class="br-download" id="br-download-{f}" href="/briefing/download?'
                    f'{escape(urlencode({**query, "format": f}))}">{escape(t(f"br.form.{f}", lang))}</a>'
                    for f in FORMATS)
    return (f'<form class="br-toolbar" method="get" action="/briefing">'
            f'<input type="hidden" name="lang" value="{lang}">'
            f'<label>{escape(t("br.form.period", lang))} <select name="period" id="br-period">{options}</select>'
            f'</label>'
            f'<label>{escape(t("br.form.end", lang))} <input type="date" name="end" id="br-end" '
            f'value="{end.isoformat()}"></label><button type="submit" id="br-show">{escape(t("br.form.show", lang))}'
            f'</button>{links}<a href="/?lang={lang}">{escape(t("br.form.back", lang))}</a></form>')


@blueprint.get("/briefing")
def preview():
    period, end, lang, _ = _args(with_format=False)
    page = brief.document(_briefing(period, end, lang), scripts=(PLOTLY_URL, SCRIPT_URL),
                          toolbar=_toolbar(period, end, lang))
    return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})


@blueprint.get("/briefing/download")
def download():
    period, end, lang, fmt = _args(with_format=True)
    content = _briefing(period, end, lang)
    folder = Path(tempfile.mkdtemp(prefix="township-briefing-"))
    path = brief.render(content, fmt, folder / brief.file_name(period, end, fmt),
                        chromium=app_context().settings.chromium_path)
    answer = send_file(path, as_attachment=True, download_name=path.name,
                       mimetype="application/pdf" if fmt == "pdf" else "text/html")
    answer.call_on_close(lambda: (path.unlink(missing_ok=True), folder.rmdir()))
    answer.headers["Cache-Control"] = "no-store"
    return answer
