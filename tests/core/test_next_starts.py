"""Each class's next session start, kept on its row for the lists (``classes.next_starts_at``), follows its sessions
on SQLite and PostgreSQL: when the class is made, moved by its teacher or in Zoom, cancelled, and as the clock
passes its sessions; and the lists show every class at its true next session, before the housekeeping has moved
a passed start on and after."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from classbot_fakes.zoom.webhooks import encode, signed_headers
from sqlalchemy import select

from bot.core.communities import CommunityRef
from bot.core.views import ClassView
from bot.storage.identity import PersonRef
from bot.storage.models import Class
from tests.support.core_world import TEACHER, CoreWorld, parent
from tests.support.zoom_app import WEBHOOK_SECRET


@pytest.fixture
def licensed_host() -> bool:
    """This file is about licensed hosts: each booked child a registrant with a personal link."""
    return True


async def _kept(world: CoreWorld, public_id: str) -> datetime | None:
    """The start kept on the class's row."""
    async with world.components.database.read() as session:
        query = select(Class.next_starts_at).where(Class.public_id == public_id)
        return (await session.execute(query)).scalar_one()


async def _next_session(world: CoreWorld, public_id: str) -> datetime | None:
    """The class's next session as its card finds it, from its sessions."""
    return (await world.components.classes.view(TEACHER, public_id)).next_start


async def _listed(world: CoreWorld) -> list[tuple[str, datetime | None]]:
    """The teacher's list and a booked parent's, which must agree: (class, next start), soonest first."""
    taught = [(view.public_id, view.next_start) for view in await world.components.classes.for_teacher(TEACHER)]
    booked = [(view.public_id, view.next_start) for view in await world.components.classes.visible_to(parent(1))]
    assert booked == taught
    return taught


async def test_a_new_class_keeps_its_first_session(world: CoreWorld) -> None:
    weekly = await world.new_class(days_ahead=2, sessions=3)

    assert await _kept(world, weekly.public_id) == weekly.next_start == await _next_session(world, weekly.public_id)


async def test_a_rescheduled_class_keeps_its_new_first_session(world: CoreWorld) -> None:
    weekly = await world.new_class(days_ahead=6, sessions=3)
    await world.components.bookings.book(parent(1), weekly.public_id, ["Ada"], "t1")
    sooner = (world.clock() + timedelta(days=2)).date()

    moved = await world.components.classes.reschedule(TEACHER, weekly.public_id, sooner, time(9, 30))

    assert moved.next_start is not None
    assert moved.next_start < weekly.next_start
    assert await _kept(world, weekly.public_id) == moved.next_start
    assert await _listed(world) == [(weekly.public_id, moved.next_start)]


async def test_a_cancelled_class_keeps_no_start_and_leaves_the_lists(world: CoreWorld) -> None:
    kept = await world.new_class(days_ahead=3)
    gone = await world.new_class(days_ahead=1, sessions=4)
    for cls in (kept, gone):
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], f"t-{cls.public_id}")

    await world.components.classes.cancel(TEACHER, gone.public_id)

    assert await _kept(world, gone.public_id) is None
    assert await _listed(world) == [(kept.public_id, kept.next_start)]


async def test_a_time_changed_in_zoom_moves_the_kept_start(world: CoreWorld) -> None:
    cls = await world.new_class(days_ahead=3, sessions=2)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    later = (cls.next_start + timedelta(hours=2)).astimezone(UTC).replace(microsecond=0)
    body = encode(world.zoom.update_meeting_out_of_band(meeting_id, start_time=later))

    answer = await world.zoom_world.web.post(
        "/zoom/webhook", content=body, headers=signed_headers(WEBHOOK_SECRET, body)
    )
    assert answer.status_code == 200
    await world.run_jobs()

    assert await _kept(world, cls.public_id) == later == await _next_session(world, cls.public_id)
    assert await _listed(world) == [(cls.public_id, later)]


async def test_passed_sessions_give_way_to_the_next_before_and_after_the_housekeeping(world: CoreWorld) -> None:
    weekly = await world.new_class(days_ahead=1, sessions=3)  # then days 8 and 15
    soon = await world.new_class(days_ahead=5)
    over = await world.new_class(days_ahead=3)  # its only session will have passed
    for cls in (weekly, soon, over):
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], f"t-{cls.public_id}")
    world.clock.advance(timedelta(days=4))
    week_later = await _next_session(world, weekly.public_id)
    assert week_later is not None
    assert week_later > world.clock() + timedelta(days=3)
    expected = [(soon.public_id, soon.next_start), (weekly.public_id, week_later)]

    assert await _listed(world) == expected  # the passed starts are still kept: the lists look past them
    assert await _kept(world, weekly.public_id) == weekly.next_start

    assert await world.components.classes.move_on_passed_starts(world.clock()) == 2  # the weekly and the over

    assert await _kept(world, weekly.public_id) == week_later
    assert await _kept(world, over.public_id) is None
    assert await _kept(world, soon.public_id) == soon.next_start
    assert await _listed(world) == expected
    assert await world.components.classes.move_on_passed_starts(world.clock()) == 0


async def test_the_housekeeping_moves_passed_starts_on(world: CoreWorld) -> None:
    weekly = await world.new_class(days_ahead=1, sessions=2)
    world.clock.advance(timedelta(days=2))

    await world.components.worker.housekeep()

    assert await _kept(world, weekly.public_id) == await _next_session(world, weekly.public_id)


async def test_a_groups_list_and_a_childs_age_see_past_a_passed_start_too(world: CoreWorld) -> None:
    group = CommunityRef("telegram", "-100123", title="Chess parents")
    admin = PersonRef("telegram", "9001", display_name="Admin")
    await world.components.communities.set_up(admin, group, admin_verified=True)
    weekly = await world.new_class(days_ahead=1, sessions=3, in_community=True, age_min=6, age_max=9)
    teens = await world.new_class(days_ahead=5, in_community=True, age_min=12, age_max=15)
    for cls in (weekly, teens):
        await world.components.communities.publish(TEACHER, cls.public_id, group)
    world.directory.join(group, parent(1))
    world.clock.advance(timedelta(days=2))  # the weekly class's first session has passed; not moved on yet
    week_later = await _next_session(world, weekly.public_id)
    upcoming = world.components.communities.upcoming

    def listed(views: list[ClassView]) -> list[tuple[str, datetime | None]]:
        return [(view.public_id, view.next_start) for view in views]

    assert listed(await upcoming(parent(1), group)) == [
        (teens.public_id, teens.next_start),
        (weekly.public_id, week_later),
    ]
    assert listed(await upcoming(parent(1), group, age=7)) == [(weekly.public_id, week_later)]
    assert listed(await world.components.classes.visible_to(parent(1), age=13)) == [(teens.public_id, teens.next_start)]
