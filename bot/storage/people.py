"""People by platform identity: found, or created on first sight, safe when two updates race."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.identity import PersonRef
from bot.i18n.languages import noted
from bot.storage.dialect import insert_or_ignore_returning
from bot.storage.models import ChatState, Person, WaitlistEntry, ZoomConnection
from bot.storage.prepared import prepared

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
        }
        person = await self.find(who)  # nearly always there: one statement
        if person is None:
            adding = insert_or_ignore_returning(self._session, Person, _IDENTITY)
            person = (await self._session.execute(adding, values)).scalar_one_or_none() or await self.find(who)
            assert person is not None  # made here, or by a request that raced this one
        if who.display_name and person.display_name != who.display_name:
            person.display_name = who.display_name
        if language and not person.language_chosen and person.language != language:
            person.language = language
        return person

    async def find(self, who: PersonRef) -> Person | None:
        identity = {"platform": who.platform, "workspace_id": who.workspace_id, "user_id": who.user_id}
        return (await self._session.execute(_by_identity(), identity)).scalar_one_or_none()

    async def get(self, person_id: int) -> Person | None:
        return (await self._session.execute(_by_id(), {"person_id": person_id})).scalar_one_or_none()

    async def zoom_timezone(self, person_id: int) -> str | None:
        """The timezone of the person's Zoom profile, if they connected Zoom."""
        query = select(ZoomConnection.timezone).where(ZoomConnection.person_id == person_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def erase(self, person: Person) -> None:
        """Delete the person and, by cascade, everything that is theirs (children's names, classes, tokens)."""
        await self._session.execute(
            delete(ChatState).where(ChatState.platform == person.platform, ChatState.user_id == person.platform_user_id)
        )
        await self._session.execute(
            delete(WaitlistEntry).where(WaitlistEntry.parent_id == person.id, WaitlistEntry.status == "waiting")
        )
        await self._session.delete(person)


@prepared
def _by_identity() -> Select[Person]:
    return select(Person).where(
        Person.platform == bindparam("platform"),
        Person.workspace_id == bindparam("workspace_id"),
        Person.platform_user_id == bindparam("user_id"),
    )


@prepared
def _by_id() -> Select[Person]:
    return select(Person).where(Person.id == bindparam("person_id"))
