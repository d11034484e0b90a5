"""A registrant add whose answer Zoom lost, again and again: the parent still gets a personal link that day.

Zoom adds one registrant address at most 3 times a UTC day, and an add it performed but whose answer was lost (a
502 after the effect) counts. After three such answers the fourth add meets the cap; ClassBot then finds the
registrant Zoom already holds instead of waiting for 00:00 UTC. A teacher whose token predates the lookup's scope
keeps the old behaviour: the booking stands and the link waits for the new day; the connection stays working.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom

from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent

# Mid-morning UTC: a same-day link and one that waits for 00:00 UTC are hours apart.
MORNING = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
LOST_ANSWERS = 3  # Zoom's registrant daily cap: every add it performed counts


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MORNING)


@pytest.fixture
def zoom(clock: MovableClock) -> Iterator[FakeZoom]:
    """Zoom on ClassBot's clock, so that its UTC day (and the cap's) is the one the test moves through."""
    with FakeZoom(now=clock) as fake:
        yield fake


@pytest.fixture
async def world(sqlite_url: str, zoom: FakeZoom, tmp_path: Path, clock: MovableClock) -> AsyncIterator[CoreWorld]:
    async with core_world(sqlite_url, zoom, tmp_path, clock=clock, licensed=True) as built:
        yield built


async def _book_with_lost_answers(world: CoreWorld) -> int:
    """A booking whose first ``LOST_ANSWERS`` registrant adds are made by Zoom but answered 502; the meeting id."""
    cls = await world.new_class()
    await world.components.meetings.ensure((await world.class_row(cls.public_id)).id)
    [meeting] = world.zoom.meetings.values()
    world.zoom.fail_next(502, times=LOST_ANSWERS, method="POST", path=r"/registrants$", after=True)
    outcome = await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    assert len(outcome.booked) == 1
    return meeting.id


async def _run_until_linked(world: CoreWorld, clock: MovableClock, until: datetime) -> list[str]:
    """Run the worker, a minute at a time, until the parent has a link or the clock reaches ``until``."""
    while not world.links_to(parent(1)) and clock() < until:
        await world.run_jobs()
        clock.advance(timedelta(minutes=1))
    return world.links_to(parent(1))


async def test_three_lost_adds_still_give_the_parent_their_personal_link_the_same_day(
    world: CoreWorld, clock: MovableClock
) -> None:
    meeting_id = await _book_with_lost_answers(world)

    links = await _run_until_linked(world, clock, MORNING + timedelta(minutes=5))

    [registrant] = world.zoom.registrants(meeting_id)
    assert links == [registrant.join_url]  # the personal link, not the meeting's own
    assert clock() - MORNING <= timedelta(minutes=5)
    assert httpx.get(links[0]).status_code == 200
    adds = [c for c in world.zoom.calls if c.method == "POST" and c.path.endswith("/registrants")]
    assert [c.status for c in adds] == [502, 502, 502, 429]  # the fourth met the cap; no fifth
    assert [c.effect_status for c in adds[:LOST_ANSWERS]] == [201] * LOST_ANSWERS


async def test_a_token_without_the_list_scope_keeps_the_booking_and_waits_for_the_new_day(
    world: CoreWorld, clock: MovableClock
) -> None:
    teacher = world.zoom.user(world.zoom_world.zoom_user_id)
    world.zoom.set_scopes(teacher, [s for s in teacher.scopes if s != "meeting:read:list_registrants"])
    meeting_id = await _book_with_lost_answers(world)

    before_midnight = await _run_until_linked(world, clock, MORNING + timedelta(hours=14))  # 23:00 UTC

    assert before_midnight == []
    assert [b.status for b in await world.components.bookings.for_parent(parent(1))] == ["confirmed"]
    [connection] = await world.zoom_world.connections()
    assert connection.status == "active"  # the lookup's missing scope does not break the connection
    told = world.texts_to(TEACHER)  # that Zoom is connected, and of the booking: nothing about the wait
    assert [text.split(":")[0].split(" ann@")[0] for text in told] == ["Your Zoom account", "New booking"]

    after_midnight = await _run_until_linked(world, clock, MORNING + timedelta(hours=17))  # 02:00 UTC

    [registrant] = world.zoom.registrants(meeting_id)
    assert after_midnight == [registrant.join_url]
    assert clock().date() == MORNING.date() + timedelta(days=1)
