"""The durable job table: work that must happen even if this process dies before doing it.

A job is enqueued in the same transaction as the change that calls for it (so both happen or neither), then
claimed by a worker in any process. Claiming sets a lease; a worker that dies leaves the job to be claimed again
when the lease runs out, so delivery is at least once and handlers keep their effects idempotent. On PostgreSQL
``FOR UPDATE SKIP LOCKED`` lets several processes claim side by side without waiting on each other; on SQLite
the write transaction is already exclusive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    FromClause,
    Select,
    Text,
    Update,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.dml import Insert, ReturningUpdate

from bot.storage.database import Database, Executor
from bot.storage.dialect import insert_or_ignore
from bot.storage.models import Job
from bot.storage.prepared import prepared, table_of
from bot.support.grouped import GroupedWrites, padded

# Set in a session's info by enqueue(), read after its commit by call_when_queued()'s hook.
_QUEUED = "classbot_jobs_queued"
# The prefix of a job's parameters in a statement that adds it after another change (``after_each``).
_AFTER = "job_"


def call_when_queued(database: Database, callback: Callable[[], None]) -> None:
    """Call ``callback`` after each transaction that enqueued a job commits (so a worker starts on it at once)."""

    def _committed(info: dict[str, Any]) -> None:
        if info.pop(_QUEUED, False):
            callback()

    database.after_commit(_committed)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    failing_since: datetime | None  # its first failure; None while it has not failed (``Job.first_failed_at``)


@dataclass(frozen=True, slots=True)
class NewJob:
    """A job to add: what to do, with what, from when; at most one job at a time holds a ``dedupe_key``."""

    kind: str
    payload: dict[str, Any]
    run_at: datetime
    dedupe_key: str | None = None

    def values(self) -> dict[str, Any]:
        """The job's row as the parameters of the statements that add it."""
        row = {"kind": self.kind, "payload": self.payload, "run_at": self.run_at, "dedupe_key": self.dedupe_key}
        row["status"] = "pending"
        return row

    def values_after(self) -> dict[str, Any]:
        """The job's row as the parameters of an ``after_each`` INSERT, named apart from the columns of the other
        tables its statement changes (an UPDATE or INSERT takes a parameter named like a column as its value)."""
        return {_AFTER + name: value for name, value in self.values().items()}


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    run_at: datetime,
    dedupe_key: str | None = None,
) -> bool:
    """Add a job inside the caller's transaction; False if a job with ``dedupe_key`` already exists."""
    return await add(session, NewJob(kind, payload, run_at, dedupe_key))


async def add(session: AsyncSession, job: NewJob) -> bool:
    """``enqueue`` for a job already spelled out; False if a job with its dedupe key already exists."""
    queued(session)
    if job.dedupe_key is None:
        await session.execute(_adding(), job.values())
        return True
    result = await session.execute(insert_or_ignore(session, Job, ("dedupe_key",)), job.values())
    return bool(result.rowcount)  # type: ignore[attr-defined]


def queued(session: AsyncSession) -> None:
    """Note that the session's transaction adds a job, so its commit wakes the worker (``call_when_queued``);
    for statements that add one alongside other writes."""
    session.info[_QUEUED] = True


async def release_key(session: AsyncSession, dedupe_key: str) -> None:
    """Free ``dedupe_key`` from the running job that holds it, so the next enqueue with it makes a new job."""
    await session.execute(_releasing_key(), {"held_key": dedupe_key})


async def settle_key(session: AsyncSession, dedupe_key: str) -> None:
    """The work ``dedupe_key`` stands for was just done: drop a job still waiting to do it, and free the key
    from the one running, so that a later need of the same key makes a new job."""
    await session.execute(delete(Job).where(Job.dedupe_key == dedupe_key, Job.status == "pending"))
    await release_key(session, dedupe_key)


async def hurry(session: AsyncSession, kinds: tuple[str, ...], now: datetime) -> None:
    """Make waiting jobs of ``kinds`` due now (their obstacle, such as a dead Zoom connection, is gone)."""
    await session.execute(
        update(Job)
        .where(Job.status == "pending", Job.kind.in_(kinds), Job.run_at > now)
        .values(run_at=now, updated_at=now)
    )


async def hurry_failed_with(executor: Executor, error_prefix: str, now: datetime) -> None:
    """Make due now the waiting jobs whose last failure began with ``error_prefix``: one statement, so it may run
    on a bare connection (``Database.statement()``), as on every /start."""
    await executor.execute(_hurrying(), {"prefix": error_prefix, "now": now})


async def drop_waiting(session: AsyncSession, kind: str, payload_key: str, value: int) -> None:
    """Delete the waiting jobs of ``kind`` whose payload holds ``value`` at ``payload_key`` (a person's notices,
    when the person is erased: they could never be delivered, and they carry the words of the message)."""
    await session.execute(
        delete(Job).where(Job.status == "pending", Job.kind == kind, Job.payload[payload_key].as_integer() == value)
    )


@dataclass(frozen=True, slots=True)
class KindCount:
    """The jobs of one kind that are not done: what an operator checks before stopping ClassBot for an upgrade."""

    kind: str
    due: int  # waiting, due now
    later: int  # waiting until later: a reminder's time, or the next try after a failure
    running: int  # claimed by a worker
    dead: int  # given up on; kept for an operator to look at

    @property
    def pending(self) -> int:
        """Jobs that will still run (due, later or running)."""
        return self.due + self.later + self.running


class JobQueue:
    """Claims and settles jobs; each call is one statement, atomic by itself."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._completions = GroupedWrites(self._complete_all)
        self._releases = GroupedWrites(self._release_all, most=100)  # up to 10 keys each
        self._on_due: list[Callable[[], None]] = []

    def when_made_due(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after ``make_due`` made jobs due (the worker wakes, as after an enqueue)."""
        self._on_due.append(callback)

    async def make_due(self, dedupe_keys: list[str], now: datetime) -> None:
        """Make the waiting jobs of these keys due now (a booking's held link, once the parent was told).

        Calls made together are written together (``GroupedWrites``): in a burst, one statement per group.
        """
        if not dedupe_keys:
            return
        await self._releases.add((tuple(dedupe_keys), now))
        for callback in self._on_due:
            callback()

    async def _release_all(self, releases: list[tuple[tuple[str, ...], datetime]]) -> None:
        keys = padded([key for each, _ in releases for key in each])
        now = max(now for _, now in releases)
        async with self._database.statement() as connection:
            await connection.execute(_making_due(), {"keys": keys, "now": now})

    async def claim(self, limit: int, lease: timedelta, now: datetime) -> list[ClaimedJob]:
        """Up to ``limit`` due jobs (or jobs whose worker's lease ran out), leased to the caller."""
        async with self._database.statement() as connection:
            values = {"now": now, "limit": limit, "until": now + lease}
            rows = await connection.execute(_claiming(), values)
            return [ClaimedJob(*row) for row in rows]

    async def extend(self, job_ids: list[int], until: datetime) -> None:
        """Keep the lease of jobs still running here, so no other worker takes them over."""
        if not job_ids:
            return
        async with self._database.statement() as connection:
            jobs = table_of(Job)
            running = jobs.c.id.in_(job_ids) & (jobs.c.status == "running")
            await connection.execute(update(jobs).where(running).values(locked_until=until))

    async def complete(self, job_id: int, now: datetime) -> None:
        """Mark the job done and drop its payload: a sent message's words (children's names) are not kept.

        Jobs finishing together are marked together, in one statement (``GroupedWrites``): in a burst of
        bookings, one round trip for the link jobs that finished while the last mark was written, not one each.
        """
        await self._completions.add((job_id, now))

    async def _complete_all(self, done: list[tuple[int, datetime]]) -> None:
        async with self._database.statement() as connection:
            values = {"job_ids": padded([job_id for job_id, _ in done]), "now": max(now for _, now in done)}
            await connection.execute(_completing(), values)

    async def retry(self, job_id: int, run_at: datetime, error: str, now: datetime) -> None:
        async with self._database.statement() as connection:
            values = {"job_id": job_id, "run_at": run_at, "error": error[:2000], "now": now}
            await connection.execute(_retrying(), values)

    async def bury(self, job_id: int, error: str, now: datetime) -> None:
        """Give up on a job that can never succeed; it stays in the table for an operator to see.

        Its dedupe key is freed: the key stands for a job that will do the work, and this one never will. Kept, it
        would refuse the next job of that key for good (a class's next booking digest, say, leaving its teacher
        unaware of every later booking).
        """
        async with self._database.statement() as connection:
            jobs = table_of(Job)
            await connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(status="dead", dedupe_key=None, locked_until=None, last_error=error[:2000], updated_at=now)
            )

    async def backlog(self, now: datetime) -> tuple[int, float]:
        """How many jobs are due now, and how many seconds the oldest of them has waited."""
        async with self._database.query() as connection:
            jobs = table_of(Job)
            due = (jobs.c.status == "pending") & (jobs.c.run_at <= now)
            count, oldest = (await connection.execute(select(func.count(), func.min(jobs.c.run_at)).where(due))).one()
        return int(count), max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0

    async def by_kind(self, now: datetime) -> list[KindCount]:
        """Every kind with jobs not done, counted by state, in one statement (done jobs are not counted)."""
        jobs = table_of(Job)
        pending = jobs.c.status == "pending"

        def counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        query = (
            select(
                jobs.c.kind,
                counted(pending & (jobs.c.run_at <= now)),
                counted(pending & (jobs.c.run_at > now)),
                counted(jobs.c.status == "running"),
                counted(jobs.c.status == "dead"),
            )
            .where(jobs.c.status != "done")
            .group_by(jobs.c.kind)
            .order_by(jobs.c.kind)
        )
        async with self._database.query() as connection:
            rows = await connection.execute(query)
            return [
                KindCount(kind, int(due), int(later), int(running), int(dead))
                for kind, due, later, running, dead in rows
            ]

    async def next_due(self, kind: str | None = None) -> datetime | None:
        """When the earliest pending job (of ``kind``, if given) is due, so an idle worker sleeps just long enough
        and the playground knows how far to move its clock to reach the next reminder."""
        async with self._database.query() as connection:
            if kind is None:
                return (await connection.execute(_next_due())).scalar_one_or_none()
            return (await connection.execute(_next_due_of_kind(), {"kind": kind})).scalar_one_or_none()

    async def purge_dead_payloads(self, before: datetime) -> int:
        """Empty the payloads of jobs given up on before ``before``; how many were emptied.

        A dead job keeps its payload (a message's words, a child's name) for an operator to look into; once the
        retention has passed, only its kind, times and error remain. Emptied payloads are not written again.
        """
        async with self._database.statement() as connection:
            result = await connection.execute(_purging_dead(), {"before": before})
        return int(result.rowcount)

    async def purge_done(self, before: datetime) -> int:
        """Delete the jobs finished before ``before``; how many were deleted."""
        async with self._database.statement() as connection:
            jobs = table_of(Job)
            result = await connection.execute(delete(jobs).where(jobs.c.status == "done", jobs.c.updated_at < before))
        return int(result.rowcount)


def after_each(source: FromClause) -> postgresql.Insert:
    """PostgreSQL: an INSERT of one job for each row of ``source`` (a CTE of the same statement), or none when it
    has none; the job's values are bound as ``NewJob.values_after()``. So one statement can make a change and
    queue the job it calls for: one round trip, not two. A job whose dedupe key is held already is not added."""
    jobs = table_of(Job)
    columns = ("kind", "payload", "run_at", "dedupe_key", "status")
    values = [bindparam(_AFTER + name, type_=jobs.c[name].type) for name in columns]
    row = select(*values, literal(0)).select_from(source)  # attempts: the default, spelled (none are, in a CTE)
    adding = postgresql.insert(jobs).from_select([*columns, "attempts"], row, include_defaults=False)
    return adding.on_conflict_do_nothing(index_elements=["dedupe_key"])


# The statements every job runs, built once, on the table (``bot.storage.prepared``).


@prepared
def _hurrying() -> Update:
    jobs = table_of(Job)
    now: BindParameter[datetime] = bindparam("now")
    return (
        update(jobs)
        .where(
            jobs.c.status == "pending",
            jobs.c.last_error.is_not(None),  # so the partial index of failed waiting jobs serves this
            jobs.c.last_error.startswith(bindparam("prefix")),
            jobs.c.run_at > now,
        )
        .values(run_at=now, updated_at=now)
    )


@prepared
def _adding() -> Insert:
    return insert(table_of(Job))


@prepared
def _releasing_key() -> Update:
    jobs = table_of(Job)
    return (
        update(jobs)
        .where(jobs.c.dedupe_key == bindparam("held_key"), jobs.c.status == "running")
        .values(dedupe_key=None)
    )


@prepared
def _claiming() -> ReturningUpdate[int, str, dict[str, Any], int, datetime | None]:
    jobs = table_of(Job)
    now: BindParameter[datetime] = bindparam("now")
    due = (
        select(jobs.c.id)
        .where(
            or_(
                (jobs.c.status == "pending") & (jobs.c.run_at <= now),
                (jobs.c.status == "running") & (jobs.c.locked_until < now),
            )
        )
        .order_by(jobs.c.run_at, jobs.c.id)
        .limit(bindparam("limit"))
    )
    due = due.with_for_update(skip_locked=True)
    return (
        update(jobs)
        .where(jobs.c.id.in_(due.scalar_subquery()))
        .values(status="running", locked_until=bindparam("until"), attempts=jobs.c.attempts + 1, updated_at=now)
        .returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts, jobs.c.first_failed_at)
    )


@prepared
def _completing() -> Update:
    jobs = table_of(Job)
    return (
        update(jobs)
        .where(jobs.c.id.in_(bindparam("job_ids", expanding=True)))
        .values(status="done", payload={}, locked_until=None, updated_at=bindparam("now"))
    )


@prepared
def _retrying() -> Update:
    jobs = table_of(Job)
    return (
        update(jobs)
        .where(jobs.c.id == bindparam("job_id"))
        .values(
            status="pending",
            first_failed_at=func.coalesce(jobs.c.first_failed_at, bindparam("now")),
            run_at=bindparam("run_at"),
            locked_until=None,
            last_error=bindparam("error"),
            updated_at=bindparam("now"),
        )
    )


@prepared
def _purging_dead() -> Update:
    jobs = table_of(Job)
    # JSON has no equality on PostgreSQL: the stored text is compared (both databases store ``{}`` as "{}").
    kept = cast(jobs.c.payload, Text) != "{}"
    return update(jobs).where(jobs.c.status == "dead", jobs.c.updated_at < bindparam("before"), kept).values(payload={})


@prepared
def _making_due() -> Update:
    jobs = table_of(Job)
    waiting = jobs.c.dedupe_key.in_(bindparam("keys", expanding=True)) & (jobs.c.status == "pending")
    return (
        update(jobs)
        .where(waiting & (jobs.c.run_at > bindparam("now")))
        .values(run_at=bindparam("now"), updated_at=bindparam("now"))
    )


@prepared
def _next_due() -> Select[datetime]:
    jobs = table_of(Job)
    return select(jobs.c.run_at).where(jobs.c.status == "pending").order_by(jobs.c.run_at).limit(1)


@prepared
def _next_due_of_kind() -> Select[datetime]:
    jobs = table_of(Job)
    pending = (jobs.c.status == "pending") & (jobs.c.kind == bindparam("kind"))
    return select(jobs.c.run_at).where(pending).order_by(jobs.c.run_at).limit(1)
