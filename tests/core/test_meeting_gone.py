"""A meeting deleted in Zoom with no webhook to say so: how soon parents hold a working link again."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom
from classbot_fakes.zoom.webhooks import encode, event, signed_headers

from bot.core.meetings import TRUST_CHECKED
from bot.core.zoom_answers import UNKNOWN_ATTEMPTS
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.zoom_app import WEBHOOK_SECRET

DOCS = Path(__file__).resolve().parents[2] / "docs" / "zoom-app.md"


@pytest.fixture
async def licensed(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> AsyncIterator[CoreWorld]:
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock, licensed=True) as built:
        yield built


@pytest.fixture
async def basic(sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock) -> AsyncIterator[CoreWorld]:
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock, licensed=False) as built:
        yield built


@pytest.fixture(params=[True, False], ids=["licensed", "basic"])
async def either(
    request: pytest.FixtureRequest, sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> AsyncIterator[CoreWorld]:
    async with core_world(sqlite_url, fake_zoom, tmp_path, clock=clock, licensed=request.param) as built:
        yield built


async def _booked_then_deleted_in_zoom(world: CoreWorld, clock: MovableClock) -> tuple[str, int]:
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [old] = world.zoom.meetings
    world.zoom.delete_meeting_out_of_band(old)  # in the Zoom app; the webhook never reaches ClassBot
    clock.stop()
    return cls.public_id, old


def _works(link: str) -> bool:
    return httpx.get(link).status_code == 200


def _deleted_notices(world: CoreWorld) -> list[str]:
    return [text for text in world.texts_to(TEACHER) if "deleted in Zoom" in text]


async def test_a_licensed_hosts_booking_finds_the_meeting_gone_and_its_link_follows_at_once(
    licensed: CoreWorld, clock: MovableClock
) -> None:
    world = licensed
    public_id, old = await _booked_then_deleted_in_zoom(world, clock)
    booked_at, wall = clock(), time.monotonic()

    await world.components.bookings.book(parent(2), public_id, ["Bo"], "t2")
    await world.run_jobs()

    [link] = world.links_to(parent(2))  # one message, with a link that works
    assert _works(link)
    assert clock() - booked_at == timedelta(0)  # no retry waited: Zoom's 300 "not found" replaced the meeting
    assert time.monotonic() - wall < 5
    [new] = world.zoom.meetings  # one new meeting
    assert new != old
    assert str(new) in link
    assert str(new) in world.links_to(parent(1))[-1]
    assert _works(world.links_to(parent(1))[-1])
    assert len(_deleted_notices(world)) == 1


async def test_a_basic_hosts_parent_holds_a_dead_link_at_most_a_minute(basic: CoreWorld, clock: MovableClock) -> None:
    world = basic
    public_id, old = await _booked_then_deleted_in_zoom(world, clock)
    booked_at = clock()

    await world.components.bookings.book(parent(2), public_id, ["Bo"], "t2")
    await world.run_jobs()
    [first] = world.links_to(parent(2))  # no Zoom call: the meeting's link, trusted from a check a moment ago
    assert not _works(first)

    while not _works(world.links_to(parent(2))[-1]):
        assert clock() - booked_at <= TRUST_CHECKED + timedelta(seconds=5), "the dead link was kept too long"
        clock.advance(timedelta(seconds=1))
        await world.run_jobs()

    [new] = world.zoom.meetings
    assert new != old
    assert _works(world.links_to(parent(1))[-1])  # the parent who booked before the deletion too
    assert len(world.links_to(parent(2))) == 2
    assert len(_deleted_notices(world)) == 1


async def test_a_link_given_before_the_deletion_is_replaced_by_the_next_reminder_at_the_latest(
    either: CoreWorld, clock: MovableClock
) -> None:
    world = either
    _, old = await _booked_then_deleted_in_zoom(world, clock)
    reminder = await world.components.jobs.next_due("reminder")
    assert reminder is not None
    clock.advance(reminder - clock())  # days later, still no webhook

    await world.run_jobs()

    reminded = [m for r, m in world.notifier.sent if r.user_id == parent(1).user_id and "Reminder" in m.text]
    [link] = [button.url for button in reminded[-1].buttons if button.url]
    assert _works(link)
    assert str(old) not in link
    assert len(_deleted_notices(world)) == 1


async def test_a_start_link_asked_for_after_the_deletion_starts_a_new_meeting(
    either: CoreWorld, clock: MovableClock
) -> None:
    world = either
    public_id, old = await _booked_then_deleted_in_zoom(world, clock)
    class_id = (await world.class_row(public_id)).id

    start = await world.components.meetings.start_link(class_id)

    [new] = world.zoom.meetings
    assert new != old
    assert world.zoom.start_url_valid(start)
    await world.run_jobs()
    assert str(new) in world.links_to(parent(1))[-1]
    assert len(_deleted_notices(world)) == 1


def test_the_docs_say_how_long_a_basic_hosts_link_can_be_dead() -> None:
    minutes = int(TRUST_CHECKED.total_seconds() // 60)
    assert f"at most {minutes} minute" in DOCS.read_text()


async def test_zooms_webhook_after_the_answer_changes_nothing_more(licensed: CoreWorld, clock: MovableClock) -> None:
    world = licensed
    public_id, old = await _booked_then_deleted_in_zoom(world, clock)
    await world.components.bookings.book(parent(2), public_id, ["Bo"], "t2")
    await world.run_jobs()

    body = encode(event("meeting.deleted", {"id": old, "host_id": "h"}, account_id="acc"))
    response = await world.zoom_world.web.post(
        "/zoom/webhook", content=body, headers=signed_headers(WEBHOOK_SECRET, body)
    )
    await world.run_jobs()

    assert response.status_code == 200
    assert len(world.zoom.meetings) == 1
    assert len(world.links_to(parent(2))) == 1
    assert len(_deleted_notices(world)) == 1


async def test_a_code_zoom_does_not_document_is_retried_a_few_times_then_the_teacher_is_told(
    licensed: CoreWorld, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    world.zoom.fail_next(
        400, times=100, path=r"/registrants$", body={"code": 9999, "message": "Something Zoom added lately."}
    )

    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    for _ in range(120):  # two minutes, a second at a time
        await world.run_jobs()
        clock.advance(timedelta(seconds=1))

    assert world.links_to(parent(2)) == []
    assert world.zoom.count("POST", r"/registrants$") == 1 + UNKNOWN_ATTEMPTS  # Ada's, then Bo's tries
    told = [text for text in world.texts_to(TEACHER) if "(code 9999)" in text]
    assert len(told) == 1
    assert "Something Zoom added lately." in told[0]
    unknown = [r.getMessage() for r in caplog.records if "does not know" in r.getMessage()]
    assert len(unknown) == UNKNOWN_ATTEMPTS
    assert all("tracking_id=v=2.0;" in message for message in unknown)
    assert ("link.send", "dead") in await world.job_states()


@pytest.fixture(autouse=True)
def _logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
