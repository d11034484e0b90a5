"""The database handle: one async engine, and the two kinds of transaction ClassBot uses.

``Database.write()`` is for any unit of work that changes data. On SQLite it opens with ``BEGIN IMMEDIATE``,
taking the write lock up front: a deferred transaction that reads and then writes can fail when another
connection committed in between, while an immediate one simply waits its turn (``busy_timeout``). That makes
SQLite's writers serial, which is what "serialized on SQLite" means for seat counts and token refreshes. On
PostgreSQL writes run at READ COMMITTED and take row locks (``FOR UPDATE``) where they need them.

``Database.read()`` is a plain transaction for queries that change nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_WRITE_OPTION = "classbot_write"
_SQLITE_BUSY_TIMEOUT_MS = 30_000


class Database:
    """Owns the engine; built once by the composition root and disposed at shutdown."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    @classmethod
    def connect(cls, url: str, *, echo: bool = False) -> Database:
        """Create the engine for ``url`` (creating a SQLite file's folder); no connection is opened yet."""
        parsed = make_url(url)
        options: dict[str, Any] = {"echo": echo}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_async_engine(url, **options)
            _configure_sqlite(engine)
        else:
            engine = create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **options)
        return cls(engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction that may change data; committed on success, rolled back on any exception."""
        async with self._sessions() as session:
            # Procuring the connection with the write option begins the transaction (BEGIN IMMEDIATE on SQLite).
            await session.connection(execution_options={_WRITE_OPTION: True})
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A transaction for queries only."""
        async with self._sessions() as session, session.begin():
            yield session

    async def ping(self, within_seconds: float = 2.0) -> bool:
        """True when the database answers ``SELECT 1`` within ``within_seconds``."""
        try:
            async with asyncio.timeout(within_seconds), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # any failure to answer means "not healthy"; the caller reports it
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Hand transaction control to SQLAlchemy's events (the driver's own BEGIN is deferred and implicit)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching to WAL waits for other connections' locks like any write.
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint; safe against crashes
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
