"""Teachers' classes: create, look at, list, edit, reschedule, cancel, and message everyone booked.

Only a class's teacher manages it: every use case here that changes a class checks the acting person first.
Zoom is told of changes through queued jobs (``meeting.update``, ``meeting.delete``), so a Zoom outage never
blocks a teacher, and the parents are told in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import job_kinds
from bot.core.audience import Audience
from bot.core.bookings import AWAITING_PAYMENT, promote_waiting
from bot.core.class_input import ClassDraft, ClassSettings, check_ages
from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.core.ids import new_public_id
from bot.core.meetings import MeetingKeeper, MeetingNotReady, ZoomNotConfigured
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.prices import Currencies, Price, price_of
from bot.core.refunds import check_rule_change, queue_refund
from bot.core.views import ClassView
from bot.core.words.classes import ANY_AGE, ages_text, changed, moved
from bot.core.words.refusals import CLASS_GONE, CONNECT_ZOOM_FIRST, NO_ZOOM_APP, TEACHER_ONLY
from bot.i18n.texts import Moment, Text, ntr, plain, tr
from bot.storage.bookings import HOLDS_A_SEAT, Bookings, Waitlist
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.listings import Listings
from bot.storage.models import Class
from bot.storage.next_starts import advance, first_after, follow
from bot.storage.payments import Payments
from bot.storage.people import People
from bot.support.clock import Clock
from bot.support.crash_points import CrashPoint, CrashPoints
from bot.zoom.errors import ZoomReconnectNeeded

# Zoom repeats a meeting at most 50 times unless Zoom's support raises the limit for the account.
ZOOM_MAX_SESSIONS = 50


@dataclass(frozen=True, slots=True)
class RosterLine:
    booking_public_id: str
    child_name: str
    parent_name: str
    status: str
    sessions_attended: int
    paid: Price | None = None  # what the parent paid for the seat (a paid class), not given back


@dataclass(frozen=True, slots=True)
class Roster:
    cls: ClassView
    lines: tuple[RosterLine, ...]
    waiting: tuple[str, ...]


class ClassService:
    def __init__(
        self,
        database: Database,
        meetings: MeetingKeeper,
        audience: Audience,
        *,
        clock: Clock,
        crash_points: CrashPoints | None = None,
        currencies: Currencies | None = None,
    ) -> None:
        self._currencies = currencies or Currencies()  # what each platform's parents can pay in
        self._database = database
        self._meetings = meetings
        self._audience = audience
        self._clock = clock
        self._crash_points = crash_points or CrashPoints()

    async def start_link(self, teacher: PersonRef, class_public_id: str) -> str:
        """A fresh start link for the teacher only: it logs its holder in as the host."""
        async with self._database.read() as session:
            cls = await self._own_class(session, teacher, class_public_id)
            self._require_scheduled(cls)
            if not cls.zoom_enabled:
                raise Conflict(_no_meeting(cls.title))
            class_id = cls.id
        return await self._meetings.start_link(class_id)

    async def meeting_now(self, teacher: PersonRef, class_public_id: str) -> tuple[ClassView, str]:
        """The teacher has the class's Zoom meeting made now rather than at the first booking (by the one path that
        makes meetings, ``MeetingKeeper.ensure``), and gets its start link, for their eyes only."""
        async with self._database.read() as session:
            cls = await self._own_class(session, teacher, class_public_id)
            self._require_scheduled(cls)
            if not cls.zoom_enabled:
                raise Conflict(_no_meeting(cls.title))
            class_id = cls.id
        try:
            await self._meetings.ensure(class_id)
            url = await self._meetings.start_link(class_id)
        except ZoomReconnectNeeded as error:
            raise Conflict(CONNECT_ZOOM_FIRST) from error
        except ZoomNotConfigured as error:
            raise Conflict(NO_ZOOM_APP) from error
        except MeetingNotReady as error:
            raise Conflict(tr("The Zoom meeting is being made right now; try again in a minute.")) from error
        return await self.view(teacher, class_public_id), url

    async def add_zoom(self, teacher: PersonRef, class_public_id: str) -> ClassView:
        """A class made without Zoom gets it: each parent booked then gets their link by the usual link job (a
        booking made while Zoom was off queued none), and reminders carry links from now on. The meeting itself is
        made by the first link job, or now with ``meeting_now``."""
        async with self._database.read() as session:
            cls = await self._own_class(session, teacher, class_public_id)
            teacher_id = cls.teacher_id
        try:
            self._meetings.zoom  # noqa: B018 - refuses when this ClassBot has no Zoom app
            await self._meetings.account_of_teacher(teacher_id)
        except ZoomReconnectNeeded as error:
            raise Conflict(CONNECT_ZOOM_FIRST) from error
        except ZoomNotConfigured as error:
            raise Conflict(NO_ZOOM_APP) from error
        now = self._clock()
        async with self._database.write() as session:
            cls = await self._own_class(session, teacher, class_public_id, for_update=True)
            self._require_scheduled(cls)
            if not cls.zoom_enabled:
                if cls.sessions_count > ZOOM_MAX_SESSIONS:
                    raise Conflict(
                        tr(
                            "A Zoom meeting repeats at most {most} times, and “{title}” has more sessions.",
                            most=ZOOM_MAX_SESSIONS,
                            title=cls.title,
                        )
                    )
                cls.zoom_enabled = True
                for booking in await Bookings(session).holding_seats(cls.id, ("confirmed",)):
                    await job_kinds.send_link(session, booking.public_id, "zoom_added", now)
            return ClassView.of(await Classes(session).row(cls, now))

    async def visible_to(self, viewer: PersonRef, limit: int = 50, *, age: int | None = None) -> list[ClassView]:
        """The ``limit`` soonest classes ``viewer`` browses privately: their communities', their own and those they
        booked (``Audience.visible_classes``); with a child's ``age``, only classes whose age range includes it."""
        return await self._audience.visible_classes(viewer, limit, age=age)

    async def choose_listing_age(self, viewer: PersonRef, age: int | None) -> None:
        """Remember the child's age ``viewer`` lists classes for (None: any age), so that a list drawn again (a
        Home tab redrawn for a message) keeps it; ``languages.known_reader`` reads it back with the rest of what
        a redrawing needs."""
        if age is not None:
            check_ages(age, age)
        async with self._database.write() as session:
            person = await People(session).ensure(viewer)
            person.listing_age = age

    async def default_timezone(self, teacher: PersonRef) -> str | None:
        """The teacher's own choice, else their Zoom profile's timezone (the product's default), else the one
        their platform gave (Slack's profile): on Slack that one is noted as soon as ClassBot meets them, so it
        must not count as a choice and hide the Zoom profile's."""
        async with self._database.read() as session:
            person = await People(session).find(teacher)
            if person is None:
                return None
            if person.timezone and person.timezone_chosen:
                return person.timezone
            return await People(session).zoom_timezone(person.id) or person.timezone

    async def set_timezone(self, who: PersonRef, timezone: str) -> None:
        async with self._database.write() as session:
            person = await People(session).ensure(who)
            person.timezone, person.timezone_chosen = timezone, True

    def check_price(self, teacher: PersonRef, currency: str | None) -> None:
        """Refuse a price the parents on the teacher's platform could not pay, saying what to type instead (also
        before a form or the next question, so the teacher hears it where they typed it)."""
        self._currencies.check_price(teacher.platform, currency)

    async def create(self, teacher: PersonRef, draft: ClassDraft, *, in_community: bool = False) -> ClassView:
        """Create the class; made in a private chat (not ``in_community``) it opens to anyone with its share link,
        made in a group or channel (where it is then published) to that community's members only."""
        now = self._clock()
        draft = draft.validated(now)
        self.check_price(teacher, draft.price_currency)
        if draft.zoom_enabled and draft.sessions > ZOOM_MAX_SESSIONS:
            raise InvalidInput(
                "sessions",
                tr(
                    "A Zoom meeting repeats at most {most} times: "
                    "choose {most} weekly sessions or fewer, or make the class without Zoom.",
                    most=ZOOM_MAX_SESSIONS,
                ),
            )
        starts = draft.session_starts()
        async with self._database.write() as session:
            person = await People(session).ensure(teacher)
            cls = await Classes(session).add(
                Class(
                    public_id=new_public_id(),
                    teacher_id=person.id,
                    title=draft.title,
                    description=draft.description,
                    timezone=draft.timezone,
                    duration_minutes=draft.duration_minutes,
                    seats=draft.seats,
                    seats_taken=0,
                    sessions_count=draft.sessions,
                    requires_approval=draft.requires_approval,
                    min_bookings=draft.min_bookings,
                    zoom_enabled=draft.zoom_enabled,
                    age_min=draft.age_min,
                    age_max=draft.age_max,
                    price_amount=draft.price_amount,
                    price_currency=draft.price_currency,
                    refund_hours=draft.refund_hours,
                    anyone_with_link=not in_community,
                    status="scheduled",
                    next_starts_at=first_after(starts, now),
                ),
                starts,
            )
            await self._schedule_session_work(session, cls, now)
            if draft.min_bookings:
                await job_kinds.check_min_bookings(session, cls.id, starts[0], now)
            return ClassView.of(await Classes(session).row(cls, now))

    async def view(self, viewer: PersonRef, class_public_id: str) -> ClassView:
        """The class's card, for someone who may see it (``Audience.require``)."""
        return await self._audience.card(viewer, class_public_id)

    async def open_to_link(self, teacher: PersonRef, class_public_id: str, *, anyone: bool) -> ClassView:
        """The teacher opens the class to anyone holding its share link, or keeps it to its communities' members
        (and the parents already booked, who keep what they hold)."""
        async with self._database.write() as session:
            cls = await self._own_class(session, teacher, class_public_id, for_update=True)
            cls.anyone_with_link = anyone
            return ClassView.of(await Classes(session).row(cls, self._clock()))

    async def for_teacher(self, teacher: PersonRef) -> list[ClassView]:
        async with self._database.query() as connection:
            rows = await Listings(connection).classes_of_teacher(teacher, self._clock())
        return [ClassView.of(row) for row in rows]

    async def roster(self, teacher: PersonRef, class_public_id: str) -> Roster:
        async with self._database.read() as session:
            cls = await self._own_class(session, teacher, class_public_id)
            bookings = await Bookings(session).holding_seats(cls.id)
            attended = await Classes(session).attendance_counts(cls.id)
            paid = await Payments(session).held_by_booking(cls.id) if cls.price_amount is not None else {}
            parents = await People(session).display_names([booking.parent_id for booking in bookings])
            lines = []
            for booking in bookings:
                amount = paid.get(booking.id)
                lines.append(
                    RosterLine(
                        booking.public_id,
                        booking.child_name,
                        parents.get(booking.parent_id, ""),
                        booking.status,
                        attended.get(booking.id, 0),
                        Price(*amount) if amount is not None else None,
                    )
                )
            waiting = tuple(entry.child_name for entry in await Waitlist(session).waiting(cls.id))
            view = ClassView.of(await Classes(session).row(cls, self._clock()))
        return Roster(view, tuple(lines), waiting)

    async def reschedule(self, teacher: PersonRef, class_public_id: str, on: date, at: time) -> ClassView:
        """Move the class (every remaining session keeps its weekly rhythm); Zoom and the parents are told."""
        now = self._clock()
        async with self._database.write() as session:
            cls = await self._own_class(session, teacher, class_public_id, for_update=True)
            self._require_scheduled(cls)
            sessions = await Classes(session).sessions(cls.id)
            draft = _draft_of(cls, on, at)
            draft.validated(now)
            for row, start in zip(sessions, draft.session_starts(), strict=True):
                row.starts_at = start
            await follow(session, cls, now)
            await self._schedule_session_work(session, cls, now)
            if cls.min_bookings:
                await job_kinds.check_min_bookings(session, cls.id, sessions[0].starts_at, now)
            await job_kinds.update_meeting(session, cls.id, now)
            when = Moment(draft.first_start(), cls.timezone)
            await self._tell_parents(session, cls, moved(cls.title, when), now)
            return ClassView.of(await Classes(session).row(cls, now))

    async def settings(self, teacher: PersonRef, class_public_id: str) -> ClassSettings:
        """The class's settings as they are, for the teacher to change (``edit``)."""
        async with self._database.read() as session:
            return _settings_of(await self._own_class(session, teacher, class_public_id))

    async def edit(self, teacher: PersonRef, class_public_id: str, settings: ClassSettings) -> tuple[ClassView, int]:
        """The teacher changes the class's settings while it is still to come; returns the class and how many
        parents were told.

        Never fewer seats than are taken. The parents who booked or wait are told, one message each, of what
        reads differently to them (the title, the description, the ages); more seats go to the waitlist in order;
        a new title goes to Zoom; a new minimum is checked a day before the first session, as when made. Bookings
        already waiting for approval keep waiting when approval is switched off: the teacher still decides them.
        """
        settings = settings.validated()
        now = self._clock()
        async with self._database.write() as session:
            cls = await self._own_class(session, teacher, class_public_id, for_update=True)
            self._require_scheduled(cls)
            if await Classes(session).next_start(cls.id, now) is None:
                raise Conflict(tr("“{title}” is over, so it can no longer be changed.", title=cls.title))
            if settings.seats < cls.seats_taken:
                raise InvalidInput(
                    "seats",
                    ntr(
                        "{n} seat is already taken: the class cannot have fewer than {n} seat.",
                        "{n} seats are already taken: the class cannot have fewer than {n} seats.",
                        cls.seats_taken,
                    ),
                )
            before = _settings_of(cls)
            repriced = (settings.price_amount, settings.price_currency) != (before.price_amount, before.price_currency)
            if repriced:
                self.check_price(teacher, settings.price_currency)
            if repriced and await Bookings(session).holding_seats(cls.id, (AWAITING_PAYMENT,)):
                # A parent is paying the old price now: their payment would be refused, and their seat lost.
                raise InvalidInput(
                    "price",
                    tr(
                        "A parent is paying for a seat in “{title}” now: change the price once they are done.",
                        title=cls.title,
                    ),
                )
            # A form that did not show the refund rule (a free class's) keeps it.
            refund_hours = cls.refund_hours if settings.refund_hours is None else settings.refund_hours
            await check_rule_change(session, cls, refund_hours)
            notice = _changes_told(before, settings)
            cls.title, cls.description, cls.seats = settings.title, settings.description, settings.seats
            cls.requires_approval, cls.min_bookings = settings.requires_approval, settings.min_bookings
            cls.age_min, cls.age_max = settings.age_min, settings.age_max
            cls.price_amount, cls.price_currency = settings.price_amount, settings.price_currency
            cls.refund_hours = refund_hours
            await session.flush()
            if settings.title != before.title and cls.meeting_id:
                await job_kinds.update_meeting(session, cls.id, now)
            first = (await Classes(session).sessions(cls.id))[0]
            if settings.min_bookings and settings.min_bookings != before.min_bookings and first.starts_at > now:
                await job_kinds.check_min_bookings(session, cls.id, first.starts_at, now)
            told = 0
            if notice is not None:
                told = await self._tell_parents(session, cls, notice, now, waiting_too=True)
            if settings.seats > before.seats:
                while await promote_waiting(session, cls, now):
                    pass
            return ClassView.of(await Classes(session).row(cls, now)), told

    async def cancel(
        self,
        teacher: PersonRef | None,
        class_public_id: str,
        reason: Text | None = None,
        *,
        request_key: str | None = None,
    ) -> ClassView:
        """Cancel the class: every booking ends, the Zoom meeting is deleted, everyone is told.

        ``teacher`` None is the system cancelling (too few bookings); otherwise only the teacher may.
        ``request_key`` names the teacher's request (a front end's key for the tap, the same when the platform
        delivers it again): the request that cancelled the class gets the class again, as if cancelling it now,
        so that a redelivery after a crash answers as its first delivery would have; any other is refused as
        already cancelled.
        """
        now = self._clock()
        async with self._database.write() as session:
            if teacher is None:
                found = await Classes(session).by_public_id(class_public_id, for_update=True)
                if found is None:
                    raise NotFound(CLASS_GONE)
                cls = found
            else:
                cls = await self._own_class(session, teacher, class_public_id, for_update=True)
            if request_key is not None and cls.status == "cancelled" and cls.cancel_request == request_key:
                return ClassView.of(await Classes(session).row(cls, now))
            self._require_scheduled(cls)
            cls.status = "cancelled"
            cls.cancel_request = request_key
            said = _cancelled(cls.title, reason)
            text = tr("{cancelled} Your booking is cancelled too.", cancelled=said)
            await self._tell_parents(session, cls, text, now)
            for booking in await Bookings(session).holding_seats(cls.id):
                await job_kinds.close_checkout(session, booking, now)
                await Bookings(session).set_status(booking.id, "cancelled", now)
                for payment in await Payments(session).kept_for_booking(booking.id):
                    await queue_refund(session, payment, now)  # the class is off: always all of it back
            for entry in await Waitlist(session).waiting(cls.id):
                await Waitlist(session).set_status(entry.id, "left")
                waiting = tr("{cancelled} The waitlist is cancelled too.", cancelled=said)
                await tell(session, entry.parent_id, Message(waiting), now=now)
            cls.seats_taken = 0
            await Classes(session).cancel_sessions(cls.id)
            await follow(session, cls, now)
            if cls.meeting_id:
                await job_kinds.delete_meeting(session, cls.id, now)
            if teacher is None:
                await tell(session, cls.teacher_id, Message(said), now=now)
            view = ClassView.of(await Classes(session).row(cls, now))
        self._crash_points.reach(CrashPoint.CLASS_CANCELLED)
        return view

    async def move_on_passed_starts(self, now: datetime) -> int:
        """Housekeeping: each class whose kept next start has passed by ``now`` gets its next session's (see
        ``bot.storage.next_starts``: lists are right before this runs too, only dearer); how many classes."""
        async with self._database.statement() as connection:
            return await advance(connection, now)

    async def message_parents(self, teacher: PersonRef, class_public_id: str, text: str) -> int:
        """Send the teacher's words to every booked parent; returns how many parents."""
        body = text.strip()
        if not body:
            raise InvalidInput("message", tr("The message is empty: type what to tell the parents."))
        if len(body) > 3000:
            raise InvalidInput("message", tr("Keep the message to 3,000 characters or fewer."))
        now = self._clock()
        async with self._database.write() as session:
            cls = await self._own_class(session, teacher, class_public_id)
            words = tr("From the teacher of “{title}”:\n{body}", title=cls.title, body=plain(body))
            return await self._tell_parents(session, cls, words, now)

    async def _own_class(
        self, session: AsyncSession, teacher: PersonRef, class_public_id: str, *, for_update: bool = False
    ) -> Class:
        person = await People(session).find(teacher)
        cls = await Classes(session).by_public_id(class_public_id, for_update=for_update)
        if cls is None:
            raise NotFound(CLASS_GONE)
        if person is None or cls.teacher_id != person.id:
            raise NotAllowed(TEACHER_ONLY)
        return cls

    @staticmethod
    def _require_scheduled(cls: Class) -> None:
        if cls.status != "scheduled":
            raise Conflict(tr("“{title}” was already cancelled.", title=cls.title))

    async def _schedule_session_work(self, session: AsyncSession, cls: Class, now: datetime) -> None:
        for row in await Classes(session).sessions(cls.id):
            if row.status == "scheduled":
                await job_kinds.schedule_reminders(session, row.id, row.starts_at, now)

    async def _tell_parents(
        self, session: AsyncSession, cls: Class, text: Text, now: datetime, *, waiting_too: bool = False
    ) -> int:
        """Tell each parent holding a seat (and, ``waiting_too``, each on the waitlist) once, however many of
        their children are in the class; returns how many parents."""
        parents = {booking.parent_id for booking in await Bookings(session).holding_seats(cls.id, HOLDS_A_SEAT)}
        if waiting_too:
            parents |= {entry.parent_id for entry in await Waitlist(session).waiting(cls.id)}
        for parent_id in sorted(parents):
            await tell(session, parent_id, Message(text), now=now)
        return len(parents)


def _no_meeting(title: str) -> Text:
    return tr("“{title}” has no Zoom meeting.", title=title)


def _settings_of(cls: Class) -> ClassSettings:
    return ClassSettings(
        title=cls.title,
        description=cls.description,
        seats=cls.seats,
        requires_approval=cls.requires_approval,
        min_bookings=cls.min_bookings,
        age_min=cls.age_min,
        age_max=cls.age_max,
        price_amount=cls.price_amount,
        price_currency=cls.price_currency,
        refund_hours=cls.refund_hours,
    )


def _changes_told(before: ClassSettings, after: ClassSettings) -> Text | None:
    """What the parents are told of a change (the title, the description, the ages, the price: what they read on
    the card and chose by); None when nothing they would notice changed (the seats, approval and minimum are the
    teacher's business). A new price is for the seats paid from now on: a seat already paid or booked stays."""
    new_title = after.title if after.title != before.title else None
    description = after.description if after.description != before.description else None
    ages: Text | None = None
    if (after.age_min, after.age_max) != (before.age_min, before.age_max):
        ages = ages_text(after.age_min, after.age_max) or ANY_AGE
    price: Price | bool | None = False  # False: not changed
    if (after.price_amount, after.price_currency) != (before.price_amount, before.price_currency):
        price = price_of(after.price_amount, after.price_currency)
    if new_title is None and description is None and ages is None and price is False:
        return None
    return changed(before.title, new_title=new_title, description=description, ages=ages, price=price)


def _draft_of(cls: Class, on: date, at: time) -> ClassDraft:
    return ClassDraft(
        title=cls.title,
        starts_on=on,
        starts_at=at,
        duration_minutes=cls.duration_minutes,
        seats=cls.seats,
        timezone=cls.timezone,
        sessions=cls.sessions_count,
    )


def _cancelled(title: str, reason: Text | None) -> Text:
    if reason is None:
        return tr("“{title}” was cancelled.", title=title)
    return tr("“{title}” was cancelled: {reason}.", title=title, reason=reason)
