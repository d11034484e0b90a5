"""Reminders: each booked parent and the teacher get each reminder once, across restarts and several workers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

from classbot_fakes.zoom import FakeZoom

from bot.app import build_components
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.notifier import RecordingNotifier
from tests.support.zoom_app import FAST_RETRY


def _reminders(notifier: RecordingNotifier) -> Counter[str]:
    return Counter(recipient.user_id for recipient, message in notifier.sent if "starts" in message.text)


async def _booked_class(world: CoreWorld) -> str:
    cls = await world.new_class(days_ahead=3, seats=5)
    outcomes = [await world.components.bookings.book(parent(n), cls.public_id, [f"Kid {n}"], f"t{n}") for n in range(3)]
    await world.components.bookings.cancel(parent(2), outcomes[2].booked[0].public_id)
    await world.run_jobs()
    world.notifier.sent.clear()
    return cls.public_id


async def test_each_reminder_reaches_each_booked_parent_once_and_none_the_cancelled(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(database_url, fake_zoom, tmp_path, clock=clock) as world:
        await _booked_class(world)

        clock.advance(timedelta(days=2, minutes=1))  # 24 h before
        await world.run_jobs()
        await world.run_jobs()
        after_first = _reminders(world.notifier)
        clock.advance(timedelta(hours=23, minutes=46))  # 15 min before
        await world.run_jobs()

    assert after_first == {parent(0).user_id: 1, parent(1).user_id: 1, TEACHER.user_id: 1}
    assert _reminders(world.notifier) == {parent(0).user_id: 2, parent(1).user_id: 2, TEACHER.user_id: 2}
    teacher_links = [b.url for r, m in world.notifier.sent if r.user_id == TEACHER.user_id for b in m.buttons]
    assert len(set(teacher_links)) == 2  # a fresh start link each time
    assert all(fake_zoom.start_url_valid(url) for url in teacher_links if url)


async def test_a_restart_does_not_send_a_reminder_again(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        await _booked_class(world)
        clock.advance(timedelta(days=2, minutes=1))
        await world.run_jobs()
        settings = world.components.settings
    first_run = _reminders(world.notifier)

    restarted = RecordingNotifier()
    async with build_components(
        settings, notifiers={"telegram": restarted}, clock=clock, zoom_retry=FAST_RETRY, start_worker=False
    ) as components:
        assert await components.worker.run_due_jobs() == 0

    assert sum(first_run.values()) == 3
    assert _reminders(restarted) == Counter()


async def test_two_workers_on_one_database_send_each_reminder_once(
    postgres_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(postgres_url, fake_zoom, tmp_path, clock=clock) as world:
        await _booked_class(world)
        other = RecordingNotifier()
        async with build_components(
            world.components.settings,
            notifiers={"telegram": other},
            clock=clock,
            zoom_retry=FAST_RETRY,
            start_worker=False,
        ) as second:
            clock.advance(timedelta(days=2, minutes=1))
            for _ in range(10):
                await asyncio.gather(world.components.worker.run_due_jobs(), second.worker.run_due_jobs())

    combined = _reminders(world.notifier) + _reminders(other)
    assert combined == {parent(0).user_id: 1, parent(1).user_id: 1, TEACHER.user_id: 1}


async def test_a_moved_session_is_reminded_at_its_new_time_only(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        public_id = await _booked_class(world)
        new_start = clock() + timedelta(days=5)
        await world.components.classes.reschedule(TEACHER, public_id, new_start.date(), new_start.time())
        await world.run_jobs()
        world.notifier.sent.clear()

        clock.advance(timedelta(days=2, minutes=1))  # the old 24 h mark: nothing
        await world.run_jobs()
        at_old_time = _reminders(world.notifier)
        clock.advance(timedelta(days=2))  # the new 24 h mark
        await world.run_jobs()

    assert at_old_time == Counter()
    assert _reminders(world.notifier)[parent(0).user_id] == 1
