"""A teacher changes a class after making it: only theirs, only while it is to come, never below the seats taken,
and the parents it concerns are told once each; more seats go to the waitlist in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.class_input import ClassSettings
from bot.core.errors import Conflict, InvalidInput, NotAllowed
from bot.storage.identity import PersonRef
from tests.support.core_world import TEACHER, CoreWorld, parent

OTHER_TEACHER = PersonRef("telegram", "1002", display_name="Bob")


async def _settings(world: CoreWorld, public_id: str) -> ClassSettings:
    return await world.components.classes.settings(TEACHER, public_id)


async def test_fewer_seats_than_are_taken_are_refused_naming_how_many(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada", "Bo", "Cy"], "t1")
    settings = await _settings(world, cls.public_id)

    with pytest.raises(InvalidInput, match="3 seats are already taken") as refused:
        await world.components.classes.edit(TEACHER, cls.public_id, replace(settings, seats=2))
    view, _ = await world.components.classes.edit(TEACHER, cls.public_id, replace(settings, seats=3))

    assert refused.value.field == "seats"
    assert (view.seats, view.seats_left) == (3, 0)
    assert (await world.class_row(cls.public_id)).seats == 3


async def test_only_the_teacher_edits_and_only_a_class_still_to_come(world: CoreWorld) -> None:
    cls = await world.new_class(days_ahead=2)
    settings = replace(await _settings(world, cls.public_id), title="Hacked")
    for intruder in (OTHER_TEACHER, parent(1)):
        with pytest.raises(NotAllowed):
            await world.components.classes.edit(intruder, cls.public_id, settings)
        with pytest.raises(NotAllowed):
            await world.components.classes.settings(intruder, cls.public_id)
    gone = await world.new_class(days_ahead=2, title="Gone")
    await world.components.classes.cancel(TEACHER, gone.public_id)
    with pytest.raises(Conflict, match="cancelled"):
        await world.components.classes.edit(TEACHER, gone.public_id, await _settings(world, gone.public_id))

    world.clock.advance(timedelta(days=3))  # its only session is over
    with pytest.raises(Conflict, match="is over"):
        await world.components.classes.edit(TEACHER, cls.public_id, settings)
    assert (await world.class_row(cls.public_id)).title == "Chess for kids"


async def test_parents_booked_and_waiting_are_told_once_each_of_what_concerns_them(world: CoreWorld) -> None:
    cls = await world.new_class(seats=2)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada", "Al"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")  # waitlisted
    settings = await _settings(world, cls.public_id)
    await world.run_jobs()
    world.notifier.sent.clear()

    _, told_of_seats = await world.components.classes.edit(
        TEACHER, cls.public_id, replace(settings, requires_approval=True, min_bookings=2)
    )
    await world.run_jobs()
    quiet = [*world.texts_to(parent(1)), *world.texts_to(parent(2))]
    changed = replace(settings, title="Chess club", description="Bring a board.", age_min=7, age_max=10)
    view, told = await world.components.classes.edit(TEACHER, cls.public_id, changed)
    await world.run_jobs()

    assert (told_of_seats, quiet) == (0, [])  # approval and a minimum are the teacher's business
    assert told == 2
    assert (view.title, view.description, view.age_min, view.age_max) == ("Chess club", "Bring a board.", 7, 10)
    for n in (1, 2):
        [notice] = world.texts_to(parent(n))  # one message, though parent 1 has two children booked
        assert "The teacher changed “Chess for kids”" in notice
        assert "“Chess club”" in notice
        assert "Bring a board." in notice
        assert "7\u201310" in notice


async def test_more_seats_move_waiting_children_up_in_order(world: CoreWorld) -> None:
    cls = await world.new_class(seats=1)
    await world.components.bookings.book(parent(1), cls.public_id, ["Ada"], "t1")
    await world.components.bookings.book(parent(2), cls.public_id, ["Bo"], "t2")
    await world.components.bookings.book(parent(3), cls.public_id, ["Cy"], "t3")
    await world.components.bookings.book(parent(4), cls.public_id, ["Di"], "t4")
    settings = await _settings(world, cls.public_id)

    view, told = await world.components.classes.edit(TEACHER, cls.public_id, replace(settings, seats=3))
    await world.run_jobs()
    roster = await world.components.classes.roster(TEACHER, cls.public_id)

    assert told == 0  # more seats alone is nothing to tell: the promoted are told of their seat
    assert (view.seats, view.seats_left) == (3, 0)
    assert [line.child_name for line in roster.lines] == ["Ada", "Bo", "Cy"]
    assert roster.waiting == ("Di",)
    assert any("A seat opened in “Chess for kids”: Bo is booked now" in text for text in world.texts_to(parent(2)))
    assert any("Cy is booked now" in text for text in world.texts_to(parent(3)))
    assert not any("seat opened" in text for text in world.texts_to(parent(4)))


async def test_a_wrong_setting_names_its_field(world: CoreWorld) -> None:
    cls = await world.new_class(seats=4)
    settings = await _settings(world, cls.public_id)
    for wrong, field in (
        (replace(settings, title="  "), "title"),
        (replace(settings, seats=0), "seats"),
        (replace(settings, min_bookings=5), "min_bookings"),
        (replace(settings, age_min=10, age_max=7), "ages"),
    ):
        with pytest.raises(InvalidInput) as refused:
            await world.components.classes.edit(TEACHER, cls.public_id, wrong)
        assert refused.value.field == field


def test_a_typed_setting_is_read_as_the_class_form_reads_it() -> None:
    settings = ClassSettings(title="Chess", description="Fun", seats=8, requires_approval=False, min_bookings=3)

    assert settings.with_typed("ages", "7-10").age_min == 7
    assert settings.with_typed("ages", "-").age_max is None
    assert settings.with_typed("min_bookings", "no min").min_bookings is None
    assert settings.with_typed("description", "-").description == ""
    assert settings.with_typed("seats", "12").seats == 12
    with pytest.raises(InvalidInput, match="does not fit"):
        settings.with_typed("seats", "many")
