"""The durable job worker: every job runs, failures retry with backoff, and no two workers run the same job."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.inbound import REDELIVERY_WINDOW, Inbound
from bot.core.worker import FINISHED_JOB_RETENTION, NEVER, JobWorker, Unretryable, backoff_seconds
from bot.storage.database import Database
from bot.storage.jobs import JobQueue, enqueue
from bot.storage.migrate import upgrade_to_head
from bot.storage.models import Job
from bot.support.clock import utc_now
from bot.support.logs import IdsFilter, JsonFormatter
from tests.reliability.database_proxy import DatabaseProxy
from tests.support.clock import MovableClock
from tests.support.waiting import wait_until


async def _enqueue(database: Database, clock: MovableClock, payload: dict[str, Any], key: str | None = None) -> bool:
    async with database.write() as session:
        return await enqueue(session, "work", payload, run_at=clock(), dedupe_key=key)


async def _jobs(database: Database) -> list[Job]:
    async with database.read() as session:
        return list((await session.execute(select(Job).order_by(Job.id))).scalars())


async def test_a_job_runs_once_and_is_marked_done(database: Database) -> None:
    clock = MovableClock()
    seen: list[dict[str, Any]] = []

    async def handler(payload: dict[str, Any]) -> None:
        seen.append(payload)

    worker = JobWorker(JobQueue(database), clock=clock)
    worker.register("work", handler)
    await _enqueue(database, clock, {"n": 1})

    assert await worker.run_due_jobs() == 1
    assert await worker.run_due_jobs() == 0
    assert seen == [{"n": 1}]
    assert [job.status for job in await _jobs(database)] == ["done"]


async def test_the_same_dedupe_key_enqueues_once(database: Database) -> None:
    clock = MovableClock()
    assert await _enqueue(database, clock, {"n": 1}, key="reminder:7:24h") is True
    assert await _enqueue(database, clock, {"n": 2}, key="reminder:7:24h") is False
    assert len(await _jobs(database)) == 1


async def test_a_failing_job_is_retried_after_a_backoff_until_it_succeeds(database: Database) -> None:
    clock = MovableClock()
    attempts = 0

    async def flaky(_payload: dict[str, Any]) -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionError("platform down")

    worker = JobWorker(JobQueue(database), clock=clock)
    worker.register("work", flaky)
    await _enqueue(database, clock, {})

    assert await worker.run_due_jobs() == 1
    assert await worker.run_due_jobs() == 0  # not due until the backoff has passed
    clock.advance(timedelta(seconds=backoff_seconds(1)))
    assert await worker.run_due_jobs() == 1
    clock.advance(timedelta(seconds=backoff_seconds(2)))
    assert await worker.run_due_jobs() == 1
    [job] = await _jobs(database)
    assert (job.status, job.attempts, attempts) == ("done", 3, 3)


async def test_the_retry_policy_sets_the_wait(database: Database) -> None:
    clock = MovableClock()

    async def capped(_payload: dict[str, Any]) -> None:
        raise TimeoutError("daily cap")

    worker = JobWorker(JobQueue(database), clock=clock, retry_delay=lambda failure, attempts, failing_for: 3600.0)
    worker.register("work", capped)
    await _enqueue(database, clock, {})
    await worker.run_due_jobs()

    [job] = await _jobs(database)
    assert job.status == "pending"
    assert abs((job.run_at - clock()).total_seconds() - 3600) < 5


async def test_an_unretryable_job_is_buried_with_its_reason(database: Database) -> None:
    clock = MovableClock()

    async def hopeless(_payload: dict[str, Any]) -> None:
        raise Unretryable("class was deleted")

    worker = JobWorker(JobQueue(database), clock=clock)
    worker.register("work", hopeless)
    await _enqueue(database, clock, {})
    await worker.run_due_jobs()

    [job] = await _jobs(database)
    assert job.status == "dead"
    assert job.last_error == "Unretryable: class was deleted"


async def test_a_buried_jobs_words_are_emptied_once_the_retention_has_passed(database: Database) -> None:
    clock = MovableClock()

    async def hopeless(_payload: dict[str, Any]) -> None:
        raise Unretryable("the parent blocked the bot")

    worker = JobWorker(JobQueue(database), clock=clock, dead_job_retention=timedelta(days=14))
    worker.register("work", hopeless)
    await _enqueue(database, clock, {"text": "Ada Lovelace is booked"})
    await _enqueue(database, clock, {"text": "Bo is booked"})
    await worker.run_due_jobs()
    clock.advance(timedelta(days=13))
    await _enqueue(database, clock, {"text": "Cy is booked"})
    await worker.run_due_jobs()

    assert await worker.housekeep() == 0  # within the retention, an operator can still see what failed
    clock.advance(timedelta(days=1, minutes=1))
    assert await worker.housekeep() == 2
    assert await worker.housekeep() == 0  # emptied once

    jobs = await _jobs(database)
    assert [job.payload for job in jobs] == [{}, {}, {"text": "Cy is booked"}]
    assert [(job.status, job.last_error) for job in jobs] == [("dead", "Unretryable: the parent blocked the bot")] * 3


async def test_finished_jobs_and_old_redelivery_keys_are_deleted_so_the_tables_hold_weeks_not_years(
    database: Database,
) -> None:
    clock = MovableClock()
    inbound = Inbound(database, clock=clock)

    async def done(_payload: dict[str, Any]) -> None:
        return None

    worker = JobWorker(JobQueue(database), clock=clock)
    worker.register("work", done)
    worker.keep_house_with("redelivery keys forgotten", inbound.forget_old)
    await _enqueue(database, clock, {"n": 1}, key="told:1")
    await worker.run_due_jobs()
    await inbound.mark_handled("telegram", "update:1")
    clock.advance(FINISHED_JOB_RETENTION - timedelta(days=1))
    await _enqueue(database, clock, {"n": 2}, key="told:2")
    await worker.run_due_jobs()
    await worker.housekeep()
    kept_a_month = [job.dedupe_key for job in await _jobs(database)]
    redelivery_forgotten = not await inbound.already_handled("telegram", "update:1")
    refused_again = not await _enqueue(database, clock, {"n": 1}, key="told:1")  # the key still guards its message
    clock.advance(timedelta(days=1, minutes=1))
    await worker.housekeep()

    assert kept_a_month == ["told:1", "told:2"]
    assert refused_again
    assert redelivery_forgotten  # a week after it was handled, far beyond any platform's redelivery
    assert [job.dedupe_key for job in await _jobs(database)] == ["told:2"]


async def test_a_redelivery_within_the_window_is_still_recognised_after_housekeeping(database: Database) -> None:
    clock = MovableClock()
    inbound = Inbound(database, clock=clock)
    worker = JobWorker(JobQueue(database), clock=clock)
    worker.keep_house_with("redelivery keys forgotten", inbound.forget_old)
    await inbound.mark_handled("slack", "trigger:1")
    clock.advance(REDELIVERY_WINDOW - timedelta(hours=1))
    await worker.housekeep()

    assert await inbound.already_handled("slack", "trigger:1")


async def test_a_running_worker_keeps_house_on_its_own(database: Database) -> None:
    clock = MovableClock()

    async def hopeless(_payload: dict[str, Any]) -> None:
        raise Unretryable("the parent blocked the bot")

    worker = JobWorker(JobQueue(database), clock=clock, dead_job_retention=timedelta(days=14))
    worker.register("work", hopeless)
    await _enqueue(database, clock, {"text": "Ada Lovelace is booked"})
    await worker.run_due_jobs()
    clock.advance(timedelta(days=15))

    worker.start()
    try:

        async def emptied() -> bool:
            return [job.payload for job in await _jobs(database)] == [{}]

        await wait_until(emptied, timeout=10, what="the buried job's payload to be emptied")
    finally:
        await worker.stop()


async def test_a_job_the_policy_will_never_retry_is_buried_and_its_kind_hears_of_it(database: Database) -> None:
    clock = MovableClock()
    heard: list[tuple[dict[str, Any], str]] = []

    async def refused(_payload: dict[str, Any]) -> None:
        raise PermissionError("Zoom refused for good")

    async def given_up(payload: dict[str, Any], failure: Exception) -> None:
        heard.append((payload, str(failure)))

    worker = JobWorker(JobQueue(database), clock=clock, retry_delay=lambda failure, attempts, failing_for: NEVER)
    worker.register("work", refused, given_up=given_up)
    await _enqueue(database, clock, {"class_id": 7})
    await worker.run_due_jobs()

    [job] = await _jobs(database)
    assert (job.status, job.attempts) == ("dead", 1)
    assert heard == [({"class_id": 7}, "Zoom refused for good")]


async def test_a_job_abandoned_by_a_dead_worker_is_claimed_again_after_its_lease(database: Database) -> None:
    clock = MovableClock()
    queue = JobQueue(database)
    await _enqueue(database, clock, {"n": 1})
    [claimed] = await queue.claim(10, timedelta(seconds=30), clock())  # this worker then "dies"

    assert await queue.claim(10, timedelta(seconds=30), clock()) == []
    clock.advance(timedelta(seconds=31))
    [again] = await queue.claim(10, timedelta(seconds=30), clock())
    assert again.id == claimed.id
    assert again.attempts == 2


async def test_concurrent_workers_never_run_the_same_job(database_url: str) -> None:
    clock = MovableClock()
    databases = [Database.connect(database_url) for _ in range(3)]
    await upgrade_to_head(databases[0])
    runs: list[int] = []

    async def record(payload: dict[str, Any]) -> None:
        runs.append(payload["n"])
        await asyncio.sleep(0)

    workers = []
    for database in databases:
        worker = JobWorker(JobQueue(database), clock=clock, concurrency=4, idle_poll_seconds=0.05)
        worker.register("work", record)
        workers.append(worker)
    for n in range(60):
        await _enqueue(databases[0], clock, {"n": n})
    try:
        for worker in workers:
            worker.start()

        async def all_done() -> bool:
            return all(job.status == "done" for job in await _jobs(databases[0]))

        await wait_until(all_done, timeout=30, what="every job done")
    finally:
        for worker in workers:
            await worker.stop()
        for database in databases:
            await database.dispose()
    assert sorted(runs) == list(range(60))


async def test_a_started_worker_picks_up_new_work_when_woken(database: Database) -> None:
    clock = MovableClock()
    done = asyncio.Event()

    async def handler(_payload: dict[str, Any]) -> None:
        done.set()

    worker = JobWorker(JobQueue(database), clock=clock, idle_poll_seconds=30)
    worker.register("work", handler)
    worker.start()
    try:
        await _enqueue(database, clock, {})
        worker.wake()
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        await worker.stop()


async def test_a_long_job_keeps_its_lease_while_its_worker_lives(database: Database) -> None:
    release = asyncio.Event()
    runs = 0

    async def slow(_payload: dict[str, Any]) -> None:
        nonlocal runs
        runs += 1
        await release.wait()

    lease = timedelta(seconds=3)  # renewed every second; long enough that a starved machine renews in time
    owner = JobWorker(JobQueue(database), clock=utc_now, lease=lease, idle_poll_seconds=0.05)
    owner.register("work", slow)
    await _enqueue(database, MovableClock(), {})
    owner.start()
    try:
        await wait_until(lambda: _true_if(runs == 1), timeout=5, what="the job to start")
        rival = JobQueue(database)
        for _ in range(90):  # three leases long: the owner renews, the rival never gets the job
            assert await rival.claim(10, lease, utc_now()) == []
            await asyncio.sleep(0.1)
        release.set()
        await wait_until(lambda: _done(database), timeout=5, what="the job to finish")
    finally:
        await owner.stop()
    assert runs == 1


async def _true_if(value: bool) -> bool:
    return value


async def _done(database: Database) -> bool:
    return [job.status for job in await _jobs(database)] == ["done"]


async def test_every_line_a_job_logs_carries_its_id_in_json_logs(database: Database) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(IdsFilter())
    handler.setFormatter(JsonFormatter())
    job_logger = logging.getLogger("tests.a_job")
    job_logger.addHandler(handler)
    job_logger.setLevel(logging.INFO)

    async def handler_that_logs(payload: dict[str, Any]) -> None:
        job_logger.info("sending to %s", payload["to"])

    clock = MovableClock()
    worker = JobWorker(JobQueue(database), clock=clock)
    worker.register("work", handler_that_logs)
    try:
        await _enqueue(database, clock, {"to": "Ann"})
        await _enqueue(database, clock, {"to": "Bo"})
        await worker.run_due_jobs()
        job_logger.info("outside any job")
    finally:
        job_logger.removeHandler(handler)

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    ids = {job.id for job in await _jobs(database)}
    by_message = {line["message"]: line for line in lines}
    assert {by_message["sending to Ann"]["job_id"], by_message["sending to Bo"]["job_id"]} == ids
    assert by_message["sending to Ann"]["job_kind"] == "work"
    assert "job_id" not in by_message["outside any job"]


async def test_a_job_done_while_the_database_went_away_is_recorded_once_it_is_back_not_run_again(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The handler's work is done (a link sent) when the database goes away: the worker keeps the job in hand
    until it can record it done, even past its lease, and a started worker pauses its claims meanwhile and
    resumes by itself."""
    proxy = DatabaseProxy(postgres_url)
    proxy.start()
    database = Database.connect(proxy.url)  # the worker's
    direct = Database.connect(postgres_url)  # the test's own, never away
    try:
        await upgrade_to_head(direct)
        clock = MovableClock()
        ran: list[dict[str, Any]] = []

        async def handler(payload: dict[str, Any]) -> None:
            ran.append(payload)
            if len(ran) == 1:
                proxy.take_down()  # between the work and its record

        async def said(words: str) -> bool:
            return any(words in record.getMessage() for record in caplog.records)

        async def ran_twice() -> bool:
            return len(ran) == 2

        async def all_done() -> bool:
            return [job.status for job in await _jobs(direct)] == ["done", "done"]

        worker = JobWorker(JobQueue(database), clock=clock, idle_poll_seconds=0.05, lease=timedelta(seconds=2))
        worker.register("work", handler)
        await _enqueue(direct, clock, {"n": 1})
        caplog.set_level(logging.WARNING, logger="bot.core.worker")
        worker.start()
        try:
            await wait_until(lambda: said("could not record job"), what="the record to fail")
            await wait_until(lambda: said("the worker pauses"), what="the worker to pause")
            clock.advance(timedelta(seconds=5))  # the job's lease is over while the database is away
            proxy.bring_back()
            await wait_until(lambda: said("the worker resumes"), what="the worker to resume")
            await _enqueue(direct, clock, {"n": 2})
            await wait_until(ran_twice, what="the next job")
            await wait_until(all_done, what="both jobs to be recorded done")
        finally:
            await worker.stop()
        assert ran == [{"n": 1}, {"n": 2}]
    finally:
        await database.dispose()
        await direct.dispose()
        proxy.stop()


async def test_redelivery_keys_are_kept_by_the_bots_clock_not_the_databases(database: Database) -> None:
    """On a clock far from the database's (the demo's jump, the long-run test's month), a key seen now is kept for
    the whole window and forgotten after it."""
    clock = MovableClock(datetime.now(UTC) + timedelta(days=40))
    inbound = Inbound(database, clock=clock)
    worker = JobWorker(JobQueue(database), clock=clock)
    worker.keep_house_with("redelivery keys forgotten", inbound.forget_old)
    await inbound.mark_handled("telegram", "update:7")
    await worker.housekeep()
    kept = await inbound.already_handled("telegram", "update:7")
    clock.advance(REDELIVERY_WINDOW + timedelta(minutes=1))
    await worker.housekeep()

    assert kept
    assert not await inbound.already_handled("telegram", "update:7")
