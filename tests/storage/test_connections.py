"""A SQLite file's connections are opened once and kept: each is a thread with its own set-up, and a pool that
opened extra ones for a busy moment and closed them after opened about 70 in every burst of 200 bookings."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text

from bot.storage.database import Database

BURST = 60  # more at once than the pool holds: the rest wait their turn


async def _burst(database: Database) -> None:
    async def one(n: int) -> None:
        async with database.read() as session:
            await session.execute(text("SELECT :n"), {"n": n})
            await asyncio.sleep(0)  # held across a turn of the loop, as a request's work is

    await asyncio.gather(*(one(n) for n in range(BURST)))


async def test_a_sqlite_file_keeps_the_connections_a_burst_opened(sqlite_url: str) -> None:
    database = Database.connect(sqlite_url)
    opened: list[Any] = []
    event.listen(database.engine.sync_engine, "connect", lambda connection, _record: opened.append(connection))
    try:
        await _burst(database)
        first = len(opened)
        await _burst(database)
        await _burst(database)
    finally:
        await database.dispose()

    assert 1 < first <= 15  # several at once, within the pool's bound
    assert len(opened) == first  # none opened again
