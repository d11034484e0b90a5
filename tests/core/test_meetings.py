"""Each class's one Zoom meeting: created once, survives Zoom outages and deletions, links of the right kind."""

from __future__ import annotations

from datetime import time, timedelta

import httpx
import pytest
from classbot_fakes.zoom.webhooks import deauthorization_event, encode, event, signed_headers

from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, parent
from tests.support.database_dump import dump_database
from tests.support.zoom_app import WEBHOOK_SECRET


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite alone, as these tests always ran: one database is enough for what they check, and quicker."""
    return sqlite_url


@pytest.fixture(params=[True, False], ids=["licensed", "basic"])
def licensed_host(request: pytest.FixtureRequest) -> bool:
    """Each test runs for a licensed host (personal links) and for a basic one (one link for the meeting)."""
    return bool(request.param)


async def test_licensed_hosts_give_personal_links_and_basic_hosts_the_meeting_link(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)
    for n in range(3):
        await world.components.bookings.book(parent(n), cls.public_id, [f"Kid {n}"], f"t{n}")
    await world.run_jobs()

    [meeting] = world.zoom.meetings.values()
    links = [world.links_to(parent(n))[0] for n in range(3)]
    assert all(httpx.get(link).status_code == 200 for link in links)  # each link lets its holder in
    licensed = world.zoom.user(world.zoom_world.zoom_user_id).type == 2
    if licensed:
        assert len(set(links)) == 3
        assert sorted(r.join_url for r in world.zoom.registrants(meeting.id)) == sorted(links)
    else:
        assert len(set(links)) == 1
        assert f"/j/{meeting.id}" in links[0]
        assert world.zoom.registrants(meeting.id) == []


async def test_the_teacher_gets_a_fresh_valid_start_link_each_time(world: CoreWorld) -> None:
    cls = await world.new_class()
    row = await world.class_row(cls.public_id)

    first = await world.components.meetings.start_link(row.id)
    second = await world.components.meetings.start_link(row.id)

    assert first != second
    assert world.zoom.start_url_valid(first)
    assert world.zoom.start_url_valid(second)
    assert len(world.zoom.meetings) == 1


async def test_a_weekly_class_is_one_recurring_meeting(world: CoreWorld) -> None:
    cls = await world.new_class(sessions=6)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()

    [meeting] = world.zoom.meetings.values()
    assert meeting.type == 8
    assert len(meeting.occurrences) == 6


async def test_zoom_down_for_30s_the_booking_stands_and_the_link_follows_within_a_minute(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class()
    world.zoom.stop()
    outcome = await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    assert len(outcome.booked) == 1

    down_since = clock()
    while clock() - down_since < timedelta(seconds=30):  # the worker keeps trying while Zoom is down
        await world.run_jobs()
        clock.advance(timedelta(seconds=1))
    assert world.links_to(parent(1)) == []
    assert [b.status for b in await world.components.bookings.for_parent(parent(1))] == ["confirmed"]

    world.zoom.start()
    recovered = clock()
    while not world.links_to(parent(1)):
        assert clock() - recovered <= timedelta(minutes=1), "the link did not follow within a minute"
        await world.run_jobs()
        clock.advance(timedelta(seconds=1))
    assert len(world.zoom.meetings) == 1


async def test_a_meeting_deleted_in_zoom_is_replaced_and_everyone_gets_the_new_link(world: CoreWorld) -> None:
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [old] = world.zoom.meetings.values()
    world.zoom.delete_meeting_out_of_band(old.id)

    body = encode(event("meeting.deleted", {"id": old.id, "host_id": old.host_id}, account_id="acc"))
    response = await world.zoom_world.web.post(
        "/zoom/webhook", content=body, headers=signed_headers(WEBHOOK_SECRET, body)
    )
    await world.run_jobs()

    assert response.status_code == 200
    [new] = world.zoom.meetings.values()
    assert new.id != old.id
    links = world.links_to(parent(1))
    assert len(links) == 2
    assert str(new.id) in links[1]
    assert any("deleted in Zoom" in text for text in world.texts_to(TEACHER))


async def test_a_meeting_deleted_silently_is_found_out_before_the_next_link(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [old] = world.zoom.meetings.values()
    world.zoom.delete_meeting_out_of_band(old.id)  # no webhook reaches us
    clock.advance(timedelta(minutes=1))  # the meeting was last seen at Zoom a minute ago, so it is checked again

    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.run_jobs()

    [new] = world.zoom.meetings.values()
    assert str(new.id) in world.links_to(parent(2))[0]
    assert str(new.id) in world.links_to(parent(1))[-1]  # the first parent got the replacement too
    assert len([text for text in world.texts_to(TEACHER) if "deleted in Zoom" in text]) == 1


async def test_a_burst_of_bookings_checks_the_meeting_at_zoom_at_most_once_a_minute(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class(seats=20)
    for number in range(1, 6):
        await world.components.bookings.book(parent(number), cls.public_id, [f"Kid {number}"], f"t{number}")
        await world.run_jobs()
    checks_in_the_first_minute = world.zoom.count("GET", r"/meetings/\d+$")
    clock.advance(timedelta(minutes=1))
    await world.components.bookings.book(parent(6), cls.public_id, ["Kid 6"], "t6")
    await world.run_jobs()

    assert all(world.links_to(parent(number)) for number in range(1, 7))
    assert checks_in_the_first_minute == 0  # the meeting was made in this minute: Zoom just confirmed it
    assert world.zoom.count("GET", r"/meetings/\d+$") == 1


async def test_reschedule_moves_the_zoom_meeting_and_tells_the_parents(world: CoreWorld, clock: MovableClock) -> None:
    cls = await world.new_class(days_ahead=3)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    new_day = (clock() + timedelta(days=5)).date()

    await world.components.classes.reschedule(TEACHER, cls.public_id, new_day, time(17, 30))
    await world.run_jobs()

    [meeting] = world.zoom.meetings.values()
    assert world.zoom.count("PATCH", r"/meetings/\d+$") == 1
    assert meeting.start_time is not None
    assert meeting.start_time.date() == new_day
    assert any("moved" in text for text in world.texts_to(parent(1)))


async def test_cancelling_deletes_the_meeting_and_tells_the_parents(world: CoreWorld) -> None:
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()

    await world.components.classes.cancel(TEACHER, cls.public_id)
    await world.run_jobs()

    assert world.zoom.meetings == {}
    assert any("was cancelled" in text for text in world.texts_to(parent(1)))
    assert await world.components.bookings.for_parent(parent(1)) == []


async def test_no_link_is_stored_in_clear(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    row = await world.class_row(cls.public_id)
    start = await world.components.meetings.start_link(row.id)

    stored = await dump_database(world.components)

    [join] = world.links_to(parent(1))
    assert join not in stored
    assert start not in stored
    assert "/j/" not in stored
    assert "/w/" not in stored


async def test_after_deauthorization_links_wait_and_follow_the_reconnect(world: CoreWorld) -> None:
    cls = await world.new_class()
    zoom_user = world.zoom.user(world.zoom_world.zoom_user_id)
    body = encode(deauthorization_event(zoom_user, world.zoom.client_id))
    await world.zoom_world.web.post("/zoom/webhook", content=body, headers=signed_headers(WEBHOOK_SECRET, body))
    await world.run_jobs()
    assert any("removed from your Zoom account" in text for text in world.texts_to(TEACHER))

    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    assert world.links_to(parent(1)) == []  # the booking stands; its link waits for the teacher

    await world.zoom_world.connect_teacher(TEACHER)
    await world.run_jobs()
    assert len(world.links_to(parent(1))) == 1
