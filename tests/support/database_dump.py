"""Every value of every table as text, to search the database for secrets that must not be there in clear (and
to compare it before and after something that must change nothing). Slack's installation tables included."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import Components
from bot.storage.models import Base
from bot.storage.slack_installations import store_tables


async def dump_database(components: Components) -> str:
    lines: list[str] = []
    async with components.database.read() as session:
        for table in [*Base.metadata.sorted_tables, *store_tables().sorted_tables]:
            for row in await session.execute(select(table)):
                lines.append(" ".join(_text(value) for value in row))
    return "\n".join(lines)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def sqlite_rows(database: Path) -> list[tuple[Any, ...]]:
    """Every row of every table of the SQLite file ``database`` (of a bot running in another process) but the
    record of which deliveries were seen, in a stable order: equal before and after something that changed
    nothing."""
    with sqlite3.connect(database) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if name != "processed_events"
        ]
        return [
            (table, *row)
            for table in tables
            for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
        ]
