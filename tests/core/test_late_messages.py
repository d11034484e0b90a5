"""Messages drained after a platform outage are still true when they arrive: the rule is applied when a job runs.

The chat platform is away (every send fails) while a reminder or a link is due; the worker retries; the clock
moves on; the platform answers again. A reminder whose session has started says so, with the link; one whose
session is over, or a link to a class that is over, is not sent; a weekly series with sessions left still gets
its link.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from classbot_fakes.zoom import FakeZoom

from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.notifier import RecordingNotifier

STARTED = "has started"


def _platform_with_outage(world: CoreWorld) -> RecordingNotifier:
    notifier: RecordingNotifier = world.notifier
    return notifier


async def _class_with_parent(world: CoreWorld, *, sessions: int = 1, **extra: object) -> str:
    cls = await world.new_class(days_ahead=3, sessions=sessions, **extra)
    await world.components.bookings.book(parent(0), cls.public_id, ["Mia"], "t0")
    await world.run_jobs()
    world.notifier.sent.clear()
    return cls.public_id


def _start_links(world: CoreWorld) -> list[str]:
    return [text for text in world.texts_to(TEACHER) if "as the host" in text]


async def _states(world: CoreWorld) -> set[str]:
    return {status for _, status in await world.job_states()}


async def test_a_reminder_on_time_says_when_the_class_starts(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        await _class_with_parent(world)
        clock.advance(timedelta(days=2, minutes=1))
        await world.run_jobs()
        clock.advance(timedelta(hours=23, minutes=45))
        await world.run_jobs()

    texts = world.texts_to(parent(0))
    assert len(texts) == 2
    assert all(text.startswith("Reminder: “Chess for kids” for Mia starts") for text in texts)
    assert len(world.links_to(parent(0))) == 2
    assert [STARTED in text for text in _start_links(world)] == [False, False]


async def test_a_reminder_sent_once_the_class_started_says_so_with_the_link(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        await _class_with_parent(world)
        outage = _platform_with_outage(world)
        clock.advance(timedelta(days=2, minutes=1))  # the 24 h reminder goes out
        await world.run_jobs()
        outage.down = True
        clock.advance(timedelta(hours=23, minutes=46))  # 15 minutes before: the platform is away
        await world.run_jobs()
        reminded_before = len(world.texts_to(parent(0)))
        clock.advance(timedelta(minutes=20))  # it answers again 5 minutes into the 45-minute class
        outage.down = False
        await world.run_jobs()

    assert reminded_before == 1  # the 24 h one only
    parent_texts = world.texts_to(parent(0))
    assert parent_texts[1:] == ["“Chess for kids” for Mia has started: join now with this link."]
    assert len(world.links_to(parent(0))) == 2
    assert [STARTED in text for text in _start_links(world)] == [False, True]
    assert len(world.links_to(TEACHER)) == 2


async def test_every_reminder_due_during_a_long_outage_becomes_one_started_message(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    """The 24 h reminder is superseded by the 15-minute one once that one is due: one message, not two."""
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        await _class_with_parent(world)
        outage = _platform_with_outage(world)
        outage.down = True
        clock.advance(timedelta(days=2, minutes=1))
        await world.run_jobs()
        clock.advance(timedelta(hours=23, minutes=46))
        await world.run_jobs()
        clock.advance(timedelta(minutes=20))
        outage.down = False
        await world.run_jobs()

    assert world.texts_to(parent(0)) == ["“Chess for kids” for Mia has started: join now with this link."]
    assert [STARTED in text for text in _start_links(world)] == [True]


async def test_a_reminder_of_a_session_that_is_over_is_not_sent(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        await _class_with_parent(world)
        outage = _platform_with_outage(world)
        outage.down = True
        clock.advance(timedelta(days=3) - timedelta(minutes=14))
        await world.run_jobs()
        clock.advance(timedelta(hours=1))  # the 45-minute class ended before the platform answered
        outage.down = False
        await world.run_jobs()
        states = await _states(world)

    assert world.texts_to(parent(0)) == []
    assert _start_links(world) == []
    assert states == {"done"}  # finished quietly, not given up on


async def test_a_class_without_zoom_gets_the_started_form_without_a_link(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        await _class_with_parent(world, zoom_enabled=False)
        outage = _platform_with_outage(world)
        outage.down = True
        clock.advance(timedelta(days=3) - timedelta(minutes=14))
        await world.run_jobs()
        clock.advance(timedelta(minutes=20))
        outage.down = False
        await world.run_jobs()

    assert world.texts_to(parent(0)) == ["“Chess for kids” for Mia has started."]


async def test_a_link_drained_after_the_class_ended_is_not_sent(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        cls = await world.new_class(days_ahead=3)
        outage = _platform_with_outage(world)
        outage.down = True
        await world.components.bookings.book(parent(0), cls.public_id, ["Mia"], "t0")
        clock.advance(timedelta(seconds=30))
        await world.run_jobs()
        clock.advance(timedelta(days=3, hours=1))  # the link waited out the whole class
        outage.down = False
        await world.run_jobs()
        states = await _states(world)

    assert world.links_to(parent(0)) == []
    assert states == {"done"}


async def test_a_link_drained_while_a_weekly_series_has_sessions_left_is_sent(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path
) -> None:
    clock = MovableClock()
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock) as world:
        cls = await world.new_class(days_ahead=3, sessions=3)
        outage = _platform_with_outage(world)
        outage.down = True
        await world.components.bookings.book(parent(0), cls.public_id, ["Mia"], "t0")
        clock.advance(timedelta(seconds=30))
        await world.run_jobs()
        clock.advance(timedelta(days=3, hours=1))  # the first session is over, two are left
        outage.down = False
        await world.run_jobs()

    assert len(world.links_to(parent(0))) == 1
    [booked] = [text for text in world.texts_to(parent(0)) if "Here is your Zoom link" in text]
    assert "You're booked" in booked
