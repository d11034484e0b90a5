"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and run safely twice."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.handlers.slack.installations import store_tables
from bot.storage.database import Database
from bot.storage.migrate import upgrade_to_head
from bot.storage.models import Base


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # slack-sdk's installation and state stores own their tables; migration 0003 creates them too.
    return list(compare_metadata(context, [Base.metadata, store_tables()]))


async def test_an_empty_database_upgrades_to_exactly_the_models(database_url: str) -> None:
    database = Database.connect(database_url)
    try:
        await upgrade_to_head(database)
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    finally:
        await database.dispose()
    assert set(Base.metadata.tables) <= tables
    assert version == "0006"


async def test_processes_starting_together_migrate_once_without_error(database_url: str) -> None:
    databases = [Database.connect(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade_to_head(database) for database in databases))
        async with databases[0].engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            versions = (await connection.execute(text("SELECT count(*) FROM alembic_version"))).scalar_one()
    finally:
        for database in databases:
            await database.dispose()
    assert versions == 1


async def test_a_sqlite_database_folder_is_created(tmp_path: Any) -> None:
    database = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'deep' / 'er' / 'classbot.db'}")
    try:
        await upgrade_to_head(database)
    finally:
        await database.dispose()
    assert (tmp_path / "deep" / "er" / "classbot.db").exists()
