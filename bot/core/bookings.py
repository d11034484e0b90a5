"""Booking seats: taken atomically, booked once per request, given back to the waitlist in order.

A seat is taken by one conditional UPDATE (``seats_taken + 1 <= seats``), so no interleaving of requests, in
one process or many, books more children than seats. Each child of a request is keyed by the request's key
(the platform's update or interaction id) and its position: a double tap or a redelivered update finds the
bookings it made the first time and books nothing more. Everything a booking sets off (the parent's link, the
teacher's notice) is queued in the same transaction, so a booking is never confirmed without them. A front end
that tells the parent they are booked does it through ``book``'s ``confirm``: the new bookings' links are held until
it has, so the confirmation always arrives before the link message (see ``job_kinds.CONFIRMATION_HOLD``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.actions import Act
from bot.core.audience import NO_SUCH_CLASS, Audience
from bot.core.calendar import booking_calendar
from bot.core.class_input import AGE_RANGE
from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.core.ids import new_public_id
from bot.core.meetings import MeetingKeeper
from bot.core.messages import Button, Message
from bot.core.notify import tell
from bot.core.prices import Currencies, Price, amount_shown, price_of
from bot.core.refunds import queue_refund, refund_until
from bot.core.views import BookingOutcome, BookingView
from bot.core.words.classes import seats_taken
from bot.core.words.labels import PAY_BUTTON, approval_buttons, seat_offered
from bot.core.words.refusals import BOOKING_GONE, NOT_YOUR_BOOKING, booking_already, cancelled_so_not_bookable
from bot.i18n.texts import Language, Moment, Text, joined, ntr, plain, tr
from bot.storage import jobs
from bot.storage.bookings import HOLDS_A_SEAT, Bookings, Children, Held, Waitlist
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.jobs import JobQueue, NewJob
from bot.storage.listings import Listings
from bot.storage.models import Booking, Class, WaitlistEntry
from bot.storage.payments import Payments
from bot.storage.people import People
from bot.support.clock import Clock
from bot.support.crash_points import CrashPoint, CrashPoints
from bot.support.metrics import Metrics

CHILD_NAME_MAX = 100
# How long a seat in a paid class is held while the parent pays (``PAYMENT_HOLD_SECONDS``).
DEFAULT_HOLD = timedelta(minutes=15)
AWAITING_PAYMENT = "awaiting_payment"
CHILDREN_PER_REQUEST = 10


def parse_child_names(raw: str) -> list[str]:
    """Names separated by commas or new lines; each 1 to 100 characters, at most 10, no repeats."""
    names: list[str] = []
    for part in raw.replace("\n", ",").split(",")[: CHILDREN_PER_REQUEST + 1]:
        name = " ".join(part.split())
        if not name:
            continue
        if len(name) > CHILD_NAME_MAX:
            raise InvalidInput("child", tr("A child's name can have at most {most} characters.", most=CHILD_NAME_MAX))
        if name.casefold() not in (known.casefold() for known in names):
            names.append(name)
    if not names:
        raise InvalidInput("child", tr("Type your child's first name (several children: separate names by commas)."))
    if len(names) > CHILDREN_PER_REQUEST:
        raise InvalidInput("child", tr("Book at most {most} children at a time.", most=CHILDREN_PER_REQUEST))
    return names


_AGED = re.compile(r"^(.*\S)\s+(\d{1,2})$")


def child_and_age(typed: str) -> tuple[str, int | None]:
    """A child's name as a parent typed it, with the age they may have put after it: "Mia 8" is Mia, aged 8."""
    aged = _AGED.match(typed)
    if aged is None or not AGE_RANGE[0] <= int(aged[2]) <= AGE_RANGE[1]:
        return typed, None
    return aged[1], int(aged[2])


def child_label(name: str, age: int | None) -> str:
    """How a remembered child is offered back (a button): the name, with the age when it was given."""
    return name if age is None else f"{name} {age}"


def outside_range(age: int, age_min: int | None, age_max: int | None) -> bool:
    return (age_min is not None and age < age_min) or (age_max is not None and age > age_max)


Confirm = Callable[[BookingOutcome], Awaitable[None]]

# A booking is cancelled only once the parent has answered this question, on every platform (as a class is).
CANCEL_BOOKING_YES = tr("Yes, cancel the booking")


def cancel_booking_question(view: BookingView) -> Text:
    """What a parent is asked before their booking is cancelled; for a paid booking, what becomes of the money
    (the same words on every platform: Telegram asks from ``BookingService.cancel_question``, Slack's confirm
    dialog from the booking's view)."""
    asked = tr(
        "Cancel {child}'s seat in “{title}”? The seat goes to the next child waiting, if there is one.",
        child=view.child_name,
        title=view.class_title,
    )
    if view.paid is None:
        return asked
    amount = amount_shown(view.paid)
    if view.refund_until is None:
        money = tr("The {amount} you paid does not come back: the class is too close.", amount=amount)
    else:
        money = tr(
            "Cancelled before {time}, the {amount} you paid comes back; after that it does not.",
            time=Moment(view.refund_until, view.timezone),
            amount=amount,
        )
    return joined(" ", money, asked)  # the money first: a dialog that cuts a long question keeps it


class BookingService:
    def __init__(
        self,
        database: Database,
        meetings: MeetingKeeper,
        audience: Audience,
        *,
        clock: Clock,
        jobs: JobQueue | None = None,
        metrics: Metrics | None = None,
        crash_points: CrashPoints | None = None,
        hold: timedelta = DEFAULT_HOLD,
        currencies: Currencies | None = None,
    ) -> None:
        self._hold = hold
        self._currencies = currencies or Currencies()  # what each platform's parents can pay in
        self._metrics = metrics
        self._crash_points = crash_points or CrashPoints()
        self._database = database
        self._meetings = meetings
        self._audience = audience
        self._clock = clock
        self._jobs = jobs or JobQueue(database)

    async def join_link(self, parent: PersonRef, booking_public_id: str) -> str:
        """The parent's own Zoom link for a confirmed booking (only ever shown to them, privately)."""
        booking_id = await self._own_confirmed_booking(parent, booking_public_id)
        return await self._meetings.join_link(booking_id)

    async def calendar(self, parent: PersonRef, booking_public_id: str, *, language: Language) -> tuple[str, bytes]:
        """A file name and an .ics calendar of the booking's sessions, with the join link when there is one; its
        words are in ``language`` (the file is made for the person who asked)."""
        booking_id = await self._own_confirmed_booking(parent, booking_public_id)
        async with self._database.read() as session:
            booking = await Bookings(session).get(booking_id)
            assert booking is not None
            cls = await Classes(session).get(booking.class_id)
            assert cls is not None
            now = self._clock()
            starts = [s.starts_at for s in await Classes(session).sessions(cls.id) if s.status == "scheduled"]
            starts = [start for start in starts if start > now]
            zoom = cls.zoom_enabled
        link = None
        if zoom:
            with contextlib.suppress(Exception):  # a calendar without the link beats no calendar
                link = await self._meetings.join_link(booking_id)
        body = booking_calendar(
            uid=booking_public_id,
            title=cls.title,
            child=booking.child_name,
            starts=starts,
            duration_minutes=cls.duration_minutes,
            join_url=link,
            description=_calendar_note(booking.child_name, link).render(language),
            now=now,
        )
        return f"class-{booking_public_id}.ics", body

    async def ensure_own_confirmed(self, parent: PersonRef, booking_public_id: str) -> None:
        """Refuse, as ``join_link`` and ``calendar`` would, unless the booking is the parent's and confirmed."""
        await self._own_confirmed_booking(parent, booking_public_id)

    async def _own_confirmed_booking(self, parent: PersonRef, booking_public_id: str) -> int:
        async with self._database.read() as session:
            person = await People(session).find(parent)
            booking = await Bookings(session).by_public_id(booking_public_id)
            if booking is None:
                raise NotFound(BOOKING_GONE)
            if person is None or booking.parent_id != person.id:
                raise NotAllowed(tr("Only the parent who made a booking can see its link."))
            if booking.status != "confirmed":
                raise Conflict(
                    tr("This booking is {status}, so it has no link.", status=booking_status(booking.status))
                )
            return booking.id

    async def book(
        self,
        parent: PersonRef,
        class_public_id: str,
        children: list[str],
        request_key: str,
        *,
        confirm: Confirm | None = None,
        as_typed: bool = False,
    ) -> BookingOutcome:
        """Book a seat for each child, waitlisting those who do not fit; the same request twice books once. Only
        someone who may see the class books it (``Audience.require``), asked before anything is written.

        ``as_typed``: ``children`` are as a parent typed or tapped them, so a number after a name is the child's
        age ("Mia 8", ``child_and_age``), remembered with the name; otherwise each is a name as it is.

        ``confirm`` tells the parent what happened (a front end's answer); the new bookings' links wait for it, so
        the confirmation is never overtaken by a link. Without it the links are due at once.
        """
        if not children:
            raise InvalidInput("child", tr("Say which child the seat is for."))
        aged = [child_and_age(child) if as_typed else (child, None) for child in children]
        children = [name for name, _ in aged]
        await self._audience.require(parent, class_public_id)
        now = self._clock()
        keys = [f"{request_key}:{position}" for position in range(len(children))]
        async with self._database.write() as session:
            person = await People(session).ensure(parent)
            cls, next_start = await self._bookable_class(session, class_public_id, person.id)
            takes = self._currencies.of(parent.platform)
            if cls.price_currency is not None and not takes.takes(cls.price_currency):
                raise Conflict(takes.why_not_bookable(cls.title, cls.price_currency))
            earlier = await self._earlier_or_refused(session, cls, next_start, person.id, keys, children)
            outside = await self._ages_outside(session, cls, person.id, aged)
            if earlier is None:  # each child's name and any age given are remembered with the seat
                booked, waitlisted = await self._take_seats(
                    session, cls, person.id, list(zip(keys, aged, strict=True)), now, held=confirm is not None
                )
                views = [_view(booking, cls, next_start) for booking in booked]
            else:
                for name, given in aged:
                    if given is not None:
                        await Children(session).remember(person.id, name, given)
        if earlier is None:
            self._crash_points.reach(CrashPoint.BOOKING_COMMITTED)
        if earlier is not None:
            outcome = replace(
                earlier,
                language=person.language,
                outside_ages=outside,
                age_min=cls.age_min,
                age_max=cls.age_max,
                price_amount=cls.price_amount,
                price_currency=cls.price_currency,
                hold_minutes=minutes_of(self._hold),
            )
        else:
            if self._metrics is not None:
                self._metrics.count("classbot_bookings_total", len(booked), outcome="booked")
                self._metrics.count("classbot_bookings_total", len(waitlisted), outcome="waitlisted")
            pending = cls.requires_approval and bool(booked)
            outcome = BookingOutcome(
                tuple(views),
                tuple(waitlisted),
                pending,
                False,
                person.language,
                outside_ages=outside,
                age_min=cls.age_min,
                age_max=cls.age_max,
                price_amount=cls.price_amount,
                price_currency=cls.price_currency,
                hold_minutes=minutes_of(self._hold),
            )
        if confirm is not None:
            try:
                await confirm(outcome)
            finally:  # told or not, the links go now: a failed answer must not cost the parent their link
                links = [job_kinds.link_key(view.public_id, "booked") for view in outcome.booked]
                await self._jobs.make_due(links, self._clock())
                self._crash_points.reach(CrashPoint.LINK_DUE)
        return outcome

    @staticmethod
    async def _ages_outside(
        session: AsyncSession, cls: Class, parent_id: int, aged: list[tuple[str, int | None]]
    ) -> tuple[tuple[str, int], ...]:
        """Which children (their age given now, else the one last given) are outside the class's age range: they
        may still be booked, but the parent is told. The ages last given are read only when one is needed: a class
        for any age, or every age given now, needs none."""
        ranged = cls.age_min is not None or cls.age_max is not None
        unaged = any(given is None for _, given in aged)
        known = dict(await Children(session).names(parent_id)) if ranged and unaged else {}
        outside: list[tuple[str, int]] = []
        for name, given in aged:
            age = given if given is not None else known.get(name)
            if age is not None and outside_range(age, cls.age_min, cls.age_max):
                outside.append((name, age))
        return tuple(outside)

    async def _take_seats(
        self,
        session: AsyncSession,
        cls: Class,
        parent_id: int,
        children: list[tuple[str, tuple[str, int | None]]],
        now: datetime,
        *,
        held: bool = False,
    ) -> tuple[list[Booking], list[str]]:
        """Book each (request key, (child, age given)) that fits and waitlist the rest; the booked and the
        waitlisted children. Each child's name, with the age when one was given, is remembered either way.

        In a paid class each seat is only held (``awaiting_payment``) until ``self._hold`` from now, with the job
        that gives it back then; the teacher hears of it, and the link goes, once it is paid (``payments``)."""
        status = _first_status(cls)
        if status == "confirmed":
            await job_kinds.note_booking(session, cls.id, now)  # before any seat is taken (see note_booking)
        hold_until = now + self._hold if status == AWAITING_PAYMENT else None
        booked: list[Booking] = []
        waitlisted: list[str] = []
        for key, (child, age) in children:
            booking = _new_booking(cls, parent_id, child, key, status, in_digest=status == "confirmed")
            booking.hold_until = hold_until
            then = _link_for(booking, cls, now, held=held)
            if hold_until is not None:
                then = job_kinds.hold_expiry_job(booking.public_id, hold_until)
            if await Bookings(session).seat(cls, booking, age=age, then=then):
                booked.append(booking)
                continue
            await Waitlist(session).add(
                WaitlistEntry(class_id=cls.id, parent_id=parent_id, child_name=child, request_key=key)
            )
            waitlisted.append(child)
        if status == "pending_approval":
            for booking in booked:
                await _ask_teacher(session, cls, booking, now)
        return booked, waitlisted

    async def cancel_question(self, parent: PersonRef, booking_public_id: str) -> Text:
        """The question to ask before ``cancel``, refused as ``cancel`` would refuse (not the parent's, gone) or
        when there is nothing left to cancel."""
        async with self._database.read() as session:
            person = await People(session).find(parent)
            booking = await Bookings(session).by_public_id(booking_public_id)
            if booking is None:
                raise NotFound(BOOKING_GONE)
            if person is None or booking.parent_id != person.id:
                raise NotAllowed(NOT_YOUR_BOOKING)
            if booking.status not in HOLDS_A_SEAT:
                raise Conflict(booking_already(booking_status(booking.status)))
            cls = await Classes(session).get(booking.class_id)
            assert cls is not None
            view = _view(booking, cls, None)
            kept = await Payments(session).kept_for_booking(booking.id)
            if kept:
                first = min((each.starts_at for each in await Classes(session).sessions(cls.id)), default=None)
                paid = Price(sum(payment.amount for payment in kept), kept[0].currency)
                view = replace(view, paid=paid, refund_until=refund_until(first, cls.refund_hours, self._clock()))
            return cancel_booking_question(view)

    async def cancel(self, parent: PersonRef, booking_public_id: str) -> BookingView:
        """The parent gives their seat back (once they answered ``cancel_question``); the first waiting parent gets
        it."""
        now = self._clock()
        async with self._database.write() as session:
            person = await People(session).find(parent)
            booking = await Bookings(session).by_public_id(booking_public_id, for_update=True)
            if booking is None:
                raise NotFound(BOOKING_GONE)
            if person is None or booking.parent_id != person.id:
                raise NotAllowed(NOT_YOUR_BOOKING)
            cls = await Classes(session).get(booking.class_id)
            assert cls is not None
            if booking.status in HOLDS_A_SEAT:
                if booking.status == "confirmed":
                    await refund_if_in_window(session, cls, booking, now)
                await self._release(session, cls, booking, now)
                await tell(
                    session,
                    cls.teacher_id,
                    Message(
                        tr(
                            "{child} no longer comes to “{title}”: the booking was cancelled.",
                            child=booking.child_name,
                            title=cls.title,
                        )
                    ),
                    now=now,
                )
            return await self._view(session, booking, cls)

    async def decide(self, teacher: PersonRef, booking_public_id: str, *, approve: bool) -> BookingView:
        """The teacher approves or declines a booking waiting for approval."""
        now = self._clock()
        async with self._database.write() as session:
            person = await People(session).find(teacher)
            booking = await Bookings(session).by_public_id(booking_public_id, for_update=True)
            cls = await Classes(session).get(booking.class_id) if booking else None
            if booking is None or cls is None:
                raise NotFound(BOOKING_GONE)
            if person is None or cls.teacher_id != person.id:
                raise NotAllowed(tr("Only the class's teacher can approve or decline its bookings."))
            if booking.status != "pending_approval":
                raise Conflict(booking_already(booking_status(booking.status)))
            if approve:
                await Bookings(session).set_status(booking.id, "confirmed", now)
                booking.status = "confirmed"
                await job_kinds.send_link(session, booking.public_id, "approved", now)
            else:
                await self._release(session, cls, booking, now, status="declined")
                await tell(
                    session,
                    booking.parent_id,
                    Message(
                        tr(
                            "Sorry: the teacher could not take {child} in “{title}”.",
                            child=booking.child_name,
                            title=cls.title,
                        )
                    ),
                    now=now,
                )
            return await self._view(session, booking, cls)

    async def for_parent(self, parent: PersonRef) -> list[BookingView]:
        now = self._clock()
        async with self._database.query() as connection:
            rows = await Listings(connection).bookings_of_parent(parent, now)
        return [
            BookingView(
                row.public_id,
                row.class_public_id,
                row.class_title,
                row.child_name,
                row.status,
                row.next_start,
                row.timezone,
                paid=price_of(row.paid_amount, row.paid_currency),
                refund_until=refund_until(row.first_start, row.refund_hours, now) if row.paid_amount else None,
            )
            for row in rows
        ]

    async def remembered_children(self, parent: PersonRef) -> list[str]:
        """The parent's children as their name buttons say them: with the age last given ("Mia 8"), which
        ``book`` reads back."""
        async with self._database.query() as connection:
            children = await Children.of_parent(connection, parent)
        return [child_label(name, age) for name, age in children]

    async def _bookable_class(self, session: AsyncSession, public_id: str, person_id: int) -> tuple[Class, datetime]:
        """The class to book and its next session's start, or the reason it cannot be booked."""
        cls, next_start = await Classes(session).by_public_id_with_next_start(public_id, self._clock())
        if cls is None:
            raise NotFound(NO_SUCH_CLASS)
        if cls.status != "scheduled":
            raise Conflict(cancelled_so_not_bookable(cls.title))
        if cls.teacher_id == person_id:
            raise Conflict(tr("You teach this class, so there is nothing to book."))
        if next_start is None:
            raise Conflict(tr("“{title}” has no session left to book.", title=cls.title))
        return cls, next_start

    async def _earlier_or_refused(
        self,
        session: AsyncSession,
        cls: Class,
        next_start: datetime,
        parent_id: int,
        keys: list[str],
        children: list[str],
    ) -> BookingOutcome | None:
        """What this same request got the first time, if it came before; else None, having refused any child who
        already holds a seat or waits in the class. One indexed lookup in bookings and the waitlist together."""
        held = await Bookings(session).of_request_or_parent(keys, cls.id, parent_id)
        again = [each for each in held if each.request_key in keys]
        if again:
            views = tuple(_held_view(each, cls, next_start) for each in again if not each.waiting)
            pending = any(view.status == "pending_approval" for view in views)
            return BookingOutcome(views, tuple(each.child_name for each in again if each.waiting), pending, True)
        taken = {each.child_name.casefold(): each.child_name for each in held if not each.waiting}
        waiting = {each.child_name.casefold(): each.child_name for each in held if each.waiting}
        for child in children:
            if child.casefold() in taken:
                raise Conflict(
                    tr(
                        "{child} already has a seat in “{title}”: see /mybookings.",
                        child=taken[child.casefold()],
                        title=cls.title,
                    )
                )
            if child.casefold() in waiting:
                raise Conflict(
                    tr(
                        "{child} is already on the waitlist of “{title}”.",
                        child=waiting[child.casefold()],
                        title=cls.title,
                    )
                )
        return None

    async def _release(
        self, session: AsyncSession, cls: Class, booking: Booking, now: datetime, status: str = "cancelled"
    ) -> None:
        await release_seat(session, cls, booking, now, status, hold=self._hold)

    async def _view(self, session: AsyncSession, booking: Booking, cls: Class) -> BookingView:
        return _view(booking, cls, await Classes(session).next_start(cls.id, self._clock()))


async def release_seat(
    session: AsyncSession, cls: Class, booking: Booking, now: datetime, status: str, *, hold: timedelta
) -> None:
    """Free the booking's seat, cancel its Zoom registrant, and hand the seat to the first waiting child (held for
    ``hold`` while their parent pays, in a paid class). A held seat's payment page closes at the provider."""
    await job_kinds.close_checkout(session, booking, now)
    await Bookings(session).set_status(booking.id, status, now)
    booking.status = status
    await Classes(session).give_back_seats(cls.id, 1)
    registration = job_kinds.registration_of(booking, cls)
    if registration is not None:
        await job_kinds.cancel_registrant(session, registration, now)
    await promote_waiting(session, cls, now, hold=hold)


async def refund_if_in_window(session: AsyncSession, cls: Class, booking: Booking, now: datetime) -> bool:
    """The parent cancels a paid booking: its payment goes back in full until the class's ``refund_hours`` before
    its first session (the teacher's rule), and stays after. True when a refund was queued."""
    payments = await Payments(session).kept_for_booking(booking.id)
    if not payments:
        return False
    sessions = await Classes(session).sessions(cls.id)
    first = min((each.starts_at for each in sessions), default=None)
    if refund_until(first, cls.refund_hours, now) is None:
        return False
    for payment in payments:
        await queue_refund(session, payment, now)
    return True


async def _add_booking(
    session: AsyncSession,
    cls: Class,
    parent_id: int,
    child: str,
    key: str,
    status: str,
    now: datetime,
    *,
    in_digest: bool,
) -> Booking:
    """Write the booking, its seat already taken, and, once confirmed, queue its join link; ``in_digest``: the
    teacher hears of it in the class's next digest (which the caller made sure of: ``job_kinds.note_booking``)."""
    booking = await Bookings(session).add(_new_booking(cls, parent_id, child, key, status, in_digest=in_digest))
    link = _link_for(booking, cls, now)
    if link is not None:
        await jobs.add(session, link)
    return booking


async def tell_teacher_of(session: AsyncSession, cls: Class, booking: Booking, now: datetime) -> None:
    """Tell the teacher of one booking on its own, outside the digest: a waitlisted child got a seat while
    the class's row is held, where passing the digest's gate could wait on a digest that waits on this."""
    await cls_refresh(session, cls)
    notice = digest_text(cls.title, [booking.child_name], 1, cls.seats_taken, cls.seats)
    await tell(session, cls.teacher_id, Message(notice), now=now, dedupe_key=f"seated:{booking.id}")


async def _ask_teacher(session: AsyncSession, cls: Class, booking: Booking, now: datetime) -> None:
    """Ask the teacher to approve or decline a booking waiting for approval."""
    await cls_refresh(session, cls)
    taken = seats_taken(cls.seats_taken, cls.seats)
    question = tr(
        "{child} asks to join “{title}” ({taken}). Approve?", child=booking.child_name, title=cls.title, taken=taken
    )
    await tell(session, cls.teacher_id, Message(question, approval_buttons(booking.public_id)), now=now)


async def promote_waiting(session: AsyncSession, cls: Class, now: datetime, *, hold: timedelta = DEFAULT_HOLD) -> bool:
    """Give a free seat of ``cls`` to the first waiting child, telling their parent and the teacher; False when
    no child waits or no seat is free (a cancelled booking, a class given more seats: ``ClassService.edit``).
    In a paid class the seat is held for ``hold`` and the parent is given a button to pay."""
    if cls.status != "scheduled":
        return False
    entry = await Waitlist(session).first_waiting(cls.id)
    if entry is None or not await Classes(session).take_seats(cls, 1):
        return False
    await Waitlist(session).set_status(entry.id, "promoted")
    status = _first_status(cls)
    key = f"waitlist:{entry.id}"
    if status == AWAITING_PAYMENT:
        held = _new_booking(cls, entry.parent_id, entry.child_name, key, status, in_digest=False)
        held.hold_until = now + hold
        booking = await Bookings(session).add(held)
        await jobs.add(session, job_kinds.hold_expiry_job(booking.public_id, now + hold))
        offer = seat_offered(cls.title, entry.child_name, minutes_of(hold))
        buttons = (Button(PAY_BUTTON, Act.PAY.on(booking.public_id)),)
        await tell(session, entry.parent_id, Message(offer, buttons), now=now, dedupe_key=f"promoted:{booking.id}")
        return True
    booking = await _add_booking(session, cls, entry.parent_id, entry.child_name, key, status, now, in_digest=False)
    text = tr("A seat opened in “{title}”: {child} is booked now.", title=cls.title, child=entry.child_name)
    if status == "confirmed":
        await tell_teacher_of(session, cls, booking, now)
    else:
        await _ask_teacher(session, cls, booking, now)
        text = tr(
            "A seat opened in “{title}”: {child} now waits for the teacher's approval.",
            title=cls.title,
            child=entry.child_name,
        )
    await tell(session, entry.parent_id, Message(text), now=now, dedupe_key=f"promoted:{booking.id}")
    return True


def minutes_of(hold: timedelta) -> int:
    """A hold as parents are told it: whole minutes, rounded up (never "0 minutes")."""
    return max(1, -(-int(hold.total_seconds()) // 60))


def _first_status(cls: Class) -> str:
    """What a new booking of ``cls`` is: held until paid, waiting for the teacher, or confirmed."""
    if cls.price_amount is not None:
        return AWAITING_PAYMENT
    return "pending_approval" if cls.requires_approval else "confirmed"


def _new_booking(cls: Class, parent_id: int, child: str, key: str, status: str, *, in_digest: bool) -> Booking:
    return Booking(
        public_id=new_public_id(),
        class_id=cls.id,
        parent_id=parent_id,
        child_name=child,
        status=status,
        request_key=key,
        awaits_digest=in_digest,
    )


def _link_for(booking: Booking, cls: Class, now: datetime, *, held: bool = False) -> NewJob | None:
    """The job sending the parent their join link, for a booking that needs one (confirmed, in a Zoom class);
    ``held``: it waits for the parent's confirmation (see ``BookingService.book``)."""
    if booking.status != "confirmed" or not cls.zoom_enabled:
        return None
    return job_kinds.link_job(booking.public_id, "booked", now, held=held)


def _held_view(held: Held, cls: Class, next_start: datetime | None) -> BookingView:
    assert held.public_id is not None  # a booking's, not a waitlist entry's
    return BookingView(held.public_id, cls.public_id, cls.title, held.child_name, held.status, next_start, cls.timezone)


def _view(booking: Booking, cls: Class, next_start: datetime | None) -> BookingView:
    return BookingView(
        booking.public_id, cls.public_id, cls.title, booking.child_name, booking.status, next_start, cls.timezone
    )


def _calendar_note(child: str, link: str | None) -> Text:
    if link:
        return tr("ClassBot booking for {child}. Join on Zoom: {link}", child=child, link=link)
    return tr("ClassBot booking for {child}.", child=child)


def digest_text(title: str, children: list[str], count: int, taken: int, seats: int) -> Text:
    """ "New booking: Mia for “Chess” (3 of 10 seats taken)." or the same for several children at once."""
    taken_of = seats_taken(taken, seats)
    if count == 1:
        return tr("New booking: {child} for “{title}” ({taken}).", child=children[0], title=title, taken=taken_of)
    names: Text = plain(", ".join(children))
    if count > len(children):
        names = ntr("{names} and {n} more", "{names} and {n} more", count - len(children), names=names)
    return ntr(
        "{n} new booking for “{title}”: {names} ({taken}).",
        "{n} new bookings for “{title}”: {names} ({taken}).",
        count,
        title=title,
        names=names,
        taken=taken_of,
    )


def booking_status(status: str) -> Text:
    """A booking's status as a word people read."""
    words = {
        "confirmed": tr("confirmed"),
        "pending_approval": tr("pending approval"),
        "awaiting_payment": tr("awaiting payment"),
        "expired": tr("not paid in time"),
        "cancelled": tr("cancelled"),
        "declined": tr("declined"),
    }
    return words.get(status, plain(status.replace("_", " ")))


async def cls_refresh(session: AsyncSession, cls: Class) -> None:
    """Re-read the class's counters after a conditional UPDATE changed them in the database."""
    await session.refresh(cls, ["seats_taken", "status"])
