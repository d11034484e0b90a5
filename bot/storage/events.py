"""Inbound events seen before: the database remembers each one so a redelivery is recognised."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.dialect import insert_or_ignore
from bot.storage.models import ProcessedEvent


class ProcessedEvents:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, source: str, event_key: str) -> bool:
        return await self._session.get(ProcessedEvent, (source, event_key)) is not None

    async def first_sight(self, source: str, event_key: str) -> bool:
        """Record the event; True only the first time it is seen (any process, any redelivery)."""
        statement = insert_or_ignore(
            self._session, ProcessedEvent, {"source": source, "event_key": event_key}, ["source", "event_key"]
        )
        result = await self._session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]
