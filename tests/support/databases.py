"""Test databases: a SQLite file per test, and a fresh PostgreSQL database per test when one is available.

PostgreSQL tests run when TEST_POSTGRES_URL is set (``.ci/run`` sets it). Without it they skip and say why,
except under CI=true, where a missing PostgreSQL is a failure: CI must never pass by skipping them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_SKIP_REASON = "PostgreSQL tests need TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_POSTGRES_URL must be set under CI: PostgreSQL tests may not be skipped")
        pytest.skip(POSTGRES_SKIP_REASON)
    return url


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards. Yields its SQLAlchemy URL."""
    admin = make_url(postgres_admin_url())
    name = f"classbot_test_{secrets.token_hex(6)}"
    raw_admin = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(raw_admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        connection = await asyncpg.connect(raw_admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


@asynccontextmanager
async def fresh_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """A new, empty database of ``kind``: "sqlite", a file in ``folder``; "postgres", ``fresh_postgres_database``.
    Yields its SQLAlchemy URL."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'classbot.db'}"
    else:
        async with fresh_postgres_database() as url:
            yield url
