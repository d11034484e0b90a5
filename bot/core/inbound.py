"""Recognising redelivered inbound updates (Telegram webhook retries, Slack retries) across processes."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.events import ProcessedEvents
from bot.support.grouped import Grouped, GroupedWrites


class Inbound:
    """What this process and any other sharing the database already handled; one per process."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._checks = Grouped(self._check_all)
        self._marks = GroupedWrites(self._mark_all)

    async def already_handled(self, source: str, key: str) -> bool:
        """Whether the update was handled, by any process; updates arriving together are looked up together."""
        return await self._checks.add((source, key))

    async def mark_handled(self, source: str, key: str) -> None:
        """Remember the update as handled; updates finished together are written together (``GroupedWrites``),
        so a burst of them costs a round trip per group, not one each."""
        await self._marks.add((source, key))

    async def first_delivery(self, source: str, key: str) -> bool:
        """True the first time ``key`` from ``source`` is seen by any process sharing the database."""
        async with self._database.statement() as connection:
            return await ProcessedEvents(connection).first_sight(source, key)

    async def _check_all(self, events: list[tuple[str, str]]) -> list[bool]:
        async with self._database.query() as connection:
            return await ProcessedEvents(connection).seen(events)

    async def _mark_all(self, events: list[tuple[str, str]]) -> None:
        async with self._database.statement() as connection:
            await ProcessedEvents(connection).record(events)
