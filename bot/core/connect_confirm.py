"""The confirmation a Zoom connect needs before anything is stored, and what ends it.

A connect link may have been forwarded: whoever is signed in to Zoom in the browser is not necessarily the person
who asked. So, back from Zoom, the browser is shown a page naming both sides (this Zoom account, that chat
person) and must post its answer from the browser holding the confirmation's cookie, with the token the page
carries, within ten minutes. Both secrets are random, handed out once and stored only as their SHA-256. A Zoom
account another person holds is never taken from them: confirming asks them (``bot.core.zoom_handover``).

One thing cannot wait for the confirmation: Zoom keeps one token set per user and app, so the exchange has just
killed the tokens of whoever held this Zoom account. The new set goes to that holder at once, which changes
nothing about who holds what (and for a teacher reconnecting their own account, that is the whole connect).
Tokens for a Zoom account no one holds wait, encrypted, in the confirmation, and are revoked at Zoom when it is
cancelled or expires; either way the asker is told in chat.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.connect_outcomes import (
    FAILURE_NOTICES,
    Confirmation,
    ConnectOutcome,
    ConnectResult,
    cancelled_notice,
    connected_notice,
    person_label,
    unconfirmed_notice,
)
from bot.core.job_kinds import WAITS_ON_ZOOM
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.zoom_authorizer import AuthorizedZoomUser, ZoomAuthorizer, ZoomDown, ZoomRefused
from bot.core.zoom_handover import ask_holder
from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.jobs import enqueue, hurry
from bot.storage.oauth_states import PendingAuthorization
from bot.storage.people import People
from bot.storage.zoom_confirmations import PendingConfirmation, PendingGrant, ZoomConfirmations
from bot.storage.zoom_connections import ZoomConnections
from bot.support.clock import Clock

log = logging.getLogger(__name__)

CONFIRMATION_LIFETIME = timedelta(minutes=10)
CONFIRMATION_EXPIRED_JOB = "zoom.confirmation_expired"


def digest(secret: str) -> str:
    """What is stored of a secret handed to a browser: its SHA-256, so a copy of the database cannot use it."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ConfirmationDesk:
    """Asks the browser to confirm an authorization Zoom granted, and carries out its answer or its expiry."""

    def __init__(
        self,
        database: Database,
        cipher: SecretCipher,
        authorizer: ZoomAuthorizer,
        *,
        clock: Clock,
        on_tokens_replaced: Callable[[int], None],
    ) -> None:
        self._database = database
        self._cipher = cipher
        self._authorizer = authorizer
        self._clock = clock
        self._on_tokens_replaced = on_tokens_replaced

    async def ask(self, pending: PendingAuthorization, authorized: AuthorizedZoomUser) -> ConnectResult:
        """Zoom said yes: give the fresh tokens to whoever holds this Zoom account already (Zoom just killed theirs),
        and unless that is the asker, keep the grant for the browser to confirm."""
        profile, now = authorized.profile, self._clock()
        key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            holder = await connections.for_zoom_user(profile.zoom_user_id)
            own = holder is not None and await connections.uses(holder, pending.person_id)
            if holder is not None:
                await connections.renew(holder.id, profile, authorized.tokens, authorized.scopes, now)
                await hurry(session, WAITS_ON_ZOOM, now)
                if own:
                    await tell(session, pending.person_id, Message(connected_notice(profile.email)), now=now)
            asker = await People(session).get(pending.person_id)
            assert asker is not None  # the state is deleted with its person
            confirmations = ZoomConfirmations(session, self._cipher)
            # Zoom has just killed the tokens any earlier, unconfirmed authorization of this user holds.
            await confirmations.drop_for_zoom_user(profile.zoom_user_id)
            if not own:
                grant = PendingGrant(profile, authorized.tokens if holder is None else None, authorized.scopes)
                expires_at = now + CONFIRMATION_LIFETIME
                await confirmations.add(digest(key), digest(csrf), pending.person_id, pending.handle, grant, expires_at)
                payload = {"key_hash": digest(key)}
                await enqueue(session, CONFIRMATION_EXPIRED_JOB, payload, run_at=expires_at)
        if holder is not None:
            self._on_tokens_replaced(holder.id)
            if own:
                log.info("person %s connected their Zoom account again", pending.person_id)
                return ConnectResult(ConnectOutcome.CONNECTED, profile.email)
        confirmation = Confirmation(
            key=key,
            csrf=csrf,
            zoom_email=profile.email,
            asker=person_label(asker.platform, asker.display_name, pending.handle),
            held_by_someone_else=holder is not None,
            expires_minutes=int(CONFIRMATION_LIFETIME.total_seconds() // 60),
        )
        return ConnectResult(ConnectOutcome.CONFIRM, profile.email, confirmation)

    async def confirm(self, *, key: str | None, csrf: str | None, connect: bool) -> ConnectResult:
        """The browser's answer on the confirmation page: connect (or ask the holder), or cancel."""
        if not key:  # this browser holds no confirmation (answered already, or never shown here)
            return ConnectResult(ConnectOutcome.NOT_CONFIRMABLE)
        now = self._clock()
        renewed: int | None = None
        async with self._database.write() as session:
            confirmations = ZoomConfirmations(session, self._cipher)
            waiting = await confirmations.get(digest(key))
            if waiting is None:
                return ConnectResult(ConnectOutcome.NOT_CONFIRMABLE)
            if not csrf or not secrets.compare_digest(waiting.csrf_hash, digest(csrf)):
                return ConnectResult(ConnectOutcome.FORGED)
            pending = await confirmations.take(digest(key))
            if pending is None:  # a post that raced this one answered it
                return ConnectResult(ConnectOutcome.NOT_CONFIRMABLE)
            email = pending.grant.profile.email
            if pending.expires_at <= now or not connect:
                expired = pending.expires_at <= now
                notice = unconfirmed_notice(email) if expired else cancelled_notice(email)
                await tell(session, pending.person_id, Message(notice), now=now)
                outcome = ConnectOutcome.CONFIRMATION_EXPIRED if expired else ConnectOutcome.CANCELLED
            else:
                outcome, renewed = await self._connect_confirmed(session, pending, now)
        if outcome in (ConnectOutcome.CANCELLED, ConnectOutcome.CONFIRMATION_EXPIRED):
            await self._revoke_unheld(pending.grant)
        if renewed is not None:
            self._on_tokens_replaced(renewed)
        return ConnectResult(outcome, email)

    async def expired(self, payload: dict[str, Any]) -> None:
        """The job queued with each confirmation: if it is still unanswered, drop it, revoke its tokens at Zoom and
        tell the asker."""
        async with self._database.write() as session:
            pending = await ZoomConfirmations(session, self._cipher).take(str(payload["key_hash"]))
            if pending is None:
                return
            notice = unconfirmed_notice(pending.grant.profile.email)
            await tell(session, pending.person_id, Message(notice), now=self._clock())
        await self._revoke_unheld(pending.grant)

    async def _connect_confirmed(
        self, session: AsyncSession, pending: PendingConfirmation, now: datetime
    ) -> tuple[ConnectOutcome, int | None]:
        """Connect a confirmed grant, unless someone else holds its Zoom account now: then ask them. Returns the
        outcome and the id of a connection whose tokens changed."""
        profile, grant = pending.grant.profile, pending.grant
        connections = ZoomConnections(session, self._cipher)
        holder = await connections.for_zoom_user(profile.zoom_user_id)
        if holder is not None and not await connections.uses(holder, pending.person_id):
            asker = await People(session).get(pending.person_id)
            assert asker is not None
            await ask_holder(
                session, holder, asker.id, person_label(asker.platform, asker.display_name, pending.handle), now
            )
            return ConnectOutcome.HANDOVER_ASKED, None
        if holder is None and grant.tokens is None:
            # The holder the tokens went to disconnected meanwhile, which revoked them at Zoom: start again.
            await tell(session, pending.person_id, Message(FAILURE_NOTICES[ConnectOutcome.REFUSED]), now=now)
            return ConnectOutcome.NOT_CONFIRMABLE, None
        replaced: int | None = None
        if holder is None:
            assert grant.tokens is not None
            previous = await connections.state_of_person(pending.person_id)
            replaced = previous.id if previous is not None else None
            await connections.replace(pending.person_id, profile, grant.tokens, grant.scopes, now)
        await tell(session, pending.person_id, Message(connected_notice(profile.email)), now=now)
        await hurry(session, WAITS_ON_ZOOM, now)  # links that waited for this connection go out now
        log.info("person %s connected a Zoom account", pending.person_id)
        return ConnectOutcome.CONNECTED, replaced

    async def _revoke_unheld(self, grant: PendingGrant) -> None:
        """Revoke at Zoom the tokens of a grant no one took (a holder's tokens are theirs, never revoked here)."""
        if grant.tokens is None:
            return
        try:
            await self._authorizer.revoke(grant.tokens.refresh_token)
        except (ZoomDown, ZoomRefused):
            log.warning("could not revoke an unconfirmed Zoom authorization at Zoom; it was deleted here")
