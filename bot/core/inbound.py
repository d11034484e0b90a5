"""Recognising redelivered inbound updates (Telegram webhook retries, Slack retries) across processes.

What was seen is remembered for ``REDELIVERY_WINDOW``, longer than any platform redelivers (Telegram keeps an
unconfirmed update for 24 hours; Slack retries within minutes; Zoom for a few hours; Stripe for 3 days): after
that, a key names nothing that can still arrive, and keeping it would only grow the table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.database import Database
from bot.storage.events import ProcessedEvents
from bot.support.clock import Clock
from bot.support.grouped import Grouped, GroupedWrites

REDELIVERY_WINDOW = timedelta(days=7)


class Inbound:
    """What this process and any other sharing the database already handled; one per process."""

    def __init__(self, database: Database, *, clock: Clock) -> None:
        self._database = database
        self._clock = clock
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
            return await ProcessedEvents(connection).first_sight(source, key, self._clock())

    async def _check_all(self, events: list[tuple[str, str]]) -> list[bool]:
        async with self._database.query() as connection:
            return await ProcessedEvents(connection).seen(events)

    async def _mark_all(self, events: list[tuple[str, str]]) -> None:
        async with self._database.statement() as connection:
            await ProcessedEvents(connection).record(events, self._clock())

    async def forget_old(self, now: datetime) -> int:
        """Forget what was seen more than ``REDELIVERY_WINDOW`` before ``now`` (housekeeping); how many."""
        async with self._database.statement() as connection:
            return await ProcessedEvents(connection).forget_before(now - REDELIVERY_WINDOW)
