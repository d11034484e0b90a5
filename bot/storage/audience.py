"""What decides who may see a class: its teacher, its link setting, who is booked in it, and where it is published.

Each read is one Core statement on a bare connection (``Database.query()``): they run before every card and
every booking, and change nothing. A class, what the person is to it and where it is published are read together,
by one select (``rule_read``) that a card adds its own columns to: most classes made in a channel are for its
members, whose check needs the places anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
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
    # The communities of the person's platform and workspace it is published in now: always read with the rest
    # (``rule_read``), so empty means published nowhere there.
    places: tuple[Place, ...]


class Audiences:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def of_class(self, public_id: str, person: PersonRef) -> ClassAudience | None:
        """The class ``public_id`` as the rule sees it for ``person``, with the communities of the person's
        platform (and workspace) where it is published now, in one statement; None when there is no such class."""
        values = {"public_id": public_id, **identity(person)}
        rows = (await self._executor.execute(_class_audience(), values)).all()
        return audience_of(rows) if rows else None

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


def rule_read(extra: Mapping[str, ColumnElement[Any]]) -> Select[Any]:
    """What the rule reads of the class with the bound ``public_id`` for the bound person, beside the ``extra``
    columns (of ``classes``, or of a table the caller joins) under their names: one row per community of the
    person's platform and workspace the class is published in, or one with no community when there is none.
    The one read of the rule, for ``Audiences.of_class`` and a card (``Listings.card``); read back with
    ``audience_of``."""
    classes, communities, publications = table_of(Class), table_of(Community), table_of(Publication)
    rule: dict[str, ColumnElement[Any]] = {
        "class_id": classes.c.id,
        "title": classes.c.title,
        "anyone_with_link": classes.c.anyone_with_link,
        "teaches": func.coalesce(classes.c.teacher_id == person_id(), false()),
        "booked": booked_by_person(classes.c.id),
        "place_id": communities.c.id,
        "place_chat_id": communities.c.chat_id,
        "place_title": communities.c.title,
    }
    published = publications.join(communities, communities.c.id == publications.c.community_id)
    where = classes.outerjoin(
        published,
        and_(publications.c.class_id == classes.c.id, publications.c.unpublished_at.is_(None), _on_platform()),
    )
    return (
        select(*(column.label(name) for name, column in {**extra, **rule}.items()))
        .select_from(where)
        .where(classes.c.public_id == bindparam("public_id"))
        .order_by(communities.c.id)
    )


def audience_of(rows: Sequence[Row[Any]]) -> ClassAudience:
    """The ``ClassAudience`` in the rows of a ``rule_read`` (at least one)."""
    first = rows[0]
    places = tuple(Place(row.place_id, row.place_chat_id, row.place_title) for row in rows if row.place_id is not None)
    # SQLite answers truth values as 0 and 1.
    return ClassAudience(
        first.class_id, first.title, bool(first.anyone_with_link), bool(first.teaches), bool(first.booked), places
    )


@prepared
def _class_audience() -> Select[Any]:
    return rule_read({})


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
