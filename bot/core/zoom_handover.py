"""A Zoom account someone else holds changes hands only when its holder agrees.

Zoom gives one token set per Zoom user and app, so one ClassBot person holds each Zoom account. When another
person confirms a connection to an account that is held, the holder is asked in their private chat, with three
buttons; until they agree, the account stays theirs (their parents keep getting links). They may hand it over,
or share it: then both use its one token set (one person on Telegram and Slack, say), and either may leave it
later while the other keeps it. The holder may also
just /disconnect, after which the other person connects it as anyone would. A request lasts a day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Act
from bot.core.connect_outcomes import connected_notice, person_label
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.ids import new_public_id
from bot.core.job_kinds import WAITS_ON_ZOOM
from bot.core.messages import Button, Message
from bot.core.notify import tell
from bot.i18n.texts import Text, tr
from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.jobs import hurry
from bot.storage.models import ZoomConnection
from bot.storage.people import People
from bot.storage.zoom_confirmations import HandoverRequest, ZoomHandovers
from bot.storage.zoom_connections import ZoomConnections
from bot.support.clock import Clock

log = logging.getLogger(__name__)

HANDOVER_LIFETIME = timedelta(days=1)


async def ask_holder(
    session: AsyncSession, connection: ZoomConnection, asker_id: int, asker: Text, now: datetime
) -> None:
    """Ask the holder of ``connection`` whether it may move to ``asker_id`` (once per asker while one is open)."""
    handovers = ZoomHandovers(session)
    if await handovers.open_for(connection.id, asker_id) is not None:
        return
    public_id = new_public_id()
    await handovers.add(
        HandoverRequest(public_id, connection.id, connection.person_id, asker_id, now + HANDOVER_LIFETIME)
    )
    question = tr(
        "{person} asks to connect your Zoom account {email} to their ClassBot. If you hand it over, your classes "
        "get no more Zoom links from it. Share it if you are that person too (on another app): both then use it. Hand "
        "it over only if it should be theirs; otherwise keep it.",
        person=asker,
        email=connection.email,
    )
    buttons = (
        Button(tr("Share it"), action=Act.SHARE_ZOOM.on(public_id)),
        Button(tr("Hand it over"), action=Act.HAND_ZOOM_OVER.on(public_id)),
        Button(tr("Keep it"), action=Act.KEEP_ZOOM.on(public_id)),
    )
    await tell(session, connection.person_id, Message(question, buttons), now=now)
    await tell(
        session,
        asker_id,
        Message(
            tr(
                "The Zoom account {email} is connected to ClassBot for someone else, so it was not connected to you "
                "yet: we asked them in their chat to hand it over, and you will hear here when they answer.",
                email=connection.email,
            )
        ),
        now=now,
    )


class Handovers:
    """The holder's answer to a request for their Zoom account."""

    def __init__(
        self, database: Database, cipher: SecretCipher, *, clock: Clock, on_tokens_replaced: Callable[[int], None]
    ) -> None:
        self._database = database
        self._cipher = cipher
        self._clock = clock
        self._on_tokens_replaced = on_tokens_replaced

    async def answer(self, who: PersonRef, public_id: str, *, agree: bool, share: bool = False) -> Text:
        """Hand the Zoom account over (``agree``), share it (``agree`` and ``share``) or keep it; the words for the
        holder. Only the holder may answer."""
        now = self._clock()
        async with self._database.write() as session:
            handovers = ZoomHandovers(session)
            request = await handovers.get(public_id)
            if request is None or request.expires_at <= now:
                raise NotFound(tr("This request for your Zoom account was already answered or has expired."))
            holder = await People(session).find(who)
            if holder is None or holder.id != request.holder_id:
                raise NotAllowed(tr("Only the person whose Zoom account it is can answer this request."))
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.get(request.connection_id)
            if not await handovers.take(public_id) or connection is None or connection.person_id != holder.id:
                raise Conflict(tr("This Zoom account is no longer yours to hand over."))
            asker = await People(session).get(request.asker_id)
            assert asker is not None  # the request is deleted with the person who made it
            label = person_label(asker.platform, asker.display_name, "")
            if not agree:
                kept = tr(
                    "The person who holds the Zoom account {email} in ClassBot kept it, so it was not connected to "
                    "you. Connect another Zoom account with /connect.",
                    email=connection.email,
                )
                await tell(session, asker.id, Message(kept), now=now)
                return tr("You kept your Zoom account {email}.", email=connection.email)
            if share:
                replaced = await connections.share(connection.id, asker.id, now)
            else:
                sharers = await connections.sharers(connection.id)
                replaced = await connections.give(connection.id, asker.id, now)
                handed = tr(
                    "The Zoom account {email} you shared in ClassBot was handed over to {person}, so your classes get "
                    "no more Zoom links from it. Connect another Zoom account with /connect.",
                    email=connection.email,
                    person=label,
                )
                for sharer in sharers:
                    await tell(session, sharer, Message(handed), now=now)
            await handovers.drop_for_connection(connection.id)
            await tell(session, asker.id, Message(connected_notice(connection.email)), now=now)
            await hurry(session, WAITS_ON_ZOOM, now)
        if replaced is not None:
            self._on_tokens_replaced(replaced)
        if share:
            log.info("Zoom connection %s is shared by its holder", connection.id)
            return tr(
                "Done: your Zoom account {email} is shared with {person} in ClassBot, and both your classes get Zoom "
                "links from it. Either of you may /disconnect your own side; the other keeps it.",
                email=connection.email,
                person=label,
            )
        log.info("Zoom connection %s was handed over by its holder", connection.id)
        return tr(
            "Done: your Zoom account {email} now belongs to {person} in ClassBot. Your classes get Zoom links again "
            "when you connect another Zoom account with /connect.",
            email=connection.email,
            person=label,
        )
