"""Connecting a teacher's Zoom account: /connect, the OAuth callback, the confirmation, /disconnect, deauthorization.

The ``state`` of an authorization is 256 random bits, handed out once, stored only as its SHA-256 together with
the person who asked, the PKCE verifier (encrypted) and an expiry ten minutes on. The first callback that
presents it uses it, whatever the outcome, so a replay finds it used (and its owner is told). The chat link
first visits our own ``/zoom/oauth/start``, which pins the state to that browser in a cookie: a callback
arriving in another browser (someone else's state swapped in) is refused.

Back from Zoom, nothing is connected yet. A link may have been forwarded: whoever is signed in to Zoom in the
browser is not necessarily the person who asked. So the browser is shown a page naming both sides (this Zoom
account, that chat person) and must post its confirmation, with the token the page carries, from the browser
holding the confirmation's cookie, within ten minutes. A Zoom account another person holds is never taken
from them: confirming asks them (``bot.core.zoom_handover``).

One thing cannot wait for the confirmation: Zoom keeps one token set per user and app, so the exchange has just
killed the tokens of whoever held this Zoom account. The new set goes to that holder at once, which changes
nothing about who holds what. Tokens for a Zoom account no one holds wait, encrypted, in the confirmation, and
are revoked at Zoom if it is cancelled or expires.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
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
from bot.core.identity import PersonRef
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.texts import Text, tr
from bot.core.work import WAITS_ON_ZOOM
from bot.core.zoom_handover import Handovers, ask_holder
from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.jobs import enqueue, hurry
from bot.storage.oauth_states import OAuthStates, PendingAuthorization
from bot.storage.people import People
from bot.storage.zoom_confirmations import PendingConfirmation, PendingGrant, ZoomConfirmations, ZoomHandovers
from bot.storage.zoom_connections import StoredTokens, ZoomConnections, ZoomProfileRecord

__all__ = ["ConnectOutcome", "ConnectResult", "ConnectService", "ReconnectAlerts"]

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
CONFIRMATION_LIFETIME = timedelta(minutes=10)
# A used or expired state is kept this long, so a late or replayed link can still be told to its owner.
STATE_KEPT_AFTER_EXPIRY = timedelta(days=1)
CONFIRMATION_EXPIRED_JOB = "zoom.confirmation_expired"


class ZoomRefused(Exception):
    """Zoom would not complete the authorization (a bad or used code, a refused client)."""


class ZoomDown(Exception):
    """Zoom did not answer; trying again later may work."""


@dataclass(frozen=True, slots=True)
class AuthorizedZoomUser:
    profile: ZoomProfileRecord
    tokens: StoredTokens
    scopes: str


class ZoomAuthorizer(Protocol):
    """Zoom's OAuth as the connect flow needs it; raises ``ZoomRefused`` or ``ZoomDown``."""

    def authorize_url(self, state: str, code_challenge: str) -> str: ...

    async def exchange(self, code: str, code_verifier: str) -> AuthorizedZoomUser: ...

    async def revoke(self, refresh_token: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ConnectLink:
    url: str
    expires_minutes: int


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def pkce_challenge(verifier: str) -> str:
    """RFC 7636's S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class ConnectService:
    def __init__(
        self,
        database: Database,
        cipher: SecretCipher,
        authorizer: ZoomAuthorizer,
        *,
        start_url: str,
        clock: Clock,
        on_tokens_replaced: Callable[[int], None] | None = None,
    ) -> None:
        self._database = database
        self._cipher = cipher
        self._authorizer = authorizer
        self._start_url = start_url
        self._clock = clock
        # Told a connection id whose tokens were replaced or deleted here, so no copy kept in memory outlives them
        # (SQLite may give a new connection the id of the one it replaced).
        self._on_tokens_replaced = on_tokens_replaced or (lambda _connection_id: None)
        self._handovers = Handovers(database, cipher, clock=clock, on_tokens_replaced=self._on_tokens_replaced)

    async def begin(self, who: PersonRef) -> ConnectLink:
        """A fresh, single-use link that starts the Zoom authorization for ``who``."""
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)
        now = self._clock()
        async with self._database.write() as session:
            person = await People(session).ensure(who)
            states = OAuthStates(session, self._cipher)
            await states.purge_expired(now - STATE_KEPT_AFTER_EXPIRY)
            await ZoomHandovers(session).purge_expired(now)
            await states.add(state_hash(state), person.id, verifier, now + STATE_LIFETIME, handle=who.handle)
        return ConnectLink(f"{self._start_url}?state={state}", int(STATE_LIFETIME.total_seconds() // 60))

    async def authorize_redirect(self, state: str) -> str | ConnectOutcome:
        """Zoom's authorize URL for a pending ``state``, or why there is none (the state is not used here); a used
        or expired link is told to its owner too."""
        digest = state_hash(state)
        async with self._database.read() as session:
            pending = await OAuthStates(session, self._cipher).peek(digest)
        if pending is None:
            return ConnectOutcome.UNKNOWN_STATE
        failure = self._unusable(pending)
        if failure is not None:
            async with self._database.write() as session:
                await self._tell_failure(session, pending.person_id, failure, digest)
            return failure
        return self._authorizer.authorize_url(state, pkce_challenge(pending.code_verifier))

    async def complete(
        self, *, state: str | None, code: str | None, error: str | None, browser_state: str | None
    ) -> ConnectResult:
        """Finish an authorization from the OAuth callback's parameters: the confirmation to ask the browser for
        (or, for one's own Zoom account again, done), or why not; a failure is told in the asker's chat too."""
        if not state:
            return ConnectResult(ConnectOutcome.UNKNOWN_STATE)
        digest = state_hash(state)
        async with self._database.write() as session:
            pending = await OAuthStates(session, self._cipher).use(digest, self._clock())
            if pending is None:
                return ConnectResult(ConnectOutcome.UNKNOWN_STATE)
            failure = self._unusable(pending)
            if failure is None and (browser_state is None or not secrets.compare_digest(browser_state, state)):
                failure = ConnectOutcome.OTHER_BROWSER
            if failure is None and (error or not code):
                failure = ConnectOutcome.DENIED
            if failure is not None:
                await self._tell_failure(session, pending.person_id, failure, digest)
                return ConnectResult(failure)
        assert code is not None
        try:
            authorized = await self._authorizer.exchange(code, pending.code_verifier)
        except (ZoomRefused, ZoomDown) as failed:
            outcome = ConnectOutcome.REFUSED if isinstance(failed, ZoomRefused) else ConnectOutcome.ZOOM_DOWN
            async with self._database.write() as session:
                await self._tell_failure(session, pending.person_id, outcome, digest)
            return ConnectResult(outcome)
        return await self._authorized(pending, authorized)

    async def confirm(self, *, key: str | None, csrf: str | None, connect: bool) -> ConnectResult:
        """The browser's answer on the confirmation page: connect (or ask the holder), or cancel."""
        if not key:  # this browser holds no confirmation (answered already, or never shown here)
            return ConnectResult(ConnectOutcome.NOT_CONFIRMABLE)
        now = self._clock()
        renewed: int | None = None
        async with self._database.write() as session:
            confirmations = ZoomConfirmations(session, self._cipher)
            waiting = await confirmations.get(state_hash(key))
            if waiting is None:
                return ConnectResult(ConnectOutcome.NOT_CONFIRMABLE)
            if not csrf or not secrets.compare_digest(waiting.csrf_hash, state_hash(csrf)):
                return ConnectResult(ConnectOutcome.FORGED)
            pending = await confirmations.take(state_hash(key))
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

    async def confirmation_expired(self, payload: dict[str, Any]) -> None:
        """The job queued with each confirmation: if it is still unanswered, drop it, revoke its tokens at Zoom and
        tell the asker."""
        async with self._database.write() as session:
            pending = await ZoomConfirmations(session, self._cipher).take(str(payload["key_hash"]))
            if pending is None:
                return
            notice = unconfirmed_notice(pending.grant.profile.email)
            await tell(session, pending.person_id, Message(notice), now=self._clock())
        await self._revoke_unheld(pending.grant)

    async def answer_handover(self, who: PersonRef, handover_id: str, *, agree: bool) -> Text:
        """The holder of a Zoom account answers another person's request for it (see ``bot.core.zoom_handover``)."""
        return await self._handovers.answer(who, handover_id, agree=agree)

    async def _authorized(self, pending: PendingAuthorization, authorized: AuthorizedZoomUser) -> ConnectResult:
        """Zoom said yes: give the fresh tokens to whoever holds this Zoom account already (Zoom just killed theirs),
        and unless that is the asker, keep the grant for the browser to confirm."""
        profile, now = authorized.profile, self._clock()
        key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            holder = await connections.for_zoom_user(profile.zoom_user_id)
            if holder is not None:
                await connections.renew(holder.id, profile, authorized.tokens, authorized.scopes, now)
                await hurry(session, WAITS_ON_ZOOM, now)
                if holder.person_id == pending.person_id:
                    await tell(session, holder.person_id, Message(connected_notice(profile.email)), now=now)
            asker = await People(session).get(pending.person_id)
            assert asker is not None  # the state is deleted with its person
            if holder is None or holder.person_id != pending.person_id:
                grant = PendingGrant(profile, authorized.tokens if holder is None else None, authorized.scopes)
                expires_at = now + CONFIRMATION_LIFETIME
                await ZoomConfirmations(session, self._cipher).add(
                    state_hash(key), state_hash(csrf), pending.person_id, pending.handle, grant, expires_at
                )
                payload = {"key_hash": state_hash(key)}
                await enqueue(session, CONFIRMATION_EXPIRED_JOB, payload, run_at=expires_at)
        if holder is not None:
            self._on_tokens_replaced(holder.id)
            if holder.person_id == pending.person_id:
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

    async def _connect_confirmed(
        self, session: AsyncSession, pending: PendingConfirmation, now: datetime
    ) -> tuple[ConnectOutcome, int | None]:
        """Connect a confirmed grant, unless someone else holds its Zoom account now: then ask them. Returns the
        outcome and the id of a connection whose tokens changed."""
        profile, grant = pending.grant.profile, pending.grant
        connections = ZoomConnections(session, self._cipher)
        holder = await connections.for_zoom_user(profile.zoom_user_id)
        if holder is not None and holder.person_id != pending.person_id:
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
            await connections.replace(pending.person_id, profile, grant.tokens, grant.scopes)
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

    def _unusable(self, pending: PendingAuthorization) -> ConnectOutcome | None:
        if pending.used_before:
            return ConnectOutcome.REPLAYED
        if pending.expires_at <= self._clock():
            return ConnectOutcome.EXPIRED_STATE
        return None

    async def _tell_failure(self, session: AsyncSession, person_id: int, outcome: ConnectOutcome, digest: str) -> None:
        """Tell the asker, once per link and outcome, that their connect failed and what to do."""
        key = f"connect-failed:{digest[:32]}:{outcome.value}"
        await tell(session, person_id, Message(FAILURE_NOTICES[outcome]), now=self._clock(), dedupe_key=key)

    async def status(self, who: PersonRef) -> str | None:
        """ "active", "reconnect_needed", or None when the person never connected Zoom."""
        async with self._database.read() as session:
            person = await People(session).find(who)
            connection = await ZoomConnections(session, self._cipher).for_person(person.id) if person else None
        return connection.status if connection else None

    async def disconnect(self, who: PersonRef) -> bool:
        """Revoke the teacher's authorization at Zoom and forget the tokens; False if nothing was connected."""
        async with self._database.write() as session:
            person = await People(session).find(who)
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.for_person(person.id) if person else None
            if connection is None:
                return False
            refresh_token = connections.tokens(connection).refresh_token
            await connections.delete(connection.id)
        self._on_tokens_replaced(connection.id)
        try:
            await self._authorizer.revoke(refresh_token)
        except (ZoomDown, ZoomRefused):
            # The tokens are already gone from here; Zoom expires an unused grant on its own.
            log.warning("could not revoke a disconnected Zoom authorization at Zoom; it was deleted here")
        return True

    async def deauthorized(self, zoom_user_id: str) -> None:
        """Zoom says the user removed the app: delete their tokens and Zoom data, and tell them."""
        now = self._clock()
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.for_zoom_user(zoom_user_id)
            if connection is None:
                return
            await connections.delete(connection.id)
            await tell(
                session,
                connection.person_id,
                Message(
                    tr(
                        "ClassBot was removed from your Zoom account, so your classes cannot get Zoom links. "
                        "Bookings are kept; send /connect to connect Zoom again and the links will follow."
                    )
                ),
                now=now,
            )
        self._on_tokens_replaced(connection.id)
        log.info("Zoom deauthorized connection %s; its tokens were deleted", connection.id)


class ReconnectAlerts:
    """Tells a teacher, once per breakage, that their Zoom authorization stopped working."""

    def __init__(self, database: Database, cipher: SecretCipher, *, clock: Clock) -> None:
        self._database = database
        self._cipher = cipher
        self._clock = clock

    async def reconnect_needed(self, connection_id: int, reason: str) -> None:
        """Tell the teacher their Zoom authorization stopped working (called once per breakage)."""
        async with self._database.write() as session:
            connection = await ZoomConnections(session, self._cipher).get(connection_id)
            if connection is None:
                return
            await tell(
                session,
                connection.person_id,
                Message(
                    tr(
                        "Your Zoom connection stopped working, so new Zoom links are on hold. "
                        "Send /connect to connect Zoom again; waiting links will then be sent."
                    )
                ),
                now=self._clock(),
            )
