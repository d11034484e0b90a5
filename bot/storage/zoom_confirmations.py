"""Zoom authorizations waiting for their browser's confirmation, and requests for a Zoom account someone else holds.

A confirmation's grant (the Zoom user's profile and, when no one holds that user yet, the token set Zoom
issued) goes in encrypted and comes out decrypted, and is deleted by whatever ends it: a confirmation, a
cancellation, or its expiry. ``take`` deletes and returns in one statement, so two posts of the same form
cannot both use it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.cipher import SecretCipher
from bot.storage.models import ZoomConfirmation, ZoomHandover
from bot.storage.zoom_connections import StoredTokens, ZoomProfileRecord


@dataclass(frozen=True, slots=True)
class PendingGrant:
    """What Zoom gave for an authorization: who the Zoom user is, and the tokens unless someone holds that user
    already (then the tokens went to the holder at once: Zoom had just killed theirs)."""

    profile: ZoomProfileRecord
    tokens: StoredTokens | None
    scopes: str


@dataclass(frozen=True, slots=True)
class PendingConfirmation:
    csrf_hash: str
    person_id: int
    handle: str
    grant: PendingGrant
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class HandoverRequest:
    public_id: str
    connection_id: int
    holder_id: int
    asker_id: int
    expires_at: datetime


class ZoomConfirmations:
    def __init__(self, session: AsyncSession, cipher: SecretCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def add(
        self, key_hash: str, csrf_hash: str, person_id: int, handle: str, grant: PendingGrant, expires_at: datetime
    ) -> None:
        self._session.add(
            ZoomConfirmation(
                key_hash=key_hash,
                csrf_hash=csrf_hash,
                person_id=person_id,
                handle=handle[:64],
                zoom_user_id=grant.profile.zoom_user_id,
                grant_enc=self._cipher.encrypt(json.dumps(_grant_json(grant))),
                expires_at=expires_at,
            )
        )
        await self._session.flush()

    async def drop_for_zoom_user(self, zoom_user_id: str) -> None:
        """Forget the confirmations waiting for this Zoom user: a newer authorization of it superseded them."""
        await self._session.execute(delete(ZoomConfirmation).where(ZoomConfirmation.zoom_user_id == zoom_user_id))

    async def get(self, key_hash: str) -> PendingConfirmation | None:
        row = await self._session.get(ZoomConfirmation, key_hash)
        return (
            None if row is None else self._read(row.csrf_hash, row.person_id, row.handle, row.grant_enc, row.expires_at)
        )

    async def take(self, key_hash: str) -> PendingConfirmation | None:
        """Delete the confirmation and return what it held; None if it is gone already."""
        row = (
            await self._session.execute(
                delete(ZoomConfirmation)
                .where(ZoomConfirmation.key_hash == key_hash)
                .returning(
                    ZoomConfirmation.csrf_hash,
                    ZoomConfirmation.person_id,
                    ZoomConfirmation.handle,
                    ZoomConfirmation.grant_enc,
                    ZoomConfirmation.expires_at,
                )
            )
        ).one_or_none()
        return None if row is None else self._read(*row)

    def _read(
        self, csrf_hash: str, person_id: int, handle: str, grant_enc: bytes, expires_at: datetime
    ) -> PendingConfirmation:
        grant = _grant_of(json.loads(self._cipher.decrypt(grant_enc)))
        return PendingConfirmation(csrf_hash, person_id, handle, grant, expires_at)


class ZoomHandovers:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, request: HandoverRequest) -> None:
        self._session.add(
            ZoomHandover(
                public_id=request.public_id,
                connection_id=request.connection_id,
                holder_id=request.holder_id,
                asker_id=request.asker_id,
                expires_at=request.expires_at,
            )
        )
        await self._session.flush()

    async def get(self, public_id: str) -> HandoverRequest | None:
        row = await self._session.get(ZoomHandover, public_id)
        if row is None:
            return None
        return HandoverRequest(row.public_id, row.connection_id, row.holder_id, row.asker_id, row.expires_at)

    async def take(self, public_id: str) -> bool:
        """Delete the request; False if an answer that raced this one took it first."""
        result = await self._session.execute(delete(ZoomHandover).where(ZoomHandover.public_id == public_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def drop_for_connection(self, connection_id: int) -> None:
        """Other requests for a connection that just changed hands: whoever they asked no longer holds it."""
        await self._session.execute(delete(ZoomHandover).where(ZoomHandover.connection_id == connection_id))

    async def open_for(self, connection_id: int, asker_id: int) -> str | None:
        query = select(ZoomHandover.public_id).where(
            ZoomHandover.connection_id == connection_id, ZoomHandover.asker_id == asker_id
        )
        return (await self._session.execute(query)).scalars().first()

    async def purge_expired(self, now: datetime) -> None:
        await self._session.execute(delete(ZoomHandover).where(ZoomHandover.expires_at < now))


def _grant_json(grant: PendingGrant) -> dict[str, Any]:
    profile = grant.profile
    tokens = grant.tokens
    return {
        "profile": {
            "zoom_user_id": profile.zoom_user_id,
            "account_id": profile.account_id,
            "email": profile.email,
            "display_name": profile.display_name,
            "licensed": profile.licensed,
            "timezone": profile.timezone,
        },
        "tokens": None
        if tokens is None
        else {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat(),
            "refresh_at": tokens.refresh_at.isoformat(),
        },
        "scopes": grant.scopes,
    }


def _grant_of(data: dict[str, Any]) -> PendingGrant:
    tokens = data["tokens"]
    return PendingGrant(
        ZoomProfileRecord(**data["profile"]),
        None
        if tokens is None
        else StoredTokens(
            tokens["access_token"],
            tokens["refresh_token"],
            datetime.fromisoformat(tokens["expires_at"]),
            datetime.fromisoformat(tokens["refresh_at"]),
        ),
        str(data["scopes"]),
    )
