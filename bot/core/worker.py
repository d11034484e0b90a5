"""The background worker: claims due jobs from the durable table and runs their handlers.

Each job kind has one handler. A handler that raises is retried later: the delay comes from the injected
``retry_delay`` policy (which knows, say, that Zoom's daily cap lifts at midnight UTC, or how long a chat platform's
outage is waited out), or else an exponential backoff. One rule decides when a job is buried: on ``Unretryable``;
when the policy knows the failure, when it answers ``NEVER`` (it bounds its own retries, by attempts or by how long
the job has been failing); when it does not, after ``_MAX_UNEXPECTED_ATTEMPTS``. A kind may name who hears of a
buried job (``given_up``), so that a job that fails for good is not only a log line. On stop the worker takes no new
jobs and lets running ones finish for a few seconds; any it has to abandon are claimed again by a worker when their
lease ends.

A running worker also keeps house, hourly (``housekeep``): a buried job's payload (a message's words, a child's
name) is emptied once ``dead_job_retention`` has passed; a finished job's row (its payload already empty) is
deleted once ``FINISHED_JOB_RETENTION`` has passed, so that the table holds the work of weeks, not of every day
the bot has run; and the chores others hand it (``keep_house_with``) run too. Every process does it; each
statement is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.storage.database import is_unavailable
from bot.storage.jobs import ClaimedJob, JobQueue
from bot.support.clock import Clock
from bot.support.logs import log_ids
from bot.support.metrics import Metrics

log = logging.getLogger(__name__)

JobHandler = Callable[[dict[str, Any]], Awaitable[None]]
# Called once a job of its kind is buried, with the job's payload and the failure that ended it.
GiveUpHandler = Callable[[dict[str, Any], Exception], Awaitable[None]]
# Seconds until the next attempt after ``attempts`` failed ones, the job having failed for the timedelta (since its
# first failure; zero at the first); None when the policy does not know the failure.
RetryPolicy = Callable[[BaseException, int, timedelta], float | None]
# A periodic chore of the housekeeping (forgetting old redelivery keys, say): given the time, how many rows it
# removed.
Chore = Callable[[datetime], Awaitable[int]]
NEVER = math.inf  # a retry policy's answer for a failure that no later attempt can mend: the job is buried

# A claimed job is this worker's for this long, renewed while it runs: a worker that dies (SIGKILL) gives its
# jobs back within a lease, instead of holding them for the longest time a job could take.
LEASE = timedelta(seconds=30)
_MAX_UNEXPECTED_ATTEMPTS = 12  # for failures the policy does not know only: about four minutes of backoff
_DUE_ASK_INTERVAL = 0.25  # seconds between two questions of when the next job is due (see ``_next_due``)
# How long a buried job keeps its payload when the composition root does not say (``DEAD_JOB_RETENTION_DAYS``).
DEAD_JOB_RETENTION = timedelta(days=14)
# How long a finished job's row stays: its dedupe key keeps the same message from being sent twice while anything
# could still ask for it again (a redelivered update, a restored backup), which is days at most.
FINISHED_JOB_RETENTION = timedelta(days=30)
_HOUSEKEEPING_INTERVAL = 3600.0  # seconds
# While the database is away: how soon a job's outcome is stored again, and a lease renewed again (seconds).
_OUTAGE_RETRY = 0.5
_OUTAGE_RETRY_CAP = 2.0


class Unretryable(Exception):
    """A handler's way to say the job can never succeed (the class was deleted, say)."""


def backoff_seconds(attempts: int, *, base: float = 1.0, cap: float = 30.0) -> float:
    """1, 2, 4, … seconds, capped: frequent enough that links follow within a minute of Zoom's recovery."""
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


class JobWorker:
    def __init__(
        self,
        queue: JobQueue,
        *,
        clock: Clock,
        retry_delay: RetryPolicy | None = None,
        concurrency: int = 16,
        idle_poll_seconds: float = 1.0,
        metrics: Metrics | None = None,
        lease: timedelta = LEASE,
        dead_job_retention: timedelta = DEAD_JOB_RETENTION,
    ) -> None:
        self._metrics = metrics
        self._dead_job_retention = dead_job_retention
        self._housekeeper: asyncio.Task[None] | None = None
        self._chores: dict[str, Chore] = {}
        self._lease = lease
        self._queue = queue
        self._handlers: dict[str, JobHandler] = {}
        self._given_up: dict[str, GiveUpHandler] = {}
        self._clock = clock
        self._retry_delay = retry_delay
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._idle_poll = idle_poll_seconds
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._in_hand: set[int] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._short_of_slots = False
        self._known_due: datetime | None = None
        self._due_asked_at = float("-inf")
        self._renewer: asyncio.Task[None] | None = None
        self._paused_for = 0.0  # seconds the last pause lasted, while claims fail; 0 while they succeed

    def register(self, kind: str, handler: JobHandler, *, given_up: GiveUpHandler | None = None) -> None:
        """Name the handler for a job kind (once, while the composition root wires the process), and who hears
        of a job of that kind that is given up on."""
        if kind in self._handlers:
            raise ValueError(f"job kind {kind!r} already has a handler")
        self._handlers[kind] = handler
        if given_up is not None:
            self._given_up[kind] = given_up

    def keep_house_with(self, what: str, chore: Chore) -> None:
        """Run ``chore`` with every housekeeping (``what`` names it in the log)."""
        self._chores[what] = chore

    def wake(self) -> None:
        """Look for work now (after this process enqueued a job) instead of at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="job-worker")
        self._renewer = asyncio.create_task(self._renew_leases(), name="job-leases")
        self._housekeeper = asyncio.create_task(self._keep_house(), name="job-housekeeping")

    async def stop(self, grace_seconds: float = 5.0) -> None:
        for helper in (self._renewer, self._housekeeper):
            if helper is not None:
                helper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await helper
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if self._running:
            _, unfinished = await asyncio.wait(self._running, timeout=grace_seconds)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)

    async def run_due_jobs(self) -> int:
        """Claim and run one batch to completion; returns how many ran. Tests and the loop both use it."""
        jobs = await self._queue.claim(self._concurrency, self._lease, self._clock())
        await asyncio.gather(*(self._run_one(job) for job in jobs))
        return len(jobs)

    async def housekeep(self) -> int:
        """Empty the payloads of jobs buried more than ``dead_job_retention`` ago, delete finished jobs older than
        ``FINISHED_JOB_RETENTION`` and run the chores; how many payloads were emptied."""
        now = self._clock()
        purged = await self._queue.purge_dead_payloads(now - self._dead_job_retention)
        if purged:
            log.info("emptied the payloads of %d jobs given up on more than %s ago", purged, self._dead_job_retention)
        deleted = await self._queue.purge_done(now - FINISHED_JOB_RETENTION)
        if deleted:
            log.info("deleted %d jobs finished more than %s ago", deleted, FINISHED_JOB_RETENTION)
        for what, chore in self._chores.items():
            removed = await chore(now)
            if removed:
                log.info("housekeeping: %s: %d", what, removed)
        return purged

    async def _keep_house(self) -> None:
        while True:
            try:
                await self.housekeep()
            except Exception:
                log.warning("housekeeping failed; trying again in an hour", exc_info=True)
            await asyncio.sleep(_HOUSEKEEPING_INTERVAL)

    async def _run(self) -> None:
        while True:
            # Cleared before looking, so a wake() that arrives while we look is not lost.
            self._wake.clear()
            try:
                if self._paused_for and self._in_hand:
                    # Back from an outage: renew the jobs in hand before their leases, run out meanwhile, let a
                    # claim (this one) take them again.
                    await self._queue.extend(sorted(self._in_hand), self._clock() + self._lease)
                free = self._concurrency - len(self._running)
                jobs = await self._queue.claim(free, self._lease, self._clock()) if free > 0 else []
            except Exception as failure:
                if is_unavailable(failure):
                    await self._pause(failure)
                    continue
                log.exception("could not claim jobs; trying again shortly")
                jobs = []
            if self._paused_for:
                log.warning("the database answers again: the worker resumes")
                self._paused_for = 0.0
            for job in jobs:
                if job.id in self._in_hand:
                    continue  # run already, its outcome still being recorded (see ``_stored``)
                task = asyncio.create_task(self._run_one(job), name=f"job-{job.id}")
                self._running.add(task)
                task.add_done_callback(self._finished)
            # A claim that filled every free slot may have left due jobs behind: the next job to finish wakes the
            # loop. One that did not found all that was due; looking again at once would claim nothing.
            self._short_of_slots = len(jobs) >= free
            await self._sleep_until_due()

    async def _pause(self, failure: Exception) -> None:
        """After a failed claim: wait, longer each time while the database stays away (up to a few seconds, so
        that work resumes soon after it is back), saying so once rather than at every try."""
        if not self._paused_for:
            log.warning("the database is away (%s): the worker pauses until it answers", type(failure).__name__)
        self._paused_for = min(_OUTAGE_RETRY_CAP, max(_OUTAGE_RETRY, self._paused_for * 2))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._paused_for)

    async def _renew_leases(self) -> None:
        """Every third of a lease; after a failure (the database away) every second or so, so that the jobs in
        hand are renewed as soon as it answers again, before their leases run out and another worker runs them
        a second time."""
        wait = self._lease.total_seconds() / 3
        while True:
            await asyncio.sleep(wait)
            try:
                await self._queue.extend(sorted(self._in_hand), self._clock() + self._lease)
            except Exception:
                log.warning("could not renew job leases; trying again shortly", exc_info=True)
                wait = min(1.0, self._lease.total_seconds() / 3)
            else:
                wait = self._lease.total_seconds() / 3

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._short_of_slots:
            self._wake.set()

    async def _sleep_until_due(self) -> None:
        if self._wake.is_set():
            return  # more work was queued while we claimed: look again at once
        wait = self._idle_poll
        due = await self._next_due()
        if due is not None:
            seconds = (due - self._clock()).total_seconds()
            # Due already, yet not claimed: another worker holds it; look again shortly rather than spin.
            wait = min(wait, seconds if seconds > 0 else _DUE_ASK_INTERVAL)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _next_due(self) -> datetime | None:
        """When the earliest waiting job is due; asked of the database at most a few times a second.

        Under a burst every commit wakes the worker, and each wake that finds nothing due would otherwise ask
        again. Asking less often costs nothing: a job queued here wakes the worker, and the idle poll bounds
        how late a job queued elsewhere is seen.
        """
        now = asyncio.get_running_loop().time()
        if now - self._due_asked_at >= _DUE_ASK_INTERVAL:
            with contextlib.suppress(Exception):  # the next poll asks again
                self._known_due = await self._queue.next_due()
                self._due_asked_at = now
        return self._known_due

    async def _run_one(self, job: ClaimedJob) -> None:
        handler = self._handlers.get(job.kind)
        self._in_hand.add(job.id)
        try:
            with log_ids(job_id=job.id, job_kind=job.kind):
                await self._run_claimed(job, handler)
        finally:
            self._in_hand.discard(job.id)

    async def _run_claimed(self, job: ClaimedJob, handler: JobHandler | None) -> None:
        async with self._slots:
            try:
                if handler is None:
                    raise Unretryable(f"no handler for job kind {job.kind!r}")
                await handler(job.payload)
            except asyncio.CancelledError:
                raise
            except Exception as failure:
                await self._stored(job, functools.partial(self._settle_failure, job, failure))
            else:
                await self._stored(job, lambda: self._queue.complete(job.id, self._clock()))

    async def _stored(self, job: ClaimedJob, record: Callable[[], Awaitable[None]]) -> None:
        """Record a job's outcome, waiting out a database outage: the job's work is done (a link sent), and
        leaving it unrecorded would have it run again once its lease ends. The job stays in hand meanwhile, its
        lease renewed as soon as the database answers; a stop cancels the wait (the lease then decides)."""
        pause = _OUTAGE_RETRY
        while True:
            try:
                await record()
                return
            except Exception as failure:
                if not is_unavailable(failure):
                    raise
                log.warning("could not record job %s's outcome: the database is away; trying again", job.id)
            await asyncio.sleep(pause)
            pause = min(_OUTAGE_RETRY_CAP, pause * 2)

    async def _settle_failure(self, job: ClaimedJob, failure: Exception) -> None:
        now = self._clock()
        reason = f"{type(failure).__name__}: {failure}"
        delay = None if isinstance(failure, Unretryable) else self._delay_for(failure, job, now)
        if self._metrics is not None:
            self._metrics.count(
                "classbot_job_failures_total", kind=job.kind, outcome="dead" if delay is None else "retry"
            )
        # Recorded first, logged after: whoever reads the log line finds the job's new state already stored.
        if delay is None:
            await self._queue.bury(job.id, reason, now)
            log.error("job %s (%s) failed for good: %s", job.id, job.kind, reason, extra={"job_id": job.id})
            await self._tell_given_up(job, failure)
            return
        await self._queue.retry(job.id, now + timedelta(seconds=delay), reason, now)
        self._due_asked_at = float("-inf")  # its new due time may be the earliest: sleep until then, not longer
        self._wake.set()
        log.warning(
            "job %s (%s) attempt %d failed, retrying in %.0fs: %s",
            job.id,
            job.kind,
            job.attempts,
            delay,
            reason,
            extra={"job_id": job.id},
        )

    async def _tell_given_up(self, job: ClaimedJob, failure: Exception) -> None:
        given_up = self._given_up.get(job.kind)
        if given_up is None:
            return
        try:
            await given_up(job.payload, failure)
        except Exception:
            log.exception("could not tell of job %s (%s) given up", job.id, job.kind, extra={"job_id": job.id})

    def _delay_for(self, failure: Exception, job: ClaimedJob, now: datetime) -> float | None:
        """Seconds until the next attempt, or None to bury the job (the module docstring's one rule)."""
        if self._retry_delay is not None:
            failing_for = now - job.failing_since if job.failing_since is not None else timedelta(0)
            known = self._retry_delay(failure, job.attempts, max(timedelta(0), failing_for))
            if known is not None:
                return None if known == NEVER else known
        if job.attempts >= _MAX_UNEXPECTED_ATTEMPTS:
            return None
        return backoff_seconds(job.attempts)
