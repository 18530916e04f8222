"""The time the dashboard shows and computes lights against.

The center works in local wall-clock time (Asia/Shanghai) and the store keeps naive local
timestamps, so "now" is naive local time too.
"""
from __future__ import annotations

from datetime import datetime


def now() -> datetime:
    """Naive local time, to the second."""
    return datetime.now().replace(microsecond=0)


def to_minute(moment: datetime) -> datetime:
    """Panels compute against the minute: lights move by minutes, and equal instants
    let the query cache serve every refresh within the same minute."""
    return moment.replace(second=0, microsecond=0)
