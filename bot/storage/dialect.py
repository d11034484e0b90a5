"""The few statements whose spelling differs between SQLite and PostgreSQL, written once.

The upserts are built once per dialect, table and conflict target (``bot.storage.prepared``) and take their
row as the execution's parameters: ``session.execute(insert_or_ignore(session, Child, KEY), {"name": …})``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import Insert, ReturningInsert

from bot.storage.database import Executor
from bot.storage.models import Base
from bot.storage.prepared import prepared, table_of


def insert_or_ignore(executor: Executor, model: type[Base], conflict: tuple[str, ...]) -> Insert:
    """``INSERT … ON CONFLICT (conflict) DO NOTHING`` for the executor's database; the row comes as parameters."""
    return _ignoring(dialect_name(executor), model, conflict)


def insert_or_ignore_returning(
    session: AsyncSession, model: type[Base], conflict: tuple[str, ...]
) -> ReturningInsert[Any]:
    """The same, giving back the row it made: none when the row was there already."""
    return _ignoring_returning(session.get_bind().dialect.name, model, conflict)


def insert_or_update(
    executor: Executor, model: type[Base], conflict: tuple[str, ...], update: tuple[str, ...]
) -> Insert:
    """``INSERT … ON CONFLICT (conflict) DO UPDATE`` of the ``update`` columns: one statement, no read first; the
    row comes as parameters."""
    return _updating(dialect_name(executor), model, conflict, update)


def dialect_name(executor: Executor) -> str:
    """The database behind a session or a connection: "postgresql" or "sqlite"."""
    if isinstance(executor, AsyncConnection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


def writers_overlap(executor: Executor) -> bool:
    """Whether several transactions may write at once (PostgreSQL), so that a multi-step write is better made
    one statement and rows must be locked; SQLite's writers go one at a time. (``FOR UPDATE`` needs no such
    test: SQLAlchemy leaves it out on SQLite.)"""
    return dialect_name(executor) == "postgresql"


def _insert(dialect: str, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """A Core INSERT into the model's table: one row, its rowcount told (``bot.storage.prepared``)."""
    table = table_of(model)
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@prepared
def _ignoring(dialect: str, model: type[Base], conflict: tuple[str, ...]) -> Insert:
    return _insert(dialect, model).on_conflict_do_nothing(index_elements=list(conflict))


@prepared
def _ignoring_returning(dialect: str, model: type[Base], conflict: tuple[str, ...]) -> ReturningInsert[Any]:
    # The ORM's way, unlike the others: the row comes back as the model's object, in the session.
    insert = postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)
    return insert.on_conflict_do_nothing(index_elements=list(conflict)).returning(model)


@prepared
def _updating(dialect: str, model: type[Base], conflict: tuple[str, ...], update: tuple[str, ...]) -> Insert:
    insert = _insert(dialect, model)
    return insert.on_conflict_do_update(
        index_elements=list(conflict), set_={column: insert.excluded[column] for column in update}
    )
