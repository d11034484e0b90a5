"""Bring the database schema to the newest migration, safely when several processes start at once."""

from __future__ import annotations

import logging
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.storage.database import Database

log = logging.getLogger(__name__)

# Any constant will do; it only has to be the same in every ClassBot process sharing a PostgreSQL database.
_MIGRATION_LOCK_ID = 0x0C1A55B07


def alembic_config() -> Config:
    """Alembic's configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("bot.storage") / "migrations"))
    return config


async def upgrade_to_head(database: Database) -> None:
    """Apply every migration not yet applied, in one transaction.

    On PostgreSQL a transaction-level advisory lock makes concurrent starts wait for each other; on SQLite the
    write transaction (BEGIN IMMEDIATE) does the same.
    """
    async with database.engine.connect() as connection:
        connection = await connection.execution_options(classbot_write=True)
        async with connection.begin():
            if not database.is_sqlite:
                await connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            await connection.run_sync(_upgrade)
    log.info("database schema is up to date")


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
