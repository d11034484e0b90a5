"""The database handle: one async engine, and the two kinds of transaction ClassBot uses.

``Database.write()`` is for any unit of work that changes data. On SQLite it opens with ``BEGIN IMMEDIATE``,
taking the write lock up front: a deferred transaction that reads and then writes can fail when another
connection committed in between, while an immediate one simply waits its turn (``busy_timeout``). That makes
SQLite's writers serial, which is what "serialized on SQLite" means for seat counts and token refreshes. On
PostgreSQL writes run at READ COMMITTED and take row locks (``FOR UPDATE``) where they need them.

``Database.read()`` is for queries that change nothing. On PostgreSQL it runs them without BEGIN and COMMIT
(autocommit): at READ COMMITTED every statement sees its own snapshot anyway, so wrapping reads in a
transaction bought nothing but two round trips each. On SQLite it is a plain transaction (one snapshot).
On PostgreSQL, reads and one-statement work use an engine of their own whose connections are always in
autocommit: switching a pooled connection to autocommit and back on every use, as an engine's
``execution_options`` does, cost a third of the CPU of a one-statement session. Each engine has its own pool.

``Database.query()`` and ``Database.statement()`` hand out a bare Core connection, not an ORM session, for one
statement that loads no objects (a lookup of one row's columns; an INSERT or UPDATE): the busiest statements
(claiming and finishing jobs, an update's chat state, marking an update handled) then skip a session's setup
and teardown, about 150 Python calls of each 500.

Connections are not pinged on every checkout (SQLAlchemy's ``pool_pre_ping``): on asyncpg that ping is a
transaction of its own, ``BEGIN; ;ROLLBACK``, three round trips before each of the ~20 transactions a booking
runs. Only a connection that sat idle in the pool long enough for a server restart or a firewall to have cut it
is pinged; one that broke while in use fails its transaction once, SQLAlchemy then discards the whole pool, and
the caller's retry (a redelivered webhook, a job's next attempt) gets fresh connections.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# What a store runs its statements on: an ORM session, or a bare connection for statements that load no objects.
Executor = AsyncSession | AsyncConnection

_WRITE_OPTION = "classbot_write"
_SQLITE_BUSY_TIMEOUT_MS = 30_000
# Tries at switching a new SQLite file to WAL while other connections do the same (see ``_switch_to_wal``).
_WAL_ATTEMPTS = 20
# A pooled connection idle for longer than this is pinged before use; busier ones are trusted.
_PING_AFTER_IDLE_SECONDS = 10.0
# Connections older than this are replaced, so no server-side idle timeout ever meets one mid-transaction.
_RECYCLE_SECONDS = 1800
# Connections each engine's pool may hold, all kept once opened: a pool that opens extra connections for a busy
# moment and closes each as it comes back (SQLAlchemy's overflow) opened and closed hundreds in one burst of
# bookings, each a new PostgreSQL backend and a new asyncpg connection with its set-up queries.
_POOL_SIZE = 20


class DatabaseUnavailable(Exception):
    """The database could not be reached: refused, cut, or not answering in time. Raised in place of the driver's
    bare ``OSError`` on connecting, so that the callers can tell an outage from any other failure (a Telegram or
    Zoom call also fails with ``OSError``s)."""


def is_unavailable(failure: BaseException) -> bool:
    """True when ``failure`` (or what caused it) says the database is away, not that a statement was wrong: the
    work may succeed unchanged once the database is back, so it is handed back for a later try, not refused."""
    seen: set[int] = set()
    current: BaseException | None = failure
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DatabaseUnavailable | exc.TimeoutError | exc.DisconnectionError):
            return True
        if isinstance(current, exc.DBAPIError) and (
            current.connection_invalidated or isinstance(current, exc.OperationalError | exc.InterfaceError)
        ):
            return True  # a cut connection, a server going down, SQLite's "database is locked"
        current = current.__cause__ or current.__context__
    return False


class Database:
    """Owns the engine; built once by the composition root and disposed at shutdown."""

    def __init__(self, engine: AsyncEngine, autocommit: AsyncEngine | None = None) -> None:
        """``autocommit``: the engine for reads and one-statement writes (PostgreSQL); ``engine`` when None."""
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._autocommit = autocommit or engine
        self._reads = async_sessionmaker(self._autocommit, expire_on_commit=False, autoflush=False)
        self._after_commit: list[Callable[[dict[str, Any]], None]] = []

    @classmethod
    def connect(cls, url: str, *, echo: bool = False) -> Database:
        """Create the engine for ``url`` (creating a SQLite file's folder); no connection is opened yet."""
        parsed = make_url(url)
        options: dict[str, Any] = {"echo": echo}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy's own pool: 5 connections kept, up to 10 more opened for a busy moment and closed after.
            # Keeping all 15 saved the 70 aiosqlite connections (a thread each) a burst of 200 bookings opens and
            # closes, but no CPU that could be measured, and the kept connections' page caches grew the process
            # by 10% over a long run (tests/reliability/test_long_run.py): the default stays.
            engine = create_async_engine(url, **options)
            _configure_sqlite(engine)
            return cls(engine)
        pool = {"pool_size": _POOL_SIZE, "max_overflow": 0, "pool_recycle": _RECYCLE_SECONDS}
        engine = create_async_engine(url, **pool, **options)
        autocommit = create_async_engine(url, isolation_level="AUTOCOMMIT", **pool, **options)
        for each in (engine, autocommit):
            _ping_idle_connections(each)
            _name_connect_failures(each)
        return cls(engine, autocommit)

    def after_commit(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback`` with the session's ``info`` after each committed write (queued jobs wake the worker)."""
        self._after_commit.append(callback)

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
            for callback in self._after_commit:
                callback(session.info)

    @asynccontextmanager
    async def statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for a change made by exactly one Core statement, atomic by itself; on PostgreSQL it runs
        without BEGIN and COMMIT, two round trips fewer on the busiest writes (claiming and finishing jobs,
        marking an update handled). Two statements in here would not be atomic together: those need ``write()``.
        Nothing queued here wakes the worker (jobs are enqueued in ``write()`` sessions).
        """
        if self.is_sqlite:  # SQLite's writes take the write lock up front (see the module docstring)
            async with self.engine.connect() as connection:
                await connection.execution_options(**{_WRITE_OPTION: True})
                async with connection.begin():
                    yield connection
            return
        async with self._autocommit.connect() as connection:
            yield connection

    @asynccontextmanager
    async def query(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one Core query that loads no objects (see the module docstring); on SQLite its
        transaction is rolled back at the end, there being nothing to commit."""
        async with self._autocommit.connect() as connection:
            yield connection

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries only (see the module docstring); on SQLite its transaction is rolled back at the
        end, there being nothing to commit."""
        async with self._reads() as session:
            yield session

    async def ping(self, within_seconds: float = 2.0) -> bool:
        """True when the database answers ``SELECT 1`` within ``within_seconds``; on a SQLite file, when a writer
        could take its lock within that time (in WAL mode a reader always can, even while another process holds
        the file locked and no booking can be stored)."""
        database = self.engine.url.database
        if self.is_sqlite and database and database != ":memory:":
            return await asyncio.to_thread(_sqlite_writable, database, within_seconds)
        try:
            async with asyncio.timeout(within_seconds), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # any failure to answer means "not healthy"; the caller reports it
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._autocommit is not self.engine:
            await self._autocommit.dispose()


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use only when it has been idle for a while (see the module's docstring)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < _PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:  # the pool replaces the connection and tries again
            raise exc.DisconnectionError("pooled connection did not answer a ping") from error


def _sqlite_writable(path: str, within_seconds: float) -> bool:
    """Whether the write lock of the SQLite file at ``path`` can be had within ``within_seconds`` (taken and
    given back at once, on a connection of its own: the pool's connections wait 30 s for it)."""
    try:
        connection = sqlite3.connect(path, timeout=within_seconds, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return True


def _name_connect_failures(engine: AsyncEngine) -> None:
    """A connection the server refuses or never answers raises ``DatabaseUnavailable`` (see its docstring)."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)
        except (OSError, TimeoutError) as failure:
            raise DatabaseUnavailable(f"could not connect to the database ({type(failure).__name__})") from failure


def _switch_to_wal(cursor: Any) -> None:
    """Put the database in WAL mode, trying again while another connection is doing the same.

    Two connections switching a new file at once each hold a shared lock and want an exclusive one: SQLite
    answers one of them "database is locked" at once instead of calling its busy handler (waiting could never
    end). That happens only when several processes start together on a new file, so a few short blocking waits
    here cost nothing in practice.
    """
    for attempt in range(_WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except Exception as error:
            if "locked" not in str(error) or attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Hand transaction control to SQLAlchemy's events (the driver's own BEGIN is deferred and implicit)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching to WAL waits for other connections' locks like any write.
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        _switch_to_wal(cursor)  # readers never block the writer, nor it them
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at each WAL checkpoint; safe against crashes
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
