"""A chat platform away for a long while: messages wait it out, then go out once each, at once.

The test front end fails every send with ``PlatformUnavailable`` while it is ``down`` (as Telegram's and Slack's
notifiers say an outage); the clock moves as the worker's retries come due. A link due at the start of a long
outage is tried far more often than the worker's limit for unknown failures, is never given up on, and arrives
once when the platform answers; a job that has failed for longer than a day is given up on, and its kind's
``given_up`` hook hears of it; the first send that gets through makes every other waiting message due at once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from classbot_fakes.zoom import FakeZoom
from sqlalchemy import select

from bot.core.outages import OUTAGE_BACKOFF_CAP, OUTAGE_PATIENCE, PlatformUnavailable, retry_delay
from bot.core.worker import JobWorker
from bot.storage.database import Database
from bot.storage.jobs import JobQueue, enqueue
from bot.storage.models import Job
from tests.support.clock import MovableClock
from tests.support.core_world import CoreWorld, core_world, parent

OLD_LIMIT = 12  # the worker's attempts for a failure its policy does not know


async def _jobs(database: Database, kind: str | None = None) -> list[Job]:
    async with database.read() as session:
        query = select(Job).order_by(Job.id)
        if kind is not None:
            query = query.where(Job.kind == kind)
        return list((await session.execute(query)).scalars())


async def _wait_out(world: CoreWorld, clock: MovableClock, minutes: int) -> None:
    """Run the worker as the clock moves through ``minutes``, a retry's longest wait at a time."""
    for _ in range(minutes):
        await world.run_jobs()
        clock.advance(timedelta(seconds=OUTAGE_BACKOFF_CAP))
    await world.run_jobs()


async def _book(world: CoreWorld, n: int, public_id: str) -> None:
    await world.components.bookings.book(parent(n), public_id, [f"Kid{n}"], f"t{n}")


async def test_a_link_due_as_the_platform_goes_away_waits_out_a_long_outage_and_arrives_once(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        cls = await world.new_class(days_ahead=3)
        world.notifier.down = True
        await _book(world, 0, cls.public_id)
        await _wait_out(world, clock, minutes=35)
        [during] = await _jobs(world.components.database, "link.send")
        world.notifier.down = False
        clock.advance(timedelta(seconds=OUTAGE_BACKOFF_CAP))
        await world.run_jobs()
        clock.advance(timedelta(hours=1))
        await world.run_jobs()
        states = {status for _, status in await world.job_states()}

    assert during.status == "pending"
    assert during.attempts >= 30 > OLD_LIMIT
    assert during.last_error is not None
    assert during.last_error.startswith("PlatformUnavailable: telegram: ")
    assert len(world.links_to(parent(0))) == 1
    assert "dead" not in states


async def test_the_first_send_that_gets_through_makes_every_waiting_message_due_at_once(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        cls = await world.new_class(days_ahead=3, seats=10)
        world.notifier.down = True
        for n in range(3):
            await _book(world, n, cls.public_id)
        await _wait_out(world, clock, minutes=10)  # each link's next try is now up to a minute away
        world.notifier.down = False
        await world.run_jobs()  # the platform answers, but nothing is due yet: nothing goes out
        before_any_send = [len(world.links_to(parent(n))) for n in range(3)]
        await _book(world, 3, cls.public_id)  # a new booking's link is due now and gets through
        await world.run_jobs()  # the clock has not moved

    assert before_any_send == [0, 0, 0]
    assert [len(world.links_to(parent(n))) for n in range(4)] == [1, 1, 1, 1]


# The policy with the worker alone: how long a job that fails on an outage is tried, and what ends it.


async def test_a_job_failing_on_an_outage_for_longer_than_a_day_is_buried_and_its_kind_hears_of_it(
    database: Database,
) -> None:
    clock = MovableClock()
    given_up: list[tuple[dict[str, Any], Exception]] = []

    async def away(_payload: dict[str, Any]) -> None:
        raise PlatformUnavailable("slack", "service_unavailable")

    async def told(payload: dict[str, Any], failure: Exception) -> None:
        given_up.append((payload, failure))

    worker = JobWorker(JobQueue(database), clock=clock, retry_delay=retry_delay)
    worker.register("work", away, given_up=told)
    async with database.write() as session:
        await enqueue(session, "work", {"n": 1}, run_at=clock())
    for _ in range(OLD_LIMIT + 3):
        await worker.run_due_jobs()
        clock.advance(timedelta(seconds=OUTAGE_BACKOFF_CAP))
    [waiting] = await _jobs(database)
    clock.advance(OUTAGE_PATIENCE)
    await worker.run_due_jobs()
    [buried] = await _jobs(database)

    assert (waiting.status, waiting.attempts) == ("pending", OLD_LIMIT + 3)
    assert buried.status == "dead"
    assert [(payload, type(failure)) for payload, failure in given_up] == [({"n": 1}, PlatformUnavailable)]


def test_an_outage_is_retried_at_least_once_a_minute_until_it_has_lasted_a_day() -> None:
    outage = PlatformUnavailable("telegram", "NetworkError: Bad Gateway")
    waits = [retry_delay(outage, attempts, timedelta(minutes=attempts)) for attempts in range(1, 200)]

    assert waits[:3] == [1.0, 2.0, 4.0]
    assert max(w for w in waits if w is not None) == OUTAGE_BACKOFF_CAP
    assert retry_delay(outage, 5000, OUTAGE_PATIENCE) == float("inf")
    assert retry_delay(ConnectionError("not ours"), 1, timedelta(0)) is None
