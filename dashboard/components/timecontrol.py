"""The time control (回放): pick a past instant, step back and forward, play and pause at a
speed; the URL holds the instant (``?at=2026-11-18T09:30``) and a banner says plainly that
the board shows the past. Its callbacks keep ``pb-at`` (the instant, None while live), which a
page's panels take as an input and hand to ``dashboard.views.playback.PlaybackReader``.
Playback only reads."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import clock
from dashboard.components.ids import playback as ids
from dashboard.i18n import t
from dashboard.views.playback import SPEEDS, STEPS, at_text, parse_at, stepped


def control(lang: str, at: str | None = None) -> html.Div:
    """The control and its banner; ``at``: the page's ``?at=`` on a full load."""
    start = parse_at(at, clock.now())
    return html.Div(
        [
            dcc.Store(id=ids.LANG, data=lang),
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.AT, data=at_text(start)),
            dcc.Interval(id=ids.INTERVAL, interval=1000, disabled=True),
            html.Div(
                [
                    html.Label(t("pb.label", lang), htmlFor=ids.INPUT, className="pb-label"),
                    dcc.Input(id=ids.INPUT, type="text", debounce=True, placeholder="2026-11-18T09:30",
                              value=at_text(start), className="pb-input"),
                    html.Button("◀", id=ids.BACK, n_clicks=0, title=t("pb.back", lang), type="button",
                                className="pb-button"),
                    html.Button(t("pb.play", lang), id=ids.PLAY, n_clicks=0, type="button", className="pb-button"),
                    html.Button("▶", id=ids.FORWARD, n_clicks=0, title=t("pb.forward", lang), type="button",
                                className="pb-button"),
                    dcc.Dropdown(id=ids.STEP, value="minute", clearable=False, searchable=False,
                                 options=[{"label": t(f"pb.step.{s}", lang), "value": s} for s in STEPS],
                                 className="pb-step"),
                    dcc.Dropdown(id=ids.SPEED, value=1, clearable=False, searchable=False,
                                 options=[{"label": f"{n}×", "value": n} for n in SPEEDS], className="pb-speed"),
                    html.Button(t("pb.live", lang), id=ids.LIVE, n_clicks=0, type="button",
                                className="pb-button pb-live"),
                ],
                className="pb-control",
            ),
            html.Div(_banner(start, lang), id=ids.BANNER),
        ],
        className="pb",
    )


def _banner(at: datetime | None, lang: str):
    if at is None:
        return None
    return html.Div(t("pb.banner", lang, time=at.strftime("%Y-%m-%d %H:%M")), className="pb-banner", role="status")


def _search_with(search: str | None, at: str | None) -> str:
    pairs = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != "at"]
    if at:
        pairs.append(("at", at))
    return f"?{urlencode(pairs)}" if pairs else ""


@callback(Output(ids.AT, "data"), Output(ids.INPUT, "value"), Output(ids.URL, "search"),
          Input(ids.URL, "search"), Input(ids.INPUT, "value"), Input(ids.BACK, "n_clicks"),
          Input(ids.FORWARD, "n_clicks"), Input(ids.LIVE, "n_clicks"), Input(ids.INTERVAL, "n_intervals"),
          State(ids.AT, "data"), State(ids.STEP, "value"))
def choose_instant(search, typed, _back, _forward, _live, _ticks, current, step):
    now = clock.now()
    at = parse_at(current, now)
    trigger = ctx.triggered_id
    if trigger == ids.URL:
        values = dict(parse_qsl((search or "").lstrip("?")))
        at = parse_at(values.get("at"), now)
    elif trigger == ids.INPUT:
        at = parse_at(typed, now)
    elif trigger == ids.BACK:
        at = stepped(at, now, step, -1)
    elif trigger in (ids.FORWARD, ids.INTERVAL):
        at = stepped(at, now, step, +1) if at is not None else None
    elif trigger == ids.LIVE:
        at = None
    text = at_text(at)
    new_search = _search_with(search, text)
    return (text if text != current else no_update, text, new_search if new_search != (search or "") else no_update)


@callback(Output(ids.INTERVAL, "disabled"), Output(ids.INTERVAL, "interval"), Output(ids.PLAY, "children"),
          Input(ids.PLAY, "n_clicks"), Input(ids.AT, "data"), Input(ids.SPEED, "value"),
          State(ids.INTERVAL, "disabled"), State(ids.LANG, "data"))
def play_pause(_clicks, at, speed, disabled, lang):
    playing = not disabled
    if ctx.triggered_id == ids.PLAY:
        playing = not playing and at is not None
    if at is None:
        playing = False                       # reached the present: live again, nothing to play
    interval = int(1000 / max(1, int(speed or 1)))
    return not playing, interval, t("pb.pause" if playing else "pb.play", lang)


@callback(Output(ids.BANNER, "children"), Input(ids.AT, "data"), State(ids.LANG, "data"))
def show_banner(at, lang):
    return _banner(parse_at(at, clock.now()), lang)
