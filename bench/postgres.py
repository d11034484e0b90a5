"""Scratch PostgreSQL databases for one benchmark run, created at the start and dropped at the end.

The server is ``BENCH_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``: local, trust
authentication). Each run makes ``classbot_bench_<random>`` and drops it, even when the run fails.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class ScratchDatabase:
    name: str
    host: str
    port: int
    user: str

    def dsn(self, *, port: int | None = None) -> str:
        """For asyncpg itself (the benchmark's own SQL)."""
        return f"postgresql://{self.user}@{self.host}:{port or self.port}/{self.name}"

    def bot_url(self, *, port: int | None = None) -> str:
        """The bot's DATABASE_URL; unencrypted, so ``bench.pg_wire`` can count what it reads."""
        return f"postgresql+asyncpg://{self.user}@{self.host}:{port or self.port}/{self.name}?ssl=disable"


def server_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER)


@asynccontextmanager
async def scratch_database(prefix: str = "classbot_bench") -> AsyncIterator[ScratchDatabase]:
    admin = server_url()
    parts = urlsplit(admin)
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        connection = await asyncpg.connect(admin)
    except (OSError, asyncpg.PostgresError) as failure:
        raise SystemExit(f"PostgreSQL is needed at {admin} (set BENCH_POSTGRES_URL): {failure}") from None
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    database = ScratchDatabase(name, parts.hostname or "127.0.0.1", parts.port or 5432, parts.username or "postgres")
    try:
        yield database
    finally:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))
