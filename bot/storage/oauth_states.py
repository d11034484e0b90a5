"""Pending Zoom authorizations: created by /connect, used exactly once by the OAuth callback.

A used state is kept (marked ``used_at``) until the caller purges it, so that a replay of its callback can be
told apart from a made-up state and reported to the person it belonged to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.cipher import SecretCipher
from bot.storage.models import OAuthState


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    person_id: int
    code_verifier: str
    expires_at: datetime
    handle: str = ""
    used_before: bool = False  # True: an earlier callback (or this one's replay) already used it


class OAuthStates:
    def __init__(self, session: AsyncSession, cipher: SecretCipher) -> None:
        self._session = session
        self._cipher = cipher

    async def add(
        self, state_hash: str, person_id: int, code_verifier: str, expires_at: datetime, *, handle: str = ""
    ) -> None:
        self._session.add(
            OAuthState(
                state_hash=state_hash,
                person_id=person_id,
                code_verifier_enc=self._cipher.encrypt(code_verifier),
                expires_at=expires_at,
                handle=handle[:64],
            )
        )
        await self._session.flush()

    async def peek(self, state_hash: str) -> PendingAuthorization | None:
        row = await self._session.get(OAuthState, state_hash)
        if row is None:
            return None
        return PendingAuthorization(
            row.person_id,
            self._cipher.decrypt(row.code_verifier_enc),
            row.expires_at,
            row.handle,
            used_before=row.used_at is not None,
        )

    async def use(self, state_hash: str, now: datetime) -> PendingAuthorization | None:
        """Mark the state used and return it; ``used_before`` says an earlier call had; None if it never existed.

        ``UPDATE … WHERE used_at IS NULL RETURNING`` makes the check and the use one step: of two callbacks
        racing with the same state, only one sees it unused.
        """
        row = (
            await self._session.execute(
                update(OAuthState)
                .where(OAuthState.state_hash == state_hash, OAuthState.used_at.is_(None))
                .values(used_at=now)
                .returning(OAuthState.person_id, OAuthState.code_verifier_enc, OAuthState.expires_at, OAuthState.handle)
            )
        ).one_or_none()
        if row is None:
            return await self.peek(state_hash)
        person_id, verifier_enc, expires_at, handle = row
        return PendingAuthorization(person_id, self._cipher.decrypt(verifier_enc), expires_at, handle)

    async def purge_expired(self, before: datetime) -> None:
        """Forget the states that expired before ``before``, used or not."""
        await self._session.execute(delete(OAuthState).where(OAuthState.expires_at < before))
