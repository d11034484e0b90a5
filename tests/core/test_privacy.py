"""Forgetting a person: their bookings and classes end, others are told, and nothing about them is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom
from classbot_fakes.zoom.webhooks import encode, signed_headers
from sqlalchemy import delete, func, select

from bot.core import job_kinds
from bot.core.messages import Message
from bot.core.notify import tell
from bot.core.privacy import PrivacyService
from bot.i18n.texts import plain
from bot.storage.bookings import Bookings
from bot.storage.jobs import enqueue
from bot.storage.models import Attendance, Booking, Class, ClassSession, Job, Person
from bot.storage.people import People
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.database_dump import dump_database
from tests.support.zoom_app import WEBHOOK_SECRET


@pytest.fixture
async def world(database_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> AsyncIterator[CoreWorld]:
    """The shared world, but on a running clock: this file's ``clock`` is stopped, for the licensed tests only."""
    async with core_world(database_url, fake_zoom, tmp_path, clock=MovableClock()) as built:
        yield built


def _privacy(world: CoreWorld) -> PrivacyService:
    c = world.components
    return c.privacy


async def test_a_parent_who_leaves_frees_their_seats_for_the_waitlist(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada Lovelace"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.run_jobs()

    forgotten = await _privacy(world).forget(parent(1))
    await world.run_jobs()

    assert forgotten.bookings_cancelled == 1
    assert [b.child_name for b in await world.components.bookings.for_parent(parent(2))] == ["Bo"]
    stored = await dump_database(world.components)
    assert "Ada Lovelace" not in stored
    assert "Parent 1" not in stored


async def test_a_teacher_who_leaves_cancels_classes_deletes_meetings_and_revokes_zoom(world: CoreWorld) -> None:
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    assert len(world.zoom.meetings) == 1

    forgotten = await _privacy(world).forget(TEACHER)
    await world.run_jobs()

    assert (forgotten.classes_cancelled, forgotten.zoom_disconnected) == (1, True)
    assert world.zoom.meetings == {}
    assert not world.zoom.is_authorized(world.zoom_world.zoom_user_id)
    assert await world.zoom_world.connections() == []
    assert any("was cancelled" in text for text in world.texts_to(parent(1)))
    assert "Ann Lee" not in await dump_database(world.components)


@pytest.fixture
def clock() -> MovableClock:
    clock = MovableClock()
    clock.stop()
    return clock


@pytest.fixture
async def licensed(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> AsyncIterator[CoreWorld]:
    """A licensed teacher (each booked child is a registrant with a personal link); calls to Zoom give up after
    two seconds (a busy machine answers well within that), so a Zoom that does not answer costs little."""
    async with core_world(database_url, fake_zoom, tmp_path, clock=clock, licensed=True, zoom_timeout=2.0) as built:
        yield built


@pytest.mark.parametrize("failure", ["5xx", "timeout"])
async def test_a_forgotten_parents_child_leaves_the_zoom_meeting_though_zoom_fails_at_first(
    licensed: CoreWorld, clock: MovableClock, failure: str
) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada Lovelace"], "t1")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    [registrant] = world.zoom.registrants(meeting_id)
    [link] = world.links_to(parent(1))
    assert httpx.get(link).status_code == 200
    # Every request of the first two runs of the cancellation fails (the client tries each call three times).
    if failure == "5xx":
        world.zoom.fail_next(503, times=6, method="PUT", path="/registrants/status$")
    else:
        world.zoom.fail_next(500, times=6, method="PUT", path="/registrants/status$", delay=3.0)  # past the 2 s

    await _privacy(world).forget(parent(1))
    for _ in range(3):
        await world.run_jobs()
        clock.advance(timedelta(minutes=1))  # past the failed job's backoff

    [after] = world.zoom.registrants(meeting_id)
    assert (after.id, after.status) == (registrant.id, "cancelled")
    assert httpx.get(link).status_code == 403  # the personal link no longer lets anyone in
    stored = await dump_database(world.components)
    for trace in ("Ada Lovelace", "Parent 1", parent(1).user_id, registrant.id, link):
        assert trace not in stored
    assert await _attempts(world, "registrant.cancel") == [3]  # failed twice, then done


async def _attempts(world: CoreWorld, kind: str) -> list[int]:
    async with world.components.database.read() as session:
        return list(
            (await session.execute(select(Job.attempts).where(Job.kind == kind, Job.status == "done"))).scalars()
        )


async def test_a_forgotten_parents_child_leaves_the_zoom_meeting_of_a_class_already_held(
    licensed: CoreWorld, clock: MovableClock
) -> None:
    world = licensed
    cls = await world.new_class(days_ahead=1)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada Lovelace"], "t1")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    clock.advance(timedelta(days=2))  # the class took place; its meeting stays in the teacher's Zoom

    forgotten = await _privacy(world).forget(parent(1))
    await world.run_jobs()

    assert forgotten.bookings_cancelled == 0  # nothing left to cancel, yet the registration goes
    assert [r.status for r in world.zoom.registrants(meeting_id)] == ["cancelled"]
    assert "Ada Lovelace" not in await dump_database(world.components)


async def test_a_cancellation_queued_before_jobs_carried_the_registration_still_cancels(licensed: CoreWorld) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    row = await world.class_row(cls.public_id)
    async with world.components.database.write() as session:
        [booking] = await Bookings(session).holding_seats(row.id)
        await enqueue(session, "registrant.cancel", {"booking_id": booking.id}, run_at=world.clock())

    await world.run_jobs()

    assert [r.status for r in world.zoom.registrants(meeting_id)] == ["cancelled"]


async def test_a_teacher_who_leaves_cancels_every_class_not_only_the_first_fifty(licensed: CoreWorld) -> None:
    world = licensed  # a Pro account: Zoom lets it make 20 meetings a second rather than a basic host's 2
    classes = [await world.new_class(days_ahead=1 + n / 24) for n in range(55)]
    for n, cls in enumerate(classes):
        await world.components.bookings.book(parent(n), cls.public_id, [f"Kid {n}"], f"t{n}")
    await world.run_jobs(rounds=200)
    assert len(world.zoom.meetings) == 55
    world.notifier.sent.clear()

    forgotten = await _privacy(world).forget(TEACHER)
    await world.run_jobs(rounds=200)

    assert forgotten.classes_cancelled == 55
    assert all(any("was cancelled" in text for text in world.texts_to(parent(n))) for n in range(55))
    assert world.zoom.meetings == {}
    stored = await dump_database(world.components)
    assert "Ann Lee" not in stored
    assert "Chess for kids" not in stored


async def test_a_teacher_is_erased_only_once_zoom_deleted_their_meetings(
    licensed: CoreWorld, clock: MovableClock
) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    world.zoom.fail_next(503, times=9, method="DELETE", path="/meetings/")  # three runs' worth of attempts

    forgotten = await _privacy(world).forget(TEACHER)

    assert not forgotten.erased
    assert "deleted as soon as" in forgotten.summary().msgid
    assert len(world.zoom.meetings) == 1
    assert world.zoom.is_authorized(world.zoom_world.zoom_user_id)  # still needed to delete the meeting
    for _ in range(4):
        await world.run_jobs()
        clock.advance(timedelta(minutes=1))
    assert world.zoom.meetings == {}
    assert not world.zoom.is_authorized(world.zoom_world.zoom_user_id)
    assert any("was cancelled" in text for text in world.texts_to(parent(1)))
    stored = await dump_database(world.components)
    assert "Ann Lee" not in stored
    assert "Chess for kids" not in stored


async def test_a_teacher_is_erased_after_a_day_of_zoom_not_answering(licensed: CoreWorld, clock: MovableClock) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    world.zoom.fail_next(503, times=10_000, method="DELETE", path="/meetings/")

    await _privacy(world).forget(TEACHER)
    await world.run_jobs()
    assert "Ann Lee" in await dump_database(world.components)
    clock.advance(timedelta(days=1, minutes=1))
    await world.run_jobs()

    assert len(world.zoom.meetings) == 1  # left in the teacher's own Zoom account
    assert not world.zoom.is_authorized(world.zoom_world.zoom_user_id)
    assert "Ann Lee" not in await dump_database(world.components)
    world.zoom.clear_faults()


async def test_after_deauthorization_no_zoom_data_is_kept_and_no_stored_link_goes_out(
    licensed: CoreWorld, clock: MovableClock
) -> None:
    world = licensed
    cls = await world.new_class(days_ahead=3, sessions=2)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    [registrant] = world.zoom.registrants(meeting_id)
    [link] = world.links_to(parent(1))
    await _deliver(world, world.zoom.start_meeting(meeting_id))  # the teacher tries the meeting out
    await _deliver(world, world.zoom.participant_joined(meeting_id, name="Ada", registrant_id=registrant.id))
    world.zoom.end_meeting(meeting_id)
    assert world.links_to(parent(1)) == [link, link]  # booked, then "starting now"
    assert await _zoom_traces(world) != ([], [], [], 0)

    zoom_user = world.zoom.user(world.zoom_world.zoom_user_id)
    await _deliver(world, world.zoom.deauthorize(zoom_user, notify=False))

    assert await _zoom_traces(world) == ([], [], [], 0)
    stored = await dump_database(world.components)
    for trace in (str(meeting_id), registrant.id, link):
        assert trace not in stored
    clock.advance(timedelta(days=2, minutes=1))  # the first session's reminder, a day ahead
    await world.run_jobs()
    assert world.links_to(parent(1)) == [link, link]  # the reminder's link waits for the teacher to reconnect
    await world.zoom_world.connect_teacher(TEACHER)
    await world.run_jobs()
    assert len(world.links_to(parent(1))) == 3
    assert list(world.zoom.meetings) == [meeting_id]  # the class's own meeting found again, not a second one


async def _deliver(world: CoreWorld, event: dict[str, object]) -> None:
    body = encode(event)
    answer = await world.zoom_world.web.post(
        "/zoom/webhook", content=body, headers=signed_headers(WEBHOOK_SECRET, body)
    )
    assert answer.status_code == 200
    await world.run_jobs()


async def _zoom_traces(world: CoreWorld) -> tuple[list[object], list[object], list[object], int]:
    """What ClassBot holds that came from Zoom: meeting ids and links, occurrence ids, registrants and their links,
    and attendance."""
    async with world.components.database.read() as session:
        meetings = [m for m in (await session.execute(select(Class.meeting_id, Class.meeting_join_url_enc))) if any(m)]
        occurrences = list(
            (
                await session.execute(select(ClassSession.occurrence_id).where(ClassSession.occurrence_id.is_not(None)))
            ).scalars()
        )
        registrants = [r for r in await session.execute(select(Booking.registrant_id, Booking.join_url_enc)) if any(r)]
        attendance = (await session.execute(select(func.count()).select_from(Attendance))).scalar_one()
    return meetings, occurrences, registrants, attendance


async def test_a_forgotten_parents_child_leaves_no_attendance_behind(licensed: CoreWorld) -> None:
    world = licensed
    cls = await world.new_class(days_ahead=3)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada Lovelace"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.run_jobs()
    [meeting_id] = world.zoom.meetings
    for child in ("Ada Lovelace", "Bo"):  # joined from the Zoom app, known by name only
        await _deliver(world, world.zoom.participant_joined(meeting_id, name=child))
    assert (await _zoom_traces(world))[3] == 2

    await _privacy(world).forget(parent(1))
    await world.run_jobs()

    assert (await _zoom_traces(world))[3] == 1  # Bo's, still on the teacher's roster
    roster = await world.components.classes.roster(TEACHER, cls.public_id)
    assert [(line.child_name, line.sessions_attended) for line in roster.lines] == [("Bo", 1)]


async def test_a_notice_waiting_for_a_forgotten_parent_goes_with_them(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1)
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada Lovelace"], "t1")
    await world.run_jobs()
    [bo] = await world.components.bookings.for_parent(parent(2))
    await world.components.bookings.cancel(parent(2), bo.public_id)  # Ada gets the seat: her parent is told

    await _privacy(world).forget(parent(1))
    assert "A seat opened" not in await dump_database(world.components)  # deleted with the parent
    await world.run_jobs()

    assert not any("Ada Lovelace" in text for text in world.texts_to(parent(1)))
    assert "Ada Lovelace" not in await dump_database(world.components)
    assert ("notify", "dead") not in await world.job_states()


async def test_a_notice_whose_recipient_was_forgotten_meanwhile_is_dropped_not_kept_as_failed(
    world: CoreWorld,
) -> None:
    async with world.components.database.write() as session:
        gone = Person(platform="telegram", platform_user_id="4242", display_name="Gone")
        session.add(gone)
        await session.flush()
        await tell(session, gone.id, Message(plain("Ada Lovelace is booked")), now=world.clock())
    async with world.components.database.write() as session:  # erased while the notice was being sent
        await session.execute(delete(Person).where(Person.id == gone.id))

    await world.run_jobs()

    assert {status for kind, status in await world.job_states() if kind == "notify"} == {"done"}
    assert "Ada Lovelace" not in await dump_database(world.components)


async def test_a_second_forgetme_that_zoom_lets_through_leaves_no_erasure_waiting(
    licensed: CoreWorld, clock: MovableClock
) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    world.zoom.fail_next(503, times=3, method="DELETE", path="/meetings/")
    assert not (await _privacy(world).forget(TEACHER)).erased

    assert (await _privacy(world).forget(TEACHER)).erased  # Zoom answers again: done at once

    assert world.zoom.meetings == {}
    assert "person.erase" not in [kind for kind, _ in await world.job_states()]


async def test_a_waiting_erasure_never_erases_another_person_given_the_same_row(licensed: CoreWorld) -> None:
    world = licensed
    cls = await world.new_class()
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    async with world.components.database.write() as session:
        person = await People(session).find(parent(1))
        assert person is not None
        earlier = job_kinds.Erasure(person.id, person.created_at - timedelta(days=1), since=world.clock())
        await job_kinds.erase_after_zoom(session, earlier, world.clock())  # meant for someone who had this row before

    await world.run_jobs()

    assert [b.child_name for b in await world.components.bookings.for_parent(parent(1))] == ["Ada"]
    assert ("person.erase", "done") in await world.job_states()
    async with world.components.database.read() as session:  # the present holder's own erasure may be queued
        held = await session.execute(select(Job.id).where(Job.dedupe_key == f"erase:{earlier.person_id}"))
        assert held.all() == []
