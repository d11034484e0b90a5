"""What ClassBot does when Zoom reports a change to a class's meeting.

- ``meeting.deleted``: the meeting is replaced (``MeetingKeeper.replace``, the path a "meeting not found" answer
  from Zoom takes too): if parents are booked a new one is made and they get its link; the teacher is told once.
- ``meeting.updated`` with a new start: the class's sessions follow and the parents are told. (Our own PATCH
  comes back as the same event with the time we already have, and changes nothing.)
- ``meeting.started``: every booked parent gets "live now" with their link.
- ``meeting.participant_joined``: attendance is recorded on the roster.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.core import job_kinds
from bot.core.meetings import MeetingKeeper
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.words.classes import local_time, moved
from bot.core.zoom_events import ZoomEvents
from bot.i18n.texts import tr
from bot.storage.bookings import Bookings
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.models import Booking
from bot.storage.next_starts import follow
from bot.support.clock import Clock
from bot.zoom.events import ZoomEvent

log = logging.getLogger(__name__)


class ZoomReactions:
    def __init__(self, database: Database, meetings: MeetingKeeper, *, clock: Clock) -> None:
        self._database = database
        self._meetings = meetings
        self._clock = clock

    def register(self, events: ZoomEvents) -> None:
        events.on("meeting.deleted", self.deleted)
        events.on("meeting.updated", self.updated)
        events.on("meeting.started", self.started)
        events.on("meeting.participant_joined", self.participant_joined)

    async def deleted(self, event: ZoomEvent) -> None:
        if event.meeting_id is None:
            return
        async with self._database.read() as session:
            cls = await Classes(session).by_meeting(event.meeting_id)
        if cls is not None:
            await self._meetings.replace(cls.id, event.meeting_id)

    async def updated(self, event: ZoomEvent) -> None:
        new_start = _parse_time(event.changes.get("start_time"))
        if event.meeting_id is None or new_start is None:
            return
        now = self._clock()
        async with self._database.write() as session:
            cls = await Classes(session).by_meeting(event.meeting_id)
            if cls is None or cls.status != "scheduled":
                return
            sessions = [s for s in await Classes(session).sessions(cls.id) if s.status == "scheduled"]
            if not sessions or sessions[0].starts_at == new_start:
                return
            shift = new_start - sessions[0].starts_at
            for row in sessions:
                row.starts_at = row.starts_at + shift
                await job_kinds.schedule_reminders(session, row.id, row.starts_at, now)
            await follow(session, cls, now)
            text = moved(cls.title, local_time(new_start, cls.timezone))
            parents = {b.parent_id for b in await Bookings(session).holding_seats(cls.id)}
            for parent_id in sorted(parents):
                await tell(session, parent_id, Message(text), now=now)
            await tell(session, cls.teacher_id, Message(tr("{moved} (changed in Zoom)", moved=text)), now=now)

    async def started(self, event: ZoomEvent) -> None:
        if event.meeting_id is None:
            return
        now = self._clock()
        async with self._database.write() as session:
            cls = await Classes(session).by_meeting(event.meeting_id)
            if cls is None or cls.status != "scheduled":
                return
            occasion = f"{job_kinds.meeting_tag(cls)}:{now.date().isoformat()}"
            for booking in await Bookings(session).holding_seats(cls.id, ("confirmed",)):
                await job_kinds.send_link(session, booking.public_id, "live", now, occasion)

    async def participant_joined(self, event: ZoomEvent) -> None:
        if event.meeting_id is None or event.participant_key is None:
            return
        now = self._clock()
        async with self._database.write() as session:
            cls = await Classes(session).by_meeting(event.meeting_id)
            if cls is None:
                return
            sessions = await Classes(session).sessions(cls.id)
            if not sessions:
                return
            current = min(sessions, key=lambda s: abs((s.starts_at - now).total_seconds()))
            booking_id = None
            for booking in await Bookings(session).holding_seats(cls.id, ("confirmed",)):
                if _same_participant(booking, event):
                    booking_id = booking.id
                    break
            await Classes(session).record_attendance(current.id, booking_id, event.participant_key, now)


def _same_participant(booking: Booking, event: ZoomEvent) -> bool:
    if booking.registrant_id and booking.registrant_id == event.participant_key:
        return True
    name = (event.participant_name or "").casefold().strip()
    return bool(name) and name == booking.child_name.casefold().strip()


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
