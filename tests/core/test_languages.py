"""Each person's language: the platform's until they choose, their choice afterwards; a community's, set by its
admins; and a notice queued in one language setting goes out in the recipient's language when it is delivered."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.core.communities import CommunityRef
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.languages import AskPlatform
from bot.storage.identity import PersonRef
from tests.support.core_world import TEACHER, CoreWorld, parent

GROUP = CommunityRef("telegram", "-100777", title="Ajedrez")
ADMIN = PersonRef("telegram", "9001", display_name="Admin")


async def test_the_platforms_language_until_the_person_chooses_one(world: CoreWorld) -> None:
    languages = world.components.languages
    cls = await world.new_class(seats=5)

    assert (await languages.of_reader(parent(1), "es-419"))[0] == "es"
    assert (await languages.known_reader(parent(1)))[
        0
    ] is None  # asking makes no row: someone who only looked leaves nothing
    await world.components.bookings.book(replace(parent(1), language="es-419"), cls.public_id, ["Mia"], "t1")
    assert (await languages.known_reader(parent(1)))[0] == "es"  # the row made by the booking knows the language
    assert (await languages.of_reader(parent(1), "de"))[0] == "en"  # a language we lack: English, noted as such
    assert (await languages.known_reader(parent(1)))[0] == "en"
    assert (await languages.of_reader(parent(1), "es"))[0] == "es"

    assert await languages.choose(parent(1), "en") == "en"
    assert (await languages.of_reader(parent(1), "es"))[0] == "en"
    await world.components.bookings.book(replace(parent(1), language="es"), cls.public_id, ["Leo"], "t2")
    assert (await languages.known_reader(parent(1)))[0] == "en"  # the person's own choice wins over the platform's
    # Slack's locale differs too: the choice is kept, while the zone it tells, unknown until then, is noted.
    assert await languages.reader(parent(1), says("es-ES", "Asia/Tokyo")) == ("en", "Asia/Tokyo")
    assert await languages.known_reader(parent(1)) == ("en", "Asia/Tokyo", None)
    with pytest.raises(InvalidInput, match="Choose one of these languages: en, es"):
        await languages.choose(parent(1), "fr")


async def test_a_readers_timezone_is_asked_once_and_a_platforms_never_overrides_theirs(world: CoreWorld) -> None:
    languages = world.components.languages
    cls = await world.new_class(seats=5)

    assert await languages.ask_zone_once(parent(1)) is False  # no one to ask yet: asking makes no row
    await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "t1")
    assert await languages.ask_zone_once(parent(1)) is True
    assert await languages.ask_zone_once(parent(1)) is False  # once in their life with us
    with pytest.raises(InvalidInput, match="is not a timezone: use a name like Europe/Madrid"):
        await languages.choose_zone(parent(1), "Mars/Olympus")
    assert await languages.choose_zone(parent(1), "America/New_York") == "America/New_York"
    # A platform's word never replaces the person's (nor is it asked for: both are known).
    assert await languages.reader(parent(1), says(None, "Asia/Tokyo")) == ("en", "America/New_York")
    assert (await languages.known_reader(parent(1)))[1] == "America/New_York"

    await world.components.bookings.book(parent(2), cls.public_id, ["Leo"], "t2")
    # A zone we do not know: class times alone.
    assert await languages.reader(parent(2), says(None, "Not/AZone")) == ("en", None)
    assert (await languages.known_reader(parent(2)))[1] is None
    assert await languages.reader(parent(2), says("es", "Asia/Tokyo")) == ("es", "Asia/Tokyo")
    assert await languages.ask_zone_once(parent(2)) is False  # the platform told it: nothing to ask
    assert (await languages.of_reader(parent(2), None)) == ("es", "Asia/Tokyo")
    assert await languages.reader(parent(2), says("en", "Europe/Oslo")) == ("es", "Asia/Tokyo")  # not asked again

    # Someone who only looks: the platform's word is used, nothing is kept; their first booking keeps both.
    assert await languages.reader(parent(3), says("es-ES", "Asia/Tokyo")) == ("es", "Asia/Tokyo")
    assert await languages.known_reader(parent(3)) == (None, None, None)
    looker = replace(parent(3), language="es", timezone="Asia/Tokyo")
    await world.components.bookings.book(looker, cls.public_id, ["Ana"], "t3")
    assert await languages.known_reader(parent(3)) == ("es", "Asia/Tokyo", None)


def says(tag: str | None, zone: str | None) -> AskPlatform:
    """A platform that answers ``tag`` and ``zone`` when asked about a person."""

    async def ask() -> tuple[str | None, str | None]:
        return tag, zone

    return ask


async def test_of_two_racing_askers_of_a_readers_timezone_only_one_asks(world: CoreWorld) -> None:
    cls = await world.new_class(seats=5)
    await world.components.bookings.book(parent(1), cls.public_id, ["Mia"], "t1")
    languages = world.components.languages
    answers = await asyncio.gather(*(languages.ask_zone_once(parent(1)) for _ in range(4)))
    assert sorted(answers) == [False, False, False, True]


async def test_only_a_set_up_communitys_admins_choose_its_language(world: CoreWorld) -> None:
    languages = world.components.languages
    with pytest.raises(NotAllowed, match="not set up"):
        await languages.choose_for_community(GROUP, "es", admin_verified=True)
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
    with pytest.raises(NotAllowed, match="admins"):
        await languages.choose_for_community(GROUP, "es", admin_verified=False)

    assert await languages.of_community(GROUP) == "en"
    assert await languages.choose_for_community(GROUP, "es", admin_verified=True) == "es"
    assert await languages.of_community(GROUP) == "es"


async def test_notices_go_out_in_each_recipients_language(world: CoreWorld) -> None:
    await world.components.communities.set_up(ADMIN, GROUP, admin_verified=True)
    await world.components.languages.choose_for_community(GROUP, "es", admin_verified=True)
    cls = await world.new_class(seats=1)
    await world.components.communities.publish(TEACHER, cls.public_id, GROUP)
    await world.run_jobs()  # the announcement, while the seat is free

    await world.components.bookings.book(replace(parent(1), language="es"), cls.public_id, ["Mia"], "t1")
    await world.components.bookings.book(replace(parent(2), language="en"), cls.public_id, ["Leo"], "t2")
    await world.run_jobs()
    await world.components.languages.choose(parent(2), "es")  # switched before the seat opens
    [booking] = await world.components.bookings.for_parent(parent(1))
    await world.components.bookings.cancel(parent(1), booking.public_id)
    await world.run_jobs()

    assert any("Aquí tienes tu enlace de Zoom" in text for text in world.notifier.texts_for(parent(1).user_id))
    assert any("Se liberó una plaza en «Chess for kids»: Leo" in t for t in world.notifier.texts_for(parent(2).user_id))
    [(_, announcement)] = world.notifier.posted
    assert announcement.text.startswith("Nueva clase: «Chess for kids» con Ann Lee")
    assert [button.label for button in announcement.buttons] == ["Reservar plaza"]
