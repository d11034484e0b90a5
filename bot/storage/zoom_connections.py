"""Teachers' Zoom connections: tokens go in encrypted and come out decrypted, and nowhere else.

A connection has one holder (``zoom_connections.person_id``) and may be shared with others its holder agreed to
(``zoom_connection_sharers``): a person's connection is the one they hold or the one they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.cipher import SecretCipher
from bot.storage.identity import PersonRef
from bot.storage.models import Person, ZoomConnection, ZoomConnectionSharer
from bot.storage.prepared import prepared, table_of


@dataclass(frozen=True, slots=True)
class StoredTokens:
    """A connection's current token pair, decrypted; never logged (``repr`` hides the values)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    refresh_at: datetime

    def usable_at(self, moment: datetime) -> bool:
        return moment < self.refresh_at

    def __repr__(self) -> str:
        return f"StoredTokens(<hidden>, expires_at={self.expires_at.isoformat()})"


@dataclass(frozen=True, slots=True)
class ZoomProfileRecord:
    """What ClassBot keeps of a teacher's Zoom user (from ``GET /users/me``)."""

    zoom_user_id: str
    account_id: str
    email: str
    display_name: str
    licensed: bool
    timezone: str | None


@dataclass(frozen=True, slots=True)
class ConnectionState:
    """What choosing a teacher's Zoom account for a call needs: no tokens (those come with the call)."""

    id: int
    zoom_account_id: str
    licensed: bool
    status: str


class ZoomConnections:
    def __init__(self, session: AsyncSession, cipher: SecretCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def replace(
        self, person_id: int, profile: ZoomProfileRecord, tokens: StoredTokens, scopes: str, now: datetime
    ) -> ZoomConnection:
        """Store the person's connection, replacing their earlier one (``leave``).

        The Zoom user must not be held by another person: the caller checks (a Zoom account changes hands only
        when its holder agrees, ``give``), and the unique ``zoom_user_id`` refuses a row that would take it.
        """
        await self.leave(person_id, now)
        connection = ZoomConnection(
            person_id=person_id,
            **self._profile(profile),
            scopes=scopes,
            status="active",
            **self._encrypted(tokens),
        )
        self._session.add(connection)
        await self._session.flush()
        return connection

    async def renew(
        self, connection_id: int, profile: ZoomProfileRecord, tokens: StoredTokens, scopes: str, now: datetime
    ) -> None:
        """The same Zoom user authorized ClassBot again: its new token set (Zoom killed the earlier one) and
        profile replace the old, and the connection works again; who holds it does not change."""
        await self._session.execute(
            update(ZoomConnection)
            .where(ZoomConnection.id == connection_id)
            .values(
                **self._profile(profile),
                scopes=scopes,
                status="active",
                status_reason=None,
                updated_at=now,
                **self._encrypted(tokens),
            )
        )

    async def give(self, connection_id: int, person_id: int, now: datetime) -> int | None:
        """Move the connection to ``person_id`` (its holder agreed); returns the id of the connection the person
        used until now if this deleted it (``leave``), or None. Whoever shared it with its holder no longer does:
        it is the new holder's alone."""
        replaced = await self.leave(person_id, now)
        await self._session.execute(
            delete(ZoomConnectionSharer).where(ZoomConnectionSharer.connection_id == connection_id)
        )
        await self._session.execute(
            update(ZoomConnection).where(ZoomConnection.id == connection_id).values(person_id=person_id, updated_at=now)
        )
        return replaced

    async def leave(self, person_id: int, now: datetime) -> int | None:
        """The person stops using their connection (one connection per person, so before they take another): a
        shared one stays with whoever else uses it; one only they used is deleted, and its id returned."""
        previous = await self.for_person(person_id)
        if previous is None:
            return None
        if previous.person_id != person_id:
            await self.unshare(person_id)
            return None
        if await self.pass_on(previous.id, now) is not None:
            return None
        await self.delete(previous.id)
        return previous.id

    async def share(self, connection_id: int, person_id: int, now: datetime) -> int | None:
        """Let ``person_id`` use the connection too (its holder agreed); returns the id of the connection the person
        used until now if this deleted it (``leave``), or None."""
        replaced = await self.leave(person_id, now)
        await self._session.execute(
            insert(ZoomConnectionSharer).values(person_id=person_id, connection_id=connection_id)
        )
        return replaced

    async def unshare(self, person_id: int) -> bool:
        """Stop ``person_id`` using a connection they share; True if they shared one."""
        result = await self._session.execute(
            delete(ZoomConnectionSharer).where(ZoomConnectionSharer.person_id == person_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def sharers(self, connection_id: int) -> list[int]:
        """The people who share the connection besides its holder, earliest first."""
        query = (
            select(ZoomConnectionSharer.person_id)
            .where(ZoomConnectionSharer.connection_id == connection_id)
            .order_by(ZoomConnectionSharer.created_at, ZoomConnectionSharer.person_id)
        )
        return list((await self._session.execute(query)).scalars())

    async def users(self, connection: ZoomConnection) -> list[int]:
        """Everyone whose classes use the connection: its holder, then who shares it."""
        return [connection.person_id, *await self.sharers(connection.id)]

    async def uses(self, connection: ZoomConnection, person_id: int) -> bool:
        return person_id == connection.person_id or person_id in await self.sharers(connection.id)

    async def pass_on(self, connection_id: int, now: datetime) -> int | None:
        """The holder leaves a shared connection: the earliest sharer holds it from now on (returned), or None when
        no one shares it (the caller then deletes it)."""
        sharers = await self.sharers(connection_id)
        if not sharers:
            return None
        await self.unshare(sharers[0])
        await self._session.execute(
            update(ZoomConnection)
            .where(ZoomConnection.id == connection_id)
            .values(person_id=sharers[0], updated_at=now)
        )
        return sharers[0]

    async def get(self, connection_id: int, *, for_update: bool = False) -> ZoomConnection | None:
        """The connection; with ``for_update`` its row stays locked until the transaction ends (PostgreSQL)."""
        query = select(ZoomConnection).where(ZoomConnection.id == connection_id)
        if for_update:
            query = query.with_for_update()
        return (await self._session.execute(query)).scalar_one_or_none()

    async def for_person(self, person_id: int) -> ZoomConnection | None:
        return (await self._session.execute(_of_person(), {"person_id": person_id})).scalar_one_or_none()

    async def status_of(self, who: PersonRef) -> str | None:
        """The status of the connection the person known by their platform identity holds or shares (None: none,
        or a person never seen), in one statement: every Home tab drawn shows it."""
        values = {"platform": who.platform, "workspace_id": who.workspace_id, "user_id": who.user_id}
        return (await self._session.execute(_status_of(), values)).scalar_one_or_none()

    async def state_of_person(self, person_id: int) -> ConnectionState | None:
        """The person's connection without its tokens, as columns: every link a booking sends reads it."""
        row = (await self._session.execute(_state_of_person(), {"person_id": person_id})).one_or_none()
        return ConnectionState(*row) if row is not None else None

    async def for_zoom_user(self, zoom_user_id: str) -> ZoomConnection | None:
        query = select(ZoomConnection).where(ZoomConnection.zoom_user_id == zoom_user_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    def tokens(self, connection: ZoomConnection) -> StoredTokens:
        return StoredTokens(
            access_token=self._cipher.decrypt(connection.access_token_enc),
            refresh_token=self._cipher.decrypt(connection.refresh_token_enc),
            expires_at=connection.access_expires_at,
            refresh_at=connection.access_refresh_at,
        )

    async def store_tokens(self, connection_id: int, tokens: StoredTokens, scopes: str, now: datetime) -> None:
        await self._session.execute(
            update(ZoomConnection)
            .where(ZoomConnection.id == connection_id)
            .values(scopes=scopes, updated_at=now, **self._encrypted(tokens))
        )

    async def mark_reconnect_needed(self, connection_id: int, reason: str, now: datetime) -> bool:
        """Flag the connection; True if it was active until now (so the teacher is told once)."""
        result = await self._session.execute(
            update(ZoomConnection)
            .where(ZoomConnection.id == connection_id, ZoomConnection.status == "active")
            .values(status="reconnect_needed", status_reason=reason[:200], updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, connection_id: int) -> None:
        await self._session.execute(delete(ZoomConnection).where(ZoomConnection.id == connection_id))

    @staticmethod
    def _profile(profile: ZoomProfileRecord) -> dict[str, object]:
        return {
            "zoom_user_id": profile.zoom_user_id,
            "zoom_account_id": profile.account_id,
            "email": profile.email,
            "display_name": profile.display_name,
            "licensed": profile.licensed,
            "timezone": profile.timezone,
        }

    def _encrypted(self, tokens: StoredTokens) -> dict[str, object]:
        return {
            "access_token_enc": self._cipher.encrypt(tokens.access_token),
            "refresh_token_enc": self._cipher.encrypt(tokens.refresh_token),
            "access_expires_at": tokens.expires_at,
            "access_refresh_at": tokens.refresh_at,
        }


@prepared
def _of_person() -> Select[ZoomConnection]:
    """The whole connection, tokens included, for the calls that use them: built once (``bot.storage.prepared``)."""
    connections = table_of(ZoomConnection)
    return select(ZoomConnection).where(_held_or_shared(connections.c.id, connections.c.person_id))


@prepared
def _state_of_person() -> Select[int, str, bool, str]:
    """Every link a booking sends reads its teacher's connection this way."""
    connections = table_of(ZoomConnection)
    return select(connections.c.id, connections.c.zoom_account_id, connections.c.licensed, connections.c.status).where(
        _held_or_shared(connections.c.id, connections.c.person_id)
    )


@prepared
def _status_of() -> Select[str]:
    connections, sharers, people = table_of(ZoomConnection), table_of(ZoomConnectionSharer), table_of(Person)
    person = (
        select(people.c.id)
        .where(
            people.c.platform == bindparam("platform"),
            people.c.workspace_id == bindparam("workspace_id"),
            people.c.platform_user_id == bindparam("user_id"),
        )
        .scalar_subquery()
    )
    shared = select(sharers.c.connection_id).where(sharers.c.person_id == person)
    return select(connections.c.status).where(or_(connections.c.person_id == person, connections.c.id.in_(shared)))


def _held_or_shared(connection_id: ColumnElement[int], holder_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The connection the person (``person_id``) holds or shares: at most one."""
    sharers = table_of(ZoomConnectionSharer)
    shared = select(sharers.c.connection_id).where(sharers.c.person_id == bindparam("person_id"))
    return or_(holder_id == bindparam("person_id"), connection_id.in_(shared))
