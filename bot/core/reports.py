"""Teachers' and admins' reports: a class roster as CSV, a community's last 30 days in numbers, and the last 12
weeks week by week (for a community's admins, or a teacher's own classes) with their chart."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.core.bookings import booking_status
from bot.core.charts import ChartWords, weekly_chart
from bot.core.classes import ClassService
from bot.core.communities import CommunityRef
from bot.core.errors import NotAllowed
from bot.core.prices import amount_shown
from bot.core.takings import takings, takings_in_words
from bot.core.weekly import WeeklyActivity, first_week_start, weekly
from bot.core.words import stats as words
from bot.core.words.classes import bookings_counted
from bot.core.words.refusals import NOT_SET_UP
from bot.i18n.texts import Language, Text, joined, ntr, tr
from bot.i18n.translator import Translator
from bot.storage.activity import Activity
from bot.storage.communities import Communities
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.payments import Payments
from bot.storage.people import People
from bot.support.clock import Clock

_ADMINS_ONLY = tr("Only this group's admins can see its numbers.")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Names typed by people must not run as spreadsheet formulas (CSV injection)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@dataclass(frozen=True, slots=True)
class CommunityStats:
    classes: int
    bookings: int
    attended: int

    @property
    def attendance_rate(self) -> float:
        return self.attended / self.bookings if self.bookings else 0.0

    def summary(self, rate: str) -> Text:
        """The numbers in a sentence; ``rate`` is the attendance rate as the reader's language writes a percent."""
        return tr(
            "Last 30 days here: {classes}, {bookings}, {attended} attended ({rate}).",
            classes=ntr("{n} class announced", "{n} classes announced", self.classes),
            bookings=bookings_counted(self.bookings),
            attended=self.attended,
            rate=rate,
        )


class Reports:
    def __init__(self, database: Database, classes: ClassService, *, clock: Clock) -> None:
        self._database = database
        self._classes = classes
        self._clock = clock

    async def roster_csv(self, teacher: PersonRef, class_public_id: str, *, language: Language) -> tuple[str, bytes]:
        """The class's roster as a CSV file (only for its teacher), its headings and statuses in ``language``."""
        roster = await self._classes.roster(teacher, class_public_id)
        out = io.StringIO()
        writer = csv.writer(out)
        priced = roster.cls.price_amount is not None  # a paid class: who paid, in a column of its own
        headings = (tr("child"), tr("parent"), tr("status"), tr("sessions attended"), *([tr("paid")] if priced else []))
        writer.writerow([heading.render(language) for heading in headings])
        for line in roster.lines:
            status = booking_status(line.status).render(language)
            paid = [amount_shown(line.paid) if line.paid is not None else ""] if priced else []
            writer.writerow([_cell(line.child_name), _cell(line.parent_name), status, line.sessions_attended, *paid])
        for child in roster.waiting:
            writer.writerow([_cell(child), "", tr("waitlist").render(language), 0, *([""] if priced else [])])
        return f"roster-{class_public_id}.csv", out.getvalue().encode("utf-8-sig")

    async def community_stats(self, community: CommunityRef, *, admin_verified: bool) -> CommunityStats:
        if not admin_verified:
            raise NotAllowed(_ADMINS_ONLY)
        since = self._clock() - timedelta(days=30)
        async with self._database.read() as session:
            row = await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
            if row is None:
                raise NotAllowed(NOT_SET_UP)
            classes, bookings, attended = await Communities(session).activity(row.id, since)
        return CommunityStats(classes, bookings, attended)

    async def community_weeks(self, community: CommunityRef, *, admin_verified: bool) -> WeeklyActivity:
        """The community's last 12 weeks, for its admins (the classes ever announced there)."""
        if not admin_verified:
            raise NotAllowed(_ADMINS_ONLY)
        now = self._clock()
        async with self._database.read() as session:
            row = await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
            if row is None:
                raise NotAllowed(NOT_SET_UP)
            moments = await Activity(session).in_community(row.id, first_week_start(now))
        return weekly(moments, now)

    async def teacher_weeks(self, teacher: PersonRef) -> WeeklyActivity:
        """The last 12 weeks of the classes ``teacher`` teaches, with what their paid classes took in; refused to
        someone who teaches none."""
        now = self._clock()
        since = first_week_start(now)
        async with self._database.read() as session:
            person = await People(session).find(teacher)
            if person is None or not await Activity(session).teaches_any(person.id):
                raise NotAllowed(words.TEACHES_NOTHING)
            moments = await Activity(session).of_teacher(person.id, since)
            money = await Payments(session).takings_of_teacher(person.id, since)
        return replace(weekly(moments, now), takings=takings(money))


def chart_in_words(activity: WeeklyActivity) -> Text:
    """What the chart shows, as text: for whoever cannot see the picture."""
    return words.weekly_totals(*activity.totals)


def weeks_in_words(activity: WeeklyActivity) -> Text:
    """The report as text, sent beside the picture: the chart's numbers, then the money of paid classes."""
    money = takings_in_words(activity.takings)
    counts = chart_in_words(activity)
    return counts if money is None else joined("\n", counts, money)


async def chart_png(activity: WeeklyActivity, t: Translator) -> bytes:
    """The weekly chart as PNG bytes, its words in ``t``'s language (drawn off the event loop)."""
    chart_words = ChartWords(
        title=t(words.CHART_TITLE),
        week_axis=t(words.WEEK_AXIS),
        count_axis=t(words.COUNT_AXIS),
        series=(t(words.BOOKINGS_SERIES), t(words.ATTENDED_SERIES), t(words.CANCELLED_SERIES)),
        weeks=tuple(t.month_day(start) for start in activity.starts),
    )
    return await weekly_chart(activity, chart_words)
