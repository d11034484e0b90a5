"""Bookings, the waitlist and remembered child names."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Select,
    Update,
    bindparam,
    func,
    insert,
    literal,
    null,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningInsert

from bot.storage import jobs
from bot.storage.classes import Classes, next_start_of_class
from bot.storage.database import Executor
from bot.storage.dialect import insert_or_ignore, insert_or_update, writers_overlap
from bot.storage.identity import PersonRef
from bot.storage.jobs import NewJob
from bot.storage.models import Booking, Child, Class, Person, WaitlistEntry, ZoomConnection
from bot.storage.prepared import prepared, table_of
from bot.storage.zoom_connections import ConnectionState

HOLDS_A_SEAT = ("confirmed", "pending_approval", "awaiting_payment")


@dataclass(frozen=True, slots=True)
class Held:
    """A child's booking or waitlist entry in a class, as a repeated request or a second booking needs it."""

    waiting: bool  # on the waitlist, not booked
    public_id: str | None  # the booking's
    request_key: str
    child_name: str
    status: str


@dataclass(frozen=True, slots=True)
class LinkRead:
    """A booking with its class, the class's next start (None when no session is left), the parent and the
    teacher's Zoom connection (None when they have none)."""

    booking: Booking
    cls: Class
    next_start: datetime | None
    parent: Person
    teacher_zoom: ConnectionState | None


class Bookings:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_request_or_parent(self, keys: list[str], class_id: int, parent_id: int) -> list[Held]:
        """What a request made (by its keys), and the parent's children holding a seat or waiting in the class:
        both tables in one statement, as nearly every request finds nothing in either."""
        values = {"keys": keys, "class_id": class_id, "parent_id": parent_id}
        return [Held(*row[:5]) for row in await self._session.execute(_held_or_made(), values)]

    async def add(self, booking: Booking) -> Booking:
        """Write ``booking`` with one INSERT and give it its id. The object stays out of the session: flushing it
        through the session's unit of work took about 5% of the bot's CPU in a burst of bookings (py-spy).

        So only the columns a new booking has (``_WRITTEN``) are written, and later changes to the object are not
        saved: change a booking with the statements below, or load it first.
        """
        booking.id = (await self._session.execute(_adding(), _written(booking))).scalar_one()
        return booking

    async def seat(self, cls: Class, booking: Booking, *, age: int | None = None, then: NewJob | None = None) -> bool:
        """Take a seat in ``cls`` and write ``booking`` and ``then`` (the job it sets off), or nothing when no seat
        is free (False); either way the child's name, with ``age`` when the parent gave one, is remembered for the
        parent's next booking. ``cls`` then shows the seats taken as the database counts them, other requests'
        included.

        Taking a seat updates the class's row and holds it until the caller commits, so the bookings of one class
        queue there: on PostgreSQL all of it is one statement, so a booking of one child holds the row for that
        statement and the commit. On SQLite, whose writers go one at a time anyway, it is one statement each.
        """
        if not writers_overlap(self._session):
            await Children(self._session).remember(booking.parent_id, booking.child_name, age)
            if not await Classes(self._session).take_seats(cls, 1):
                return False
            await self.add(booking)
            if then is not None:
                await jobs.add(self._session, then)
            return True
        # Named apart from every column: an UPDATE or INSERT would take a parameter named like one as its value.
        values = {_NEW + column: value for column, value in _written(booking).items()} | {_NEW + "age": age}
        if then is not None:
            values.update(then.values_after())
        row = (await self._session.execute(_seating(then is not None), values)).one_or_none()
        if row is None:
            return False
        if then is not None:
            jobs.queued(self._session)
        booking.id, taken = row
        set_committed_value(cls, "seats_taken", taken)  # as loaded: nothing for the session to write back
        return True

    async def get(self, booking_id: int, *, for_update: bool = False) -> Booking | None:
        query = _booking(for_update)
        return (await self._session.execute(query, {"booking_id": booking_id})).scalar_one_or_none()

    async def for_link(self, booking: int | str, now: datetime) -> LinkRead | None:
        """A booking, by id or public id, with what its link needs (its class, the class's next start, the parent,
        the teacher's Zoom connection): one statement, for the job that sends every booked parent their link."""
        by_public_id = isinstance(booking, str)
        row = (await self._session.execute(_for_link(by_public_id), {"booking": booking, "now": now})).one_or_none()
        if row is None:
            return None
        booked, cls, next_start, parent, zoom_id, zoom_account, licensed, zoom_status = row
        state = ConnectionState(zoom_id, zoom_account, licensed, zoom_status) if zoom_id is not None else None
        return LinkRead(booked, cls, next_start, parent, state)

    async def by_public_id(self, public_id: str, *, for_update: bool = False) -> Booking | None:
        query = select(Booking).where(Booking.public_id == public_id)
        if for_update:
            query = query.with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def holding_seats(self, class_id: int, statuses: tuple[str, ...] = HOLDS_A_SEAT) -> list[Booking]:
        query = select(Booking).where(Booking.class_id == class_id, Booking.status.in_(statuses)).order_by(Booking.id)
        return list((await self._session.execute(query)).scalars())

    async def awaiting_digest(self, class_id: int) -> list[tuple[int, str]]:
        """The id and child of each booking in the class the teacher has not heard of yet, in booking order."""
        rows = await self._session.execute(_awaiting_digest(), {"class_id": class_id})
        return [(booking_id, child) for booking_id, child in rows]

    async def count_confirmed(self, class_id: int) -> int:
        query = select(func.count()).where(Booking.class_id == class_id, Booking.status == "confirmed")
        return int((await self._session.execute(query)).scalar_one())

    async def forget_personal_links(self, class_id: int) -> None:
        """The class's meeting is gone, and with it every registrant link made for it."""
        await self._session.execute(
            update(Booking).where(Booking.class_id == class_id).values(registrant_id=None, join_url_enc=None)
        )

    async def registered_of_parent(self, parent_id: int) -> list[tuple[Booking, Class]]:
        """The parent's bookings, of any status, still registered in their class's Zoom meeting, with the class."""
        query = (
            select(Booking, Class)
            .join(Class, Class.id == Booking.class_id)
            .where(Booking.parent_id == parent_id, Booking.registrant_id.is_not(None), Class.meeting_id.is_not(None))
            .order_by(Booking.id)
        )
        return [(booking, cls) for booking, cls in await self._session.execute(query)]

    async def set_checkout(self, booking_id: int, session_id: str | None) -> None:
        """The card provider's payment page opened for the held seat (None: nothing left to close there)."""
        await self._session.execute(
            update(Booking).where(Booking.id == booking_id).values(checkout_session_id=session_id)
        )

    async def clear_hold(self, booking_id: int) -> None:
        """The seat is paid for: no longer held until a time."""
        await self._session.execute(update(Booking).where(Booking.id == booking_id).values(hold_until=None))

    async def set_status(self, booking_id: int, status: str, now: datetime) -> None:
        await self._session.execute(
            update(Booking).where(Booking.id == booking_id).values(status=status, updated_at=now)
        )


@dataclass(frozen=True, slots=True)
class PersonalLink:
    """A booking's own Zoom registrant and join link (encrypted)."""

    booking_id: int
    registrant_id: str
    join_url_enc: bytes = field(repr=False)


class BookingMarks:
    """Changes to bookings made by one statement that loads none of them, so they run on a bare connection
    (``Database.statement()``)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def told_teacher(self, booking_ids: list[int]) -> None:
        await self._executor.execute(_told_teacher(), {"booking_ids": booking_ids})

    async def set_personal_links(self, links: list[PersonalLink]) -> None:
        """Keep each booking's Zoom registrant and its encrypted join link, with one statement."""
        await self._executor.execute(_set_personal_link(), [asdict(link) for link in links])


class Waitlist:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, entry: WaitlistEntry) -> None:
        self._session.add(entry)
        await self._session.flush()

    async def first_waiting(self, class_id: int) -> WaitlistEntry | None:
        query = (
            select(WaitlistEntry)
            .where(WaitlistEntry.class_id == class_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
            .limit(1)
        )
        query = query.with_for_update(skip_locked=True)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def waiting(self, class_id: int) -> list[WaitlistEntry]:
        query = (
            select(WaitlistEntry)
            .where(WaitlistEntry.class_id == class_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.id)
        )
        return list((await self._session.execute(query)).scalars())

    async def set_status(self, entry_id: int, status: str) -> None:
        await self._session.execute(update(WaitlistEntry).where(WaitlistEntry.id == entry_id).values(status=status))


class Children:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(self, parent_id: int, name: str, age: int | None = None) -> None:
        """Keep the child's name for the parent's next booking (its name button), with ``age`` when one was given;
        a name given without one keeps the age last given."""
        if age is None:
            statement = insert_or_ignore(self._session, Child, ("parent_id", "name"))
            await self._session.execute(statement, {"parent_id": parent_id, "name": name})
            return
        statement = insert_or_update(self._session, Child, ("parent_id", "name"), ("age",))
        await self._session.execute(statement, {"parent_id": parent_id, "name": name, "age": age})

    async def names(self, parent_id: int) -> list[tuple[str, int | None]]:
        """The parent's children as (name, age last given), in the order first booked."""
        query = select(Child.name, Child.age).where(Child.parent_id == parent_id).order_by(Child.id)
        return [(row.name, row.age) for row in await self._session.execute(query)]

    @staticmethod
    async def of_parent(executor: Executor, parent: PersonRef) -> list[tuple[str, int | None]]:
        """``names`` for the parent named by the platform's ids, found in the same statement (none for someone
        never seen): one Core statement on a bare connection, as the Book button asks it every time."""
        identity = {"platform": parent.platform, "workspace_id": parent.workspace_id, "user_id": parent.user_id}
        return [(row.name, row.age) for row in await executor.execute(_children_of_parent(), identity)]


# The statements every booking and link runs, built once (``bot.storage.prepared``).


@prepared
def _children_of_parent() -> Select[str, int | None]:
    children, people = table_of(Child), table_of(Person)
    return (
        select(children.c.name, children.c.age)
        .join(people, people.c.id == children.c.parent_id)
        .where(
            people.c.platform == bindparam("platform"),
            people.c.workspace_id == bindparam("workspace_id"),
            people.c.platform_user_id == bindparam("user_id"),
        )
        .order_by(children.c.id)
    )


# What a new booking is written with; the rest is the database's default (times) or set later (the Zoom link).
_WRITTEN = (
    "public_id",
    "class_id",
    "parent_id",
    "child_name",
    "status",
    "request_key",
    "awaits_digest",
    "hold_until",
)


@prepared
def _adding() -> ReturningInsert[int]:
    bookings = table_of(Booking)
    return insert(bookings).values({column: bindparam(column) for column in _WRITTEN}).returning(bookings.c.id)


_NEW = "new_"


def _written(booking: Booking) -> dict[str, Any]:
    values = {column: getattr(booking, column) for column in _WRITTEN}
    values["awaits_digest"] = bool(booking.awaits_digest)  # None on an object made without it
    return values


@prepared
def _seating(with_job: bool) -> Select[int, int]:
    """PostgreSQL: ``Bookings.seat`` in one statement (the class's row, the booking, the child's name, the job)."""
    classes, bookings, children = table_of(Class), table_of(Booking), table_of(Child)
    free = (classes.c.status == "scheduled") & (classes.c.seats_taken + 1 <= classes.c.seats)
    seat = (
        update(classes)
        .where(classes.c.id == bindparam(_NEW + "class_id"), free)
        .values(seats_taken=classes.c.seats_taken + 1)
        .returning(classes.c.seats_taken)
        .cte("seat")
    )
    written = select(*(bindparam(_NEW + column, type_=bookings.c[column].type) for column in _WRITTEN))
    adding = insert(bookings).from_select(list(_WRITTEN), written.select_from(seat), include_defaults=False)
    made = adding.returning(bookings.c.id).cte("made")
    child: dict[str, BindParameter[Any]] = {
        "parent_id": bindparam(_NEW + "parent_id"),
        "name": bindparam(_NEW + "child_name"),
        "age": bindparam(_NEW + "age", type_=children.c.age.type),
    }
    adding_child = postgresql.insert(children).values(child)
    remembered = adding_child.on_conflict_do_update(  # a name given without an age keeps the age last given
        index_elements=["parent_id", "name"],
        set_={"age": adding_child.excluded.age},
        where=adding_child.excluded.age.is_not(None),
    )
    query = select(made.c.id, seat.c.seats_taken).select_from(made.join(seat, true()))
    query = query.add_cte(remembered.cte("remembered"))
    return query.add_cte(jobs.after_each(made).cte("queued")) if with_job else query


@prepared
def _held_or_made() -> CompoundSelect[bool, str | None, str, str, str, int]:
    bookings, waitlist = table_of(Booking), table_of(WaitlistEntry)
    parent_id: BindParameter[int] = bindparam("parent_id")
    class_id: BindParameter[int] = bindparam("class_id")
    keys: BindParameter[list[str]] = bindparam("keys", expanding=True)
    holding = (bookings.c.parent_id == parent_id) & (bookings.c.class_id == class_id)
    holding &= bookings.c.status.in_(HOLDS_A_SEAT)
    waiting = (waitlist.c.parent_id == parent_id) & (waitlist.c.class_id == class_id)
    waiting &= waitlist.c.status == "waiting"
    booked = select(
        literal(False).label("waiting"),
        bookings.c.public_id,
        bookings.c.request_key,
        bookings.c.child_name,
        bookings.c.status,
        bookings.c.id,
    ).where(bookings.c.request_key.in_(keys) | holding)
    waits = select(
        literal(True), null(), waitlist.c.request_key, waitlist.c.child_name, waitlist.c.status, waitlist.c.id
    ).where(waitlist.c.request_key.in_(keys) | waiting)
    return union_all(booked, waits).order_by("waiting", "id")  # bookings, then entries, each in the order made


@prepared
def _for_link(by_public_id: bool) -> Select[Booking, Class, datetime, Person, int, str, bool, str]:
    connections = table_of(ZoomConnection)
    booking: BindParameter[Any] = bindparam("booking")
    return (
        select(
            Booking,
            Class,
            next_start_of_class(),
            Person,
            connections.c.id,
            connections.c.zoom_account_id,
            connections.c.licensed,
            connections.c.status,
        )
        .join(Class, Class.id == Booking.class_id)
        .join(Person, Person.id == Booking.parent_id)
        .outerjoin(connections, connections.c.person_id == Class.teacher_id)
        .where(Booking.public_id == booking if by_public_id else Booking.id == booking)
    )


@prepared
def _booking(for_update: bool) -> Select[Booking]:
    query = select(Booking).where(Booking.id == bindparam("booking_id"))
    return query.with_for_update() if for_update else query


@prepared
def _awaiting_digest() -> Select[int, str]:
    bookings = table_of(Booking)
    return (
        select(bookings.c.id, bookings.c.child_name)
        .where(bookings.c.class_id == bindparam("class_id"), bookings.c.awaits_digest)
        .order_by(bookings.c.id)
    )


@prepared
def _told_teacher() -> Update:
    # Run after the digest's own transaction: no session object of these bookings is read again.
    bookings = table_of(Booking)
    return (
        update(bookings).where(bookings.c.id.in_(bindparam("booking_ids", expanding=True))).values(awaits_digest=False)
    )


@prepared
def _set_personal_link() -> Update:
    bookings = table_of(Booking)
    return (
        update(bookings)
        .where(bookings.c.id == bindparam("booking_id"))
        .values(registrant_id=bindparam("registrant_id"), join_url_enc=bindparam("join_url_enc"))
    )
