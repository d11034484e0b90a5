"""The whole product in Telegram, through the real process: connect, create, announce, book, links, privacy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def test_teacher_connects_creates_and_parents_book_with_private_links(world: TelegramWorld) -> None:
    tg, zoom = world.telegram, world.zoom
    teacher, parent = tg.add_user("Ann"), tg.add_user("Pat")
    zoom_user = zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    teacher.start_private_chat()
    await world.said(teacher, "books kids' online classes")
    await world.connect_zoom(teacher, zoom_user.id)

    teacher.send(f"/newclass Chess <for> kids & teens | {class_time()} | 45 | 5")
    created = await world.said(teacher, "Created")
    assert "Chess <for> kids & teens" in (created.text or "")  # user text escaped, shown as typed
    [share] = [url for url in created.urls if "start=c_" in url]

    parent.open_deep_link(share)
    card = await world.said(parent, "Chess <for> kids")
    parent.press(card, "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "Booked: Mia")
    link_message = await world.said(parent, "Here is your Zoom link")
    [join] = [url for url in link_message.urls if "/j/" in url]
    await world.said(teacher, "New booking: Mia")

    teacher.send("/myclasses")
    mine = await world.said(teacher, "Chess <for> kids")
    teacher.press(mine, "Start link")
    start = await world.said(teacher, "logs you in as the host")
    [start_url] = [url for url in start.urls if "/s/" in url]
    assert zoom.start_url_valid(start_url)
    assert join not in world.zoom_links_in(teacher)  # the parent's link went to the parent only


async def test_a_group_gets_announcements_and_lists_but_never_a_zoom_link(world: TelegramWorld) -> None:
    tg, zoom = world.telegram, world.zoom
    admin, teacher, parent = tg.add_user("Ada"), tg.add_user("Ann"), tg.add_user("Pat")
    zoom_user = zoom.add_user(email="ann@example.org")
    group = tg.add_group("Chess parents", members=[teacher, parent], admins=[admin])
    tg.add_bot_to_group(group, by=admin)
    for person in (teacher, parent):
        person.start_private_chat()
    await world.connect_zoom(teacher, zoom_user.id)

    parent.send("/setup", group)  # not an admin: refused
    await tg.wait_for_message(group, lambda m: "Only this group's admins" in (m.text or ""), timeout=40)
    admin.send("/setup", group)
    await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)

    teacher.send("/newclass", group)
    form = await tg.wait_for_message(group, lambda m: "one-line form" in (m.text or ""), timeout=40)
    assert "Times are read in" in (form.text or "")  # said where the teacher types the time
    before = len(tg.messages(group))
    teacher.send(f"/newclass Art club | {class_time()} | 30 | 3", group)
    announcement = await tg.wait_for_message(group, lambda m: "New class" in (m.text or ""), timeout=40)
    assert len(tg.messages(group)) == before + 1  # the announcement is the answer: no second card above it
    [deep_link] = [url for url in announcement.urls if "start=c_" in url]

    parent.open_deep_link(deep_link)
    card = await world.said(parent, "Art club")
    parent.press(card, "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Leo")
    await world.said(parent, "Here is your Zoom link")

    parent.send("/classes", group)
    listed = await tg.wait_for_message(group, lambda m: "2 of 3 seats left" in (m.text or ""), timeout=40)
    assert any("start=c_" in url for url in listed.urls)
    assert world.zoom_links_in(group) == []
    assert all(not re.search(r"/(j|s|w)/\d+", message.text or "") for message in tg.messages(group))


async def test_a_person_who_never_opened_the_bot_is_shown_the_way_and_gets_the_message_later(
    world: TelegramWorld,
) -> None:
    tg = world.telegram
    admin, stranger = tg.add_user("Ada"), tg.add_user("Sam")
    group = tg.add_group("Parents", members=[stranger], admins=[admin])
    tg.add_bot_to_group(group, by=admin)

    stranger.send("/connect", group)

    answer = await tg.wait_for_message(group, lambda m: "open a private chat with me first" in (m.text or ""))
    [open_link] = [url for url in answer.urls if "start=" in url]
    stranger.open_deep_link(open_link)
    await world.said(stranger, "Connect your Zoom account")


async def test_bad_input_gets_clear_answers_and_the_bot_stays_up(world: TelegramWorld) -> None:
    tg = world.telegram
    teacher = tg.add_user("Ann")
    teacher.start_private_chat()
    await world.said(teacher, "books kids")
    teacher.send("/timezone Europe/Madrid")
    await world.said(teacher, "Your timezone is now Europe/Madrid")

    cases = [
        (f"/newclass {'x' * 5000} | {class_time()} | 45 | 5", "keep it to 200"),
        ("/newclass Chess | 2020-01-01 10:00 | 45 | 5", "in the past"),
        (f"/newclass Chess | {class_time()} | 4 | 5", "from 5 to 600"),
        (f"/newclass Chess | {class_time()} | 45 | 0", "from 1 to 1000"),
        ("/newclass Chess | tomorrow | 45 | 5", "YYYY-MM-DD HH:MM"),
        ("/newclass just a title", "at least four parts"),
        ("/frobnicate", "don't know that command"),
        ("hello there", "didn't get that"),
    ]
    for text, expected in cases:
        teacher.send(text)
        await world.said(teacher, re.escape(expected))

    teacher.send(f"/newclass ♟️ شطرنج للأطفال | {class_time()} | 45 | 5")
    await world.said(teacher, "شطرنج")
    assert world.bot.process.poll() is None
    assert "Traceback" not in world.bot.output()


async def test_admins_take_a_class_down_and_members_cannot(world: TelegramWorld) -> None:
    tg, zoom = world.telegram, world.zoom
    admin, teacher, member = tg.add_user("Ada"), tg.add_user("Ann"), tg.add_user("Max")
    zoom_user = zoom.add_user(email="ann@example.org")
    group = tg.add_group("Parents", members=[teacher, member], admins=[admin])
    tg.add_bot_to_group(group, by=admin)
    teacher.start_private_chat()
    await world.connect_zoom(teacher, zoom_user.id)
    admin.send("/setup", group)
    await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)
    teacher.send(f"/newclass Art club | {class_time()} | 30 | 3", group)
    await tg.wait_for_message(group, lambda m: "New class" in (m.text or ""), timeout=40)

    member.send("/classes", group)
    card = await tg.wait_for_message(group, lambda m: "Take down" in " ".join(m.button_texts), timeout=40)
    member.press(card, "1. Take down (admins)")
    await tg.wait_for_message(group, lambda m: "Only this group's admins" in (m.text or ""), timeout=40)
    admin.press(card, "1. Take down (admins)")
    await tg.wait_for_message(group, lambda m: "Taken down" in (m.text or ""), timeout=40)
    member.send("/classes", group)
    await tg.wait_for_message(group, lambda m: "No upcoming classes" in (m.text or ""), timeout=40)


async def test_a_message_refused_by_telegram_arrives_when_the_parent_comes_back(world: TelegramWorld) -> None:
    tg, zoom = world.telegram, world.zoom
    teacher, parent = tg.add_user("Ann"), tg.add_user("Pat")
    zoom_user = zoom.add_user(email="ann@example.org")
    teacher.start_private_chat()
    await world.connect_zoom(teacher, zoom_user.id)
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    await world.booked(parent, share, "Chess", "Mia")
    parent.block_bot()

    teacher.send("/myclasses")
    teacher.press(await world.said(teacher, "seats left"), "Message the parents")
    await world.said(teacher, "Type the message")
    teacher.send("Bring a chessboard!")
    await world.said(teacher, "Sent to 1 parent")

    def refused() -> bool:
        return any(call.method == "sendMessage" and call.status == 403 for call in tg.calls)

    await tg.wait_until(refused, timeout=40)
    retrying = re.compile(r"\(notify\) attempt \d+ failed, retrying")
    await tg.wait_until(lambda: bool(retrying.search(world.bot.output())), timeout=40)  # the wait is recorded
    assert not any("chessboard" in (m.text or "") for m in tg.messages(parent))

    parent.send("/start")  # back: this unblocks the bot
    await world.said(parent, "Bring a chessboard!")
