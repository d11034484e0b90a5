"""What the core hands back to the front ends: plain, immutable descriptions, never database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.prices import Price
from bot.storage.classes import ClassRow


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
    # Open to whoever holds its share link, not only to its communities' members (``bot.core.audience``).
    anyone_with_link: bool = False
    # Cancelled with the parents told when fewer are booked a day before (``job_kinds.check_min_bookings``).
    min_bookings: int | None = None
    zoom_enabled: bool = True  # off: no meeting and no link until the teacher adds one
    age_min: int | None = None  # the ages the teacher means it for; None: no bound on that side
    age_max: int | None = None
    has_meeting: bool = False  # Zoom on and no meeting yet: the teacher may have it made now
    price_amount: int | None = None  # per child, in the currency's minor unit; None: free
    price_currency: str | None = None
    refund_hours: int = 24  # a paid class's refund rule: the whole price back until this long before the first session

    @property
    def full(self) -> bool:
        return self.seats_left <= 0

    @classmethod
    def of(cls, row: ClassRow) -> ClassView:
        start = row.next_start.astimezone(ZoneInfo(row.timezone)) if row.next_start else None
        return cls(
            public_id=row.public_id,
            title=row.title,
            description=row.description,
            teacher_name=row.teacher_name,
            next_start=start,
            timezone=row.timezone,
            duration_minutes=row.duration_minutes,
            seats=row.seats,
            seats_left=max(0, row.seats - row.seats_taken),
            sessions=row.sessions_count,
            status=row.status,
            requires_approval=row.requires_approval,
            anyone_with_link=row.anyone_with_link,
            min_bookings=row.min_bookings,
            zoom_enabled=row.zoom_enabled,
            age_min=row.age_min,
            age_max=row.age_max,
            has_meeting=bool(row.has_meeting),
            price_amount=row.price_amount,
            price_currency=row.price_currency,
            refund_hours=row.refund_hours,
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
    # A paid booking: what the parent paid (kept, not given back), and until when cancelling gives it back (None:
    # no more, or nothing paid).
    paid: Price | None = None
    refund_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class BookingOutcome:
    """What one Book request did, child by child."""

    booked: tuple[BookingView, ...]
    waitlisted: tuple[str, ...]  # children's names put on the waitlist
    pending_approval: bool
    already_done: bool  # the same request came before (a redelivered update, a form sent twice)
    # The parent's language as the booking left it (their choice, else their platform's; None: not known), so the
    # answer needs no second look-up.
    language: str | None = None
    # Children booked though their age (given or remembered) is outside the class's range, with their ages; the
    # booking stands, the parent is told (``words.classes.describe_outcome``).
    outside_ages: tuple[tuple[str, int], ...] = ()
    age_min: int | None = None  # the class's range, to say it
    age_max: int | None = None
    # A paid class: each booked child's seat is held (``awaiting_payment``) for ``hold_minutes`` until paid.
    price_amount: int | None = None
    price_currency: str | None = None
    hold_minutes: int = 0
