"""Classes and their sessions: created, read for cards and lists, and their seats taken and given back atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BindParameter, ScalarSelect, Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningUpdate

from bot.storage.dialect import insert_or_ignore
from bot.storage.models import Attendance, Booking, Class, ClassSession, Community, Person
from bot.storage.prepared import prepared, table_of


@dataclass(frozen=True, slots=True)
class ClassRow:
    """What a card or a list shows of a class: its own columns, its teacher's name and its first upcoming session.

    Plain values, not the mapped ``Class``: a list of classes is read as columns (no objects for the session to
    track), and a card of one class is made from the object the caller already holds (``of``).
    """

    public_id: str
    title: str
    description: str
    timezone: str
    duration_minutes: int
    seats: int
    seats_taken: int
    sessions_count: int
    status: str
    requires_approval: bool
    anyone_with_link: bool
    min_bookings: int | None
    zoom_enabled: bool
    age_min: int | None
    age_max: int | None
    price_amount: int | None
    price_currency: str | None
    refund_hours: int
    teacher_name: str
    next_start: datetime | None
    has_meeting: bool = False  # its Zoom meeting is made (Zoom on and no meeting yet: one can be made now)

    @classmethod
    def of(cls, klass: Class, teacher_name: str, next_start: datetime | None) -> ClassRow:
        own = {column: getattr(klass, column) for column in CARD_COLUMNS}
        has_meeting = klass.meeting_id is not None
        return cls(**own, teacher_name=teacher_name, next_start=next_start, has_meeting=has_meeting)


# The columns of ``classes`` a ``ClassRow`` holds under their own names.
CARD_COLUMNS = (
    "public_id",
    "title",
    "description",
    "timezone",
    "duration_minutes",
    "seats",
    "seats_taken",
    "sessions_count",
    "status",
    "requires_approval",
    "anyone_with_link",
    "min_bookings",
    "zoom_enabled",
    "age_min",
    "age_max",
    "price_amount",
    "price_currency",
    "refund_hours",
)


class Classes:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, cls: Class, starts: list[datetime]) -> Class:
        self._session.add(cls)
        await self._session.flush()
        self._session.add_all(
            ClassSession(class_id=cls.id, position=position, starts_at=start) for position, start in enumerate(starts)
        )
        await self._session.flush()
        return cls

    async def by_public_id(self, public_id: str, *, for_update: bool = False) -> Class | None:
        query = select(Class).where(Class.public_id == public_id)
        if for_update:
            query = query.with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def get(self, class_id: int, *, for_update: bool = False) -> Class | None:
        query = _by_id(for_update)
        return (await self._session.execute(query, {"class_id": class_id})).scalar_one_or_none()

    async def by_meeting(self, meeting_id: str) -> Class | None:
        query = select(Class).where(Class.meeting_id == meeting_id).order_by(Class.id.desc()).limit(1)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def sessions(self, class_id: int) -> list[ClassSession]:
        query = select(ClassSession).where(ClassSession.class_id == class_id).order_by(ClassSession.position)
        return list((await self._session.execute(query)).scalars())

    async def session(self, session_id: int) -> ClassSession | None:
        return await self._session.get(ClassSession, session_id)

    async def row(self, cls: Class, now: datetime) -> ClassRow:
        teacher = await self._session.get(Person, cls.teacher_id)
        return ClassRow.of(cls, teacher.display_name if teacher else "", await self.next_start(cls.id, now))

    async def by_public_id_with_next_start(self, public_id: str, now: datetime) -> tuple[Class | None, datetime | None]:
        """The class and its next session's start, in one statement (for a booking, which needs both)."""
        found = await self._session.execute(_by_public_id_with_next_start(), {"public_id": public_id, "now": now})
        row = found.one_or_none()
        return (row[0], row[1]) if row is not None else (None, None)

    async def next_start(self, class_id: int, now: datetime) -> datetime | None:
        """When the class's first session still to come starts; None when none is left."""
        query = select(func.min(ClassSession.starts_at)).where(
            ClassSession.class_id == class_id, ClassSession.status == "scheduled", ClassSession.starts_at > now
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def take_seats(self, cls: Class, count: int) -> bool:
        """Take ``count`` seats if that many are free, in one statement: never more bookings than seats. ``cls``
        then shows the seats taken as the database counts them, other requests' included."""
        taken = (await self._session.execute(_taking_seats(), {"class_id": cls.id, "count": count})).scalar()
        if taken is None:
            return False
        set_committed_value(cls, "seats_taken", taken)  # as loaded: nothing for the session to write back
        return True

    async def give_back_seats(self, class_id: int, count: int) -> None:
        await self._session.execute(
            update(Class)
            .where(Class.id == class_id, Class.seats_taken >= count)
            .values(seats_taken=Class.seats_taken - count)
        )

    async def claim_meeting_creation(self, class_id: int, now: datetime, until: datetime) -> bool:
        """True if this caller may create the class's Zoom meeting now (nobody has, nobody else is)."""
        result = await self._session.execute(
            update(Class)
            .where(
                Class.id == class_id,
                Class.meeting_id.is_(None),
                (Class.meeting_claimed_until.is_(None)) | (Class.meeting_claimed_until < now),
            )
            .values(meeting_claimed_until=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def community(self, community_id: int) -> Community | None:
        return await self._session.get(Community, community_id)

    async def attendance_counts(self, class_id: int) -> dict[int, int]:
        """Sessions attended per booking, for the roster."""
        query = (
            select(Attendance.booking_id, func.count())
            .join(ClassSession, ClassSession.id == Attendance.session_id)
            .where(ClassSession.class_id == class_id, Attendance.booking_id.is_not(None))
            .group_by(Attendance.booking_id)
        )
        rows = await self._session.execute(query)
        return {int(booking_id): int(count) for booking_id, count in rows if booking_id is not None}

    async def upcoming_of_teacher(self, teacher_id: int, now: datetime) -> list[str]:
        """The public ids of all the teacher's scheduled classes with a session still to come, however many."""
        to_come = (
            select(ClassSession.id)
            .where(ClassSession.class_id == Class.id, ClassSession.status == "scheduled", ClassSession.starts_at > now)
            .exists()
        )
        query = select(Class.public_id).where(Class.teacher_id == teacher_id, Class.status == "scheduled", to_come)
        return list((await self._session.execute(query.order_by(Class.id))).scalars())

    async def cancelled_with_meetings(self, teacher_id: int) -> list[int]:
        """The ids of the teacher's cancelled classes whose Zoom meeting is not known to be deleted yet."""
        query = select(Class.id).where(
            Class.teacher_id == teacher_id, Class.status == "cancelled", Class.meeting_id.is_not(None)
        )
        return list((await self._session.execute(query.order_by(Class.id))).scalars())

    async def cancel_sessions(self, class_id: int) -> None:
        await self._session.execute(
            update(ClassSession).where(ClassSession.class_id == class_id).values(status="cancelled")
        )

    async def release_meeting_claim(self, class_id: int) -> None:
        await self._session.execute(
            update(Class).where(Class.id == class_id, Class.meeting_id.is_(None)).values(meeting_claimed_until=None)
        )

    async def forget_meeting(self, class_id: int, meeting_id: str) -> bool:
        """Drop the class's meeting if it is still ``meeting_id``; True if it was."""
        result = await self._session.execute(
            update(Class)
            .where(Class.id == class_id, Class.meeting_id == meeting_id)
            .values(meeting_id=None, meeting_join_url_enc=None, meeting_marker=None, meeting_claimed_until=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def forget_zoom_data(self, teacher_id: int) -> None:
        """Zoom took back the teacher's authorization: drop what came from Zoom about their classes, past ones too
        (meeting ids and join links, occurrence ids, registrants and their personal links, attendance).

        The meeting's marker stays: it is ClassBot's own, and lets a reconnect find the meeting again (by its
        agenda) rather than make a second one.
        """
        theirs = select(Class.id).where(Class.teacher_id == teacher_id)
        their_sessions = select(ClassSession.id).where(ClassSession.class_id.in_(theirs))
        await self._session.execute(delete(Attendance).where(Attendance.session_id.in_(their_sessions)))
        await self._session.execute(
            update(ClassSession).where(ClassSession.class_id.in_(theirs)).values(occurrence_id=None)
        )
        await self._session.execute(
            update(Booking).where(Booking.class_id.in_(theirs)).values(registrant_id=None, join_url_enc=None)
        )
        await self._session.execute(
            update(Class)
            .where(Class.teacher_id == teacher_id)
            .values(meeting_id=None, meeting_join_url_enc=None, meeting_claimed_until=None)
        )

    async def set_occurrence(self, class_id: int, position: int, occurrence_id: str) -> None:
        await self._session.execute(
            update(ClassSession)
            .where(ClassSession.class_id == class_id, ClassSession.position == position)
            .values(occurrence_id=occurrence_id)
        )

    async def record_attendance(
        self, session_id: int, booking_id: int | None, participant_key: str, joined_at: datetime
    ) -> None:
        """Once per participant and session, however often Zoom reports the join."""
        values = {
            "session_id": session_id,
            "booking_id": booking_id,
            "participant_key": participant_key[:128],
            "joined_at": joined_at,
        }
        await self._session.execute(
            insert_or_ignore(self._session, Attendance, ("session_id", "participant_key")), values
        )


@prepared
def _by_id(for_update: bool) -> Select[Class]:
    query = select(Class).where(Class.id == bindparam("class_id"))
    return query.with_for_update() if for_update else query


@prepared
def _taking_seats() -> ReturningUpdate[int]:
    # On the table: the ORM does not touch the caller's object, which is set from what comes back.
    classes = table_of(Class)
    count: BindParameter[int] = bindparam("count")
    free = (classes.c.status == "scheduled") & (classes.c.seats_taken + count <= classes.c.seats)
    return (
        update(classes)
        .where(classes.c.id == bindparam("class_id"), free)
        .values(seats_taken=classes.c.seats_taken + count)
        .returning(classes.c.seats_taken)
    )


@prepared
def _by_public_id_with_next_start() -> Select[Class, datetime]:
    return select(Class, next_start_of_class()).where(Class.public_id == bindparam("public_id"))


def next_start_of_class() -> ScalarSelect[datetime]:
    """The start of the first session after the bound ``now`` of the class selected alongside (a correlated
    subquery)."""
    now: BindParameter[datetime] = bindparam("now")
    return (
        select(func.min(ClassSession.starts_at))
        .where(ClassSession.class_id == Class.id, ClassSession.status == "scheduled", ClassSession.starts_at > now)
        .scalar_subquery()
    )
