"""The last twelve weeks of a community's or a teacher's classes, counted per week: bookings made, children who
attended a session, bookings cancelled. Weeks start on Monday, 00:00 UTC, and the last one is the week now under
way, so a quiet week shows as a zero rather than disappearing from the chart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.core.takings import ClassTakings
from bot.storage.activity import ActivityMoments

WEEKS = 12


@dataclass(frozen=True, slots=True)
class WeeklyActivity:
    starts: tuple[date, ...]  # each week's Monday, oldest first
    booked: tuple[int, ...]
    attended: tuple[int, ...]
    cancelled: tuple[int, ...]
    takings: tuple[ClassTakings, ...] = ()  # a teacher's paid classes (a community's report has none)

    @property
    def totals(self) -> tuple[int, int, int]:
        return sum(self.booked), sum(self.attended), sum(self.cancelled)


def first_week_start(now: datetime, weeks: int = WEEKS) -> datetime:
    """Monday 00:00 UTC of the oldest week shown, ``weeks - 1`` weeks before the current one."""
    today = now.astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday - timedelta(weeks=weeks - 1), datetime.min.time(), tzinfo=UTC)


def weekly(moments: ActivityMoments, now: datetime, weeks: int = WEEKS) -> WeeklyActivity:
    start = first_week_start(now, weeks)

    def counted(when: Iterable[datetime]) -> tuple[int, ...]:
        counts = [0] * weeks
        for moment in when:
            index = (moment - start) // timedelta(weeks=1)
            if 0 <= index < weeks:
                counts[index] += 1
        return tuple(counts)

    return WeeklyActivity(
        starts=tuple((start + timedelta(weeks=n)).date() for n in range(weeks)),
        booked=counted(moments.booked),
        attended=counted(moments.attended),
        cancelled=counted(moments.cancelled),
    )
