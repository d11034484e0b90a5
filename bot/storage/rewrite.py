"""Rewriting stored values in place, row by row, without undoing what the running bot wrote meanwhile.

``rotate-keys`` (and the sealing of Slack tokens stored in clear) runs while the bot keeps serving: it reads every
row, then rewrites each one in its own short transaction. Between the two, the bot may refresh a teacher's Zoom
tokens (the old refresh token dies at Zoom at once), Slack may rotate a workspace's token, or a deleted meeting
may clear a join link. Writing what was read back over such a row would bring back dead tokens or a link that
must be gone. So each row is written only if it still holds exactly what was read (compare-and-swap on the
stored values); a row that changed is read again and rewritten from its new values, so that nothing is left
under a key that is about to be retired.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, select, update

from bot.storage.database import Database

# A row that changed under us this many times in a row is left for the operator to retry: it cannot happen
# unless something rewrites it continuously, and looping forever would hide that.
MAX_ATTEMPTS = 5

# The new stored value for a stored one (never None), or None to leave it as it is.
Rewrite = Callable[[Any], Any | None]


@dataclass(frozen=True, slots=True)
class RowRewrite:
    """Which columns of ``table`` to rewrite, and how; ``table`` has a one-column primary key."""

    table: Table
    columns: tuple[str, ...]
    rewrite: Rewrite


class RowsKeptChanging(RuntimeError):
    """Some rows changed every time they were about to be rewritten; running the command again finishes them."""


async def rewrite_rows(
    database: Database, plans: Sequence[RowRewrite], *, after_read: Callable[[], Awaitable[None]] | None = None
) -> int:
    """Apply each plan to every row of its table; returns how many values were rewritten.

    ``after_read`` runs once every table has been read and before anything is written: the seam where a test
    changes rows as the running bot would, to show that such changes are kept.
    """
    snapshots = [await _read(database, plan, None) for plan in plans]
    if after_read is not None:
        await after_read()
    rewritten = 0
    for plan, rows in zip(plans, snapshots, strict=True):
        attempts = 0
        while rows:
            if attempts == MAX_ATTEMPTS:
                raise RowsKeptChanging(
                    f"{len(rows)} row(s) of {plan.table.name} changed each time they were about to be rewritten; "
                    "run the command again"
                )
            attempts += 1
            changed: list[Any] = []
            for row in rows:
                written = await _write_if_unchanged(database, plan, row)
                if written is None:
                    changed.append(row[0])
                else:
                    rewritten += written
            rows = await _read(database, plan, changed) if changed else []  # rows deleted meanwhile are gone
    return rewritten


def _key(plan: RowRewrite) -> ColumnElement[Any]:
    [key] = plan.table.primary_key.columns
    return key


async def _read(database: Database, plan: RowRewrite, keys: list[Any] | None) -> list[Row[Any]]:
    """The key and the plan's columns of every row, or of the rows with ``keys`` (read one by one: few change)."""
    key = _key(plan)
    query = select(key, *(plan.table.c[name] for name in plan.columns))
    async with database.read() as session:
        if keys is None:
            return list((await session.execute(query)).all())
        found = [(await session.execute(query.where(key == each))).one_or_none() for each in keys]
    return [row for row in found if row is not None]


async def _write_if_unchanged(database: Database, plan: RowRewrite, row: Row[Any]) -> int | None:
    """Rewrite ``row`` if it still holds what was read: how many values were rewritten, or None if it changed."""
    read: list[tuple[str, Any]] = list(zip(plan.columns, row[1:], strict=True))
    values: dict[str, Any] = {}
    for name, stored in read:
        if stored is not None and (new := plan.rewrite(stored)) is not None:
            values[name] = new
    if not values:
        return 0
    unchanged = [
        plan.table.c[name].is_(None) if stored is None else plan.table.c[name] == stored for name, stored in read
    ]
    async with database.write() as session:
        result = await session.execute(update(plan.table).where(_key(plan) == row[0], *unchanged).values(values))
    return len(values) if result.rowcount else None  # type: ignore[attr-defined]
