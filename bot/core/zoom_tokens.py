"""Teachers' Zoom tokens over the database: handed out fresh, refreshed once at a time, rotation kept safe.

Zoom's refresh tokens rotate and the old one dies at once, so two refreshes of one connection racing each other
would leave one of them holding a dead token and the teacher disconnected. Refreshing is therefore single-flight:
within this process behind an ``asyncio.Lock`` per connection, across processes behind the connection's row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transaction is exclusive). Whoever gets the lock first
checks whether someone else refreshed meanwhile, and only if not asks Zoom; the new pair is committed before it
is used, so a crash can never lose the only live refresh token.

A token read or refreshed here is kept in memory until its refresh moment, so a burst of calls for one teacher
reads the database once. A token another process replaced meanwhile still works at Zoom until it expires; if
Zoom refuses it anyway, the 401 path reads the database again (``refresh_after_rejection``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.zoom_connections import StoredTokens, ZoomConnections
from bot.support.clock import Clock
from bot.support.keyed_locks import KeyedLocks
from bot.zoom.errors import ZoomReconnectNeeded
from bot.zoom.oauth import TokenGrant, ZoomOAuth

log = logging.getLogger(__name__)

ReconnectListener = Callable[[int, str], Awaitable[None]]

_MAX_REFRESH_MARGIN = timedelta(minutes=5)


def tokens_from_grant(grant: TokenGrant, now: datetime) -> StoredTokens:
    """The grant with its expiry, and a refresh moment a tenth of its lifetime (at most 5 minutes) before it."""
    lifetime = timedelta(seconds=max(grant.expires_in, 1))
    margin = min(lifetime / 10, _MAX_REFRESH_MARGIN)
    return StoredTokens(grant.access_token, grant.refresh_token, now + lifetime, now + lifetime - margin)


class ZoomTokenKeeper:
    """Implements the REST client's ``ZoomCredentials`` port."""

    def __init__(
        self,
        database: Database,
        cipher: SecretCipher,
        oauth: ZoomOAuth,
        *,
        clock: Clock,
        on_reconnect_needed: ReconnectListener,
    ) -> None:
        self._database = database
        self._cipher = cipher
        self._oauth = oauth
        self._clock = clock
        self._on_reconnect_needed = on_reconnect_needed
        self._refreshing = KeyedLocks()
        self._usable: dict[int, StoredTokens] = {}  # connection id → tokens last read or refreshed here

    async def access_token(self, connection_id: int) -> str:
        known = self._usable.get(connection_id)
        if known is not None and known.usable_at(self._clock()):
            return known.access_token
        tokens = await self._read(connection_id)
        if tokens.usable_at(self._clock()):
            self._keep(connection_id, tokens)
            return tokens.access_token
        return await self._refresh(connection_id, stale_access_token=tokens.access_token)

    def forget(self, connection_id: int) -> None:
        """The connection's tokens were replaced or deleted (a reconnect, a disconnect): drop the copy kept here."""
        self._usable.pop(connection_id, None)

    async def refresh_after_rejection(self, connection_id: int, rejected_token: str) -> str:
        self._usable.pop(connection_id, None)
        return await self._refresh(connection_id, stale_access_token=rejected_token)

    async def reconnect_needed(self, connection_id: int, reason: str) -> None:
        self._usable.pop(connection_id, None)
        async with self._database.write() as session:
            newly = await ZoomConnections(session, self._cipher).mark_reconnect_needed(
                connection_id, reason, self._clock()
            )
        if newly:
            log.warning("Zoom connection %s needs reconnecting: %s", connection_id, reason)
            await self._on_reconnect_needed(connection_id, reason)

    def _keep(self, connection_id: int, tokens: StoredTokens) -> None:
        if len(self._usable) >= 10_000:  # deleted connections' entries go once their tokens are due anyway
            now = self._clock()
            self._usable = {key: kept for key, kept in self._usable.items() if kept.usable_at(now)}
        self._usable[connection_id] = tokens

    async def _read(self, connection_id: int) -> StoredTokens:
        async with self._database.read() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.get(connection_id)
            if connection is None or connection.status != "active":
                raise ZoomReconnectNeeded("the teacher's Zoom account is not connected")
            return connections.tokens(connection)

    async def _refresh(self, connection_id: int, *, stale_access_token: str) -> str:
        async with self._refreshing.hold(connection_id):
            used_refresh_token = ""
            fresh: StoredTokens | None = None
            async with self._database.write() as session:
                connections = ZoomConnections(session, self._cipher)
                connection = await connections.get(connection_id, for_update=True)
                if connection is None or connection.status != "active":
                    raise ZoomReconnectNeeded("the teacher's Zoom account is not connected")
                current = connections.tokens(connection)
                now = self._clock()
                if current.access_token != stale_access_token and current.usable_at(now):
                    self._keep(connection_id, current)
                    return current.access_token  # another task or process refreshed first
                used_refresh_token = current.refresh_token
                try:
                    grant = await self._oauth.refresh(used_refresh_token)
                except ZoomReconnectNeeded:
                    pass  # settled below, after this transaction ends
                else:
                    fresh = tokens_from_grant(grant, now)
                    await connections.store_tokens(connection_id, fresh, grant.scopes, now)
                    log.info("refreshed the Zoom token of connection %s", connection_id)
            if fresh is None:
                return await self._after_invalid_grant(connection_id, used_refresh_token)
            self._keep(connection_id, fresh)  # only now, committed: a crash never loses the only live pair
            return fresh.access_token

    async def _after_invalid_grant(self, connection_id: int, used_refresh_token: str) -> str:
        """Zoom says the refresh token is dead: read once more in case another holder rotated it, else give up."""
        async with self._database.read() as session:
            connections = ZoomConnections(session, self._cipher)
            connection = await connections.get(connection_id)
            if connection is not None and connection.status == "active":
                latest = connections.tokens(connection)
                if latest.refresh_token != used_refresh_token and latest.usable_at(self._clock()):
                    return latest.access_token
        await self.reconnect_needed(connection_id, "Zoom refused the refresh token (invalid_grant)")
        raise ZoomReconnectNeeded("the teacher must connect Zoom again")
