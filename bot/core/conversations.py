"""Multi-step chat flows' memory: which step a person is at and what they answered so far.

Front ends keep no conversation in process memory: a restart in the middle of /newclass continues where the
person left off, and with several processes any of them can take the next message. A flow untouched for a
day is forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.storage.chat_states import ChatStates, PutStep, StoredStep
from bot.storage.database import Database
from bot.support.clock import Clock
from bot.support.grouped import Grouped, GroupedWrites

_FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class FlowState:
    flow: str
    data: dict[str, Any]


class Conversations:
    """A platform's chat flows; one per front end, so the steps people ask for or set together are read or
    written together (``Grouped``): one round trip for a burst of taps, not one each."""

    def __init__(self, database: Database, *, clock: Clock, platform: str) -> None:
        self._database = database
        self._clock = clock
        self._platform = platform
        self._reads = Grouped(self._get_all)
        self._writes = GroupedWrites(self._put_all)

    async def get(self, chat_id: str, user_id: str) -> FlowState | None:
        state = await self._reads.add((chat_id, user_id))
        if state is None or state.updated_at < self._clock() - _FORGET_AFTER:
            return None
        return FlowState(state.flow, dict(state.data))

    async def put(self, chat_id: str, user_id: str, flow: str, data: dict[str, Any]) -> None:
        await self._writes.add(PutStep(chat_id, user_id, flow, data, self._clock()))

    async def clear(self, chat_id: str, user_id: str) -> bool:
        async with self._database.statement() as connection:
            return await ChatStates(connection).clear(self._platform, chat_id, user_id)

    async def _get_all(self, people: list[tuple[str, str]]) -> list[StoredStep | None]:
        async with self._database.query() as connection:
            return await ChatStates(connection).get(self._platform, people)

    async def _put_all(self, steps: list[PutStep]) -> None:
        async with self._database.statement() as connection:
            await ChatStates(connection).put(self._platform, steps)
