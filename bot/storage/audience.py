"""What decides who may see a class: its teacher, its link setting, who is booked in it, and where it is published.

Each read is one Core statement on a bare connection (``Database.query()``): they run before every card and
every booking, and change nothing. A class, what the person is to it and where it is published are read together:
most classes made in a channel are for its members, whose check needs the places anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    exists,
    false,
    func,
    select,
)

from bot.storage.bookings import HOLDS_A_SEAT
from bot.storage.database import Executor
from bot.storage.identity import PersonRef
from bot.storage.models import Booking, Class, Community, Person, Publication, WaitlistEntry
from bot.storage.next_starts import still_to_come
from bot.storage.prepared import prepared, table_of


@dataclass(frozen=True, slots=True)
class Place:
    """A set-up community as the rule names it: its row, its platform's id for it, and its title."""

    id: int
    chat_id: str
    title: str


@dataclass(frozen=True, slots=True)
class ClassAudience:
    """A class as the rule sees it, for one person."""

    class_id: int
    title: str
    anyone_with_link: bool
    teaches: bool  # the person is its teacher
    booked: bool  # the person holds a seat in it, waits for the teacher's approval, or waits on its waitlist
    places: tuple[Place, ...] = ()  # the communities of the person's platform and workspace it is published in


class Audiences:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def of_class(self, public_id: str, person: PersonRef) -> ClassAudience | None:
        """The class ``public_id`` as the rule sees it for ``person``, with the communities of the person's
        platform (and workspace) where it is published now, in one statement; None when there is no such class."""
        values = {"public_id": public_id, **identity(person)}
        rows = (await self._executor.execute(_class_audience(), values)).all()
        if not rows:
            return None
        class_id, title, anyone_with_link, teaches, booked = rows[0][:5]
        places = tuple(Place(*row[5:]) for row in rows if row[5] is not None)
        # SQLite answers truth values as 0 and 1.
        return ClassAudience(class_id, title, bool(anyone_with_link), bool(teaches), bool(booked), places)

    async def places_with_classes(self, platform: str, workspace_id: str, now: datetime, limit: int) -> list[Place]:
        """At most ``limit`` communities of ``platform`` (and workspace) where an upcoming class is published: the
        only ones whose membership a person's list of classes needs to know."""
        values = {"platform": platform, "workspace_id": workspace_id, "now": now, "limit": limit}
        return [Place(*row) for row in await self._executor.execute(_places_with_classes(), values)]


def identity(person: PersonRef) -> dict[str, str]:
    """The bound values ``person_id()`` reads."""
    return {"platform": person.platform, "workspace_id": person.workspace_id, "user_id": person.user_id}


def person_id() -> ScalarSelect[int]:
    """The id of the person named by the bound platform, workspace and user id (NULL for one never seen)."""
    people = table_of(Person).alias("person")
    return (
        select(people.c.id)
        .where(
            people.c.platform == bindparam("platform"),
            people.c.workspace_id == bindparam("workspace_id"),
            people.c.platform_user_id == bindparam("user_id"),
        )
        .scalar_subquery()
    )


def booked_by_person(class_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The bound person holds a seat in, waits for approval in, or waits on the waitlist of ``class_id``."""
    bookings, waitlist = table_of(Booking), table_of(WaitlistEntry)
    seated = exists().where(
        bookings.c.class_id == class_id,
        bookings.c.parent_id == person_id(),
        bookings.c.status.in_(HOLDS_A_SEAT),
    )
    waiting = exists().where(
        waitlist.c.class_id == class_id,
        waitlist.c.parent_id == person_id(),
        waitlist.c.status == "waiting",
    )
    return seated | waiting


@prepared
def _class_audience() -> Select[int, str, bool, bool, bool, int, str, str]:
    """One row per community of the bound platform and workspace the class is published in (one with no
    community when there is none)."""
    classes, communities, publications = table_of(Class), table_of(Community), table_of(Publication)
    teaches = func.coalesce(classes.c.teacher_id == person_id(), false())
    published = publications.join(communities, communities.c.id == publications.c.community_id)
    where = classes.outerjoin(
        published,
        and_(publications.c.class_id == classes.c.id, publications.c.unpublished_at.is_(None), _on_platform()),
    )
    return (
        select(
            classes.c.id,
            classes.c.title,
            classes.c.anyone_with_link,
            teaches.label("teaches"),
            booked_by_person(classes.c.id).label("booked"),
            communities.c.id,
            communities.c.chat_id,
            communities.c.title,
        )
        .select_from(where)
        .where(classes.c.public_id == bindparam("public_id"))
        .order_by(communities.c.id)
    )


def _on_platform() -> ColumnElement[bool]:
    communities = table_of(Community)
    return (communities.c.platform == bindparam("platform")) & (communities.c.workspace_id == bindparam("workspace_id"))


@prepared
def _places_with_classes() -> Select[int, str, str]:
    communities, publications, classes = table_of(Community), table_of(Publication), table_of(Class)
    upcoming = select(classes.c.id).where(classes.c.status == "scheduled", still_to_come(classes))
    with_classes = select(publications.c.community_id).where(
        publications.c.unpublished_at.is_(None), publications.c.class_id.in_(upcoming)
    )
    return (
        select(communities.c.id, communities.c.chat_id, communities.c.title)
        .where(_on_platform(), communities.c.id.in_(with_classes))
        .order_by(communities.c.id)
        .limit(bindparam("limit"))
    )
