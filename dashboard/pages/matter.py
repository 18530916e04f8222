"""事项 — one matter (``/matter/<id>``): the breadcrumb down to its cell, its countdown in
working time (light and words), its details, the timeline of its events with their actors,
the departments involved and what each did, its place on a small map, and the desk card's
action buttons, through the same write path (``desk_actions.perform``: ``check_action`` +
``apply_action`` for the signed-in user); the resources within a chosen radius (a map and a
list, nearest first) and the possible duplicates (the same 小类 nearby in space and time), each
with a 合并为重复 button that merges this matter into it through that same path. An unknown
id, or a matter outside the viewer's villages, is one and the same not-found page (HTTP 404 on a full load)."""
from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import clock
from dashboard.components.ids import drill as ids
from dashboard.components.light import light_badge
from dashboard.components.panel import notice, panel
from dashboard.context import actor_name, app_context, current_user, viewer_department, viewer_scope
from dashboard.i18n import t
from dashboard.pagelang import page_language, refresh_ms
from dashboard.pages import desk_layout, drill_layout
from dashboard.views import common, desk, desk_actions, drill, drill_resources
from queries import permissions
from queries.accounts import user_dept_id

FORM = desk_layout.FormIds(ids.action, ids.field, ids.dept, ids.field_error)
MAP_CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True, "scrollZoom": True}


def page_title(matter_id: str | None = None, **_query: Any) -> str:
    lang = page_language()
    return f"{t('app.title', lang)} · {t('drill.page.matter', lang)} {matter_id or ''}".strip()


dash.register_page(__name__, path_template="/matter/<matter_id>", name="事项", title=page_title, order=12)


def _view(tick: dict | None = None) -> desk.DeskView:
    settings = app_context().settings
    return desk.DeskView(scope=tuple(viewer_scope()), handled_by=viewer_department(),
                         now=common.as_of_from_tick(tick, clock.now()),
                         yellow_share=settings.yellow_fraction, follow_up_days=settings.follow_up_window_days)


def _minutes_per_day() -> int:
    return common.day_minutes(app_context().store, clock.now())


def _card(matter: Any, tick: dict | None, lang: str) -> dict | None:
    number = drill.matter_number(matter)
    if number is None:
        return None
    return desk.matter_card(app_context().reader, _view(tick), number, lang, _minutes_per_day())


def crumbs_for(card: dict, lang: str) -> list[tuple[str, str | None]]:
    """Township › village › cell › this matter, the village and cell looked up in scope."""
    reader, scope = app_context().reader, viewer_scope()
    place = reader.run("desk/matter_place", scope=list(scope), handled_by=viewer_department(),
                       matter_id=int(card["id"]))
    cell = drill.find_cell(reader, scope, place["cell_code"].iloc[0]) if not place.empty else None
    village = drill.find_village(reader, scope, cell.village_code) if cell else None
    return drill.breadcrumb(lang, village=village, cell=cell, matter_id=card["id"])


def layout(matter_id: str | None = None, lang: str | None = None, **_query: Any) -> html.Div:
    lang = page_language(lang)
    if current_user() is None:         # Dash's validation layout at start-up: every id, no data
        return _page("", [], lang)
    card = _card(matter_id, None, lang)
    if card is None:
        return drill_layout.not_found("matter", lang, id=str(matter_id or "")[:40])
    return _page(card["id"], crumbs_for(card, lang), lang)


def _duplicate_subtitle(lang: str) -> str:
    settings = app_context().settings
    return t("drill.dup.subtitle", lang, metres=f"{settings.duplicate_radius_m:,.0f}",
             days=settings.duplicate_window_days)


def _page(matter_id: str, crumbs: list, lang: str) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.MATTER_LANG, data=lang),
            dcc.Store(id=ids.MATTER_TICK, data=None),
            dcc.Store(id=ids.MATTER_PLACE, data={"matter": matter_id}),
            dcc.Store(id=ids.MATTER_STATE, data=None),
            dcc.Interval(id=ids.MATTER_INTERVAL, interval=refresh_ms(), n_intervals=0),
            html.Div([drill_layout.breadcrumb(crumbs, lang) if crumbs else html.Nav(className="breadcrumb")],
                     className="toolbar", id=ids.MATTER_CRUMBS),
            html.Div(id=ids.MATTER_HEAD, className="drill-countdown"),
            html.Div(
                [panel(t("drill.matter.details", lang),
                       html.Div([html.Div(id=ids.MATTER_CARD, className="card-main"),
                                 html.Div(id=ids.MATTER_MAP, className="card-map")], className="card-top"),
                       class_name="panel-card"),
                 panel(t("drill.matter.depts", lang), html.Div(id=ids.MATTER_DEPTS), class_name="panel-depts")],
                className="panel-row",
            ),
            html.Div(
                [panel(t("drill.matter.actions", lang),
                       html.Div([html.Div(id=ids.MATTER_FEEDBACK, className="card-feedback", **{"aria-live": "polite"}),
                                 html.Div(id=ids.MATTER_ACTIONS, className="card-actions")], className="desk-card"),
                       class_name="panel-actions"),
                 panel(t("drill.matter.timeline", lang), html.Div(id=ids.MATTER_TIMELINE, className="card-timeline"),
                       class_name="panel-timeline")],
                className="panel-row",
            ),
            html.Div(
                [panel(t("drill.res.title", lang),
                       html.Div([html.Div(id=ids.RES_MAP, className="res-map"),
                                 html.Div(id=ids.MATTER_RES_LIST, className="drill-scroll")], className="res-body"),
                       subtitle=t("drill.res.matter_subtitle", lang),
                       tools=drill_layout.radius_choice(drill_resources.RADII_M, drill_resources.DEFAULT_RADIUS_M,
                                                        lang),
                       class_name="panel-resources"),
                 panel(t("drill.dup.title", lang),
                       html.Div([html.Div(id=ids.DUP_FEEDBACK, className="card-feedback", **{"aria-live": "polite"}),
                                 html.Div(id=ids.DUP_LIST, className="drill-scroll")]),
                       subtitle=_duplicate_subtitle(lang), class_name="panel-duplicates")],
                id=ids.RESOURCES, className="drill-resources panel-row",
            ),
        ],
        className="drill-page matter-page", lang="en" if lang == "en" else "zh-CN",
        **{"data-matter": matter_id},
    )


@callback(Output(ids.MATTER_TICK, "data"), Input(ids.MATTER_INTERVAL, "n_intervals"), State(ids.MATTER_TICK, "data"))
def refresh_tick(_n: int, current: dict | None):
    latest = common.tick(app_context().reader, clock.now())
    return no_update if latest == current else latest


def countdown_view(card: dict, lang: str) -> html.Div:
    """The light with its name and the working time left (or how late): never colour alone."""
    shown = drill.countdown(card, lang)
    badge = (light_badge(shown["light"], lang, text=f"{shown['label']} · {shown['text']}") if shown["light"]
             else html.Span(shown["text"], className="card-finished"))
    return html.Div([html.Span(t("drill.matter.countdown", lang), className="kpi-label"),
                     html.Div(badge, className="drill-countdown-value"),
                     html.Span(card["status_label"], className=f"status-chip status-{card['status']}")],
                    className="drill-countdown-inner", **{"data-light": shown["light"] or "closed"})


@callback(Output(ids.MATTER_HEAD, "children"), Output(ids.MATTER_CARD, "children"),
          Output(ids.MATTER_TIMELINE, "children"), Output(ids.MATTER_DEPTS, "children"),
          Output(ids.MATTER_STATE, "data"),
          Input(ids.MATTER_TICK, "data"), Input(ids.MATTER_PLACE, "data"),
          State(ids.MATTER_STATE, "data"), State(ids.MATTER_LANG, "data"))
def update_matter(tick: dict | None, place: dict | None, shown: dict | None, lang: str):
    card = _card((place or {}).get("matter"), tick, lang)
    if card is None:
        missing = notice(t("drill.not_found.matter", lang, id=(place or {}).get("matter", "")), kind="filtered")
        return None, missing, None, None, None
    reader = app_context().reader
    events = reader.run("matters/timeline", scope=list(viewer_scope()), handled_by=viewer_department(),
                        matter_id=int(card["id"]))
    depts = drill.matter_departments(events, card["lead_dept_id"], card["co_dept_ids"],
                                     desk.department_names(reader, lang), lang)
    key = {"id": card["id"], "status": card["status"], "default_dept_id": card["default_dept_id"],
           "category": card["category"], "default_dept": card["default_dept"],
           "lead_dept_id": card["lead_dept_id"], "co_dept_ids": card["co_dept_ids"],
           "followed_up_at": card["followed_up_at"]}
    return (countdown_view(card, lang), desk_layout.card_view(card, lang),
            desk_layout.timeline_view(card["timeline"], lang), drill_layout.department_list(depts, lang),
            key if key != shown else no_update)


@callback(Output(ids.MATTER_MAP, "children"), Input(ids.MATTER_PLACE, "data"), State(ids.MATTER_LANG, "data"))
def draw_map(place: dict | None, lang: str):
    number = drill.matter_number((place or {}).get("matter"))
    if number is None:
        return None
    settings = app_context().settings
    figure = desk.minimap_figure(app_context().reader, _view(), number, lang, tile_url=settings.map_tile_url,
                                 tile_attribution=settings.map_tile_attribution)
    if figure is None:
        return notice(t("desk.map.no_point", lang), kind="filtered")
    return dcc.Graph(figure=figure, config=MAP_CONFIG, className="minimap-graph", style={"height": "250px"})


@callback(Output(ids.MATTER_ACTIONS, "children"), Input(ids.MATTER_STATE, "data"), State(ids.MATTER_TICK, "data"),
          State(ids.MATTER_LANG, "data"))
def render_actions(matter: dict | None, tick: dict | None, lang: str):
    """The desk card's buttons: exactly what the matter's state and the user's role allow."""
    if not matter:
        return None
    store = app_context().store
    user = current_user()
    actions = permissions.offered(user, desk_actions.legal_actions(matter["status"], matter), matter,
                                  user_dept_id(store, user))
    suggested = matter.get("default_dept_id")
    if "dispatch" in actions:               # the dispatch proposal's first candidate, pre-filled
        candidates = desk.dispatch_candidates(store, viewer_scope(), int(matter["id"]), lang, clock.now())
        suggested = candidates[0]["dept_id"] if candidates else suggested
    options = desk.department_options(app_context().reader, _view(tick), lang, suggested) if "dispatch" in actions \
        else []
    suggestion = (t("desk.dispatch.suggestion", lang, category=matter["category"], dept=matter["default_dept"])
                  if matter.get("default_dept") else "")
    return desk_layout.action_form(actions, lang, note_needed={a for a in actions if desk_actions.needs_note(a)},
                                   dept_options=options, suggested=suggested, suggestion=suggestion, form=FORM)


@callback(
    Output(ids.MATTER_FEEDBACK, "children"),
    Output(ids.field_error(ALL), "children"),
    Output(ids.field(ALL), "value"),
    Output(ids.MATTER_TICK, "data", allow_duplicate=True),
    Input(ids.action(ALL), "n_clicks"),
    State(ids.field(ALL), "value"),
    State(ids.dept(ALL), "value"),
    State(ids.MATTER_PLACE, "data"),
    State(ids.MATTER_LANG, "data"),
    running=[(Output(ids.MATTER_ACTIONS, "className"), "card-actions is-busy", "card-actions")],
    prevent_initial_call=True,
)
def act(_clicks: list, _fields: list, _depts: list, place: dict | None, lang: str):
    """One action through the desk's write path, as the signed-in user."""
    error_slots = [item["id"]["name"] for item in ctx.outputs_list[1]]
    field_names = [item["id"]["name"] for item in ctx.outputs_list[2]]
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    number = drill.matter_number((place or {}).get("matter"))
    if button is None or number is None:
        return no_update, [no_update] * len(error_slots), [no_update] * len(field_names), no_update
    reader, store = app_context().reader, app_context().store
    body = desk_actions.action_body(button["action"], desk_actions.form_values(ctx.states_list[0], "name"),
                                    desk_actions.form_values(ctx.states_list[1], "role"), actor_name())
    outcome = desk_actions.perform(store, viewer_scope(), number, body, now=clock.now(), lang=lang, by=current_user())
    errors = [outcome.field_errors.get(name, "") for name in error_slots]
    if not outcome.ok:
        tick = common.tick(reader, clock.now()) if outcome.kind == "refused" else no_update
        return desk_layout.outcome_view(outcome.kind, outcome.message), errors, [no_update] * len(field_names), tick
    cleared = ["" if name == "note" else None if name in ("extend_amount", "satisfaction") else no_update
               for name in field_names]
    return desk_layout.outcome_view(outcome.kind, outcome.message), errors, cleared, common.tick(reader, clock.now())


@callback(Output(ids.RES_MAP, "children"), Output(ids.MATTER_RES_LIST, "children"), Input(ids.MATTER_PLACE, "data"),
          Input(ids.RES_RADIUS, "value"), State(ids.MATTER_LANG, "data"))
def draw_resources(place: dict | None, radius: Any, lang: str):
    """The matter's place with the resources within the radius: a map and a list, nearest first."""
    number = drill.matter_number((place or {}).get("matter"))
    if number is None:
        return None, None
    reader, scope = app_context().reader, viewer_scope()
    if not drill_resources.matter_visible(reader, scope, number, viewer_department()):
        return None, None
    frame = drill_resources.matter_resources(reader, scope, number, radius)
    if frame is None:
        return None, notice(t("drill.res.no_point", lang), kind="filtered")
    settings = app_context().settings
    figure = desk.minimap_figure(reader, _view(), number, lang, tile_url=settings.map_tile_url,
                                 tile_attribution=settings.map_tile_attribution)
    graph = None
    if figure is not None:
        point = drill_resources.matter_point(reader, scope, number, viewer_department())
        figure = drill_resources.with_resources(figure, frame, point, radius, lang, matter_id=number)
        graph = dcc.Graph(figure=figure, config=MAP_CONFIG, className="minimap-graph", style={"height": "320px"})
    return graph, drill_layout.resource_table(drill_resources.resource_rows(frame, lang), lang)


def _may_merge(matter: dict) -> bool:
    """Whether the signed-in user is offered the merge of this matter (the server decides anyway)."""
    user = current_user()
    return (drill_resources.may_merge(matter.get("status"))
            and "merge" in permissions.offered(user, ("merge",), matter, user_dept_id(app_context().store, user)))


@callback(Output(ids.DUP_LIST, "children"), Input(ids.MATTER_STATE, "data"), State(ids.MATTER_LANG, "data"))
def list_duplicates(matter: dict | None, lang: str):
    """The possible duplicates of this matter, each with a merge button when the role allows it."""
    if not matter:
        return None
    settings = app_context().settings
    rows = drill_resources.duplicate_rows(app_context().reader, viewer_scope(), int(matter["id"]),
                                          radius_m=settings.duplicate_radius_m,
                                          days=settings.duplicate_window_days, lang=lang)
    if rows is None:                       # not a matter this viewer may see
        return None
    return drill_layout.duplicate_table(rows, lang, can_merge=_may_merge(matter))


@callback(Output(ids.DUP_FEEDBACK, "children"), Output(ids.MATTER_TICK, "data", allow_duplicate=True),
          Input(ids.merge(ALL), "n_clicks"), State(ids.MATTER_PLACE, "data"), State(ids.MATTER_LANG, "data"),
          prevent_initial_call=True)
def merge_duplicate(_clicks: list, place: dict | None, lang: str):
    """合并为重复: this matter merged into the chosen original, as the signed-in user."""
    button = common.clicked(ctx.triggered_id, ctx.inputs_list[0])
    number = drill.matter_number((place or {}).get("matter"))
    into = drill.matter_number((button or {}).get("into"))
    if button is None or number is None or into is None:
        return no_update, no_update
    store, reader = app_context().store, app_context().reader
    body = {"action": "merge", "into": into, "actor": actor_name()}
    outcome = desk_actions.perform(store, viewer_scope(), number, body, now=clock.now(), lang=lang, by=current_user())
    tick = common.tick(reader, clock.now()) if outcome.ok or outcome.kind == "refused" else no_update
    return desk_layout.outcome_view(outcome.kind, outcome.message), tick
