"""A Telegram parent is asked their timezone once, after a booking, and then reads class times in theirs too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from classbot_fakes.telegram import FakeUser

from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = pytest.mark.slow

QUESTION = "Which timezone do you live in"


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def _class(world: TelegramWorld, teacher: FakeUser, title: str, when: str) -> str:
    """A class the teacher (in Europe/Madrid) makes; its share link."""
    teacher.send(f"/newclass {title} | {when} | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    return share


async def _book(world: TelegramWorld, parent: FakeUser, share: str, title: str, child: str) -> None:
    parent.open_deep_link(share)
    parent.press(await world.said(parent, title), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send(child)
    await world.said(parent, f"Booked: {child}")


@pytest.fixture
async def teacher(world: TelegramWorld) -> FakeUser:
    ann = world.telegram.add_user("Ann")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    ann.start_private_chat()
    await world.said(ann, "books kids")
    await world.connect_zoom(ann, zoom_user.id)
    return ann


async def test_asked_once_after_a_booking_and_the_class_zone_is_one_tap(
    world: TelegramWorld, teacher: FakeUser
) -> None:
    parent = world.telegram.add_user("Pat")
    chess = await _class(world, teacher, "Chess", class_time())
    go = await _class(world, teacher, "Go", class_time(4))

    await _book(world, parent, chess, "Chess", "Mia")
    question = await world.said(parent, QUESTION)
    assert question.button_texts == ["Europe/Madrid"]
    parent.press(question, "Europe/Madrid")
    await world.said(parent, "Your timezone is Europe/Madrid: class times are shown in it too")
    await _book(world, parent, go, "Go", "Mia")
    parent.send("/help")
    await world.said(parent, "Teachers")

    asked = [m for m in world.telegram.messages(parent) if QUESTION in (m.text or "")]
    assert len(asked) == 1  # never again, once answered
    parent.open_deep_link(go)
    card = await world.said(parent, "“Go” with")
    assert "your time" not in (card.text or "")  # the parent's clock is the class's: one time


async def test_a_typed_zone_is_kept_and_cards_show_both_times(world: TelegramWorld, teacher: FakeUser) -> None:
    parent = world.telegram.add_user("Pat")
    when = class_time()
    chess = await _class(world, teacher, "Chess", when)
    await _book(world, parent, chess, "Chess", "Mia")
    await world.said(parent, QUESTION)

    parent.send("Mars/Olympus")
    await world.said(parent, "“Mars/Olympus” is not a timezone: use a name like Europe/Madrid or America/New_York")
    parent.send("America/New_York")
    await world.said(parent, "Your timezone is America/New_York")

    start = datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo("Europe/Madrid"))
    theirs = start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    parent.open_deep_link(chess)
    card = await world.said(parent, "“Chess” with")
    assert f"16:30 (Europe/Madrid), {theirs} your time" in (card.text or "")
    parent.send("Europe/Paris")
    await world.said(parent, "didn't get that")  # the question was answered: typing is no longer read as a zone
    teacher.send("/myclasses")
    mine = await world.said(teacher, "Chess")
    assert "your time" not in (mine.text or "")  # the teacher lives on the class's clock
