"""Each class's next session start, kept on its row (``classes.next_starts_at``), so that a list of classes is one
walk of an index in start order instead of a probe of ``class_sessions`` for every class it might show.

What the column holds: for a scheduled class, the start of its first scheduled session after the moment it was
last set (``first_after`` when a class is made, ``follow`` whenever its sessions are moved or cancelled), None
when there was none then; for a cancelled class, None. Nothing starts between that moment and the kept start
without passing through ``follow``, so a kept start still to come *is* the class's next session. A kept start
that has passed may have a later session behind it: the housekeeping sets those rows again (``advance``), and
until it does a list reads them through ``next_start()``, which asks ``class_sessions`` for those few only. So a
list is right at any moment of the bot's clock, and cheap when the housekeeping keeps up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    ScalarSelect,
    Select,
    Update,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import Executor
from bot.storage.models import Class, ClassSession
from bot.storage.prepared import prepared, table_of


def first_after(starts: Iterable[datetime], now: datetime) -> datetime | None:
    """The kept start of a class made now with sessions at ``starts``."""
    return min((start for start in starts if start > now), default=None)


async def follow(session: AsyncSession, cls: Class, now: datetime) -> None:
    """Set the class's kept start from its sessions as they are in ``session`` (after a move or a cancellation);
    the session's pending changes are flushed first, so the sessions just moved count."""
    await session.flush()
    if cls.status != "scheduled":
        cls.next_starts_at = None
        return
    found = await session.execute(_sessions_after(), {"class_id": cls.id, "now": now})
    cls.next_starts_at = found.scalar_one_or_none()


async def advance(executor: Executor, now: datetime) -> int:
    """Move every kept start that has passed by ``now`` on to its class's next session (None when it has none
    left): one statement, finding those rows at the start of ``ix_classes_next_start``; how many it moved."""
    result = await executor.execute(_advancing(), {"now": now})
    return int(result.rowcount)  # type: ignore[attr-defined]


def next_start(classes: FromClause) -> ColumnElement[datetime]:
    """The next session start after the bound ``now`` of the class of ``classes`` (the table or an alias): its
    kept start when that is still to come, else (a start passed that ``advance`` has not moved on yet) the first
    of its scheduled sessions after ``now``, NULL when it has none; NULL for a class with no kept start."""
    now: BindParameter[datetime] = bindparam("now")
    kept = classes.c.next_starts_at
    return case((kept > now, kept), (kept.is_(None), None), else_=_later_session(classes.c.id, now))


def still_to_come(classes: FromClause) -> ColumnElement[bool]:
    """The class of ``classes`` has a session after the bound ``now`` (``next_start`` is not NULL)."""
    now: BindParameter[datetime] = bindparam("now")
    kept = classes.c.next_starts_at
    return (kept > now) | ((kept <= now) & _later_session(classes.c.id, now).is_not(None))


def _later_session(class_id: ColumnElement[int], now: BindParameter[datetime]) -> ScalarSelect[datetime]:
    return _first_session_after(class_id, now).scalar_subquery()


def _first_session_after(class_id: ColumnElement[int], now: BindParameter[datetime]) -> Select[datetime]:
    """The start of the first scheduled session of ``class_id`` after ``now`` (an index probe on
    ``ix_class_sessions_class_start``)."""
    sessions = table_of(ClassSession)
    return select(func.min(sessions.c.starts_at)).where(
        sessions.c.class_id == class_id, sessions.c.status == "scheduled", sessions.c.starts_at > now
    )


@prepared
def _sessions_after() -> Select[datetime]:
    return _first_session_after(bindparam("class_id"), bindparam("now"))


@prepared
def _advancing() -> Update:
    classes = table_of(Class)
    now: BindParameter[datetime] = bindparam("now")
    return (
        update(classes).where(classes.c.next_starts_at <= now).values(next_starts_at=_later_session(classes.c.id, now))
    )
