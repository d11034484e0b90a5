"""The kinds of durable work the core queues, and the one place their payloads and dedupe keys are spelled.

Every job that sends something carries a dedupe key naming the exact thing sent (this booking's link for this
reason, this session's reminder at this offset for this start time), so however often a use case or a
redelivered event asks, each message is queued once while its job is waiting, running or done. A job given up on
(dead) frees its key: the work was never done, so the next request for it may queue it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import gates
from bot.storage.jobs import NewJob, add, enqueue, release_key

SEND_LINK = "link.send"
SEND_START_LINK = "start_link.send"
REMINDER = "reminder"
MIN_BOOKINGS_CHECK = "min_bookings.check"
MEETING_UPDATE = "meeting.update"
MEETING_DELETE = "meeting.delete"
REGISTRANT_CANCEL = "registrant.cancel"
MEETING_CHECK = "meeting.check"
ANNOUNCE = "community.announce"
BOOKING_DIGEST = "booking.digest"

# Jobs that wait on a teacher's Zoom connection; a reconnect makes them due at once.
WAITS_ON_ZOOM = (SEND_LINK, SEND_START_LINK, MEETING_UPDATE, MEETING_DELETE, REGISTRANT_CANCEL, MEETING_CHECK)

REMINDER_OFFSETS = (timedelta(hours=24), timedelta(minutes=15))

# A teacher hears of new bookings in a class at most about once per window: a class announced in a big group can
# take hundreds of bookings a minute, and Telegram lets a bot send about one message a second to one chat.
DIGEST_WINDOW_SECONDS = 5
DIGEST_NAMES = 10  # children named in one notice; the rest are counted


def link_job(booking_public_id: str, reason: str, now: datetime, occasion: str = "") -> NewJob:
    """The job sending a booking's parent their join link; ``reason`` and ``occasion`` make the message unique.

    It names the booking by its public id, known before the booking's row is written, so a new booking and its
    link are written by one statement (``Bookings.seat``). Jobs queued before named it by ``booking_id``.
    """
    key = f"link:{booking_public_id}:{reason}:{occasion}"
    return NewJob(SEND_LINK, {"booking": booking_public_id, "reason": reason}, now, key)


async def send_link(
    session: AsyncSession, booking_public_id: str, reason: str, now: datetime, occasion: str = ""
) -> None:
    """Queue the join link for a booking's parent (see ``link_job``)."""
    await add(session, link_job(booking_public_id, reason, now, occasion))


async def send_start_link(
    session: AsyncSession, class_id: int, reason: str, now: datetime, occasion: str = "", run_at: datetime | None = None
) -> None:
    key = f"start:{class_id}:{reason}:{occasion}"
    payload = {"class_id": class_id, "reason": reason}
    await enqueue(session, SEND_START_LINK, payload, run_at=run_at or now, dedupe_key=key)


async def note_booking(session: AsyncSession, class_id: int, now: datetime) -> None:
    """Make sure a digest will tell the teacher of the class's new bookings (marked ``awaits_digest``).

    A booking touches no shared row here: it passes the class's digest gate alongside other bookings and adds
    the class's digest job unless one is already waiting. The digest closes the gate before it reads the marked
    bookings (``open_digest``), so a booking that found a job waiting is always read by it; one that comes
    after makes the next job. The digest names bookings, never children, in the job table: a name is read when
    the notice is sent, so a parent who asks to be forgotten before then leaves nothing behind.
    """
    run_at = now + timedelta(seconds=DIGEST_WINDOW_SECONDS)
    digest = NewJob(BOOKING_DIGEST, {"class_id": class_id}, run_at, _digest_key(class_id))
    await gates.pass_through(session, gates.DIGEST_GATES, class_id, then=digest)


async def open_digest(session: AsyncSession, class_id: int) -> None:
    """Called by the running digest before it reads the bookings to tell: waits for bookings that found it
    waiting, then lets the next booking queue a new digest."""
    await gates.close(session, gates.DIGEST_GATES, class_id)
    await release_key(session, _digest_key(class_id))


def _digest_key(class_id: int) -> str:
    return f"digest:{class_id}"


async def schedule_reminders(session: AsyncSession, session_id: int, starts_at: datetime, now: datetime) -> None:
    """One reminder job per offset still in the future; keyed by the start, so a reschedule makes new ones."""
    stamp = int(starts_at.timestamp())
    for offset in REMINDER_OFFSETS:
        run_at = starts_at - offset
        if run_at <= now:
            continue
        minutes = int(offset.total_seconds() // 60)
        payload = {"session_id": session_id, "offset_minutes": minutes, "starts_at": stamp}
        await enqueue(session, REMINDER, payload, run_at=run_at, dedupe_key=f"reminder:{session_id}:{minutes}:{stamp}")


async def check_min_bookings(session: AsyncSession, class_id: int, first_start: datetime, now: datetime) -> None:
    run_at = max(now, first_start - timedelta(hours=24))
    stamp = int(first_start.timestamp())
    await enqueue(
        session, MIN_BOOKINGS_CHECK, {"class_id": class_id}, run_at=run_at, dedupe_key=f"min:{class_id}:{stamp}"
    )


async def update_meeting(session: AsyncSession, class_id: int, now: datetime) -> None:
    await enqueue(session, MEETING_UPDATE, {"class_id": class_id}, run_at=now)


async def delete_meeting(session: AsyncSession, class_id: int, now: datetime) -> None:
    await enqueue(session, MEETING_DELETE, {"class_id": class_id}, run_at=now, dedupe_key=f"delete:{class_id}")


async def check_meeting(session: AsyncSession, class_id: int, meeting_id: str, run_at: datetime) -> None:
    """Look at Zoom at ``run_at`` whether the class's meeting still exists (``MeetingKeeper.check``)."""
    key = f"meeting-check:{meeting_id}:{int(run_at.timestamp())}"
    payload = {"class_id": class_id, "meeting_id": meeting_id}
    await enqueue(session, MEETING_CHECK, payload, run_at=run_at, dedupe_key=key)


async def cancel_registrant(session: AsyncSession, booking_id: int, now: datetime) -> None:
    await enqueue(
        session, REGISTRANT_CANCEL, {"booking_id": booking_id}, run_at=now, dedupe_key=f"unregister:{booking_id}"
    )


async def announce(session: AsyncSession, class_id: int, community_id: int, now: datetime) -> None:
    await enqueue(
        session,
        ANNOUNCE,
        {"class_id": class_id, "community_id": community_id},
        run_at=now,
        dedupe_key=f"announce:{class_id}:{community_id}",
    )
