"""Zoom's meeting events, delivered to the real webhook: classes follow Zoom, parents hear, the roster fills."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from classbot_fakes.zoom.webhooks import encode, signed_headers

from tests.support.core_world import TEACHER, CoreWorld, parent
from tests.support.zoom_app import WEBHOOK_SECRET


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """SQLite alone, as these tests always ran: one database is enough for what they check, and quicker."""
    return sqlite_url


@pytest.fixture
def licensed_host() -> bool:
    """This file is about licensed hosts: each booked child a registrant with a personal link."""
    return True


async def _deliver(world: CoreWorld, payload: dict[str, Any]) -> None:
    body = encode(payload)
    response = await world.zoom_world.web.post(
        "/zoom/webhook", content=body, headers=signed_headers(WEBHOOK_SECRET, body)
    )
    assert response.status_code == 200
    await world.run_jobs()


async def _booked(world: CoreWorld) -> tuple[str, int]:
    cls = await world.new_class(days_ahead=3)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    return cls.public_id, meeting_id


async def test_a_time_changed_in_zoom_moves_the_class_and_tells_the_parents(world: CoreWorld) -> None:
    public_id, meeting_id = await _booked(world)
    before = (await world.components.classes.view(TEACHER, public_id)).next_start
    assert before is not None
    later = (before + timedelta(hours=2)).astimezone(UTC).replace(microsecond=0)
    event = world.zoom.update_meeting_out_of_band(meeting_id, start_time=later)

    await _deliver(world, event)

    after = (await world.components.classes.view(TEACHER, public_id)).next_start
    assert after == later
    assert any("moved" in text for text in world.texts_to(parent(1)))


async def test_our_own_change_coming_back_from_zoom_changes_nothing(world: CoreWorld) -> None:
    public_id, meeting_id = await _booked(world)
    before = (await world.components.classes.view(TEACHER, public_id)).next_start
    assert before is not None
    same = before.astimezone(UTC)
    world.notifier.sent.clear()

    await _deliver(world, world.zoom.update_meeting_out_of_band(meeting_id, start_time=same))

    assert world.texts_to(parent(1)) == []


async def test_a_started_meeting_sends_parents_their_link_once(world: CoreWorld) -> None:
    _, meeting_id = await _booked(world)
    started = world.zoom.start_meeting(meeting_id)

    await _deliver(world, started)
    await _deliver(world, {**started, "event_ts": started["event_ts"] + 1})  # a second delivery of the news

    live = [m for r, m in world.notifier.sent if r.user_id == parent(1).user_id and "starting now" in m.text]
    assert len(live) == 1
    assert live[0].buttons[0].url == world.links_to(parent(1))[0]


async def test_a_joining_child_is_marked_present_on_the_roster(world: CoreWorld) -> None:
    public_id, meeting_id = await _booked(world)
    [registrant] = world.zoom.registrants(meeting_id)

    joined = world.zoom.participant_joined(meeting_id, name="Ada", registrant_id=registrant.id)
    await _deliver(world, joined)
    await _deliver(world, {**joined, "event_ts": joined["event_ts"] + 5})

    roster = await world.components.classes.roster(TEACHER, public_id)
    assert [(line.child_name, line.sessions_attended) for line in roster.lines] == [("Ada", 1)]


async def test_events_for_unknown_meetings_are_ignored(world: CoreWorld) -> None:
    await _booked(world)
    other = {"event": "meeting.deleted", "event_ts": 1, "payload": {"account_id": "a", "object": {"id": 42}}}
    await _deliver(world, other)
    assert len(world.zoom.meetings) == 1
