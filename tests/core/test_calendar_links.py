"""A calendar link opens the parent's own booking's .ics for an hour, and nothing else, for no one else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.core.calendar_links import CALENDAR_PATH, LINK_LIFETIME, CalendarLinks
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.fakes.zoom import FakeZoom
from bot.storage.cipher import SecretCipher
from tests.support.clock import MovableClock
from tests.support.core_world import CoreWorld, core_world, parent


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def world(
    database_url: str, fake_zoom: FakeZoom, tmp_path: Path, clock: MovableClock
) -> AsyncIterator[CoreWorld]:
    async with core_world(database_url, fake_zoom, tmp_path, clock=clock, licensed=True) as built:
        yield built


async def _booked(world: CoreWorld, n: int, child: str) -> str:
    cls = await world.new_class(seats=5)
    outcome = await world.components.bookings.book(parent(n), cls.public_id, [child], f"tap-{n}")
    await world.run_jobs()
    return outcome.booked[0].public_id


def _token(url: str) -> str:
    return url.rsplit(CALENDAR_PATH, 1)[1]


async def test_the_parents_link_opens_their_calendar_with_their_own_join_link(world: CoreWorld) -> None:
    booking = await _booked(world, 1, "Mia")
    links = world.components.calendar_links
    english = world.components.catalogs.translator(None)

    url = await links.issue(parent(1), booking, "es")
    name, body = await links.calendar(_token(url), english)

    assert url.startswith(world.components.settings.public_url.rstrip("/") + CALENDAR_PATH)
    assert name == f"class-{booking}.ics"
    assert b"BEGIN:VCALENDAR" in body
    assert b"SUMMARY:Chess for kids (Mia)" in body
    [join_url] = world.links_to(parent(1))
    assert join_url.encode() in body.replace(b"\r\n ", b"")  # long lines are folded (RFC 5545)
    assert links.language_of(_token(url)) == "es"


async def test_no_link_for_another_parents_booking(world: CoreWorld) -> None:
    booking = await _booked(world, 1, "Mia")

    with pytest.raises(NotAllowed, match="Only the parent who made a booking"):
        await world.components.calendar_links.issue(parent(2), booking, None)


async def test_a_link_stops_working_after_its_lifetime(world: CoreWorld, clock: MovableClock) -> None:
    booking = await _booked(world, 1, "Mia")
    links = world.components.calendar_links
    url = await links.issue(parent(1), booking, None)

    clock.advance(LINK_LIFETIME + timedelta(seconds=1))

    with pytest.raises(Conflict, match="expired"):
        await links.calendar(_token(url), world.components.catalogs.translator(None))
    assert links.language_of(_token(url)) is None


async def test_an_altered_or_foreign_link_is_not_found(world: CoreWorld, clock: MovableClock) -> None:
    booking = await _booked(world, 1, "Mia")
    links = world.components.calendar_links
    token = _token(await links.issue(parent(1), booking, None))
    altered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    foreign_cipher = SecretCipher([Fernet.generate_key().decode()])
    foreign = CalendarLinks(world.components.bookings, foreign_cipher, public_url="http://x", clock=clock)
    forged = _token(await foreign.issue(parent(1), booking, None))
    english = world.components.catalogs.translator(None)

    for bad in (altered, forged, "not-a-token", ""):
        with pytest.raises(NotFound, match="not valid"):
            await links.calendar(bad, english)


async def test_a_link_to_a_booking_cancelled_since_opens_nothing(world: CoreWorld) -> None:
    booking = await _booked(world, 1, "Mia")
    links = world.components.calendar_links
    url = await links.issue(parent(1), booking, None)

    await world.components.bookings.cancel(parent(1), booking)

    with pytest.raises(Conflict, match="cancelled"):
        await links.calendar(_token(url), world.components.catalogs.translator(None))
