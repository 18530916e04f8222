"""Time playback over HTTP: ``GET /api/v1/playback?at=ISO`` → the board as it was at that
instant (open matters' lights, counts per cell, department loads, headline counts), folded
from the event log; ``GET /api/v1/playback/live`` → the same shape as the live board has it
now (``as_of`` the instant it was read), which playback of ``as_of`` equals. Both within the
viewer's scope; playback only reads.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from flask import Blueprint

from dashboard import clock
from dashboard.context import app_context, viewer_scope
from dashboard.http.contract import endpoint
from dashboard.http.models import Board, NoArguments, PlaybackQuery
from dashboard.http.replies import answer_errors, echo, parse_time, reply
from queries import playback
from queries.clock import zone_name
from queries.writepath import FieldErrors

blueprint = answer_errors(Blueprint("api_playback", __name__))


def playback_instant(text: str | None, now: datetime, first_day: datetime) -> datetime:
    """The instant ``?at=`` names: an ISO time, in the past, within the working calendar."""
    if not text:
        raise FieldErrors([{"field": "at", "problem": "required: an ISO 8601 time in the past", "value": None}])
    try:
        at = parse_time(text, ZoneInfo(zone_name()))
    except ValueError:
        raise FieldErrors([{"field": "at", "problem": "an ISO 8601 time", "value": echo(text)}]) from None
    if at > now:
        raise FieldErrors([{"field": "at", "problem": "lies in the future; playback shows the past",
                            "value": echo(text)}])
    if at < first_day:
        raise FieldErrors([{"field": "at", "problem": f"before the working calendar's first day "
                            f"{first_day:%Y-%m-%d}", "value": echo(text)}])
    return at.replace(microsecond=0)


def calendar_start() -> datetime:
    return np.datetime64(app_context().store.calendar.first_day, "s").astype(datetime)


@endpoint(blueprint, "GET", "/api/v1/playback", summary="the board as it was at a past instant, folded from "
          "the event log", query=PlaybackQuery, response=Board, errors=(422,))
def board_at(args: PlaybackQuery):
    ctx = app_context()
    at = playback_instant(args.at, clock.now(), calendar_start())
    state = playback.state_at(ctx.store, at, viewer_scope(), ctx.settings.yellow_fraction)
    return reply(state.to_json())


@endpoint(blueprint, "GET", "/api/v1/playback/live", summary="the live board in playback's shape",
          query=NoArguments, response=Board)
def board_now(args: NoArguments):  # noqa: ARG001 (parsed: an unknown argument is 422)
    ctx = app_context()
    state = playback.live_state(ctx.store, clock.now(), viewer_scope(), ctx.settings.yellow_fraction)
    return reply(state.to_json())
