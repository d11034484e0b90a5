"""Which language each person and each community is spoken to in.

A person's language comes from their platform (Telegram's ``language_code``, Slack's locale) the first time we
see them, and follows the platform's while they have not chosen; once they pick one with /language, their
choice wins. It is stored with the person, because most messages reach them later, from the worker, with no
platform update at hand. A community (a group or channel) is spoken to in English until one of its admins
picks its language, with /language inside it: announcements are read by everyone there, so no single member's
platform setting decides for the others.

A person's timezone is kept beside their language, for the same reason: a class's time is shown in the class's
zone and, when the reader's clock differs, in theirs too (``Translator.for_reader``), including in the messages
the worker sends later. Slack tells each user's zone (noted when we first ask Slack about them); Telegram does
not, so a parent is asked once, after a booking, and the answer kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import NamedTuple

from bot.core.class_input import parse_timezone
from bot.core.communities import CommunityRef
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.words.refusals import NOT_SET_UP
from bot.i18n.languages import SUPPORTED, noted, or_source, supported
from bot.i18n.texts import tr
from bot.storage.communities import Communities
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.people import People, PersonMarks, Readers, ReaderSettings

# A platform asked about a person: their language tag (Slack's locale) and timezone (Area/City), each None when
# the platform did not say.
AskPlatform = Callable[[], Awaitable[tuple[str | None, str | None]]]


class KnownReader(NamedTuple):
    language: str | None
    zone: str | None
    listing_age: int | None  # the child's age chosen for the classes listed (``choose_listing_age``); None: any


def known_zone(zone: str | None) -> str | None:
    """``zone`` when our timezone database knows it (``parse_timezone``), else None: class times alone then."""
    if not zone:
        return None
    try:
        return parse_timezone(zone)
    except InvalidInput:
        return None


class LanguageService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def known_reader(self, who: PersonRef) -> KnownReader:
        """What we keep of how to speak to the person, in one read: their language and timezone, each None when
        we never learned it (a platform may then be asked), and the child's age they last listed classes for."""
        reader = await self._settings(who)
        if reader is None:
            return KnownReader(None, None, None)
        return KnownReader(supported(reader.language), reader.timezone, reader.listing_age)

    async def _settings(self, who: PersonRef) -> ReaderSettings | None:
        """The person's stored reading settings, None for someone never seen: one Core select on a bare connection
        (``Readers``), shared by ``known_reader``, ``of_reader`` and ``reader``, as it runs before every answer."""
        async with self._database.query() as connection:
            return await Readers(connection).settings(who)

    async def of_reader(self, who: PersonRef, platform_tag: str | None) -> tuple[str, str | None]:
        """The person's language, noting the platform's ``platform_tag`` unless they chose one themselves.

        A tag we have no language for counts as English, and is stored as such: the platform did answer, so it
        need not be asked again (Slack's locale costs a call). Asking makes no row: someone who only looks, or is
        refused, leaves nothing behind; the row made by their first real action takes the language from the
        ``PersonRef`` (``People.ensure``). Only a change of a known person's platform language writes here.
        """
        detected = noted(platform_tag)
        reader = await self._settings(who)
        if reader is None:
            return or_source(detected), None
        if reader.language_chosen or detected is None or reader.language == detected:
            return or_source(reader.language), reader.timezone
        async with self._database.write() as session:
            person = await People(session).find(who)
            if person is not None and not person.language_chosen:
                person.language = detected
            return or_source(person.language if person else detected), person.timezone if person else None

    async def reader(self, who: PersonRef, ask: AskPlatform) -> tuple[str, str | None]:
        """The person's language and timezone for what is said to them now: as stored, and while we do not know
        both, as their platform says (``ask``: its language tag and zone, each None when it did not answer).

        One read for a person we know all about, or who has no row yet (someone who only looks leaves nothing
        behind: the row made by their first real action takes both from the ``PersonRef``, see ``People.ensure``).
        The platform's word is noted for a known person only where it changes something, in one transaction:
        their language unless they chose one (as ``of_reader``), their zone unless they have one (their own
        choice, or the zone a teacher's classes are made in, is not overridden). The zone returned is the
        platform's when we had none, and only a zone our timezone database knows.
        """
        reader = await self._settings(who)
        language = supported(reader.language) if reader else None
        zone = reader.timezone if reader else None
        if language is not None and zone is not None:
            return language, zone
        platform_tag, platform_zone = await ask()
        detected, heard_zone = noted(platform_tag), known_zone(platform_zone)
        if reader is None:
            return or_source(detected) if language is None else language, heard_zone
        relearn = language is None and not reader.language_chosen and detected is not None
        relearn = relearn and reader.language != detected
        if not relearn and (heard_zone is None or zone is not None):
            return (language or or_source(reader.language)), zone or heard_zone
        async with self._database.write() as session:
            person = await People(session).find(who)
            if person is None:  # forgotten meanwhile
                return or_source(detected) if language is None else language, heard_zone
            if language is None and not person.language_chosen and detected is not None:
                person.language = detected
            if person.timezone is None and heard_zone is not None:
                person.timezone = heard_zone
            return (language or or_source(person.language)), person.timezone

    async def ask_zone_once(self, who: PersonRef) -> bool:
        """Whether to ask the person their timezone now: once in their life with us, and never when we know it."""
        async with self._database.statement() as connection:  # one UPDATE: no transaction, no read first
            return await PersonMarks(connection).zone_asked(who)

    async def choose_zone(self, who: PersonRef, typed: str) -> str:
        """The person's own timezone, typed or picked (Area/City); a name we do not know is refused saying what
        to type."""
        zone = parse_timezone(typed)
        async with self._database.write() as session:
            person = await People(session).ensure(who)
            person.timezone, person.timezone_asked, person.timezone_chosen = zone, True, True
        return zone

    async def choose(self, who: PersonRef, code: str) -> str:
        """The person's own choice: kept whatever their platform says afterwards."""
        language = _checked(code)
        async with self._database.write() as session:
            person = await People(session).ensure(who)
            person.language, person.language_chosen = language, True
        return language

    async def of_community(self, community: CommunityRef) -> str:
        async with self._database.read() as session:
            row = await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
            return or_source(row.language if row else None)

    async def choose_for_community(self, community: CommunityRef, code: str, *, admin_verified: bool) -> str:
        """An admin sets the language of what the bot posts in the group or channel."""
        language = _checked(code)
        if not admin_verified:
            raise NotAllowed(tr("Only this group's admins can change its language."))
        async with self._database.write() as session:
            row = await Communities(session).find(community.platform, community.workspace_id, community.chat_id)
            if row is None:
                raise NotAllowed(NOT_SET_UP)
            row.language = language
        return language


def _checked(code: str) -> str:
    language = supported(code)
    if language is None or language != code:
        names = ", ".join(SUPPORTED)
        raise InvalidInput("language", tr("Choose one of these languages: {names}.", names=names))
    return language
