"""Connecting a teacher's Zoom account: /connect, the OAuth callback's outcome, /disconnect, deauthorization.

The ``state`` of an authorization is 256 random bits, handed out once, stored only as its SHA-256 together with
the person who asked, the PKCE verifier (encrypted) and an expiry ten minutes on. It is consumed by the first
callback that presents it, whatever the outcome, so a replay finds nothing. The chat link first visits our own
``/zoom/oauth/start``, which pins the state to that browser in a cookie: a callback arriving in another
browser (someone else's state swapped in) is refused.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.core.identity import PersonRef
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.texts import tr
from bot.core.work import WAITS_ON_ZOOM
from bot.storage.cipher import SecretCipher
from bot.storage.classes import Classes
from bot.storage.database import Database
from bot.storage.jobs import hurry
from bot.storage.oauth_states import OAuthStates
from bot.storage.people import People
from bot.storage.zoom_connections import StoredTokens, ZoomConnections, ZoomProfileRecord

log = logging.getLogger(__name__)

STATE_LIFETIME = timedelta(minutes=10)


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


class ConnectOutcome(enum.Enum):
    CONNECTED = "connected"
    DENIED = "denied"
    UNKNOWN_STATE = "unknown_state"
    EXPIRED_STATE = "expired_state"
    OTHER_BROWSER = "other_browser"
    REFUSED = "refused"
    ZOOM_DOWN = "zoom_down"


@dataclass(frozen=True, slots=True)
class ConnectResult:
    outcome: ConnectOutcome
    zoom_email: str | None = None


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

    async def begin(self, who: PersonRef) -> ConnectLink:
        """A fresh, single-use link that starts the Zoom authorization for ``who``."""
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)
        now = self._clock()
        async with self._database.write() as session:
            person = await People(session).ensure(who)
            states = OAuthStates(session, self._cipher)
            await states.purge_expired(now)
            await states.add(state_hash(state), person.id, verifier, now + STATE_LIFETIME)
        return ConnectLink(f"{self._start_url}?state={state}", int(STATE_LIFETIME.total_seconds() // 60))

    async def authorize_redirect(self, state: str) -> str | ConnectOutcome:
        """Zoom's authorize URL for a pending ``state``, or why there is none (the state is not consumed here)."""
        async with self._database.read() as session:
            pending = await OAuthStates(session, self._cipher).peek(state_hash(state))
        if pending is None:
            return ConnectOutcome.UNKNOWN_STATE
        if pending.expires_at <= self._clock():
            return ConnectOutcome.EXPIRED_STATE
        return self._authorizer.authorize_url(state, pkce_challenge(pending.code_verifier))

    async def complete(
        self, *, state: str | None, code: str | None, error: str | None, browser_state: str | None
    ) -> ConnectResult:
        """Finish an authorization from the OAuth callback's parameters; stores nothing unless it all succeeds."""
        if not state:
            return ConnectResult(ConnectOutcome.UNKNOWN_STATE)
        async with self._database.write() as session:
            pending = await OAuthStates(session, self._cipher).consume(state_hash(state))
        if pending is None:
            return ConnectResult(ConnectOutcome.UNKNOWN_STATE)
        if pending.expires_at <= self._clock():
            return ConnectResult(ConnectOutcome.EXPIRED_STATE)
        if browser_state is None or not secrets.compare_digest(browser_state, state):
            return ConnectResult(ConnectOutcome.OTHER_BROWSER)
        if error or not code:
            return ConnectResult(ConnectOutcome.DENIED)
        try:
            authorized = await self._authorizer.exchange(code, pending.code_verifier)
        except ZoomRefused:
            return ConnectResult(ConnectOutcome.REFUSED)
        except ZoomDown:
            return ConnectResult(ConnectOutcome.ZOOM_DOWN)
        now = self._clock()
        async with self._database.write() as session:
            connection = await ZoomConnections(session, self._cipher).replace(
                pending.person_id, authorized.profile, authorized.tokens, authorized.scopes
            )
            text = tr(
                "Your Zoom account {email} is connected. Your classes will get their Zoom meetings automatically.",
                email=authorized.profile.email,
            )
            await tell(session, pending.person_id, Message(text), now=now)
            await hurry(session, WAITS_ON_ZOOM, now)  # links that waited for this connection go out now
        self._on_tokens_replaced(connection.id)
        log.info("person %s connected a Zoom account", pending.person_id)
        return ConnectResult(ConnectOutcome.CONNECTED, authorized.profile.email)

    async def status(self, who: PersonRef) -> str | None:
        """ "active", "reconnect_needed", or None when the person never connected Zoom."""
        async with self._database.read() as session:
            person = await People(session).find(who)
            connection = await ZoomConnections(session, self._cipher).for_person(person.id) if person else None
        return connection.status if connection else None

    async def disconnect(self, who: PersonRef) -> bool:
        """Revoke the teacher's authorization at Zoom and forget the tokens; False if nothing was connected."""
        async with self._database.read() as session:
            person = await People(session).find(who)
        return person is not None and await self.disconnect_person(person.id)

    async def disconnect_person(self, person_id: int) -> bool:
        """``disconnect`` for a person known by their row (one being forgotten, by a job)."""
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.for_person(person_id)
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
        """Zoom says the user removed the app: delete their tokens and every Zoom datum of their classes, and tell
        them. Zoom requires an app to delete what it got from Zoom for a user who removed it; and a personal link
        kept here would go on being sent in reminders. Their bookings stay: a reconnect brings new links."""
        now = self._clock()
        async with self._database.write() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.for_zoom_user(zoom_user_id)
            if connection is None:
                return
            await connections.delete(connection.id)
            await Classes(session).forget_zoom_data(connection.person_id)
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
