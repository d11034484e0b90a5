"""Whether a reminder or a link, going out now, is still true: decided when it is sent, not when it was queued.

A platform that was away for a while (Telegram, Slack, Zoom) holds the worker's jobs back; when it answers again
they drain, some after the moment they speak of. A reminder of a session that has started says so ("has started,
join now"); one of a session that is over is not sent at all; a join link to a class whose every session is over
is not sent either. A weekly class is over only when the last session of the series is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum

from bot.storage.models import ClassSession


class Timing(Enum):
    """Where a session stands at a moment."""

    AHEAD = "ahead"  # not started: a reminder is still on time
    STARTED = "started"  # under way: a reminder becomes "has started, join now"
    OVER = "over"  # ended: a reminder is no longer worth sending


def session_timing(starts_at: datetime, duration_minutes: int, now: datetime) -> Timing:
    if now < starts_at:
        return Timing.AHEAD
    if now < starts_at + timedelta(minutes=duration_minutes):
        return Timing.STARTED
    return Timing.OVER


def series_over(sessions: Iterable[ClassSession], duration_minutes: int, now: datetime) -> bool:
    """True when no scheduled session of the class is ahead or under way (none at all counts as over)."""
    length = timedelta(minutes=duration_minutes)
    return not any(s.status == "scheduled" and s.starts_at + length > now for s in sessions)
