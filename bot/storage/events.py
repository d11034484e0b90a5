"""Inbound events seen before: the database remembers each one so a redelivery is recognised."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, select

from bot.storage.database import Executor
from bot.storage.dialect import insert_or_ignore
from bot.storage.models import ProcessedEvent
from bot.storage.prepared import prepared, table_of

_KEY = ("source", "event_key")


class ProcessedEvents:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def seen(self, source: str, event_key: str) -> bool:
        found = await self._executor.execute(_seen(), {"source": source, "event_key": event_key})
        return found.first() is not None

    async def record(self, events: list[tuple[str, str]]) -> None:
        """Record each (source, key) not recorded yet, with one statement."""
        statement = insert_or_ignore(self._executor, ProcessedEvent, _KEY)
        await self._executor.execute(statement, [{"source": source, "event_key": key} for source, key in events])

    async def first_sight(self, source: str, event_key: str) -> bool:
        """Record the event; True only the first time it is seen (any process, any redelivery)."""
        statement = insert_or_ignore(self._executor, ProcessedEvent, _KEY)
        result = await self._executor.execute(statement, {"source": source, "event_key": event_key})
        return bool(result.rowcount)  # type: ignore[attr-defined]


@prepared
def _seen() -> Select[str]:
    events = table_of(ProcessedEvent)
    return select(events.c.source).where(
        events.c.source == bindparam("source"), events.c.event_key == bindparam("event_key")
    )
