"""The worker's side of the core: sending links and reminders, and carrying class changes to Zoom.

Private links are never stored in a job: a job names the booking or class, and its handler reads or fetches
the link when it runs, then hands it straight to the person's notifier. Each handler checks the state first
(a cancelled booking gets no link, a moved session no stale reminder), so a late or repeated job is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from bot.core import job_kinds
from bot.core.bookings import digest_text
from bot.core.meetings import MeetingKeeper
from bot.core.messages import Button, Message
from bot.core.notify import Messenger
from bot.core.timeliness import Timing, series_over, session_timing
from bot.core.views import ClassView
from bot.core.words import reminders
from bot.core.words.classes import card_text, local_time
from bot.core.words.labels import book_button
from bot.core.worker import JobWorker
from bot.core.zoom_answers import ZoomGiveUps
from bot.i18n.texts import Moment, Text, ntr, tr
from bot.storage.bookings import BookingMarks, Bookings
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.models import ClassSession
from bot.support.clock import Clock
from bot.support.crash_points import CrashPoint, CrashPoints
from bot.zoom.models import MeetingUpdate

log = logging.getLogger(__name__)


def _timing(
    sessions: list[ClassSession], duration_minutes: int, now: datetime, reminded: job_kinds.Reminded | None
) -> Timing | None:
    """Where a message stands now: OVER once the class's every session is; for a reminder, where its session
    stands, or None when that session was moved or called off since (its new reminders were queued then) or a
    later reminder of it is due by now."""
    if series_over(sessions, duration_minutes, now):
        return Timing.OVER
    if reminded is None:
        return Timing.AHEAD
    if reminded.superseded(now):
        return None
    for row in sessions:
        if row.id == reminded.session_id and row.status == "scheduled":
            if int(row.starts_at.timestamp()) != reminded.starts_at:
                return None
            return session_timing(row.starts_at, duration_minutes, now)
    return None


def _link_text(reason: str, child: str, title: str, when: Moment) -> Text:
    """What comes with a parent's Zoom link, by why it is sent."""
    if reason == "approved":
        return tr(
            "The teacher approved {child} for “{title}”, {when}. Here is your Zoom link.",
            child=child,
            title=title,
            when=when,
        )
    if reason == "promoted":
        return tr(
            "A seat opened: {child} is in “{title}”, {when}. Here is your Zoom link.",
            child=child,
            title=title,
            when=when,
        )
    if reason == "reminder":
        return tr(
            "Reminder: “{title}” for {child} starts {when}. Join with this link.", child=child, title=title, when=when
        )
    if reason == "live":
        return tr("“{title}” is starting now. Join {child}'s class with this link.", child=child, title=title)
    if reason == "zoom_added":
        return tr(
            "“{title}” now has a Zoom meeting. Here is {child}'s link ({when}); keep this message.",
            child=child,
            title=title,
            when=when,
        )
    if reason == "new_link":
        return tr(
            "The Zoom meeting of “{title}” changed: use this new link for {child} ({when}).",
            child=child,
            title=title,
            when=when,
        )
    return tr(
        "You're booked: {child} in “{title}”, {when}. Here is your Zoom link; keep this message.",
        child=child,
        title=title,
        when=when,
    )


class Delivery:
    """Handlers for the link, reminder and Zoom-sync jobs; ``register`` wires them into the worker."""

    def __init__(
        self,
        database: Database,
        meetings: MeetingKeeper,
        messenger: Messenger,
        *,
        clock: Clock,
        cancel_class: Callable[[PersonRef | None, str, Text], Awaitable[object]],
        crash_points: CrashPoints | None = None,
    ) -> None:
        self._crash_points = crash_points or CrashPoints()
        self._database = database
        self._meetings = meetings
        self._messenger = messenger
        self._clock = clock
        self._cancel_class = cancel_class
        self._give_ups = ZoomGiveUps(database, clock=clock)

    def register(self, worker: JobWorker) -> None:
        """Wire the handlers; a Zoom job given up on tells the class's teacher (``ZoomGiveUps``)."""
        for_booking, for_class = self._give_ups.booking_job, self._give_ups.class_job
        worker.register(job_kinds.SEND_LINK, self.send_link, given_up=for_booking)
        worker.register(job_kinds.SEND_START_LINK, self.send_start_link, given_up=for_class)
        worker.register(job_kinds.REMINDER, self.remind)
        worker.register(job_kinds.REMIND_PARENT, self.remind_parent)
        worker.register(job_kinds.MIN_BOOKINGS_CHECK, self.check_min_bookings)
        worker.register(job_kinds.MEETING_UPDATE, self.update_meeting, given_up=for_class)
        worker.register(job_kinds.MEETING_DELETE, self.delete_meeting, given_up=for_class)
        worker.register(job_kinds.MEETING_CHECK, self.check_meeting, given_up=for_class)
        worker.register(job_kinds.REGISTRANT_CANCEL, self.cancel_registrant, given_up=for_booking)
        worker.register(job_kinds.ANNOUNCE, self.announce)
        worker.register(job_kinds.BOOKING_DIGEST, self.tell_new_bookings)

    async def announce(self, payload: dict[str, Any]) -> None:
        """Post a newly published class's card (no link: the Book button leads to a private chat)."""
        async with self._database.read() as session:
            cls = await Classes(session).get(int(payload["class_id"]))
            if cls is None or cls.status != "scheduled":
                return
            view = ClassView.of(await Classes(session).row(cls, self._clock()))
        text = tr("New class: {card}", card=card_text(view))
        await self._messenger.post(int(payload["community_id"]), Message(text, (book_button(view),)))

    async def tell_new_bookings(self, payload: dict[str, Any]) -> None:
        """The teacher's notice of the class's bookings they have not heard of (see ``job_kinds.note_booking``).

        The bookings are marked told only once the notice is sent: a notice that fails is tried again with
        them, and a crash in between tells them twice rather than never.
        """
        class_id = int(payload["class_id"])
        async with self._database.write() as session:
            await job_kinds.open_digest(session, class_id)
            untold = await Bookings(session).awaiting_digest(class_id)
            cls = await Classes(session).get(class_id)
            if cls is None or not untold:
                return
            teacher_id, title, taken, seats = cls.teacher_id, cls.title, cls.seats_taken, cls.seats
        children = [child for _, child in untold[: job_kinds.DIGEST_NAMES]]
        await self.send_private(teacher_id, Message(digest_text(title, children, len(untold), taken, seats)))
        async with self._database.statement() as connection:
            await BookingMarks(connection).told_teacher([booking_id for booking_id, _ in untold])

    async def send_link(self, payload: dict[str, Any]) -> None:
        """A parent's join link, unless the class is over by now; a reminder's, worded for now (``timeliness``)."""
        # Named by public id; by id in jobs queued before (see ``job_kinds.link_job``).
        booking_ref = str(payload["booking"]) if "booking" in payload else int(payload["booking_id"])
        reason = str(payload["reason"])
        now = self._clock()
        reminded = job_kinds.Reminded.from_payload(payload)
        # One read for everything the link and its message need; then Zoom, then the parent's chat.
        async with self._database.read() as session:
            found = await Bookings(session).for_link(booking_ref, now)
            if found is None:
                return
            # A session still to start (read with the booking) is all a link that is no reminder needs to know of
            # the sessions (the class is not over): the sessions are read only for a reminder or a last session.
            ahead = reminded is None and found.next_start is not None
            sessions = [] if ahead else await Classes(session).sessions(found.cls.id)
        booking, cls, next_start, parent = found.booking, found.cls, found.next_start, found.parent
        if booking.status != "confirmed" or cls.status != "scheduled" or not cls.zoom_enabled:
            return
        title, child, timezone = cls.title, booking.child_name, cls.timezone
        text = _link_text(reason, child, title, local_time(next_start, timezone))
        timing = Timing.AHEAD if ahead else _timing(sessions, cls.duration_minutes, now, reminded)
        if timing is Timing.OVER or (reason == "reminder" and timing is None):
            log.info("link %s for booking %s of class %s not sent: too late", reason, booking.public_id, cls.public_id)
            return
        if reason == "reminder" and timing is Timing.STARTED:
            text = reminders.started_join(title, child)
        plan = self._meetings.planned_link(booking, cls, found.teacher_zoom)
        link = await self._meetings.link_of(plan)
        self._crash_points.reach(CrashPoint.BEFORE_LINK_SENT)
        await self._messenger.send_to(parent, Message(text, (Button(tr("Join the class on Zoom"), url=link),)))
        self._crash_points.reach(CrashPoint.AFTER_LINK_SENT)

    async def send_start_link(self, payload: dict[str, Any]) -> None:
        """The teacher's start link, unless the class is over by now; a reminder's, worded for now."""
        class_id, reason = int(payload["class_id"]), str(payload["reason"])
        now = self._clock()
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
            if cls is None or cls.status != "scheduled" or not cls.zoom_enabled:
                return
            next_start = await Classes(session).next_start(cls.id, now)
            sessions = await Classes(session).sessions(cls.id)
            teacher_id, title, timezone = cls.teacher_id, cls.title, cls.timezone
        timing = _timing(sessions, cls.duration_minutes, now, job_kinds.Reminded.from_payload(payload))
        if timing is Timing.OVER or (reason == "reminder" and timing is None):
            log.info("start link %s for class %s not sent: too late", reason, cls.public_id)
            return
        url = await self._meetings.start_link(class_id)
        when = local_time(next_start, timezone)
        if reason == "reminder" and timing is Timing.STARTED:
            text = reminders.started_host(title)
        elif reason == "reminder":
            text = tr(
                "Reminder: your class “{title}” starts {when}. "
                "This start link logs you in as the host and works for about two hours; do not share it.",
                title=title,
                when=when,
            )
        else:
            text = tr(
                "Your class “{title}” starts {when}. "
                "This start link logs you in as the host and works for about two hours; do not share it.",
                title=title,
                when=when,
            )
        await self.send_private(teacher_id, Message(text, (Button(tr("Start the class on Zoom"), url=url),)))

    async def remind_parent(self, payload: dict[str, Any]) -> None:
        """A booking's reminder of a class without Zoom (``job_kinds.remind_parent``), worded for now."""
        reminded = job_kinds.Reminded.from_payload(payload)
        now = self._clock()
        async with self._database.read() as session:
            booking = await Bookings(session).get(int(payload["booking_id"]))
            cls = await Classes(session).get(booking.class_id) if booking else None
            if booking is None or cls is None or booking.status != "confirmed" or cls.status != "scheduled":
                return
            sessions = await Classes(session).sessions(cls.id)
        timing = _timing(sessions, cls.duration_minutes, now, reminded)
        if reminded is None or timing is None or timing is Timing.OVER:
            log.info("reminder for booking %s of class %s not sent: too late", booking.public_id, cls.public_id)
            return
        if timing is Timing.STARTED:
            text = reminders.started(cls.title, booking.child_name)
        else:
            when = local_time(datetime.fromtimestamp(reminded.starts_at, UTC), cls.timezone)
            text = tr(
                "Reminder: “{title}” for {child} starts {when}.", title=cls.title, child=booking.child_name, when=when
            )
        await self.send_private(booking.parent_id, Message(text))

    async def remind(self, payload: dict[str, Any]) -> None:
        session_id, stamp = int(payload["session_id"]), int(payload["starts_at"])
        occasion = f"{session_id}:{payload['offset_minutes']}:{stamp}"
        now = self._clock()
        async with self._database.write() as session:
            row = await Classes(session).session(session_id)
            cls = await Classes(session).get(row.class_id) if row else None
            if row is None or cls is None or row.status != "scheduled" or cls.status != "scheduled":
                return
            if int(row.starts_at.timestamp()) != stamp:
                return  # the session moved; its new reminders were queued with the move
            reminded = job_kinds.Reminded(session_id, stamp, int(payload["offset_minutes"]))
            for booking in await Bookings(session).holding_seats(cls.id, ("confirmed",)):
                if cls.zoom_enabled:
                    await job_kinds.send_link(session, booking.public_id, "reminder", now, occasion, reminded=reminded)
                else:
                    await job_kinds.remind_parent(session, booking.id, reminded, now, occasion)
            if cls.zoom_enabled:
                await job_kinds.send_start_link(session, cls.id, "reminder", now, occasion, reminded=reminded)

    async def check_min_bookings(self, payload: dict[str, Any]) -> None:
        async with self._database.read() as session:
            cls = await Classes(session).get(int(payload["class_id"]))
            if cls is None or cls.status != "scheduled" or not cls.min_bookings:
                return
            confirmed = await Bookings(session).count_confirmed(cls.id)
            public_id, minimum = cls.public_id, cls.min_bookings
        if confirmed < minimum:
            log.info("class %s has %d of %d minimum bookings: cancelling", public_id, confirmed, minimum)
            reason = ntr("it needed at least {n} booking", "it needed at least {n} bookings", minimum)
            await self._cancel_class(None, public_id, reason)

    async def update_meeting(self, payload: dict[str, Any]) -> None:
        class_id = int(payload["class_id"])
        async with self._database.read() as session:
            cls = await Classes(session).get(class_id)
            if cls is None or cls.status != "scheduled" or cls.meeting_id is None:
                return
            sessions = [s for s in await Classes(session).sessions(class_id) if s.status == "scheduled"]
        if not sessions:
            return
        await self._meetings.update(
            class_id,
            MeetingUpdate(
                topic=cls.title,
                start=sessions[0].starts_at,
                duration_minutes=cls.duration_minutes,
                timezone=cls.timezone,
                weekly_sessions=len(sessions) if cls.sessions_count > 1 else None,
            ),
        )

    async def delete_meeting(self, payload: dict[str, Any]) -> None:
        await self._meetings.delete(int(payload["class_id"]))

    async def check_meeting(self, payload: dict[str, Any]) -> None:
        await self._meetings.check(int(payload["class_id"]), str(payload["meeting_id"]))

    async def cancel_registrant(self, payload: dict[str, Any]) -> None:
        registration = job_kinds.Registration.from_payload(payload)
        if registration is None:  # queued before jobs carried the registration
            await self._meetings.cancel_registrant(int(payload["booking_id"]))
        else:
            await self._meetings.cancel_registration(registration)

    async def send_private(self, person_id: int, message: Message) -> None:
        await self._messenger.send(person_id, message)
