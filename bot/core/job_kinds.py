"""The kinds of durable work the core queues, and the one place their payloads and dedupe keys are spelled.

Every job that sends something carries a dedupe key naming the exact thing sent (this booking's link for this
reason, this session's reminder at this offset for this start time), so however often a use case or a
redelivered event asks, each message is queued once while its job is waiting, running or done. A job given up on
(dead) frees its key: the work was never done, so the next request for it may queue it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import gates
from bot.storage.identity import PersonRef
from bot.storage.jobs import NewJob, add, enqueue, release_key, settle_key
from bot.storage.models import Booking, Class

SEND_LINK = "link.send"
SEND_START_LINK = "start_link.send"
REMINDER = "reminder"
MIN_BOOKINGS_CHECK = "min_bookings.check"
MEETING_UPDATE = "meeting.update"
MEETING_DELETE = "meeting.delete"
REGISTRANT_CANCEL = "registrant.cancel"
MEETING_CHECK = "meeting.check"
ANNOUNCE = "community.announce"
ERASE_AFTER_ZOOM = "person.erase"
BOOKING_DIGEST = "booking.digest"
REMIND_PARENT = "reminder.parent"  # a reminder without a link (a class without Zoom), worded when it is sent
HOLD_EXPIRY = "booking.hold_expiry"
PAYMENT_REFUND = "payment.refund"
CHECKOUT_EXPIRE = "checkout.expire"

# Jobs that wait on a teacher's Zoom connection; a reconnect makes them due at once.
WAITS_ON_ZOOM = (SEND_LINK, SEND_START_LINK, MEETING_UPDATE, MEETING_DELETE, REGISTRANT_CANCEL, MEETING_CHECK)

REMINDER_OFFSETS = (timedelta(hours=24), timedelta(minutes=15))

# A teacher hears of new bookings in a class at most about once per window: a class announced in a big group can
# take hundreds of bookings a minute, and Telegram lets a bot send about one message a second to one chat.
DIGEST_WINDOW_SECONDS = 5
DIGEST_NAMES = 10  # children named in one notice; the rest are counted

# A new booking's link waits until the parent has been told they are booked (``BookingService.book`` with
# ``confirm``), so the confirmation always comes first; if the process dies in between, the link goes after this.
CONFIRMATION_HOLD = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Reminded:
    """The session a reminder is about, as its start was when the reminder was due, and how long before the start
    it was due: the job sending it decides, when it runs, whether the reminder is still on time, late (the session
    has started) or pointless (over, or a later reminder of the same session is due by now)."""

    session_id: int
    starts_at: int  # a Unix timestamp
    offset_minutes: int

    def to_payload(self) -> dict[str, int]:
        return {"session_id": self.session_id, "starts_at": self.starts_at, "offset_minutes": self.offset_minutes}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reminded | None:
        """The session a job names; None for a job queued before reminders named theirs."""
        if not {"session_id", "starts_at", "offset_minutes"} <= payload.keys():
            return None
        return cls(int(payload["session_id"]), int(payload["starts_at"]), int(payload["offset_minutes"]))

    def superseded(self, now: datetime) -> bool:
        """A later reminder of the session (15 minutes before, after the one 24 hours before) is due by now: it
        alone is sent, so that a backlog drained late gives one reminder, not one per offset."""
        start = datetime.fromtimestamp(self.starts_at, UTC)
        ahead = timedelta(minutes=self.offset_minutes)
        return any(offset < ahead and start - offset <= now for offset in REMINDER_OFFSETS)


def link_job(
    booking_public_id: str,
    reason: str,
    now: datetime,
    occasion: str = "",
    *,
    held: bool = False,
    reminded: Reminded | None = None,
) -> NewJob:
    """The job sending a booking's parent their join link; ``reason`` and ``occasion`` make the message unique.

    It names the booking by its public id, known before the booking's row is written, so a new booking and its
    link are written by one statement (``Bookings.seat``). Jobs queued before named it by ``booking_id``.
    ``held``: due only after ``CONFIRMATION_HOLD``, unless ``link_key``'s job is made due sooner. ``reminded``:
    the session a reminder's link is about.
    """
    run_at = now + CONFIRMATION_HOLD if held else now
    payload: dict[str, Any] = {"booking": booking_public_id, "reason": reason}
    if reminded is not None:
        payload |= reminded.to_payload()
    return NewJob(SEND_LINK, payload, run_at, link_key(booking_public_id, reason, occasion))


def hold_expiry_job(booking_public_id: str, hold_until: datetime) -> NewJob:
    """The job that gives a seat held for payment back at ``hold_until`` unless it was paid by then."""
    return NewJob(HOLD_EXPIRY, {"booking": booking_public_id}, hold_until, f"hold:{booking_public_id}")


async def close_checkout(session: AsyncSession, booking: Booking, now: datetime) -> None:
    """A held seat is given back (its hold ran out, or it was cancelled): queue the closing of the payment page
    opened for it at the card provider, so that no payment starts there after the hold. Call it before the
    booking's status changes; a seat no longer held, or with no page, has nothing to close."""
    if booking.status != "awaiting_payment" or not booking.checkout_session_id:
        return
    await add(session, checkout_expire_job(booking.checkout_session_id, now))


def checkout_expire_job(session_id: str, now: datetime) -> NewJob:
    """The job that closes a payment page at the card provider; once per page however often it is asked."""
    return NewJob(CHECKOUT_EXPIRE, {"session": session_id}, now, f"checkout-expire:{session_id}")


def refund_job(payment_id: int, payer: PersonRef | None, now: datetime) -> NewJob:
    """The job that gives a payment back through its provider, to ``payer`` (as the provider knows them); once per
    payment however often it is asked."""
    payload: dict[str, Any] = {"payment_id": payment_id}
    if payer is not None:
        payload["payer"] = {"platform": payer.platform, "user_id": payer.user_id, "workspace_id": payer.workspace_id}
    return NewJob(PAYMENT_REFUND, payload, now, f"refund:{payment_id}")


def link_key(booking_public_id: str, reason: str, occasion: str = "") -> str:
    """The dedupe key of a booking's link job for ``reason`` (and ``occasion``)."""
    return f"link:{booking_public_id}:{reason}:{occasion}"


async def send_link(
    session: AsyncSession,
    booking_public_id: str,
    reason: str,
    now: datetime,
    occasion: str = "",
    *,
    reminded: Reminded | None = None,
) -> None:
    """Queue the join link for a booking's parent (see ``link_job``)."""
    await add(session, link_job(booking_public_id, reason, now, occasion, reminded=reminded))


def meeting_tag(cls: Class) -> str:
    """ClassBot's own name for the class's current Zoom meeting (the marker it was made with), for an occasion
    in a dedupe key: Zoom's meeting id is not kept in the job table, where it would outlive the teacher's Zoom
    authorization (``Classes.forget_zoom_data``)."""
    return cls.meeting_marker or f"class-{cls.id}"


async def send_start_link(
    session: AsyncSession,
    class_id: int,
    reason: str,
    now: datetime,
    occasion: str = "",
    run_at: datetime | None = None,
    *,
    reminded: Reminded | None = None,
) -> None:
    key = f"start:{class_id}:{reason}:{occasion}"
    payload: dict[str, Any] = {"class_id": class_id, "reason": reason}
    if reminded is not None:
        payload |= reminded.to_payload()
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


async def remind_parent(
    session: AsyncSession, booking_id: int, reminded: Reminded, now: datetime, occasion: str
) -> None:
    """Queue a booking's reminder of a class without Zoom; worded when sent, so that it is still true then."""
    payload = {"booking_id": booking_id} | reminded.to_payload()
    await enqueue(session, REMIND_PARENT, payload, run_at=now, dedupe_key=f"remind:{booking_id}:{occasion}")


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


@dataclass(frozen=True, slots=True)
class Registration:
    """A booking's registration in its class's Zoom meeting, as the job cancelling it carries it.

    Everything the cancellation needs is in the job, not read from the booking when it runs: a parent who asks
    to be forgotten is deleted at once, and a cancellation that Zoom refused at first (5xx, a timeout, a busy
    worker) must still find its registrant afterwards. None of it says who the parent or the child is: Zoom's
    ids, the booking's random public id (Zoom knows the registrant by an address made of it) and the teacher's
    row, whose Zoom account the meeting is in.
    """

    booking_id: int
    booking_public_id: str
    meeting_id: str
    registrant_id: str
    teacher_id: int

    def to_payload(self) -> dict[str, Any]:
        return {
            "booking_id": self.booking_id,
            "booking": self.booking_public_id,
            "meeting_id": self.meeting_id,
            "registrant_id": self.registrant_id,
            "teacher_id": self.teacher_id,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Registration | None:
        """The registration a job carries; None for a job queued before jobs carried it (only ``booking_id``)."""
        if "registrant_id" not in payload:
            return None
        return cls(
            int(payload["booking_id"]),
            str(payload["booking"]),
            str(payload["meeting_id"]),
            str(payload["registrant_id"]),
            int(payload["teacher_id"]),
        )


def registration_of(booking: Booking, cls: Class) -> Registration | None:
    """The booking's registration in the class's meeting, if it has one to cancel."""
    if booking.registrant_id is None or cls.meeting_id is None:
        return None
    return Registration(booking.id, booking.public_id, cls.meeting_id, booking.registrant_id, cls.teacher_id)


async def cancel_registrant(session: AsyncSession, registration: Registration, now: datetime) -> None:
    """Queue the cancellation of a booking's Zoom registration; once per booking however often it is asked."""
    key = f"unregister:{registration.booking_id}"
    await enqueue(session, REGISTRANT_CANCEL, registration.to_payload(), run_at=now, dedupe_key=key)


async def check_meeting(session: AsyncSession, class_id: int, meeting_id: str, run_at: datetime) -> None:
    """Look at Zoom at ``run_at`` whether the class's meeting still exists (``MeetingKeeper.check``)."""
    key = f"meeting-check:{class_id}:{int(run_at.timestamp())}"
    payload = {"class_id": class_id, "meeting_id": meeting_id}
    await enqueue(session, MEETING_CHECK, payload, run_at=run_at, dedupe_key=key)


async def announce(session: AsyncSession, class_id: int, community_id: int, now: datetime) -> None:
    await enqueue(
        session,
        ANNOUNCE,
        {"class_id": class_id, "community_id": community_id},
        run_at=now,
        dedupe_key=f"announce:{class_id}:{community_id}",
    )


@dataclass(frozen=True, slots=True)
class Erasure:
    """A person's ``/forgetme`` waiting on Zoom (deleting their classes' meetings) since ``since``. The person is
    named by their row and its creation time: a row id can be given again on SQLite once the row is gone."""

    person_id: int
    person_created: datetime
    since: datetime

    def to_payload(self) -> dict[str, Any]:
        created, since = self.person_created.isoformat(), self.since.isoformat()
        return {"person_id": self.person_id, "created": created, "since": since}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Erasure:
        created, since = str(payload["created"]), str(payload["since"])
        return cls(int(payload["person_id"]), datetime.fromisoformat(created), datetime.fromisoformat(since))


async def erase_after_zoom(session: AsyncSession, erasure: Erasure, now: datetime) -> None:
    """Queue the end of a person's ``/forgetme`` that waits on Zoom; once per person however often it is asked."""
    await enqueue(session, ERASE_AFTER_ZOOM, erasure.to_payload(), run_at=now, dedupe_key=_erase_key(erasure.person_id))


async def erased(session: AsyncSession, person_id: int) -> None:
    """The person was just erased: no job is left waiting to erase them (it would find the next person given
    the same row id, see ``Erasure``), and a later erasure of that id may queue its own."""
    await settle_key(session, _erase_key(person_id))


def _erase_key(person_id: int) -> str:
    return f"erase:{person_id}"
