"""Connecting a teacher's Zoom account: /connect, the OAuth callback, the confirmation, /disconnect, deauthorization.

The ``state`` of an authorization is 256 random bits, handed out once, stored only as its SHA-256 together with
the person who asked, the PKCE verifier (encrypted) and an expiry ten minutes on. The first callback that
presents it uses it, whatever the outcome, so a replay finds it used (and its owner is told). The chat link
first visits our own ``/zoom/oauth/start``, which pins the state to that browser in a cookie: a callback
arriving in another browser (someone else's state swapped in) is refused.

Back from Zoom, nothing is connected yet: the browser must confirm (``bot.core.connect_confirm``), and a Zoom
account another person holds moves, or is shared, only when they agree (``bot.core.zoom_handover``). Every failure
that has someone to tell (the person whose link it was) is said in their chat as well as on the page.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.connect_confirm import CONFIRMATION_EXPIRED_JOB, ConfirmationDesk, digest
from bot.core.connect_outcomes import FAILURE_NOTICES, ConnectOutcome, ConnectResult
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.zoom_authorizer import ZoomAuthorizer, ZoomDown, ZoomRefused
from bot.core.zoom_handover import Handovers
from bot.i18n.texts import Text, tr
from bot.storage.cipher import SecretCipher
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.identity import PersonRef
from bot.storage.oauth_states import OAuthStates, PendingAuthorization
from bot.storage.people import People
from bot.storage.zoom_confirmations import ZoomHandovers
from bot.storage.zoom_connections import ZoomConnections
from bot.support.clock import Clock

# What the web routes and the app find here, though it is defined next door.
__all__ = [
    "CONFIRMATION_EXPIRED_JOB",
    "ConnectOutcome",
    "ConnectResult",
    "ConnectService",
    "ReconnectAlerts",
]

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)
# A used or expired state is kept this long, so a late or replayed link can still be told to its owner.
STATE_KEPT_AFTER_EXPIRY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ConnectLink:
    url: str
    expires_minutes: int


def pkce_challenge(verifier: str) -> str:
    """RFC 7636's S256: base64url(sha256(verifier)) without padding."""
    hashed = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(hashed).rstrip(b"=").decode("ascii")


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
        self._desk = ConfirmationDesk(
            database, cipher, authorizer, clock=clock, on_tokens_replaced=self._on_tokens_replaced
        )

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
            await states.add(digest(state), person.id, verifier, now + STATE_LIFETIME, handle=who.handle)
        return ConnectLink(f"{self._start_url}?state={state}", int(STATE_LIFETIME.total_seconds() // 60))

    async def authorize_redirect(self, state: str) -> str | ConnectOutcome:
        """Zoom's authorize URL for a pending ``state``, or why there is none (the state is not used here); a used
        or expired link is told to its owner too."""
        hashed = digest(state)
        async with self._database.read() as session:
            pending = await OAuthStates(session, self._cipher).peek(hashed)
        if pending is None:
            return ConnectOutcome.UNKNOWN_STATE
        failure = self._unusable(pending)
        if failure is not None:
            async with self._database.write() as session:
                await self._tell_failure(session, pending.person_id, failure, hashed)
            return failure
        return self._authorizer.authorize_url(state, pkce_challenge(pending.code_verifier))

    async def complete(
        self, *, state: str | None, code: str | None, error: str | None, browser_state: str | None
    ) -> ConnectResult:
        """Finish an authorization from the OAuth callback's parameters: the confirmation to ask the browser for
        (or, for one's own Zoom account again, done), or why not; a failure is told in the asker's chat too."""
        if not state:
            return ConnectResult(ConnectOutcome.UNKNOWN_STATE)
        hashed = digest(state)
        async with self._database.write() as session:
            pending = await OAuthStates(session, self._cipher).use(hashed, self._clock())
            if pending is None:
                return ConnectResult(ConnectOutcome.UNKNOWN_STATE)
            failure = self._unusable(pending)
            if failure is None and (browser_state is None or not secrets.compare_digest(browser_state, state)):
                failure = ConnectOutcome.OTHER_BROWSER
            if failure is None and (error or not code):
                failure = ConnectOutcome.DENIED
            if failure is not None:
                await self._tell_failure(session, pending.person_id, failure, hashed)
                return ConnectResult(failure)
        assert code is not None
        try:
            authorized = await self._authorizer.exchange(code, pending.code_verifier)
        except (ZoomRefused, ZoomDown) as failed:
            outcome = ConnectOutcome.REFUSED if isinstance(failed, ZoomRefused) else ConnectOutcome.ZOOM_DOWN
            async with self._database.write() as session:
                await self._tell_failure(session, pending.person_id, outcome, hashed)
            return ConnectResult(outcome)
        return await self._desk.ask(pending, authorized)

    async def confirm(self, *, key: str | None, csrf: str | None, connect: bool) -> ConnectResult:
        """The browser's answer on the confirmation page: connect (or ask the holder), or cancel."""
        return await self._desk.confirm(key=key, csrf=csrf, connect=connect)

    async def confirmation_expired(self, payload: dict[str, Any]) -> None:
        """The job queued with each confirmation (``CONFIRMATION_EXPIRED_JOB``)."""
        await self._desk.expired(payload)

    async def answer_handover(self, who: PersonRef, handover_id: str, *, agree: bool, share: bool = False) -> Text:
        """The holder of a Zoom account answers another person's request for it: keep, hand over or share (see
        ``bot.core.zoom_handover``)."""
        return await self._handovers.answer(who, handover_id, agree=agree, share=share)

    def _unusable(self, pending: PendingAuthorization) -> ConnectOutcome | None:
        if pending.used_before:
            return ConnectOutcome.REPLAYED
        if pending.expires_at <= self._clock():
            return ConnectOutcome.EXPIRED_STATE
        return None

    async def _tell_failure(self, session: AsyncSession, person_id: int, outcome: ConnectOutcome, hashed: str) -> None:
        """Tell the asker, once per link and outcome, that their connect failed and what to do."""
        key = f"connect-failed:{hashed[:32]}:{outcome.value}"
        await tell(session, person_id, Message(FAILURE_NOTICES[outcome]), now=self._clock(), dedupe_key=key)

    async def status(self, who: PersonRef) -> str | None:
        """ "active", "reconnect_needed", or None when the person never connected Zoom."""
        async with self._database.read() as session:
            return await ZoomConnections(session, self._cipher).status_of(who)

    async def disconnect(self, who: PersonRef) -> bool:
        """Revoke the teacher's authorization at Zoom and forget the tokens; False if nothing was connected."""
        async with self._database.read() as session:
            person = await People(session).find(who)
        return person is not None and await self.disconnect_person(person.id)

    async def disconnect_person(self, person_id: int) -> bool:
        """``disconnect`` for a person known by their row (one being forgotten, by a job). From a shared connection
        only the person's own side goes: whoever else uses it keeps it, tokens and all, so nothing is revoked until
        the last one leaves."""
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.for_person(person_id)
            if connection is None:
                return False
            if connection.person_id != person_id:
                await connections.unshare(person_id)
                log.info("person %s stopped sharing Zoom connection %s", person_id, connection.id)
                return True
            if await connections.pass_on(connection.id, self._clock()) is not None:
                await ZoomHandovers(session).drop_for_connection(connection.id)
                log.info("the holder of shared Zoom connection %s left it to who shares it", connection.id)
                return True
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
        """Zoom says the user removed the app: delete their tokens and every Zoom datum of their classes, and tell
        them. Zoom requires an app to delete what it got from Zoom for a user who removed it; and a personal link
        kept here would go on being sent in reminders. Their bookings stay: a reconnect brings new links."""
        now = self._clock()
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.for_zoom_user(zoom_user_id)
            if connection is None:
                return
            users = await connections.users(connection)
            await connections.delete(connection.id)
            removed = tr(
                "ClassBot was removed from your Zoom account, so your classes cannot get Zoom links. "
                "Bookings are kept; send /connect to connect Zoom again and the links will follow."
            )
            for person_id in users:
                await Classes(session).forget_zoom_data(person_id)
                await tell(session, person_id, Message(removed), now=now)
        self._on_tokens_replaced(connection.id)
        log.info("Zoom deauthorized connection %s; its tokens and Zoom data were deleted", connection.id)


class ReconnectAlerts:
    """Tells a teacher, once per breakage, that their Zoom authorization stopped working."""

    def __init__(self, database: Database, cipher: SecretCipher, *, clock: Clock) -> None:
        self._database = database
        self._cipher = cipher
        self._clock = clock

    async def reconnect_needed(self, connection_id: int, reason: str) -> None:
        """Tell the teacher their Zoom authorization stopped working (called once per breakage)."""
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.get(connection_id)
            if connection is None:
                return
            stopped = tr(
                "Your Zoom connection stopped working, so new Zoom links are on hold. "
                "Send /connect to connect Zoom again; waiting links will then be sent."
            )
            for person_id in await connections.users(connection):
                await tell(session, person_id, Message(stopped), now=self._clock())
