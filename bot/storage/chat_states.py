"""Where each person is in a multi-step chat flow, kept in the database so a restart loses nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Delete, Select, bindparam, delete, select

from bot.storage.database import Executor
from bot.storage.dialect import insert_or_update
from bot.storage.models import ChatState
from bot.storage.prepared import prepared, table_of

_KEY = ("platform", "chat_id", "user_id")
_CHANGED = ("flow", "data", "updated_at")


@dataclass(frozen=True, slots=True)
class StoredStep:
    flow: str
    data: dict[str, Any]
    updated_at: datetime


class ChatStates:
    """One statement each, so they run on a bare connection (``Database.query()``, ``Database.statement()``)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def get(self, platform: str, chat_id: str, user_id: str) -> StoredStep | None:
        found = await self._executor.execute(_step(), {"platform": platform, "chat_id": chat_id, "user_id": user_id})
        row = found.first()
        return StoredStep(*row) if row is not None else None

    async def put(
        self, platform: str, chat_id: str, user_id: str, flow: str, data: dict[str, Any], now: datetime
    ) -> None:
        """Set the person's step in one statement (an upsert): no read of the step it replaces."""
        values: dict[str, Any] = {"platform": platform, "chat_id": chat_id, "user_id": user_id}
        values.update(flow=flow, data=data, updated_at=now)
        await self._executor.execute(insert_or_update(self._executor, ChatState, _KEY, _CHANGED), values)

    async def clear(self, platform: str, chat_id: str, user_id: str) -> bool:
        result = await self._executor.execute(
            _clearing(), {"platform": platform, "chat_id": chat_id, "user_id": user_id}
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _this_chat_and_person() -> ColumnElement[bool]:
    states = table_of(ChatState)
    return (
        (states.c.platform == bindparam("platform"))
        & (states.c.chat_id == bindparam("chat_id"))
        & (states.c.user_id == bindparam("user_id"))
    )


@prepared
def _step() -> Select[str, dict[str, Any], datetime]:
    states = table_of(ChatState)
    return select(states.c.flow, states.c.data, states.c.updated_at).where(_this_chat_and_person())


@prepared
def _clearing() -> Delete:
    return delete(table_of(ChatState)).where(_this_chat_and_person())
