"""What lists show: upcoming classes (a platform's, a group's, a teacher's) and a parent's bookings.

Lists are read on every /classes, /mybookings and /myclasses and change nothing, so they load no mapped objects:
each is one Core statement, built once, that returns the columns a card or a line needs and finds its person or
group by the platform's ids itself (no lookup first). They run on a bare connection (``Database.query()``).
Ten classes cost about 3,000 Python calls read as ORM objects after a lookup of the person or group, about
600 read this way.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    FromClause,
    Select,
    any_,
    bindparam,
    func,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.audience import ClassAudience, audience_of, person_id, rule_read
from bot.storage.bookings import HOLDS_A_SEAT
from bot.storage.classes import CARD_COLUMNS, ClassRow
from bot.storage.identity import PersonRef
from bot.storage.models import Booking, Class, ClassSession, Community, Payment, Person, Publication, WaitlistEntry
from bot.storage.next_starts import next_start
from bot.storage.prepared import prepared, table_of


@dataclass(frozen=True, slots=True)
class ParentBooking:
    """A parent's live booking as their list of bookings shows it, with its class's next session."""

    public_id: str
    class_public_id: str
    class_title: str
    child_name: str
    status: str
    next_start: datetime
    timezone: str
    # What the parent paid for it and kept paid (not given back), in its currency's minor unit; None: nothing.
    paid_amount: int | None
    paid_currency: str | None
    first_start: datetime | None  # the class's first session: refunds are counted back from it
    refund_hours: int  # the class's refund rule (``Class.refund_hours``)


class Listings:
    """The lists, each one statement on the caller's connection (``Database.query()``)."""

    def __init__(self, executor: AsyncConnection) -> None:
        self._executor = executor

    async def classes_of_teacher(self, teacher: PersonRef, now: datetime, limit: int = 50) -> list[ClassRow]:
        """The teacher's own scheduled classes (``/myclasses``); none for a person never seen."""
        return await self._classes("teacher", {**_identity(teacher), "now": now, "limit": limit})

    async def classes_in_community(
        self, platform: str, workspace_id: str, chat_id: str, now: datetime, limit: int = 50, *, age: int | None = None
    ) -> list[ClassRow]:
        """Classes published in the group or channel the platform calls ``chat_id`` (with ``age``: for that age)."""
        community = {"platform": platform, "workspace_id": workspace_id, "chat_id": chat_id}
        return await self._classes("community", {**community, "now": now, "limit": limit, **_ages(age)})

    async def classes_visible(
        self, person: PersonRef, community_ids: list[int], now: datetime, limit: int = 50, *, age: int | None = None
    ) -> list[ClassRow]:
        """What a person browses privately: classes published in the communities ``community_ids`` (those the
        platform says they are in), the classes they teach and those they are booked or waiting in; with ``age``,
        only those whose age range (if any) includes it."""
        values = {**_identity(person), "communities": community_ids, "now": now, "limit": limit, **_ages(age)}
        return await self._classes("visible", values)

    async def bookings_of_parent(self, parent: PersonRef, now: datetime) -> list[ParentBooking]:
        """The parent's live bookings in classes with a session still to come, soonest first."""
        rows = await self._executor.execute(_bookings_of_parent(), {**_identity(parent), "now": now})
        return [ParentBooking(**row._mapping) for row in rows]

    async def card(self, public_id: str, now: datetime, viewer: PersonRef) -> tuple[ClassAudience, ClassRow] | None:
        """The class ``public_id`` as the audience rule sees it for ``viewer`` (with the communities it is
        published in) and its card (its columns, its teacher's name, its next start after ``now``); None when
        there is no such class. One statement, a row per community (one for a class published nowhere): the
        rule's read, then the class as an ORM object with its teacher and its sessions' earliest start, cost four
        round trips and about 1,000 more Python calls; a class for its communities' members cost a second
        statement for the places."""
        values = {"public_id": public_id, "now": now, **_identity(viewer)}
        rows = (await self._executor.execute(_card(), values)).all()
        if not rows:
            return None
        card = {name: rows[0]._mapping[name] for name in _CARD_FIELDS}
        return audience_of(rows), ClassRow(**card)

    async def _classes(self, among: _Among, values: dict[str, object]) -> list[ClassRow]:
        values = {**_ages(None), **values}
        rows = await self._executor.execute(_upcoming_classes(among, self._executor.dialect.name), values)
        return [ClassRow(**row._mapping) for row in rows]


_Among = Literal["teacher", "community", "visible"]


# Every age a range can hold: a list for no particular age binds the whole of it, so one statement serves both.
_ANY_AGE = (0, 1000)


def _ages(age: int | None) -> dict[str, int]:
    """The bound ages a listed class's range must meet: the one asked for, else any."""
    youngest, oldest = _ANY_AGE if age is None else (age, age)
    return {"youngest": youngest, "oldest": oldest}


def _identity(person: PersonRef) -> dict[str, str]:
    return {"platform": person.platform, "workspace_id": person.workspace_id, "user_id": person.user_id}


def _person_bound(people: FromClause) -> ColumnElement[bool]:
    """``people`` (the table or an alias of it) is the person named by the bound platform, workspace and user
    id."""
    return (
        (people.c.platform == bindparam("platform"))
        & (people.c.workspace_id == bindparam("workspace_id"))
        & (people.c.platform_user_id == bindparam("user_id"))
    )


@prepared
def _upcoming_classes(
    among: _Among, dialect: str
) -> Select[str, str, str, str, int, int, int, int, str, bool, bool, str, datetime]:
    """Scheduled classes ``among`` the bound teacher's, community's or person's own (``classes_visible``), with a
    session after the bound ``now``, soonest first, with their teachers' names: the columns of a ``ClassRow``, at
    most the bound ``limit``.

    Each class's next start is on its row (``bot.storage.next_starts``), so no session is read: the classes
    ``among`` are found by id (their teacher's index, or their publications'), and the soonest ``limit`` of them
    kept. On PostgreSQL those ids are first gathered into an array (``id = ANY(ARRAY(...))``): as a join, the
    planner misjudged how many classes are still to come and read all of ``classes`` (46 ms of 91 at 100,000
    classes for someone in every channel of a big Slack workspace, against a few ms of index probes for the
    2,557 classes they may see). The few classes whose kept start has passed since the housekeeping last ran
    are read apart, each with an index probe for its next session, and merged in. Teachers' names are read for
    the rows listed only. (Before the start was on the row, such a person's list cost a probe of sessions per
    class or a read of all of ``classes``: 65-76 ms of an App Home tab.)
    """
    classes, people = table_of(Class), table_of(Person)
    publications, communities = table_of(Publication), table_of(Community)
    now: BindParameter[datetime] = bindparam("now")
    limit: BindParameter[int] = bindparam("limit")
    published = select(publications.c.class_id).where(publications.c.unpublished_at.is_(None))
    platform = communities.c.platform == bindparam("platform")
    which: ColumnElement[bool]
    if among == "teacher":  # an alias: a subquery on ``people`` itself would correlate to the teacher's join
        teacher = people.alias("teacher")
        which = classes.c.teacher_id == select(teacher.c.id).where(_person_bound(teacher)).scalar_subquery()
    else:
        ids: Select[int] | CompoundSelect[int]
        if among == "community":
            community = (
                select(communities.c.id)
                .where(
                    platform,
                    communities.c.workspace_id == bindparam("workspace_id"),
                    communities.c.chat_id == bindparam("chat_id"),
                )
                .scalar_subquery()
            )
            ids = published.where(publications.c.community_id == community)
        else:
            ids = _classes_of_person(published)
        gathered = any_(func.array(ids.scalar_subquery())) if dialect == "postgresql" else None
        which = classes.c.id == gathered if gathered is not None else classes.c.id.in_(ids)
    kept = classes.c.next_starts_at

    def listed(start: ColumnElement[datetime], *, passed: bool) -> Select[Any]:
        return select(
            *(classes.c[column] for column in CARD_COLUMNS),
            classes.c.teacher_id,
            start.label("next_start"),
            classes.c.meeting_id.is_not(None).label("has_meeting"),
            classes.c.id.label("class_id"),
        ).where(
            (kept <= now) if passed else (kept > now),
            classes.c.status == "scheduled",
            which,
            func.coalesce(classes.c.age_min, _ANY_AGE[0]) <= bindparam("oldest"),
            func.coalesce(classes.c.age_max, _ANY_AGE[1]) >= bindparam("youngest"),
        )

    to_come = listed(kept, passed=False).order_by(kept, classes.c.id).limit(limit).subquery("to_come")
    moved = listed(next_start(classes), passed=True).subquery("moved")
    moved_on = select(moved).where(moved.c.next_start.is_not(None)).order_by(moved.c.next_start, moved.c.class_id)
    both = union_all(select(to_come), moved_on.limit(limit).subquery("moved_on").select()).subquery("both")
    soonest = select(both).order_by(both.c.next_start, both.c.class_id).limit(limit).subquery("soonest")
    teacher_name = people.c.display_name.label("teacher_name")
    return (
        select(*(teacher_name if field.name == "teacher_name" else soonest.c[field.name] for field in fields(ClassRow)))
        .join_from(soonest, people, people.c.id == soonest.c.teacher_id)
        .order_by(soonest.c.next_start, soonest.c.class_id)
    )


_CARD_FIELDS = tuple(field.name for field in fields(ClassRow))


@prepared
def _card() -> Select[Any]:
    """The columns of a ``ClassRow`` for the class with the bound ``public_id`` (its kept next start, see
    ``next_start``; its teacher's name, empty when the teacher is gone; whether its meeting is made), with what
    the audience rule reads of it for the bound person (``bot.storage.audience.rule_read``)."""
    classes, people = table_of(Class), table_of(Person)
    named: dict[str, ColumnElement[Any]] = {column: classes.c[column] for column in CARD_COLUMNS}
    named["teacher_name"] = func.coalesce(people.c.display_name, "")
    named["next_start"] = next_start(classes)
    named["has_meeting"] = classes.c.meeting_id.is_not(None)
    card = rule_read({name: named[name] for name in _CARD_FIELDS})
    return card.outerjoin(people, people.c.id == classes.c.teacher_id)


def _classes_of_person(published: Select[int]) -> CompoundSelect[int]:
    """The ids of the classes published in the bound ``communities``, taught by the bound person, or holding a
    seat of theirs or a place on their waitlist: one set, so a list reads these classes by id, not every
    upcoming class until enough of them turn out to be the person's (all of them, for someone with few)."""
    # An alias: the list reads ``classes`` itself, and a subquery of it there would correlate to the list's row.
    own, bookings, waitlist = table_of(Class).alias("own"), table_of(Booking), table_of(WaitlistEntry)
    publications = table_of(Publication)
    return union(
        published.where(publications.c.community_id.in_(bindparam("communities", expanding=True))),
        select(own.c.id).where(own.c.teacher_id == person_id()),
        select(bookings.c.class_id).where(bookings.c.parent_id == person_id(), bookings.c.status.in_(HOLDS_A_SEAT)),
        select(waitlist.c.class_id).where(waitlist.c.parent_id == person_id(), waitlist.c.status == "waiting"),
    )


@prepared
def _bookings_of_parent() -> Select[Any]:
    """The columns of a ``ParentBooking`` for each live booking of the bound parent.

    Each booking's next start is an index probe on ``class_sessions (class_id, starts_at)``; joining every class's
    earliest session (a GROUP BY) would read the upcoming sessions of all classes on each /mybookings.
    """
    bookings, classes, people, sessions = table_of(Booking), table_of(Class), table_of(Person), table_of(ClassSession)
    now: BindParameter[datetime] = bindparam("now")
    next_start = (
        select(func.min(sessions.c.starts_at))
        .where(sessions.c.class_id == classes.c.id, sessions.c.status == "scheduled", sessions.c.starts_at > now)
        .scalar_subquery()
    )
    payments = table_of(Payment)
    kept = (payments.c.booking_id == bookings.c.id) & (payments.c.state == "paid")
    paid_amount = select(func.sum(payments.c.amount)).where(kept).scalar_subquery()
    paid_currency = select(func.max(payments.c.currency)).where(kept).scalar_subquery()
    first = select(func.min(sessions.c.starts_at)).where(sessions.c.class_id == classes.c.id).scalar_subquery()
    held = (
        select(
            bookings.c.id,
            bookings.c.public_id,
            classes.c.public_id.label("class_public_id"),
            classes.c.title.label("class_title"),
            bookings.c.child_name,
            bookings.c.status,
            next_start.label("next_start"),
            classes.c.timezone,
            paid_amount.label("paid_amount"),
            paid_currency.label("paid_currency"),
            first.label("first_start"),
            classes.c.refund_hours,
        )
        .join(classes, classes.c.id == bookings.c.class_id)
        .join(people, people.c.id == bookings.c.parent_id)
        .where(_person_bound(people), bookings.c.status.in_(HOLDS_A_SEAT), classes.c.status == "scheduled")
        .subquery()
    )
    return (
        select(*(held.c[field.name] for field in fields(ParentBooking)))
        .where(held.c.next_start.is_not(None))
        .order_by(held.c.next_start, held.c.id)
    )
