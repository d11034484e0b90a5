"""Gates: many writers pass one together, and one closer waits until none of them is still inside.

A gate is a PostgreSQL transaction-level advisory lock, taken shared by the writers and exclusive by the
closer. Writers never wait on each other; the closer waits only for the writers already past the gate to
commit, and writers arriving meanwhile wait behind it. So whatever the closer reads after closing, every
writer that passed before is in it. On SQLite, write transactions are already one at a time, so a gate is
nothing there.

Each use of gates has its own space, so a gate keyed by a class id never meets one keyed by something else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.storage import jobs
from bot.storage.dialect import writers_overlap
from bot.storage.jobs import NewJob
from bot.storage.prepared import prepared

# One space per use; the numbers only have to differ from each other and from other users of the database.
DIGEST_GATES = 0x43_42_44_47  # a class's digest of new bookings


async def pass_through(session: AsyncSession, space: int, key: int, *, then: NewJob | None = None) -> None:
    """Pass the gate for the rest of the caller's transaction, alongside any other writers; then add ``then``
    (unless its dedupe key is held), in the same statement on PostgreSQL."""
    if not writers_overlap(session):
        if then is not None:
            await jobs.add(session, then)
        return
    if then is None:
        await session.execute(_passing(), {"space": space, "key": key})
        return
    jobs.queued(session)
    await session.execute(_passing_then_adding(), {"space": space, "key": key, **then.values_after()})


async def close(session: AsyncSession, space: int, key: int) -> None:
    """Wait until the writers already past the gate have committed; hold it closed until the caller commits."""
    if writers_overlap(session):
        await session.execute(_closing(), {"space": space, "key": key})


@prepared
def _passing() -> Select[Any]:
    return select(func.pg_advisory_xact_lock_shared(bindparam("space", type_=Integer), bindparam("key", type_=Integer)))


@prepared
def _passing_then_adding() -> Insert:
    # The job's row is made from the gate's: the lock is taken before the job is added.
    gate = _passing().cte("gate")
    return jobs.after_each(gate)


@prepared
def _closing() -> Select[Any]:
    return select(func.pg_advisory_xact_lock(bindparam("space", type_=Integer), bindparam("key", type_=Integer)))
