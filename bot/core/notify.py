"""Telling people things: the Notifier port the front ends implement, and the durable way the core uses it.

The core never calls a notifier inside a transaction. It puts a "notify" job in the same transaction as the
change it reports (``tell``), and the worker delivers it afterwards (``NotificationDelivery``), retrying when a
platform is down: a confirmed change is never reported zero times, and a rolled-back one never reported at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.communities import CommunityRef
from bot.core.messages import Message, Said
from bot.core.outages import PlatformUnavailable, platform_back
from bot.core.worker import Unretryable
from bot.i18n.catalogs import Catalogs
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.jobs import enqueue, hurry_failed_with
from bot.storage.models import Person
from bot.storage.people import People
from bot.support.clock import Clock
from bot.support.metrics import Metrics

log = logging.getLogger(__name__)

NOTIFY_JOB = "notify"


class Notifier(Protocol):
    """A chat front end: messages one person privately, or posts to a community (never with private links).

    Messages arrive already in their reader's words (``Said``): the messenger knows each reader's language.
    """

    async def send_private(self, recipient: PersonRef, message: Said) -> None: ...

    async def post_to_community(self, community: CommunityRef, message: Said) -> None: ...


class RecipientUnreachable(Exception):
    """The platform refuses to deliver (the user never opened the bot, or blocked it); not worth retrying soon.

    Such messages wait: when the person opens the private chat, ``reachable_again`` sends them at once.
    """


async def reachable_again(database: Database, now: datetime) -> None:
    """Someone opened their private chat with the bot: messages that could not reach them go out now."""
    async with database.statement() as connection:  # one UPDATE: on PostgreSQL no BEGIN and COMMIT around it
        await hurry_failed_with(connection, RecipientUnreachable.__name__, now)


async def tell(
    session: AsyncSession, person_id: int, message: Message, *, now: datetime, dedupe_key: str | None = None
) -> None:
    """Queue ``message`` for ``person_id`` within the caller's transaction."""
    payload = {"person_id": person_id, "message": message.to_payload()}
    await enqueue(session, NOTIFY_JOB, payload, run_at=now, dedupe_key=dedupe_key)


class Messenger:
    """Finds a person's (or a community's) platform and language, and hands the message, in that language, to
    that platform's front end.

    The language is read when the message goes out, not when it was queued: a person who switched language
    in between gets the new one. A community speaks the language its admins chose (English until they do).

    The first send that gets through to a platform after one failed on its outage drains the messages that
    wait on it (``bot.core.outages``).
    """

    def __init__(
        self,
        database: Database,
        notifiers: Mapping[str, Notifier],
        metrics: Metrics | None = None,
        *,
        catalogs: Catalogs,
        clock: Clock,
    ) -> None:
        self._database = database
        self._notifiers = notifiers
        self._metrics = metrics
        self._catalogs = catalogs
        self._clock = clock
        self._away: set[str] = set()  # platforms a send here found unavailable, since the last that got through

    async def send(self, person_id: int, message: Message) -> None:
        async with self._database.read() as session:
            person = await People(session).get(person_id)
        await self.send_to(person, message)

    async def send_to(self, person: Person | None, message: Message) -> None:
        """Deliver to a person the caller has just read (None: the person is gone, and the message with them:
        the job is done, its words emptied, rather than kept among the jobs given up on)."""
        if person is None:
            log.info("a message for a person who was since forgotten was dropped")
            return
        notifier = self._notifiers.get(person.platform)
        if notifier is None:
            raise Unretryable(f"no {person.platform} front end is configured to deliver this message")
        recipient = PersonRef(person.platform, person.platform_user_id, person.workspace_id, person.display_name)
        said = message.render(self._catalogs.translator(person.language, person.timezone))
        try:
            await notifier.send_private(recipient, said)
        except Exception as refused:
            if self._metrics is not None:
                reason = type(refused).__name__
                self._metrics.count("classbot_delivery_failures_total", platform=person.platform, reason=reason)
            self._noted(person.platform, refused)
            raise
        await self._got_through(person.platform)

    async def post(self, community_id: int, message: Message) -> None:
        async with self._database.read() as session:
            row = await Classes(session).community(community_id)
        if row is None:
            raise Unretryable("the community no longer exists")
        notifier = self._notifiers.get(row.platform)
        if notifier is None:
            raise Unretryable(f"no {row.platform} front end is configured to post this message")
        said = message.render(self._catalogs.translator(row.language))
        try:
            await notifier.post_to_community(CommunityRef(row.platform, row.chat_id, row.workspace_id, row.title), said)
        except Exception as refused:
            self._noted(row.platform, refused)
            raise
        await self._got_through(row.platform)

    def _noted(self, platform: str, failure: Exception) -> None:
        if isinstance(failure, PlatformUnavailable):
            self._away.add(platform)

    async def _got_through(self, platform: str) -> None:
        """A send reached ``platform``: if sends to it failed on its outage, the messages waiting on it are due.

        Never raises: the message is delivered, and a failed job would send it again. Left undone (the database
        away), the next send that gets through tries again; meanwhile each waiting job's backoff still runs."""
        if platform not in self._away:
            return
        self._away.discard(platform)
        try:
            await platform_back(self._database, platform, self._clock())
        except Exception:
            self._away.add(platform)
            log.warning("could not make the messages waiting on %s due now", platform, exc_info=True)
            return
        log.info("%s answers again: the messages that waited on it go out now", platform)


class NotificationDelivery:
    """The "notify" job handler."""

    def __init__(self, messenger: Messenger) -> None:
        self._messenger = messenger

    async def __call__(self, payload: dict[str, Any]) -> None:
        await self._messenger.send(int(payload["person_id"]), Message.from_payload(payload["message"]))
