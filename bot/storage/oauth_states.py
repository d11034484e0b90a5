"""Pending Zoom authorizations: created by /connect, consumed exactly once by the OAuth callback."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.cipher import SecretCipher
from bot.storage.models import OAuthState


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    person_id: int
    code_verifier: str
    expires_at: datetime


class OAuthStates:
    def __init__(self, session: AsyncSession, cipher: SecretCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def add(self, state_hash: str, person_id: int, code_verifier: str, expires_at: datetime) -> None:
        self._session.add(
            OAuthState(
                state_hash=state_hash,
                person_id=person_id,
                code_verifier_enc=self._cipher.encrypt(code_verifier),
                expires_at=expires_at,
            )
        )
        await self._session.flush()

    async def peek(self, state_hash: str) -> PendingAuthorization | None:
        row = await self._session.get(OAuthState, state_hash)
        if row is None:
            return None
        return PendingAuthorization(row.person_id, self._cipher.decrypt(row.code_verifier_enc), row.expires_at)

    async def consume(self, state_hash: str) -> PendingAuthorization | None:
        """Remove and return the pending authorization; None if it never existed or was already used.

        ``DELETE … RETURNING`` makes the check and the use one step: two callbacks racing with the same
        state cannot both get it.
        """
        row = (
            await self._session.execute(
                delete(OAuthState)
                .where(OAuthState.state_hash == state_hash)
                .returning(OAuthState.person_id, OAuthState.code_verifier_enc, OAuthState.expires_at)
            )
        ).one_or_none()
        if row is None:
            return None
        person_id, verifier_enc, expires_at = row
        return PendingAuthorization(person_id, self._cipher.decrypt(verifier_enc), expires_at)

    async def purge_expired(self, now: datetime) -> None:
        await self._session.execute(delete(OAuthState).where(OAuthState.expires_at < now))
