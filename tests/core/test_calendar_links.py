"""A calendar link opens the parent's own booking's .ics for an hour, and nothing else, for no one else."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from cryptography.fernet import Fernet
from icalendar import Calendar

from bot.app import create_web_app
from bot.core.calendar_links import CALENDAR_PATH, CalendarLinks
from bot.core.errors import Conflict, NotAllowed, NotFound
from bot.core.signed_links import LINK_LIFETIME
from bot.storage.cipher import SecretCipher
from tests.support.clock import MovableClock
from tests.support.core_world import CoreWorld, parent


@pytest.fixture
def licensed_host() -> bool:
    """This file is about licensed hosts: each booked child a registrant with a personal link."""
    return True


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
    [event] = Calendar.from_ical(body).walk("VEVENT")  # read back with icalendar's own parser
    assert str(event["SUMMARY"]) == "Chess for kids (Mia)"
    [join_url] = world.links_to(parent(1))
    assert str(event["URL"]) == join_url
    assert links.language_of(_token(url)) == "es"


async def test_no_link_for_another_parents_booking(world: CoreWorld) -> None:
    booking = await _booked(world, 1, "Mia")

    with pytest.raises(NotAllowed, match="Only the parent who made a booking"):
        await world.components.calendar_links.issue(parent(2), booking, None)


async def test_a_link_works_for_an_hour_and_then_stops(world: CoreWorld, clock: MovableClock) -> None:
    booking = await _booked(world, 1, "Mia")
    links = world.components.calendar_links
    url = await links.issue(parent(1), booking, None)

    clock.advance(timedelta(minutes=59, seconds=59))  # the message with the link says it works for an hour
    name, _ = await links.calendar(_token(url), world.components.catalogs.translator(None))
    clock.advance(timedelta(seconds=2))

    with pytest.raises(Conflict, match="expired"):
        await links.calendar(_token(url), world.components.catalogs.translator(None))
    assert name == f"class-{booking}.ics"


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


def _browser(world: CoreWorld) -> httpx.AsyncClient:
    app = create_web_app(world.components)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://classbot")


async def test_the_page_serves_the_file_in_the_language_asked_for_and_never_to_a_cache(world: CoreWorld) -> None:
    booking = await _booked(world, 1, "Mia")
    url = await world.components.calendar_links.issue(parent(1), booking, "es")

    async with _browser(world) as browser:
        served = await browser.get(CALENDAR_PATH + _token(url))

    assert served.status_code == 200
    assert served.headers["content-type"] == "text/calendar; charset=utf-8"
    assert served.headers["content-disposition"] == f'attachment; filename="class-{booking}.ics"'
    assert (served.headers["cache-control"], served.headers["referrer-policy"]) == ("no-store", "no-referrer")
    [served_event] = Calendar.from_ical(served.content).walk("VEVENT")
    assert str(served_event["SUMMARY"]) == "Chess for kids (Mia)"
    assert str(served_event["DESCRIPTION"]).startswith("Reserva de ClassBot para Mia")  # the language asked for


async def test_refusals_are_pages_that_say_what_to_do_in_the_links_language(
    world: CoreWorld, clock: MovableClock
) -> None:
    booking = await _booked(world, 1, "Mia")
    links = world.components.calendar_links
    expired = _token(await links.issue(parent(1), booking, "es"))
    clock.advance(LINK_LIFETIME + timedelta(seconds=1))
    cancelled = _token(await links.issue(parent(1), booking, None))
    await world.components.bookings.cancel(parent(1), booking)

    async with _browser(world) as browser:
        too_old = await browser.get(CALENDAR_PATH + expired)
        gone = await browser.get(CALENDAR_PATH + cancelled)
        unknown = await browser.get(CALENDAR_PATH + "nonsense", headers={"Accept-Language": "es"})

    assert (too_old.status_code, gone.status_code, unknown.status_code) == (410, 410, 404)
    assert "caducó" in too_old.text  # expired, said in the language the link was asked for
    assert "cancelled, so it has no link" in gone.text
    assert "no es válido" in unknown.text  # not ours: the browser's language
    assert all("text/calendar" not in page.headers["content-type"] for page in (too_old, gone, unknown))


async def test_a_stored_secret_is_no_calendar_link(world: CoreWorld) -> None:
    """Stored secrets are encrypted with the same keys; one lifted from a backup opens nothing."""
    stolen = world.components.cipher.encrypt("a refresh token").decode()

    async with _browser(world) as browser:
        answer = await browser.get(CALENDAR_PATH + stolen)

    assert answer.status_code == 404
