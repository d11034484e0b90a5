"""Teachers' classes: only the teacher manages a class, and the lists show what parents and teachers need."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.storage.identity import PersonRef
from tests.support.core_world import TEACHER, CoreWorld, parent

OTHER_TEACHER = PersonRef("telegram", "1002", display_name="Bob")


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite alone, as these tests always ran: one database is enough for what they check, and quicker."""
    return sqlite_url


async def test_only_the_teacher_manages_a_class(world: CoreWorld) -> None:
    cls = await world.new_class()
    day = (world.clock() + timedelta(days=4)).date()
    for intruder in (OTHER_TEACHER, parent(1)):
        with pytest.raises(NotAllowed):
            await world.components.classes.cancel(intruder, cls.public_id)
        with pytest.raises(NotAllowed):
            await world.components.classes.reschedule(intruder, cls.public_id, day, time(10, 0))
        with pytest.raises(NotAllowed):
            await world.components.classes.roster(intruder, cls.public_id)
        with pytest.raises(NotAllowed):
            await world.components.classes.message_parents(intruder, cls.public_id, "hello")
    assert (await world.components.classes.view(TEACHER, cls.public_id)).status == "scheduled"


async def test_a_teacher_sees_their_classes_with_seats_left(world: CoreWorld) -> None:
    first = await world.new_class(days_ahead=2, seats=3)
    await world.new_class(days_ahead=1, seats=5)
    await world.components.bookings.book(parent(1), first.public_id, ["Ada"], "t1")

    mine = await world.components.classes.for_teacher(TEACHER)

    assert [(view.seats, view.seats_left) for view in mine] == [(5, 5), (3, 2)]  # soonest first
    assert await world.components.classes.for_teacher(OTHER_TEACHER) == []


async def test_lists_order_classes_by_their_next_session_once_each(world: CoreWorld) -> None:
    weekly = await world.new_class(days_ahead=1, sessions=3)  # then days 8 and 15
    soon = await world.new_class(days_ahead=5)
    later = await world.new_class(days_ahead=10)
    gone = await world.new_class(days_ahead=2)
    await world.components.classes.cancel(TEACHER, gone.public_id)
    await world.new_class(days_ahead=3)  # its only session will have passed

    world.clock.advance(timedelta(days=4))  # the weekly class's first session is over, the one-off on day 3 too
    listed = await world.components.classes.for_teacher(TEACHER)

    assert [view.public_id for view in listed] == [soon.public_id, weekly.public_id, later.public_id]
    weekly_view = next(view for view in listed if view.public_id == weekly.public_id)
    assert weekly_view.next_start == (await world.components.classes.view(TEACHER, weekly.public_id)).next_start
    assert weekly_view.next_start is not None
    assert weekly_view.next_start > world.clock() + timedelta(days=3)


async def test_the_teachers_message_reaches_every_booked_parent(world: CoreWorld) -> None:
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")

    told = await world.components.classes.message_parents(TEACHER, cls.public_id, "Bring a chessboard!")
    await world.run_jobs()

    assert told == 2
    for n in (1, 2):
        assert any("Bring a chessboard!" in text for text in world.texts_to(parent(n)))


async def test_a_cancelled_class_cannot_be_booked_or_cancelled_again(world: CoreWorld) -> None:
    cls = await world.new_class()
    await world.components.classes.cancel(TEACHER, cls.public_id)
    with pytest.raises(Conflict, match="cancelled"):
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    with pytest.raises(Conflict):
        await world.components.classes.cancel(TEACHER, cls.public_id)


async def test_an_unknown_class_is_not_found(world: CoreWorld) -> None:
    with pytest.raises(NotFound):
        await world.components.bookings.book(parent(1), "nosuchclass1", ["Ada"], "t1")


async def slack_profile() -> tuple[str | None, str | None]:
    return "en-US", "America/Los_Angeles"


async def test_the_teachers_timezone_defaults_to_their_zoom_profile(world: CoreWorld) -> None:
    assert await world.components.classes.default_timezone(TEACHER) == "Europe/Madrid"
    await world.components.languages.reader(TEACHER, slack_profile)  # Slack's profile's zone: not a choice
    assert await world.components.classes.default_timezone(TEACHER) == "Europe/Madrid"
    await world.components.classes.set_timezone(TEACHER, "Asia/Tokyo")
    assert await world.components.classes.default_timezone(TEACHER) == "Asia/Tokyo"


async def test_more_weekly_sessions_than_zoom_repeats_are_refused_for_zoom_classes(world: CoreWorld) -> None:
    with pytest.raises(InvalidInput, match="at most 50"):
        await world.new_class(sessions=52)
    without_zoom = await world.new_class(sessions=52, zoom_enabled=False)
    assert without_zoom.sessions == 52
