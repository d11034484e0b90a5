"""Teachers' and admins' reports: a class roster as CSV, and a community's last 30 days in numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from bot.core.bookings import booking_status
from bot.core.classes import ClassService
from bot.core.communities import CommunityRef
from bot.core.errors import NotAllowed
from bot.core.words.classes import bookings_counted
from bot.core.words.refusals import NOT_SET_UP
from bot.i18n.texts import Language, Text, ntr, tr
from bot.storage.communities import Communities
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.support.clock import Clock

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
        headings = (tr("child"), tr("parent"), tr("status"), tr("sessions attended"))
        writer.writerow([heading.render(language) for heading in headings])
        for line in roster.lines:
            status = booking_status(line.status).render(language)
            writer.writerow([_cell(line.child_name), _cell(line.parent_name), status, line.sessions_attended])
        for child in roster.waiting:
            writer.writerow([_cell(child), "", tr("waitlist").render(language), 0])
        return f"roster-{class_public_id}.csv", out.getvalue().encode("utf-8-sig")

    async def community_stats(self, community: CommunityRef, *, admin_verified: bool) -> CommunityStats:
        if not admin_verified:
            raise NotAllowed(tr("Only this group's admins can see its numbers."))
        since = self._clock() - timedelta(days=30)
        async with self._database.read() as session:
            row = await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
            if row is None:
                raise NotAllowed(NOT_SET_UP)
            classes, bookings, attended = await Communities(session).activity(row.id, since)
        return CommunityStats(classes, bookings, attended)
