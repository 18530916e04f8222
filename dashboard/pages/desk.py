"""调度台 — the dispatch desk of the seat operator (坐席员) and the duty commander (在岗指挥长):
six queues of what needs action now, and the card of the chosen matter with the actions
its state allows.

Refreshing works as on the overview: an Interval asks for the data version every
``refresh_interval_s``; the ``DESK_TICK`` store changes only when the data or the minute
change, and the queues and the card listen to it. An action taken here bumps the tick at
once. The action form is drawn again only when the chosen matter or its status changes
(``DESK_MATTER``), so a refresh never wipes a note being typed.
"""
from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import clock, context
from dashboard.components import emergency_alarms
from dashboard.components.ids import desk as ids
from dashboard.components.panel import notice, panel
from dashboard.context import actor_name, app_context, current_user, maybe_app_context, viewer_scope
from dashboard.i18n import t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.pages import desk_layout
from dashboard.views import common, desk, desk_actions
from queries import permissions
from queries.accounts import user_dept_id

GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True, "scrollZoom": True}


def page_title(**_path_variables: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('page.desk', lang)}"


dash.register_page(__name__, path="/desk", name="调度台", title=page_title, order=1)


def _config() -> tuple[Any, Any, Any]:
    ctx = app_context()
    return ctx.settings, ctx.reader, ctx.store


def _matter_param(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if text.isdigit() and len(text) <= 18 else None


def layout(lang: str | None = None, matter: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    return html.Div(
        [
            dcc.Store(id=ids.DESK_LANG, data=lang),
            dcc.Store(id=ids.DESK_TICK, data=None),
            dcc.Store(id=ids.DESK_SELECTED, data=_matter_param(matter)),
            dcc.Store(id=ids.DESK_MATTER, data=None),
            dcc.Store(id=ids.DESK_QUEUE_DIGESTS, data={}),
            dcc.Store(id=ids.DESK_CARD_DIGEST, data=None),
            dcc.Interval(id=ids.DESK_INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([html.H1(t("page.desk", lang), className="page-title"),
                      html.Div(t("asof.waiting", lang), id=ids.DESK_AS_OF, className="as-of")],
                     className="toolbar desk-toolbar"),
            html.Div(id=ids.DESK_STORE_BANNER, className="store-banner store-banner-hidden", role="alert"),
            emergency_alarms.strip(lang),
            html.Div(
                [
                    panel(t("desk.queues.title", lang),
                          html.Div(_queue_sections(lang), id=ids.DESK_QUEUES, className="queue-board"),
                          subtitle=t("desk.queues.subtitle", lang), class_name="panel-queues"),
                    panel(t("desk.card.title", lang),
                          html.Div([
                              html.Div([html.Div(desk_layout.card_empty(lang), id=ids.DESK_CARD, className="card-main"),
                                        html.Div(id=ids.DESK_MINIMAP, className="card-map")],
                                       className="card-top"),
                              html.Div(id=ids.DESK_FEEDBACK, className="card-feedback", **{"aria-live": "polite"}),
                              html.Div(id=ids.DESK_ACTIONS, className="card-actions"),
                              html.Div(id=ids.DESK_TIMELINE, className="card-timeline"),
                          ], className="desk-card"),
                          class_name="panel-card"),
                ],
                className="desk-columns",
            ),
        ],
        className="desk-page",
        lang="en" if lang == "en" else "zh-CN",
    )


def _queue_sections(lang: str) -> list:
    """The six queue frames; their counts and lists come with the first tick."""
    ctx = maybe_app_context()
    settings = ctx.settings if ctx else None
    share = settings.yellow_fraction if settings else 0.25
    days = settings.follow_up_window_days if settings else 7
    return [desk_layout.queue_section(key, t(f"desk.queue.{key}", lang), desk.queue_hint(key, lang, share, days),
                                      lang)
            for key in desk.QUEUES]


def _view(tick: dict | None) -> desk.DeskView:
    settings, reader, _store = _config()
    return desk.DeskView(scope=tuple(viewer_scope()),
                         now=common.as_of_from_tick(tick, clock.now()),
                         yellow_share=settings.yellow_fraction,
                         follow_up_days=settings.follow_up_window_days, handled_by=context.viewer_department())


def _minutes_per_day() -> int:
    return common.day_minutes(app_context().store, clock.now())


@callback(Output(ids.DESK_STORE_BANNER, "children"), Output(ids.DESK_STORE_BANNER, "className"),
          Input(ids.DESK_INTERVAL, "n_intervals"), State(ids.DESK_LANG, "data"))
def store_banner(_n: int, lang: str | None):
    """While the store cannot write (a full disk, a read-only file), say so and why."""
    state = app_context().store.status()
    if state["writable"]:
        return "", "store-banner store-banner-hidden"
    return (t("desk.store.degraded", lang or "zh", reason=state["reason"] or "", since=state["since"] or ""),
            "store-banner")


@callback(Output(ids.DESK_TICK, "data"), Input(ids.DESK_INTERVAL, "n_intervals"), State(ids.DESK_TICK, "data"))
def refresh_tick(_n: int, current: dict | None):
    _, reader, _store = _config()
    latest = common.tick(reader, clock.now())
    return no_update if latest == current else latest


@callback(Output(ids.desk_queue_count(ALL), "children"), Output(ids.desk_queue_list(ALL), "children"),
          Output(ids.desk_queue(ALL), "className"), Output(ids.DESK_QUEUE_DIGESTS, "data"),
          Output(ids.DESK_AS_OF, "children"),
          Input(ids.DESK_TICK, "data"), Input(ids.DESK_SELECTED, "data"),
          State(ids.DESK_QUEUE_DIGESTS, "data"), State(ids.DESK_LANG, "data"))
def update_queues(tick: dict | None, selected: str | None, shown: dict | None, lang: str):
    """Refill the queues whose rows changed; an unchanged list is not sent again."""
    _, reader, _store = _config()
    v = _view(tick)
    queues = desk.queues(reader, v, lang, _minutes_per_day())
    keys = [item["id"]["queue"] for item in ctx.outputs_list[0]]
    digests = {key: desk.queue_digest(queues[key], selected) for key in keys}
    shown = shown or {}
    same = {key: shown.get(key) == digests[key] for key in keys}
    counts = [no_update if same[k] else desk_layout.queue_count(queues[k].total) for k in keys]
    lists = [no_update if same[k] else desk_layout.queue_list(k, queues[k].total, queues[k].rows, selected, lang)
             for k in keys]
    classes = [no_update if same[k] else desk_layout.queue_class(k, queues[k].total) for k in keys]
    return counts, lists, classes, (digests if not all(same.values()) else no_update), common.as_of_text(v.now, lang)


@callback(Output(ids.DESK_SELECTED, "data"), Output(ids.DESK_FEEDBACK, "children", allow_duplicate=True),
          Input(ids.desk_row(ALL, ALL), "n_clicks"), State(ids.DESK_SELECTED, "data"),
          prevent_initial_call=True)
def select_matter(_clicks: list, current: str | None):
    chosen = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if chosen is None or chosen["matter"] == current:
        return no_update, no_update
    return chosen["matter"], None


@callback(Output(ids.DESK_CARD, "children"), Output(ids.DESK_TIMELINE, "children"),
          Output(ids.DESK_MATTER, "data"), Output(ids.DESK_CARD_DIGEST, "data"),
          Input(ids.DESK_SELECTED, "data"), Input(ids.DESK_TICK, "data"),
          State(ids.DESK_MATTER, "data"), State(ids.DESK_CARD_DIGEST, "data"), State(ids.DESK_LANG, "data"))
def update_card(selected: str | None, tick: dict | None, shown: dict | None, shown_digest: str | None, lang: str):
    """The chosen matter's card; sent again only when what it shows changed, and the form's
    key (``DESK_MATTER``) only when the matter or its status changed."""
    _, reader, _store = _config()
    card = desk.matter_card(reader, _view(tick), int(selected), lang, _minutes_per_day()) if selected else None
    if card is None:
        body = desk_layout.card_missing(selected, lang) if selected else desk_layout.card_empty(lang)
        return body, None, (None if shown is not None else no_update), None
    key = {"id": card["id"], "status": card["status"], "default_dept_id": card["default_dept_id"],
           "category": card["category"], "default_dept": card["default_dept"],
           "lead_dept_id": card["lead_dept_id"], "co_dept_ids": card["co_dept_ids"]}
    fingerprint = desk.digest(card)
    if fingerprint == shown_digest and key == shown:
        return no_update, no_update, no_update, no_update
    return (desk_layout.card_view(card, lang), desk_layout.timeline_view(card["timeline"], lang),
            key if key != shown else no_update, fingerprint)


@callback(Output(ids.DESK_MINIMAP, "children"), Input(ids.DESK_SELECTED, "data"), State(ids.DESK_LANG, "data"))
def draw_minimap(selected: str | None, lang: str):
    if not selected:
        return None
    settings, reader, _store = _config()
    figure = desk.minimap_figure(reader, _view(None), int(selected), lang, tile_url=settings.map_tile_url,
                                 tile_attribution=settings.map_tile_attribution)
    if figure is None:
        return notice(t("desk.map.no_point", lang), kind="filtered")
    return dcc.Graph(figure=figure, config=GRAPH_CONFIG, className="minimap-graph", style={"height": "250px"})


@callback(Output(ids.DESK_ACTIONS, "children"), Input(ids.DESK_MATTER, "data"), State(ids.DESK_TICK, "data"),
          State(ids.DESK_LANG, "data"))
def render_actions(matter: dict | None, tick: dict | None, lang: str):
    if not matter:
        return None
    _, reader, _store = _config()
    user = current_user()
    actions = permissions.offered(user, desk_actions.legal_actions(matter["status"], matter), matter,
                                  user_dept_id(_store, user))
    suggested = matter.get("default_dept_id")
    candidates = (desk.dispatch_candidates(_store, viewer_scope(), int(matter["id"]), lang, clock.now())
                  if "dispatch" in actions else [])
    if candidates:                          # the proposal's first candidate, pre-filled
        suggested = candidates[0]["dept_id"]
    options = desk.department_options(reader, _view(tick), lang, suggested) if "dispatch" in actions else []
    suggestion = (t("desk.dispatch.suggestion", lang, category=matter["category"], dept=matter["default_dept"])
                  if matter.get("default_dept") else "")
    return html.Div([html.H3(t("desk.actions.title", lang), className="section-title"),
                     desk_layout.action_form(actions, lang,
                                             note_needed={a for a in actions if desk_actions.needs_note(a)},
                                             dept_options=options, suggested=suggested, suggestion=suggestion,
                                             candidates=candidates)])


@callback(Output(ids.desk_dept(ALL), "value"), Input(ids.desk_suggest(ALL), "n_clicks"), prevent_initial_call=True)
def take_suggestion(_clicks: list):
    """One click on a proposed department puts it in the lead-department picker."""
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if button is None:
        return [no_update for _ in ctx.outputs_list]
    return [int(button["dept"]) if item["id"]["role"] == "department" else no_update for item in ctx.outputs_list]


@callback(Output(ids.desk_dept(ALL), "options"), Input(ids.DESK_TICK, "data"), State(ids.DESK_MATTER, "data"),
          State(ids.DESK_LANG, "data"), prevent_initial_call=True)
def refresh_department_load(tick: dict | None, matter: dict | None, lang: str):
    if not ctx.outputs_list:
        return []
    _, reader, _store = _config()
    options = desk.department_options(reader, _view(tick), lang, (matter or {}).get("default_dept_id"))
    return [options for _ in ctx.outputs_list]


@callback(
    Output(ids.DESK_FEEDBACK, "children", allow_duplicate=True),
    Output(ids.desk_field_error(ALL), "children"),
    Output(ids.desk_field(ALL), "value"),
    Output(ids.DESK_TICK, "data", allow_duplicate=True),
    Input(ids.desk_action(ALL), "n_clicks"),
    State(ids.desk_field(ALL), "value"),
    State(ids.desk_dept(ALL), "value"),
    State(ids.DESK_SELECTED, "data"),
    State(ids.DESK_LANG, "data"),
    # No second click while the first is on its way: supervise or extend would count twice.
    running=[(Output(ids.DESK_ACTIONS, "className"), "card-actions is-busy", "card-actions")],
    prevent_initial_call=True,
)
def act(_clicks: list, _fields: list, _depts: list, selected: str | None, lang: str):
    error_slots = [item["id"]["name"] for item in ctx.outputs_list[1]]
    field_names = [item["id"]["name"] for item in ctx.outputs_list[2]]
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    if button is None or not selected:
        return no_update, [no_update] * len(error_slots), [no_update] * len(field_names), no_update
    _, reader, store = _config()
    body = desk_actions.action_body(button["action"], desk_actions.form_values(ctx.states_list[0], "name"),
                            desk_actions.form_values(ctx.states_list[1], "role"), actor_name())
    outcome = desk_actions.perform(store, viewer_scope(), int(selected), body, now=clock.now(), lang=lang,
                                   by=current_user())
    errors = [outcome.field_errors.get(name, "") for name in error_slots]
    if not outcome.ok:
        # A refusal means the card was behind (someone else acted): refresh it with the rest.
        tick = common.tick(reader, clock.now()) if outcome.kind == "refused" else no_update
        return desk_layout.outcome_view(outcome.kind, outcome.message), errors, [no_update] * len(field_names), tick
    cleared = ["" if name == "note" else None if name in ("extend_amount", "satisfaction") else no_update
               for name in field_names]
    return (desk_layout.outcome_view(outcome.kind, outcome.message), errors, cleared,
            common.tick(reader, clock.now()))
