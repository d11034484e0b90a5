"""Inbound events seen before: the database remembers each one so a redelivery is recognised.

Each is stamped with the bot's clock, not the database's: housekeeping forgets them by the bot's clock, and the two
must agree (a bot on a moved clock, as in the demo and the long-run test, would otherwise forget a key at once or
never).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, delete, select, tuple_

from bot.storage.database import Executor
from bot.storage.dialect import insert_or_ignore
from bot.storage.models import ProcessedEvent
from bot.storage.prepared import prepared, table_of
from bot.support.grouped import padded

_KEY = ("source", "event_key")


class ProcessedEvents:
    def __init__(self, executor: Executor) -> None:
        self._executor = executor

    async def seen(self, events: list[tuple[str, str]]) -> list[bool]:
        """Whether each (source, key) was recorded, with one statement."""
        found = await self._executor.execute(_seen(), {"events": padded(events)})
        recorded = {(source, key) for source, key in found}
        return [event in recorded for event in events]

    async def record(self, events: list[tuple[str, str]], at: datetime) -> None:
        """Record each (source, key) not recorded yet, seen ``at``, with one statement."""
        statement = insert_or_ignore(self._executor, ProcessedEvent, _KEY)
        rows = [{"source": source, "event_key": key, "processed_at": at} for source, key in events]
        await self._executor.execute(statement, rows)

    async def first_sight(self, source: str, event_key: str, at: datetime) -> bool:
        """Record the event, seen ``at``; True only the first time it is seen (any process, any redelivery)."""
        statement = insert_or_ignore(self._executor, ProcessedEvent, _KEY)
        result = await self._executor.execute(statement, {"source": source, "event_key": event_key, "processed_at": at})
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def forget_before(self, before: datetime) -> int:
        """Delete the events recorded before ``before``; how many were deleted."""
        events = table_of(ProcessedEvent)
        result = await self._executor.execute(delete(events).where(events.c.processed_at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]


@prepared
def _seen() -> Select[str, str]:
    events = table_of(ProcessedEvent)
    keys = tuple_(events.c.source, events.c.event_key)
    return select(events.c.source, events.c.event_key).where(keys.in_(bindparam("events", expanding=True)))
