"""Alembic's environment: migrates on a connection ClassBot hands over, or on DATABASE_URL from the CLI."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.models import Base, UTCDateTime
from bot.storage.slack_installations import store_tables

config = context.config


def _render_item(type_: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations spell our UTC column type as the plain SQL type it stores, so they never import models."""
    if type_ == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        # slack-sdk's Slack installation and state stores own their tables (migration 0003), beside our models.
        target_metadata=[Base.metadata, store_tables()],
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode writes that for us
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def _database_url() -> str:
    from bot.config import load_settings  # only the command-line path reads the settings

    return config.get_main_option("sqlalchemy.url") or load_settings().database_url


shared_connection = config.attributes.get("connection")
if shared_connection is not None:
    _run(shared_connection)
else:
    asyncio.run(_run_from_url(_database_url()))
