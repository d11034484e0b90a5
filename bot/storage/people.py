"""People by platform identity: found, or created on first sight, safe when two updates race."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, Update, bindparam, delete, exists, or_, select, union_all, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ExecutableReturnsRows

from bot.i18n.languages import noted
from bot.storage.database import Executor
from bot.storage.dialect import insert_or_ignore_returning, writers_overlap
from bot.storage.identity import PersonRef
from bot.storage.models import (
    Attendance,
    Booking,
    ChatState,
    Person,
    WaitlistEntry,
    ZoomConnection,
    ZoomConnectionSharer,
)
from bot.storage.prepared import prepared, table_of

_IDENTITY = ("platform", "workspace_id", "platform_user_id")


class People:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, who: PersonRef) -> Person:
        """The stored person for ``who``, created on first sight; the display name follows the platform's, and so
        does the language until the person chooses one."""
        language = noted(who.language)
        values = {
            "platform": who.platform,
            "workspace_id": who.workspace_id,
            "platform_user_id": who.user_id,
            "display_name": who.display_name,
            "language": language,
            "timezone": who.timezone,
        }
        if writers_overlap(self._session):  # PostgreSQL: found or made in one statement
            named = {_NEW + column: value for column, value in values.items()}
            person = (await self._session.execute(_found_or_made(), named)).scalar_one_or_none()
        else:
            person = await self.find(who)
        if person is None:  # SQLite's first sight, or a request that raced this one made it meanwhile
            adding = insert_or_ignore_returning(self._session, Person, _IDENTITY)
            person = (await self._session.execute(adding, values)).scalar_one_or_none() or await self.find(who)
            assert person is not None  # made here, or by a request that raced this one
        if who.display_name and person.display_name != who.display_name:
            person.display_name = who.display_name
        if language and not person.language_chosen and person.language != language:
            person.language = language
        if who.timezone and person.timezone is None:
            person.timezone = who.timezone
        return person

    async def find(self, who: PersonRef) -> Person | None:
        identity = {"platform": who.platform, "workspace_id": who.workspace_id, "user_id": who.user_id}
        return (await self._session.execute(_by_identity(), identity)).scalar_one_or_none()

    async def get(self, person_id: int) -> Person | None:
        return (await self._session.execute(_by_id(), {"person_id": person_id})).scalar_one_or_none()

    async def display_names(self, person_ids: Collection[int]) -> dict[int, str]:
        """The display name of each of ``person_ids`` that exists, in one statement (a roster names the parent of
        every booking: one statement each cost a round trip per line)."""
        if not person_ids:
            return {}
        people = table_of(Person)
        query = select(people.c.id, people.c.display_name).where(people.c.id.in_(sorted(set(person_ids))))
        rows = await self._session.execute(query)
        return {int(row.id): str(row.display_name) for row in rows}

    async def zoom_timezone(self, person_id: int) -> str | None:
        """The timezone of the person's Zoom profile, if they connected Zoom (or share a connection)."""
        shared = select(ZoomConnectionSharer.connection_id).where(ZoomConnectionSharer.person_id == person_id)
        query = select(ZoomConnection.timezone).where(
            or_(ZoomConnection.person_id == person_id, ZoomConnection.id.in_(shared))
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def erase(self, person: Person) -> None:
        """Delete the person and, by cascade, everything that is theirs (children's names, bookings, classes,
        tokens), with their children's attendance."""
        await self._session.execute(
            delete(ChatState).where(ChatState.platform == person.platform, ChatState.user_id == person.platform_user_id)
        )
        await self._session.execute(
            delete(WaitlistEntry).where(WaitlistEntry.parent_id == person.id, WaitlistEntry.status == "waiting")
        )
        # Zoom's record of the children joining (their registrant id, or the name they joined with), which the
        # bookings' deletion would otherwise leave unattached.
        theirs = select(Booking.id).where(Booking.parent_id == person.id)
        await self._session.execute(delete(Attendance).where(Attendance.booking_id.in_(theirs)))
        await self._session.delete(person)


@prepared
def _by_identity() -> Select[Person]:
    return select(Person).where(
        Person.platform == bindparam("platform"),
        Person.workspace_id == bindparam("workspace_id"),
        Person.platform_user_id == bindparam("user_id"),
    )


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """What a person's answers are worded by: their language, whether they chose it, and their timezone; and the
    child's age they last listed classes for (``listing_age``, None: any), which Slack's Home tab is drawn for."""

    language: str | None
    language_chosen: bool
    timezone: str | None
    listing_age: int | None


class Readers:
    """A person's reading settings as four columns, on a bare connection (``Database.query()``): read before
    every answer, on Telegram and Slack alike, so no ORM session and no ``Person`` object (about 300 Python calls
    fewer each)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def settings(self, who: PersonRef) -> ReaderSettings | None:
        """None for a person never seen."""
        identity = {"platform": who.platform, "workspace_id": who.workspace_id, "user_id": who.user_id}
        row = (await self._executor.execute(_reader_settings(), identity)).one_or_none()
        return ReaderSettings(row[0], bool(row[1]), row[2], row[3]) if row is not None else None


@prepared
def _reader_settings() -> Select[str | None, bool, str | None, int | None]:
    people = table_of(Person)
    columns = (people.c.language, people.c.language_chosen, people.c.timezone, people.c.listing_age)
    return select(*columns).where(
        people.c.platform == bindparam("platform"),
        people.c.workspace_id == bindparam("workspace_id"),
        people.c.platform_user_id == bindparam("user_id"),
    )


class PersonMarks:
    """Changes to a person made by one statement that loads nobody, so they run on a bare connection
    (``Database.statement()``)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def zone_asked(self, who: PersonRef) -> bool:
        """Mark the person as asked their timezone, unless we know it or asked already; whether this marked them
        (so exactly one of two racing callers asks)."""
        identity = {_WHO + "platform": who.platform, _WHO + "workspace_id": who.workspace_id}
        marked = await self._executor.execute(_zone_asked(), identity | {_WHO + "platform_user_id": who.user_id})
        return bool(marked.rowcount)  # type: ignore[attr-defined]


# An UPDATE would take a parameter named like one of its columns as the column's new value.
_WHO = "who_"


@prepared
def _zone_asked() -> Update:
    people = table_of(Person)
    return (
        update(people)
        .where(*(people.c[column] == bindparam(_WHO + column) for column in _IDENTITY))
        .where(people.c.timezone.is_(None), people.c.timezone_asked.is_not(True))
        .values(timezone_asked=True)
    )


@prepared
def _by_id() -> Select[Person]:
    return select(Person).where(Person.id == bindparam("person_id"))


# Named apart from the columns: an INSERT would take a parameter named like one of its columns as its value.
_NEW = "new_"
_COLUMNS = ("platform", "workspace_id", "platform_user_id", "display_name", "language", "timezone")


@prepared
def _found_or_made() -> ExecutableReturnsRows:
    """PostgreSQL: the person with the identity, or the one added for it, so a person's first request is not
    one round trip longer than the next (in a burst after an announcement, most parents are new). Nothing when
    a concurrent request is adding the same person: the caller then reads theirs."""
    people = table_of(Person)
    identity = [people.c[column] == bindparam(_NEW + column) for column in _IDENTITY]
    found = select(people).where(*identity).cte("found")
    row = select(*(bindparam(_NEW + column, type_=people.c[column].type) for column in _COLUMNS))
    adding = postgresql.insert(people).from_select(
        list(_COLUMNS), row.where(~exists(found.select())), include_defaults=False
    )
    made = adding.on_conflict_do_nothing(index_elements=list(_IDENTITY)).returning(*people.c).cte("made")
    return select(Person).from_statement(union_all(found.select(), made.select()))
