"""The occurrences of a recurring meeting with a fixed time (Zoom type 8), computed in the meeting's timezone.

Occurrences keep their local wall time across daylight-saving changes, as Zoom's do. Weekdays are Zoom's:
1 = Sunday ... 7 = Saturday. A series ends after ``end_times`` occurrences or on ``end_date_time`` (UTC).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAILY, WEEKLY, MONTHLY = 1, 2, 3
MAX_INTERVAL = {DAILY: 90, WEEKLY: 12, MONTHLY: 3}  # the limits stated in Zoom's recurrence documentation
_HORIZON_DAYS = 366 * 5


def zoom_weekday(day: date) -> int:
    """Zoom's day number: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def occurrences(first: datetime, recurrence: Mapping[str, Any], tz: ZoneInfo) -> list[datetime]:
    """The UTC start times of the series whose first possible start is ``first`` (aware)."""
    local = first.astimezone(tz)
    end_times = recurrence.get("end_times")
    until = _parse_utc(recurrence["end_date_time"]) if recurrence.get("end_date_time") else None
    limit = int(end_times) if end_times is not None else (None if until else 1)
    starts: list[datetime] = []
    for day in _days(local.date(), recurrence):
        start = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz).astimezone(UTC)
        if until is not None and start > until:
            break
        starts.append(start)
        if limit is not None and len(starts) >= limit:
            break
    return starts


def _days(first: date, recurrence: Mapping[str, Any]) -> Iterator[date]:
    kind = recurrence["type"]
    interval = int(recurrence.get("repeat_interval") or 1)
    horizon = first + timedelta(days=_HORIZON_DAYS)
    if kind == DAILY:
        day = first
        while day <= horizon:
            yield day
            day += timedelta(days=interval)
    elif kind == WEEKLY:
        wanted = sorted({int(d) for d in str(recurrence.get("weekly_days", "1")).split(",")})
        week_start = first - timedelta(days=zoom_weekday(first) - 1)
        while week_start <= horizon:
            for number in wanted:
                day = week_start + timedelta(days=number - 1)
                if day >= first:
                    yield day
            week_start += timedelta(weeks=interval)
    else:
        year, month = first.year, first.month
        while date(year, month, 1) <= horizon:
            day_in_month = _monthly_day(year, month, recurrence)
            if day_in_month is not None and day_in_month >= first:
                yield day_in_month
            month += interval
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _monthly_day(year: int, month: int, recurrence: Mapping[str, Any]) -> date | None:
    last = calendar.monthrange(year, month)[1]
    if recurrence.get("monthly_week") is not None and recurrence.get("monthly_week_day") is not None:
        weekday, week = int(recurrence["monthly_week_day"]), int(recurrence["monthly_week"])
        candidates = [date(year, month, d) for d in range(1, last + 1) if zoom_weekday(date(year, month, d)) == weekday]
        return candidates[-1] if week == -1 else candidates[week - 1]
    wanted = int(recurrence.get("monthly_day") or 1)
    return date(year, month, wanted) if wanted <= last else None


def _parse_utc(value: str) -> datetime:
    return datetime.strptime(value.rstrip("Z"), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
