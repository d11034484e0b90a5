"""What the core hands back to the front ends: plain, immutable descriptions, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.storage.classes import ClassRow
from bot.storage.models import Booking, Class


@dataclass(frozen=True, slots=True)
class ClassView:
    public_id: str
    title: str
    description: str
    teacher_name: str
    next_start: datetime | None  # aware, in the class's timezone; None when no session is left
    timezone: str
    duration_minutes: int
    seats: int
    seats_left: int
    sessions: int
    status: str
    requires_approval: bool

    @property
    def full(self) -> bool:
        return self.seats_left <= 0

    @classmethod
    def of(cls, row: ClassRow) -> ClassView:
        c = row.cls
        start = row.next_start.astimezone(ZoneInfo(c.timezone)) if row.next_start else None
        return cls(
            public_id=c.public_id,
            title=c.title,
            description=c.description,
            teacher_name=row.teacher_name,
            next_start=start,
            timezone=c.timezone,
            duration_minutes=c.duration_minutes,
            seats=c.seats,
            seats_left=max(0, c.seats - c.seats_taken),
            sessions=c.sessions_count,
            status=c.status,
            requires_approval=c.requires_approval,
        )


@dataclass(frozen=True, slots=True)
class BookingView:
    public_id: str
    class_public_id: str
    class_title: str
    child_name: str
    status: str
    next_start: datetime | None
    timezone: str

    @classmethod
    def of(cls, booking: Booking, klass: Class, next_start: datetime | None) -> BookingView:
        return cls(
            booking.public_id,
            klass.public_id,
            klass.title,
            booking.child_name,
            booking.status,
            next_start,
            klass.timezone,
        )


@dataclass(frozen=True, slots=True)
class BookingOutcome:
    """What one Book request did, child by child."""

    booked: tuple[BookingView, ...]
    waitlisted: tuple[str, ...]  # children's names put on the waitlist
    pending_approval: bool
    already_done: bool  # the same request came before (a double tap, a redelivered update)
    # The parent's language as the booking left it (their choice, else their platform's; None: not known), so the
    # answer needs no second look-up.
    language: str | None = None
