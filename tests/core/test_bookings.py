"""Booking: never more children than seats, once per request, the waitlist in order, approval and minimums."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom
from sqlalchemy import text, update

from bot.core import job_kinds
from bot.core.errors import Conflict, NotAllowed
from bot.core.job_kinds import DIGEST_WINDOW_SECONDS
from bot.core.views import BookingOutcome
from bot.core.words.classes import describe_outcome
from bot.i18n.texts import source
from bot.storage.bookings import Bookings
from bot.storage.classes import Classes
from bot.storage.jobs import JobQueue
from bot.storage.models import Booking, Job
from bot.storage.people import People
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.waiting import wait_until


@pytest.fixture
def licensed_host() -> bool:
    """This file is about licensed hosts: each booked child a registrant with a personal link."""
    return True


async def test_200_parents_racing_for_10_seats_book_10_and_wait_190_with_one_meeting(world: CoreWorld) -> None:
    cls = await world.new_class(seats=10)

    outcomes = await asyncio.gather(
        *(world.components.bookings.book(parent(n), cls.public_id, [f"Kid {n}"], f"tap-{n}") for n in range(200))
    )
    await world.run_jobs()

    assert sum(len(outcome.booked) for outcome in outcomes) == 10
    assert sum(len(outcome.waitlisted) for outcome in outcomes) == 190
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 0
    assert len(world.zoom.meetings) == 1
    booked = [n for n, outcome in enumerate(outcomes) if outcome.booked]
    for n in booked:
        assert len(world.links_to(parent(n))) == 1
    assert all(not world.links_to(parent(n)) for n in range(200) if n not in booked)
    assert [kind for kind, _ in await world.job_states()].count("link.send") == 10  # none left of the undone


async def test_the_teacher_hears_of_every_booking_of_a_burst_and_of_no_waitlisted_child(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class(seats=10)
    await asyncio.gather(
        *(world.components.bookings.book(parent(n), cls.public_id, [f"Kid {n}"], f"tap-{n}") for n in range(40))
    )

    clock.advance(timedelta(seconds=DIGEST_WINDOW_SECONDS))
    await world.run_jobs()

    [notice] = [text for text in world.texts_to(TEACHER) if "new booking" in text.lower()]
    assert notice.startswith("10 new bookings for “Chess for kids”: ")
    assert notice.endswith(" (10 of 10 seats taken).")


async def test_a_new_parents_simultaneous_first_bookings_make_one_person(world: CoreWorld) -> None:
    classes = [await world.new_class(seats=5) for _ in range(4)]

    outcomes = await asyncio.gather(
        *(
            world.components.bookings.book(parent(1), cls.public_id, ["Mia"], f"first-{n}")
            for n, cls in enumerate(classes)
        )
    )

    assert all(len(outcome.booked) == 1 for outcome in outcomes)
    async with world.components.database.read() as session:
        rows = await session.execute(
            text("SELECT count(*) FROM people WHERE platform_user_id = :user"), {"user": parent(1).user_id}
        )
        assert rows.scalar_one() == 1
    assert len(await world.components.bookings.for_parent(parent(1))) == 4


async def test_a_waitlisted_child_is_remembered_for_the_next_booking_too(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1)

    book = world.components.bookings.book
    outcome = await book(parent(1), cls.public_id, ["Mia", "Leo 6"], "update-70", as_typed=True)

    assert ([b.child_name for b in outcome.booked], outcome.waitlisted) == (["Mia"], ("Leo",))
    assert await world.components.bookings.remembered_children(parent(1)) == ["Mia", "Leo 6"]


async def test_a_childs_age_given_with_the_name_is_remembered_and_outside_the_range_is_told(
    world: CoreWorld,
) -> None:
    cls = await world.new_class(age_min=7, age_max=10)
    later = await world.new_class(title="Art", age_min=9, age_max=12)

    book = world.components.bookings.book
    first = await book(parent(1), cls.public_id, ["Mia 8", "Leo 5"], "tap-ages-1", as_typed=True)

    assert [b.child_name for b in first.booked] == ["Mia", "Leo"]  # the age is not part of the name
    assert first.outside_ages == (("Leo", 5),)
    assert source(describe_outcome(first)).endswith(
        "Note: Leo is 5, outside the teacher's range for this class (Ages 7\u201310). "
        "The booking stands; the teacher may want to know."
    )
    assert await world.components.bookings.remembered_children(parent(1)) == ["Mia 8", "Leo 5"]
    # Next time the name alone is enough: the remembered age is checked against the class's range.
    again = await book(parent(1), later.public_id, ["Mia"], "tap-ages-2", as_typed=True)
    assert again.outside_ages == (("Mia", 8),)
    # A new age given replaces the one remembered.
    await book(parent(1), later.public_id, ["Leo 9"], "tap-ages-3", as_typed=True)
    assert await world.components.bookings.remembered_children(parent(1)) == ["Mia 8", "Leo 9"]


async def test_a_link_job_queued_by_an_earlier_version_still_sends_the_link(world: CoreWorld) -> None:
    # Link jobs named their booking by id before they named it by public id; such a job may be waiting.
    cls = await world.new_class(seats=5)
    [booked] = (await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "update-71")).booked
    async with world.components.database.write() as session:
        booking = await Bookings(session).by_public_id(booked.public_id)
        assert booking is not None
        earlier = {"booking_id": booking.id, "reason": "booked"}
        await session.execute(
            text("UPDATE jobs SET payload = :payload WHERE kind = 'link.send'"), {"payload": json.dumps(earlier)}
        )

    await world.run_jobs()

    assert len(world.links_to(parent(1))) == 1


async def test_the_link_waits_until_the_parent_was_told_they_are_booked(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)
    links_while_telling: list[list[str]] = []

    async def confirm(outcome: BookingOutcome) -> None:
        await world.run_jobs()  # whatever is due runs now: the new booking's link is not
        links_while_telling.append(world.links_to(parent(1)))

    outcome = await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "update-90", confirm=confirm)
    await world.run_jobs()

    assert [b.child_name for b in outcome.booked] == ["Mia"]
    assert links_while_telling == [[]]
    assert len(world.links_to(parent(1))) == 1


async def test_a_failed_confirmation_does_not_cost_the_parent_their_link(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)

    async def confirm(outcome: BookingOutcome) -> None:
        raise RuntimeError("the chat platform is down")

    with pytest.raises(RuntimeError):
        await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "update-91", confirm=confirm)
    await world.run_jobs()

    assert len(world.links_to(parent(1))) == 1


async def test_a_held_link_goes_anyway_when_no_confirmation_came(world: CoreWorld, clock: MovableClock) -> None:
    # The process died between the booking and its confirmation: the link is due after the hold all the same.
    cls = await world.new_class(seats=5)
    [booked] = (await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "update-92")).booked
    async with world.components.database.write() as session:
        held = job_kinds.link_job(booked.public_id, "booked", clock(), held=True)
        await session.execute(update(Job).where(Job.dedupe_key == held.dedupe_key).values(run_at=held.run_at))
    await world.run_jobs()
    assert world.links_to(parent(1)) == []

    clock.advance(job_kinds.CONFIRMATION_HOLD)
    await world.run_jobs()

    assert len(world.links_to(parent(1))) == 1


async def test_a_redelivered_request_books_once(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)

    first = await world.components.bookings.book(parent(1), cls.public_id, ["Mia", "Leo"], "update-77")
    again = await world.components.bookings.book(parent(1), cls.public_id, ["Mia", "Leo"], "update-77")

    assert (first.already_done, again.already_done) == (False, True)
    assert [b.public_id for b in again.booked] == [b.public_id for b in first.booked]
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 3


async def test_a_redelivered_request_that_was_partly_waitlisted_gets_the_same_answer(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1)

    first = await world.components.bookings.book(parent(1), cls.public_id, ["Mia", "Leo", "Ada"], "update-78")
    again = await world.components.bookings.book(parent(1), cls.public_id, ["Mia", "Leo", "Ada"], "update-78")

    assert [b.child_name for b in first.booked] == ["Mia"]
    assert first.waitlisted == ("Leo", "Ada")
    assert again.already_done
    assert ([b.public_id for b in again.booked], again.waitlisted) == (
        [b.public_id for b in first.booked],
        ("Leo", "Ada"),
    )


async def test_the_same_child_cannot_take_two_seats(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)
    await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "a")
    with pytest.raises(Conflict, match="Mia already has a seat"):
        await world.components.bookings.book(parent(1), cls.public_id, ["mia"], "b")


async def test_a_cancellation_promotes_the_waitlist_in_order(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1)
    first = await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.components.bookings.book(parent(3), cls.public_id, ["Cy"], "t3")
    await world.run_jobs()

    await world.components.bookings.cancel(parent(1), first.booked[0].public_id)
    await world.run_jobs()

    assert [b.child_name for b in await world.components.bookings.for_parent(parent(2))] == ["Bo"]
    assert await world.components.bookings.for_parent(parent(3)) == []
    assert len(world.links_to(parent(2))) == 1
    assert any("A seat opened" in text for text in world.texts_to(parent(2)))
    assert (await world.components.classes.view(TEACHER, cls.public_id)).seats_left == 0


async def test_a_parent_lists_their_live_bookings_by_next_session(world: CoreWorld, clock: MovableClock) -> None:
    weekly = await world.new_class(days_ahead=1, sessions=3)  # then days 8 and 15
    soon = await world.new_class(days_ahead=5)
    called_off = await world.new_class(days_ahead=6)
    over = await world.new_class(days_ahead=3)  # its only session will have passed
    dropped = await world.new_class(days_ahead=7)
    for n, cls in enumerate((weekly, soon, called_off, over, dropped)):
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], f"r{n}")
    await world.components.bookings.book(parent(2), soon.public_id, ["Bo"], "other")
    await world.components.classes.cancel(TEACHER, called_off.public_id)
    [dropped_booking] = (await world.components.bookings.book(parent(1), dropped.public_id, ["Cy"], "c")).booked
    await world.components.bookings.cancel(parent(1), dropped_booking.public_id)

    clock.advance(timedelta(days=4))
    listed = await world.components.bookings.for_parent(parent(1))

    assert [(b.class_public_id, b.child_name) for b in listed] == [
        (soon.public_id, "Ada"),
        (dropped.public_id, "Ada"),  # Cy's booking in it was cancelled
        (weekly.public_id, "Ada"),
    ]
    second_session = (await world.components.classes.view(TEACHER, weekly.public_id)).next_start
    assert second_session is not None
    assert second_session > clock() + timedelta(days=3)  # its first session is over
    assert listed[2].next_start == second_session
    assert await world.components.bookings.for_parent(parent(9)) == []


async def test_only_the_parent_who_booked_can_cancel(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2)
    outcome = await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    with pytest.raises(NotAllowed):
        await world.components.bookings.cancel(parent(2), outcome.booked[0].public_id)
    with pytest.raises(NotAllowed):
        await world.components.bookings.cancel(TEACHER, outcome.booked[0].public_id)


async def test_a_cancelled_booking_frees_its_zoom_registrant(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2)
    outcome = await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()
    meeting_id = int((await world.class_row(cls.public_id)).meeting_id or 0)
    assert [r.status for r in world.zoom.registrants(meeting_id)] == ["approved"]

    await world.components.bookings.cancel(parent(1), outcome.booked[0].public_id)
    await world.run_jobs()

    assert [r.status for r in world.zoom.registrants(meeting_id)] == ["cancelled"]


async def test_approval_holds_the_seat_until_the_teacher_decides(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1, requires_approval=True)
    asked = await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.run_jobs()
    assert asked.pending_approval
    assert world.links_to(parent(1)) == []
    [request] = [m for r, m in world.notifier.sent if r.user_id == TEACHER.user_id and m.buttons]
    assert [b.label for b in request.buttons] == ["Approve", "Decline"]

    with pytest.raises(NotAllowed):
        await world.components.bookings.decide(parent(2), asked.booked[0].public_id, approve=True)
    await world.components.bookings.decide(TEACHER, asked.booked[0].public_id, approve=False)
    await world.run_jobs()

    assert any("could not take Ada" in text for text in world.texts_to(parent(1)))
    # Bo moved up from the waitlist, and now waits for approval in turn.
    [bo] = await world.components.bookings.for_parent(parent(2))
    assert bo.status == "pending_approval"
    await world.components.bookings.decide(TEACHER, bo.public_id, approve=True)
    await world.run_jobs()
    assert len(world.links_to(parent(2))) == 1


async def test_too_few_bookings_24h_before_cancel_the_class_and_tell_everyone(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class(days_ahead=3, seats=10, min_bookings=3)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.run_jobs()

    clock.advance(timedelta(days=2, minutes=1))
    await world.run_jobs()

    assert (await world.components.classes.view(TEACHER, cls.public_id)).status == "cancelled"
    assert any("was cancelled" in text for text in world.texts_to(parent(1)))
    assert any("was cancelled" in text for text in world.texts_to(TEACHER))
    assert world.zoom.meetings == {}  # its meeting was deleted at Zoom


async def test_enough_bookings_keep_the_class(world: CoreWorld, clock: MovableClock) -> None:
    cls = await world.new_class(days_ahead=3, seats=10, min_bookings=2)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada", "Bo"], "t1")
    clock.advance(timedelta(days=2, minutes=1))
    await world.run_jobs()
    assert (await world.components.classes.view(TEACHER, cls.public_id)).status == "scheduled"


async def test_a_burst_of_bookings_reaches_the_teacher_as_one_notice_per_class(
    world: CoreWorld, clock: MovableClock
) -> None:
    cls = await world.new_class(seats=20)
    clock.stop()  # the twelve bookings come within the digest's window however slow this machine is
    for n in range(12):
        await world.components.bookings.book(parent(n), cls.public_id, [f"Kid {n}"], f"tap-{n}")
    await world.run_jobs()
    assert not [text for text in world.texts_to(TEACHER) if "new booking" in text.lower()]  # gathered, not sent

    clock.advance(timedelta(seconds=5))
    await world.run_jobs()

    [notice] = [text for text in world.texts_to(TEACHER) if "new booking" in text.lower()]
    names = ", ".join(f"Kid {n}" for n in range(10))
    assert notice == f"12 new bookings for “Chess for kids”: {names} and 2 more (12 of 20 seats taken)."


async def test_a_booking_after_its_notice_left_gets_a_notice_of_its_own(world: CoreWorld, clock: MovableClock) -> None:
    cls = await world.new_class(seats=20)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "tap-1")
    clock.advance(timedelta(seconds=DIGEST_WINDOW_SECONDS))
    await world.run_jobs()

    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "tap-2")
    clock.advance(timedelta(seconds=DIGEST_WINDOW_SECONDS))
    await world.run_jobs()

    assert [text for text in world.texts_to(TEACHER) if text.startswith("New booking")] == [
        "New booking: Ada for “Chess for kids” (1 of 20 seats taken).",
        "New booking: Bo for “Chess for kids” (2 of 20 seats taken).",
    ]


async def test_a_digest_given_up_on_leaves_its_bookings_to_the_next_one(world: CoreWorld, clock: MovableClock) -> None:
    cls = await world.new_class(seats=20)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "tap-1")
    await world.run_jobs()  # Ada's link; her digest is not due yet
    clock.advance(timedelta(seconds=DIGEST_WINDOW_SECONDS))
    queue = JobQueue(world.components.database)
    [digest] = await queue.claim(10, timedelta(minutes=1), clock())
    assert digest.kind == job_kinds.BOOKING_DIGEST
    await queue.bury(digest.id, "failed on every attempt", clock())  # what the worker does after the last one

    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "tap-2")
    clock.advance(timedelta(seconds=DIGEST_WINDOW_SECONDS))
    await world.run_jobs()

    assert [text for text in world.texts_to(TEACHER) if "new booking" in text.lower()] == [
        "2 new bookings for “Chess for kids”: Ada, Bo (2 of 20 seats taken)."
    ]


async def test_a_digest_waits_for_the_booking_that_found_it_waiting(
    postgres_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> None:
    async with core_world(postgres_url, fake_zoom, tmp_path, clock=clock, licensed=True) as world:
        cls = await world.new_class(seats=20)
        await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "tap-1")  # queues the digest
        class_id = (await world.class_row(cls.public_id)).id
        async with world.components.database.write() as session:  # a second booking, between its gate and commit
            await job_kinds.note_booking(session, class_id, clock())
            await Bookings(session).add(
                Booking(
                    public_id="bo-booking",
                    class_id=class_id,
                    parent_id=(await People(session).ensure(parent(2))).id,
                    child_name="Bo",
                    status="confirmed",
                    request_key="tap-2:0",
                    awaits_digest=True,
                )
            )
            row = await Classes(session).get(class_id)
            assert row is not None
            assert await Classes(session).take_seats(row, 1)
            clock.advance(timedelta(seconds=DIGEST_WINDOW_SECONDS))
            digest = asyncio.create_task(world.run_jobs())
            await wait_until(lambda: _waiting_on_a_gate(world), timeout=10, what="the digest to wait at the gate")
        await digest

    assert [text for text in world.texts_to(TEACHER) if "new booking" in text.lower()] == [
        "2 new bookings for “Chess for kids”: Ada, Bo (2 of 20 seats taken)."
    ]


async def _waiting_on_a_gate(world: CoreWorld) -> bool:
    async with world.components.database.read() as session:
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return bool((await session.execute(text(waiting))).scalar_one())
