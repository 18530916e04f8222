"""Layout pieces of the dispatch desk: the queue board, the matter card, its timeline and
its action form, and the outcome line. Pure builders from the plain data that
``dashboard/views/desk.py`` computes; no data access. (Not a page: Dash registers only the
modules here that register themselves.)"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from dash import dcc, html

from dashboard.components.dropdown import dropdown_labels
from dashboard.components.ids import desk as ids
from dashboard.components.light import light_badge, light_class
from dashboard.components.panel import notice
from dashboard.i18n import t
from queries.vocabulary import SATISFACTION

# -- queues --------------------------------------------------------------------------------
# The "when" text of a row takes its matter's light, except where it speaks of something
# else: how late the sign-for is, when it was closed.
WHEN_TONE = {"sign_overdue": "late", "follow_up": "closed"}


def queue_row(queue: str, row: dict[str, Any], selected: str | None, lang: str) -> html.Button:
    light = row["light"]
    marker = (html.Span(className=light_class(light), **{"aria-hidden": "true"}) if light
              else html.Span(className="queue-closed-mark", **{"aria-hidden": "true"}))
    flags = []
    if row["urgent"]:
        flags.append(html.Span(t("desk.card.urgent", lang), className="queue-flag"))
    return html.Button(
        [
            html.Span([marker, html.Span(row["when"], className="queue-when-text")],
                      className=f"queue-when queue-when-{WHEN_TONE.get(queue, light or 'closed')}",
                      title=row["light_label"]),
            html.Span(row["matter_id"], className="queue-id"),
            html.Span([*flags, row["category"]], className="queue-category", title=row["description"]),
            html.Span(row["place"], className="queue-place"),
            html.Span(row["dept"], className="queue-dept"),
        ],
        id=ids.desk_row(queue, row["matter_id"]),
        n_clicks=0,
        type="button",
        className="queue-row" + (" queue-row-selected" if row["matter_id"] == selected else ""),
        **{"data-matter": row["matter_id"]},
    )


def queue_list(key: str, total: int | None, rows: list[dict[str, Any]], selected: str | None,
               lang: str) -> Any:
    """A queue's rows, most urgent first; ``total=None`` before the first read."""
    if total is None:
        return html.Div(t("asof.waiting", lang), className="queue-empty")
    if not rows:
        return html.Div(t("desk.queue.empty", lang), className="queue-empty")
    body: list[Any] = [queue_row(key, row, selected, lang) for row in rows]
    if total > len(rows):
        body.append(html.Div(t("desk.queue.more", lang, shown=len(rows), total=total), className="queue-more"))
    return body


def queue_count(total: int | None) -> str:
    return "–" if total is None else f"{total:,}"


def queue_class(key: str, total: int | None) -> str:
    return f"desk-queue queue-{key}" + (" queue-has-items" if total else "")


def queue_section(key: str, title: str, hint: str, lang: str) -> html.Section:
    """One queue's frame: name, count and hint over its list; the count, the list and the
    class are filled (and refilled) by the page."""
    return html.Section(
        [
            html.Header([html.H3(title, className="queue-title"),
                         html.Span(queue_count(None), id=ids.desk_queue_count(key), className="queue-count"),
                         html.Span(hint, className="queue-hint")],
                        className="queue-head"),
            html.Div(queue_list(key, None, [], None, lang), id=ids.desk_queue_list(key), className="queue-list"),
        ],
        id=ids.desk_queue(key),
        className=queue_class(key, None),
    )


# -- the card ----------------------------------------------------------------------------
def card_empty(lang: str) -> html.Div:
    return notice(t("desk.card.empty", lang), t("desk.card.empty.hint", lang))


def card_missing(matter_id: Any, lang: str) -> html.Div:
    return notice(t("desk.card.not_found", lang, id=matter_id), kind="filtered")


def card_view(card: dict[str, Any], lang: str) -> html.Div:
    """Head (number, category, status, light with the working time left), details and the
    timeline of one matter."""
    tags = [html.Span(card["status_label"], className=f"status-chip status-{card['status']}")]
    if card["urgent"]:
        tags.append(html.Span(t("desk.card.urgent", lang), className="urgent-chip"))
    if card["supervision_count"]:
        tags.append(html.Span(t("desk.card.supervised", lang, n=card["supervision_count"]),
                              className="supervised-chip"))
    head = html.Div(
        [
            html.Div([html.Span(card["id"], className="card-id"),
                      html.Span(card["category"], className="card-category")], className="card-title"),
            html.Div(tags, className="card-tags"),
            html.Div(light_badge(card["light"] or "none", lang, text=card["remaining_text"]) if card["light"]
                     else html.Span(card["remaining_text"], className="card-finished"),
                     className="card-light"),
        ],
        className="card-head",
    )
    details = html.Dl([item for label, value in card["fields"]
                       for item in (html.Dt(label), html.Dd(value))], className="card-fields")
    return html.Div(
        [head, html.P(card["description"], className="card-description"), details],
        className="card-info", **{"data-status": card["status"], "data-matter": card["id"]},
    )


def timeline_view(rows: list[dict[str, Any]], lang: str) -> html.Div:
    if not rows:
        return html.Div(t("desk.timeline.empty", lang), className="timeline-empty")
    items = []
    for e in rows:
        lines = [html.Div([html.Span(e["time"], className="tl-time"),
                           html.Span(e["action_label"], className=f"tl-action tl-{e['action']}"),
                           html.Span(f"{e['from_status']} → {e['to_status']}" if e["from_status"]
                                     else e["to_status"], className="tl-states")], className="tl-line"),
                 html.Div([html.Span(e["actor"], className="tl-actor"),
                           html.Span(e["details"], className="tl-details") if e["details"] else None],
                          className="tl-meta")]
        if e["note"]:
            lines.append(html.Div(e["note"], className="tl-note"))
        items.append(html.Li(lines, className="tl-item"))
    return html.Ol(items, className="timeline")


# -- the action form -----------------------------------------------------------------------
class FormIds(NamedTuple):
    """The id factories of an action form: the desk's, or another page's that offers the
    same form (the matter page), so that each page's callbacks see only its own."""

    action: Callable[..., dict]
    field: Callable[..., dict]
    dept: Callable[..., dict]
    field_error: Callable[..., dict]


DESK_FORM = FormIds(ids.desk_action, ids.desk_field, ids.desk_dept, ids.desk_field_error)


def _error_slot(name: str, form: FormIds = DESK_FORM) -> html.Div:
    return html.Div("", id=form.field_error(name), className="field-error", role="alert")


def _button(action: str, lang: str, primary: bool, note_needed: bool, form: FormIds = DESK_FORM) -> html.Button:
    label = t(f"action.{action}", lang)
    return html.Button(
        label, id=form.action(action), n_clicks=0, type="button",
        className=f"action-btn action-{action}" + (" action-primary" if primary else ""),
        title=t("desk.actions.note_needed", lang) if note_needed else label,
    )


def suggestion_view(candidates: list[dict], lang: str) -> html.Div | None:
    """The dispatch suggestion: each proposed department with why, its load and on-time
    rate, and a button that puts it in the lead-department picker."""
    if not candidates:
        return None
    rows = [html.Div([
        html.Span(c["department"], className="suggest-dept"),
        html.Span(c["reason"], className="suggest-reason"),
        html.Span(c["load"], className="suggest-load"),
        html.Span(c["on_time"], className="suggest-on-time"),
        html.Button(t("desk.suggest.accept", lang), id=ids.desk_suggest(str(c["dept_id"])), n_clicks=0,
                    className="suggest-accept", title=t("desk.suggest.accept.hint", lang)),
    ], className="suggest-row" + (" suggest-first" if c["rank"] == 1 else "")) for c in candidates]
    return html.Div([html.Div(t("desk.suggest.title", lang), className="form-label"), *rows],
                    className="suggest-card")


def action_form(actions: tuple[str, ...], lang: str, *, note_needed: set[str], dept_options: list[dict],
                suggested: int | None, suggestion: str, candidates: list[dict] | None = None,
                form: FormIds = DESK_FORM) -> html.Div:
    """Buttons for exactly the legal ``actions``; dispatch, extend and follow-up carry their
    own fields, every action shares the note. ``form``: whose ids (the desk's by default)."""
    if not actions:
        return html.Div(t("desk.actions.none", lang), className="actions-none")
    rows: list[Any] = [
        html.Div([
            html.Label(t("desk.actions.note", lang), className="form-label"),
            dcc.Textarea(id=form.field("note"), value="", rows=2, maxLength=2000,
                         placeholder=t("desk.actions.note.placeholder", lang), className="form-note"),
            _error_slot("note", form),
        ], className="form-row form-row-note"),
    ]
    if "dispatch" in actions:
        rows.append(html.Div([
            html.Div([
                html.Label(t("desk.dispatch.department", lang), className="form-label"),
                dcc.Dropdown(id=form.dept("department"), options=dept_options, value=suggested,
                             clearable=False, placeholder=t("desk.dispatch.placeholder", lang),
                             labels=dropdown_labels(lang), className="form-dept", maxHeight=300),
                html.Div(suggestion, className="form-hint") if suggestion else None,
                suggestion_view(candidates or [], lang),
                _error_slot("department", form),
            ], className="form-field form-field-wide"),
            html.Div([
                html.Label(t("desk.dispatch.co", lang), className="form-label"),
                dcc.Dropdown(id=form.dept("co_departments"), options=dept_options, value=[], multi=True,
                             placeholder=t("desk.dispatch.placeholder", lang), labels=dropdown_labels(lang),
                             className="form-dept", maxHeight=300),
                _error_slot("co_departments", form),
            ], className="form-field form-field-wide"),
            _button("dispatch", lang, True, False, form),
        ], className="form-row form-row-dispatch"))
    if "extend" in actions:
        rows.append(html.Div([
            html.Div([
                html.Label(t("desk.extend.amount", lang), className="form-label"),
                html.Div([
                    dcc.Input(id=form.field("extend_amount"), type="number", min=0.5, step=0.5, value=None,
                              className="form-amount", debounce=False),
                    dcc.RadioItems(id=form.field("extend_unit"), value="hours", inline=True,
                                   options=[{"label": t(f"desk.extend.unit.{u}", lang), "value": u}
                                            for u in ("hours", "work_days")], className="form-radio"),
                ], className="form-inline"),
                _error_slot("extend_amount", form),
            ], className="form-field"),
            _button("extend", lang, False, "extend" in note_needed, form),
        ], className="form-row form-row-extend"))
    if "follow_up" in actions:
        rows.append(html.Div([
            html.Div([
                html.Label(t("desk.follow_up.satisfaction", lang), className="form-label"),
                dcc.RadioItems(id=form.field("satisfaction"), value=None, inline=True,
                               options=[{"label": t(f"satisfaction.{s}", lang), "value": s}
                                        for s in SATISFACTION], className="form-radio"),
                _error_slot("satisfaction", form),
            ], className="form-field"),
            _button("follow_up", lang, True, False, form),
        ], className="form-row form-row-follow_up"))
    plain_actions = [a for a in actions if a not in ("dispatch", "extend", "follow_up")]
    if plain_actions:
        forward = {"sign", "feedback", "verify", "close", "reopen"}
        rows.append(html.Div([_button(a, lang, a in forward, a in note_needed, form) for a in plain_actions],
                             className="form-row form-buttons"))
    return html.Div(rows, className="action-form", **{"data-actions": " ".join(actions)})


def outcome_view(kind: str, message: str) -> html.Div:
    return html.Div(message, className=f"outcome outcome-{kind}", role="status" if kind == "done" else "alert")
