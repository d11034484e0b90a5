"""Forgetting a person: their bookings and classes end, others are told, and nothing about them is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from classbot_fakes.zoom import FakeZoom

from bot.core.privacy import PrivacyService
from tests.support.clock import MovableClock
from tests.support.core_world import TEACHER, CoreWorld, core_world, parent
from tests.support.database_dump import dump_database


@pytest.fixture
async def world(database_url: str, fake_zoom: FakeZoom, tmp_path: Path) -> AsyncIterator[CoreWorld]:
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
