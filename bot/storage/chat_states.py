"""Where each person is in a multi-step chat flow, kept in the database so a restart loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import insert_or_update
from bot.storage.models import ChatState
from bot.storage.prepared import prepared

_KEY = ("platform", "chat_id", "user_id")
_CHANGED = ("flow", "data", "updated_at")


class ChatStates:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, platform: str, chat_id: str, user_id: str) -> ChatState | None:
        found = await self._session.execute(_state(), {"platform": platform, "chat_id": chat_id, "user_id": user_id})
        return found.scalar_one_or_none()

    async def put(
        self, platform: str, chat_id: str, user_id: str, flow: str, data: dict[str, Any], now: datetime
    ) -> None:
        """Set the person's step in one statement (an upsert): no read of the step it replaces."""
        values: dict[str, Any] = {"platform": platform, "chat_id": chat_id, "user_id": user_id}
        values.update(flow=flow, data=data, updated_at=now)
        await self._session.execute(insert_or_update(self._session, ChatState, _KEY, _CHANGED), values)

    async def clear(self, platform: str, chat_id: str, user_id: str) -> bool:
        result = await self._session.execute(
            delete(ChatState).where(
                ChatState.platform == platform, ChatState.chat_id == chat_id, ChatState.user_id == user_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def older_than(self, moment: datetime) -> list[ChatState]:
        return list((await self._session.execute(select(ChatState).where(ChatState.updated_at < moment))).scalars())


@prepared
def _state() -> Select[ChatState]:
    return select(ChatState).where(
        ChatState.platform == bindparam("platform"),
        ChatState.chat_id == bindparam("chat_id"),
        ChatState.user_id == bindparam("user_id"),
    )
