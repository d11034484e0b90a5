"""Who sees and books a class in Telegram, through the real process: every way to reach a class (its share link,
the group card's link, /classes in a private chat and in a group, a Book button's payload sent by someone else)
refuses a person outside the class's group with a clear answer and changes nothing, and lets a member in.

One bot is staged once: Ann teaches "Chess club", made in the group Chess parents (for its members: Ann and Mo),
and "Yoga", made in her private chat (anyone with its link). Otto is only in Art parents, Sam in no group.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from classbot_fakes.telegram import FakeGroup, FakeUser

from tests.slack.world import jobs_idle
from tests.support.database_dump import sqlite_rows
from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

FOR_MEMBERS = "This class is for members of Chess parents. Ask its teacher for a share link."
NOTHING_LISTED = "No upcoming classes yet."


@dataclass
class Stage:
    world: TelegramWorld
    database: Path
    people: dict[str, FakeUser]
    groups: dict[str, FakeGroup]
    chess: str  # the classes' public ids
    yoga: str
    links: dict[str, str]  # the group card's link to Chess club, Yoga's share link

    def link(self, payload: str) -> str:
        return f"https://t.me/{self.world.telegram.bot_username}?start={payload}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stage]:
    tmp = tmp_path_factory.mktemp("visibility")
    with telegram_world(tmp, f"sqlite+aiosqlite:///{tmp / 'classbot.db'}") as world:
        tg = world.telegram
        people = {name: tg.add_user(name) for name in ("Ada", "Ann", "Mo", "Otto", "Sam")}
        chess_group = tg.add_group("Chess parents", members=[people["Ann"], people["Mo"]], admins=[people["Ada"]])
        art_group = tg.add_group("Art parents", members=[people["Otto"]], admins=[people["Ada"]])
        for person in people.values():
            person.start_private_chat()
            await world.said(person, "books kids")
        await world.connect_zoom(people["Ann"], world.zoom.add_user(email="ann@example.org").id)
        for group in (chess_group, art_group):
            tg.add_bot_to_group(group, by=people["Ada"])
            people["Ada"].send("/setup", group)
            await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)

        people["Ann"].send(f"/newclass Chess club | {class_time(3)} | 45 | 5", chess_group)
        card = await tg.wait_for_message(chess_group, lambda m: "New class" in (m.text or ""), timeout=40)
        [card_link] = [url for url in card.urls if "start=c_" in url]
        people["Ann"].send(f"/newclass Yoga | {class_time(4)} | 30 | 5")
        created = await world.said(people["Ann"], "Created")
        [share] = [url for url in created.urls if "start=c_" in url]
        await jobs_idle(tmp / "classbot.db")
        yield Stage(
            world,
            tmp / "classbot.db",
            people,
            {"chess": chess_group, "art": art_group},
            card_link.rsplit("c_", 1)[1],
            share.rsplit("c_", 1)[1],
            {"chess": card_link, "yoga": share},
        )


Act = Callable[[Stage], None]


def _opens(who: str, link: str) -> Act:
    def act(stage: Stage) -> None:
        stage.people[who].open_deep_link(stage.links[link])

    return act


def _opens_booking_link(who: str) -> Act:
    """The link a card's Book button in a group answers with (``b_`` and the class's id), opened by ``who``."""

    def act(stage: Stage) -> None:
        stage.people[who].open_deep_link(stage.link(f"b_{stage.chess}"))

    return act


def _replays_book(who: str) -> Act:
    """A tampered client sends a Book button's payload it never got, naming Chess club."""

    def act(stage: Stage) -> None:
        stage.people[who].press_forged(f"book:{stage.chess}")

    return act


def _lists(who: str, group: str | None = None) -> Act:
    def act(stage: Stage) -> None:
        stage.people[who].send("/classes", stage.groups[group] if group else None)

    return act


REFUSED: list[tuple[str, str, Act, str | None, str]] = [
    ("the share link, opened outside the group", "Otto", _opens("Otto", "chess"), None, FOR_MEMBERS),
    ("the share link, opened by someone in no group", "Sam", _opens("Sam", "chess"), None, FOR_MEMBERS),
    ("the group card's Book link, forwarded", "Sam", _opens_booking_link("Sam"), None, FOR_MEMBERS),
    ("a Book payload replayed by someone in another group", "Otto", _replays_book("Otto"), None, FOR_MEMBERS),
    ("a Book payload replayed by someone in no group", "Sam", _replays_book("Sam"), None, FOR_MEMBERS),
    ("/classes in a private chat", "Otto", _lists("Otto"), None, NOTHING_LISTED),
    ("/classes in another group", "Otto", _lists("Otto", "art"), "art", NOTHING_LISTED),
]


@pytest.mark.parametrize(
    ("who", "act", "where", "answer"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED]
)
async def test_someone_outside_the_group_is_refused_clearly_and_nothing_changes(
    stage: Stage, who: str, act: Act, where: str | None, answer: str
) -> None:
    chat = stage.groups[where] if where else stage.people[who]
    await jobs_idle(stage.database)
    before = sqlite_rows(stage.database)

    act(stage)
    told = await stage.world.telegram.wait_for_message(chat, lambda m: answer in (m.text or ""), timeout=40)

    assert "Chess club" not in (told.text or "")
    assert told.buttons == ()  # nothing to open or book
    assert sqlite_rows(stage.database) == before
    assert stage.world.bot.process.poll() is None


ALLOWED: list[tuple[str, str, Act, str | None, str]] = [
    ("the share link, opened by a member", "Mo", _opens("Mo", "chess"), None, "Chess club"),
    ("the group card's Book link, by a member", "Mo", _opens_booking_link("Mo"), None, "Chess club"),
    ("/classes in a private chat, by a member", "Mo", _lists("Mo"), None, "1. “Chess club”"),
    ("/classes in the group, by a member", "Mo", _lists("Mo", "chess"), "chess", "1. “Chess club”"),
    ("a class open to anyone with its link", "Sam", _opens("Sam", "yoga"), None, "Yoga"),
]


@pytest.mark.parametrize(
    ("who", "act", "where", "answer"), [case[1:] for case in ALLOWED], ids=[case[0] for case in ALLOWED]
)
async def test_a_member_sees_the_class(stage: Stage, who: str, act: Act, where: str | None, answer: str) -> None:
    chat = stage.groups[where] if where else stage.people[who]

    act(stage)
    shown = await stage.world.telegram.wait_for_message(chat, lambda m: answer in (m.text or ""), timeout=40)

    assert shown.buttons  # a Book button, or links to the private chat that opens the class


async def test_a_member_books_from_the_group_card_and_a_replay_by_someone_else_books_nothing(stage: Stage) -> None:
    world, mo, sam = stage.world, stage.people["Mo"], stage.people["Sam"]
    mo.open_deep_link(stage.links["chess"])
    card = await world.said(mo, "Chess club")
    mo.press(card, "Book a seat")
    await world.said(mo, "who is the seat for")
    mo.send("Mia")
    await world.said(mo, "Booked: Mia")
    await world.said(mo, "Here is your Zoom link")
    await jobs_idle(stage.database)
    before = sqlite_rows(stage.database)

    sam.press_forged(f"book:{stage.chess}")
    await world.said(sam, re.escape(FOR_MEMBERS))
    sam.send("Zoe")  # as if the question had been asked: there is no booking of Sam's to answer
    await world.said(sam, "I didn't get that")

    assert sqlite_rows(stage.database) == before
    assert world.zoom_links_in(sam) == []


async def test_joining_the_group_opens_the_class_at_once(stage: Stage) -> None:
    world, newt = stage.world, stage.world.telegram.add_user("Newt")
    newt.start_private_chat()
    await world.said(newt, "books kids")
    newt.open_deep_link(stage.links["chess"])
    await world.said(newt, re.escape(FOR_MEMBERS))

    stage.groups["chess"].add_member(newt)  # the kept "no" is doubted: Telegram is asked again
    newt.open_deep_link(stage.links["chess"])

    card = await world.said(newt, "Chess club")
    assert "Book a seat" in card.button_texts


async def test_the_teacher_keeps_a_class_to_its_groups_and_opens_it_again(stage: Stage) -> None:
    world, ann, otto = stage.world, stage.people["Ann"], stage.people["Otto"]
    ann.send("/myclasses")
    yoga = await world.said(ann, "Yoga")
    assert "Anyone with its link can book it." in (yoga.text or "")
    ann.press(yoga, "Keep it to its groups")
    await world.said(ann, "no longer opens it to others")

    otto.open_deep_link(stage.links["yoga"])
    await world.said(otto, "This class is only for the people its teacher shares it with")

    ann.send("/myclasses")
    yoga = await world.said(ann, r"Yoga[\s\S]*For the members of the groups where it is announced")
    ann.press(yoga, "Open to anyone with the link")
    opened = await world.said(ann, "Anyone with this link can now see and book")
    assert stage.links["yoga"] in opened.urls
    otto.open_deep_link(stage.links["yoga"])
    await world.said(otto, "Yoga")
