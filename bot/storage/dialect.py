"""The few statements whose spelling differs between SQLite and PostgreSQL, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.storage.models import Base


def insert_or_ignore(session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: list[str]) -> Insert:
    """``INSERT … ON CONFLICT (conflict) DO NOTHING`` for the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    return sqlite.insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)


def insert_or_update(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: list[str], update: list[str]
) -> Insert:
    """``INSERT … ON CONFLICT (conflict) DO UPDATE`` of the ``update`` columns: one statement, no read first."""
    insert = postgresql.insert(model) if session.get_bind().dialect.name == "postgresql" else sqlite.insert(model)
    statement = insert.values(**values)
    return statement.on_conflict_do_update(
        index_elements=conflict, set_={column: statement.excluded[column] for column in update}
    )


def locks_rows(session: AsyncSession) -> bool:
    """Whether ``SELECT … FOR UPDATE`` means anything here (SQLite's write transactions are already exclusive)."""
    return session.get_bind().dialect.name == "postgresql"
