"""Where each person is in a multi-step chat flow, kept in the database so a restart loses nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Delete, Select, bindparam, delete, select, tuple_

from bot.storage.database import Executor
from bot.storage.dialect import insert_or_update
from bot.storage.models import ChatState
from bot.storage.prepared import prepared, table_of
from bot.support.grouped import padded

_KEY = ("platform", "chat_id", "user_id")
_CHANGED = ("flow", "data", "updated_at")


@dataclass(frozen=True, slots=True)
class StoredStep:
    flow: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PutStep:
    """A person's new step in a chat."""

    chat_id: str
    user_id: str
    flow: str
    data: dict[str, Any]
    updated_at: datetime


class ChatStates:
    """One statement each, so they run on a bare connection (``Database.query()``, ``Database.statement()``)."""

    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def get(self, platform: str, people: list[tuple[str, str]]) -> list[StoredStep | None]:
        """The step of each (chat id, user id), with one statement."""
        found = await self._executor.execute(_steps(), {"platform": platform, "people": padded(people)})
        steps = {(chat_id, user_id): StoredStep(flow, data, at) for chat_id, user_id, flow, data, at in found}
        return [steps.get(person) for person in people]

    async def put(self, platform: str, steps: list[PutStep]) -> None:
        """Set each person's step (upserts: no read of the step each replaces), with one statement; of several
        for one person, the last."""
        last = {(step.chat_id, step.user_id): step for step in steps}
        values = [{"platform": platform, **asdict(step)} for step in last.values()]
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
def _steps() -> Select[str, str, str, dict[str, Any], datetime]:
    states = table_of(ChatState)
    people = tuple_(states.c.chat_id, states.c.user_id).in_(bindparam("people", expanding=True))
    columns = (states.c.chat_id, states.c.user_id, states.c.flow, states.c.data, states.c.updated_at)
    return select(*columns).where(states.c.platform == bindparam("platform"), people)


@prepared
def _clearing() -> Delete:
    return delete(table_of(ChatState)).where(_this_chat_and_person())
