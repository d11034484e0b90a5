"""Recognising redelivered inbound updates (Telegram webhook retries, Slack retries) across processes."""

from __future__ import annotations

from bot.storage.database import Database
from bot.storage.events import ProcessedEvents


async def already_handled(database: Database, source: str, key: str) -> bool:
    async with database.query() as connection:
        return await ProcessedEvents(connection).seen(source, key)


async def mark_handled(database: Database, source: str, key: str) -> None:
    async with database.statement() as connection:
        await ProcessedEvents(connection).first_sight(source, key)


async def first_delivery(database: Database, source: str, key: str) -> bool:
    """True the first time ``key`` from ``source`` is seen by any process sharing the database."""
    async with database.statement() as connection:
        return await ProcessedEvents(connection).first_sight(source, key)
