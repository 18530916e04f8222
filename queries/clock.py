"""The one clock of the product: every "now" comes from here.

The center works in its own zone's wall-clock time (``timezone`` setting, default
Asia/Shanghai) and the store keeps naive local times of that zone. The machine's own zone
never matters: a server left at UTC shows Beijing time all the same.

``TOWNSHIP_CLOCK_AT`` (an ISO instant in the center's zone) starts the clock at that
instant; it then runs on with real elapsed time. Tests and demos use it to run the whole
product, server subprocesses included, at a chosen moment.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
_STARTED = time.monotonic()


class ClockError(ValueError):
    """A clock setting that cannot be read."""


_chosen: str | None = None


def zone_name() -> str:
    """The zone chosen by ``use_zone`` (the settings), else ``TOWNSHIP_TIMEZONE``, else Asia/Shanghai."""
    return _chosen or os.environ.get("TOWNSHIP_TIMEZONE") or DEFAULT_ZONE


def check_zone(name: str) -> None:
    _zone(name)


def use_zone(name: str) -> None:
    """The process's clock runs in this zone from now on (called once with the settings)."""
    global _chosen
    _zone(name)
    _chosen = name


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockError(f"setting timezone: unknown time zone {name!r}") from exc


@lru_cache(maxsize=8)
def _pinned(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ClockError(f"TOWNSHIP_CLOCK_AT: cannot read {text!r} as an ISO date and time") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(_zone(zone_name())).replace(tzinfo=None)
    return moment


def now() -> datetime:
    """Naive wall-clock time of the center's zone, to the second."""
    pinned = os.environ.get("TOWNSHIP_CLOCK_AT")
    if pinned:
        moment = _pinned(pinned) + timedelta(seconds=time.monotonic() - _STARTED)
    else:
        moment = datetime.now(_zone(zone_name())).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def to_minute(moment: datetime) -> datetime:
    """Panels compute against the minute: lights move by minutes, and equal instants
    let the query cache serve every refresh within the same minute."""
    return moment.replace(second=0, microsecond=0)
