"""A teacher has a class's Zoom meeting made from its /myclasses card, through the real process: "Create the Zoom
meeting now" makes exactly one meeting and answers with the start link in the teacher's private chat; a class
made without Zoom offers "Add a Zoom meeting" instead, after which each parent already booked gets their link;
a teacher without a Zoom connection is told to connect first, and no one else may press either."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.waiting import wait_until
from tests.telegram.world import TelegramWorld, class_time, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def test_the_meeting_is_made_now_and_zoom_added_to_a_class_without_it(world: TelegramWorld) -> None:
    tg = world.telegram
    teacher, parent, bob = tg.add_user("Ann"), tg.add_user("Pat"), tg.add_user("Bob")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    for person in (teacher, parent, bob):
        person.start_private_chat()
        await world.said(person, "books kids")
    await world.connect_zoom(teacher, zoom_user.id)
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 4")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    chess_id = share.split("start=c_")[1]
    teacher.send("/myclasses")
    card = await world.said(teacher, "Chess")
    no_meeting_yet = dict(world.zoom.meetings)

    bob.press_forged(f"meet:{chess_id}")
    refused = await world.said(bob, "Only the class's teacher")
    teacher.press(card, "Create the Zoom meeting now")
    started = await world.said(teacher, "Start “Chess”")
    teacher.press(card, "Create the Zoom meeting now")  # an older card, pressed again: the same meeting
    again = await world.said(teacher, "Start “Chess”")
    meetings_after_chess = len(world.zoom.meetings)
    teacher.send("/myclasses")
    card_after = await world.said(teacher, "Chess")

    teacher.send(f"/newclass Drawing | {class_time()} | 45 | 4 | no zoom")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Drawing"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "Mia")
    links_before = world.zoom_links_in(parent)
    teacher.send("/myclasses")
    await world.said(teacher, "Chess")
    drawing = await world.said(teacher, "Drawing")
    teacher.press(drawing, "Add a Zoom meeting")
    added = await world.said(teacher, "now has a Zoom meeting")
    link = await world.said(parent, "“Drawing” now has a Zoom meeting. Here is Mia's link")

    bob.send(f"/newclass Clay | {class_time()} | 45 | 4 | no zoom")
    await world.said(bob, "Created")
    bob.send("/myclasses")
    bob.press(await world.said(bob, "Clay"), "Add a Zoom meeting")
    unconnected = await world.said(bob, "Connect Zoom with /connect first")

    assert no_meeting_yet == {}
    assert "Create the Zoom meeting now" in card.button_texts
    assert "Create the Zoom meeting now" not in refused.button_texts
    assert started.button("Start on Zoom").url
    assert again.button("Start on Zoom").url
    assert meetings_after_chess == 1  # made once, pressed twice
    assert "Create the Zoom meeting now" not in card_after.button_texts
    assert "Start link" in card_after.button_texts
    assert "Add a Zoom meeting" in drawing.button_texts
    assert "Start link" not in drawing.button_texts
    assert links_before == []
    assert "Create the Zoom meeting now" in added.button_texts  # the card as it is now
    assert link.button("Join the class on Zoom").url
    assert len(world.zoom.meetings) == 2
    assert unconnected.text
    for chat in (parent, bob):  # a start link goes to the teacher only
        assert not [m for m in tg.messages(chat) if "Start on Zoom" in m.button_texts]


async def test_start_link_and_meeting_now_pressed_in_a_group_send_no_start_link_there(world: TelegramWorld) -> None:
    """The teacher's own buttons, replayed on the group's announcement (a tampered client): refused in the group,
    where no start link may ever appear, and no meeting is made for a press there."""
    tg = world.telegram
    admin, teacher = tg.add_user("Ada"), tg.add_user("Ann")
    group = tg.add_group("Chess parents", members=[teacher], admins=[admin])
    tg.add_bot_to_group(group, by=admin)
    teacher.start_private_chat()
    await world.said(teacher, "books kids")
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
    admin.send("/setup", group)
    await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 4", group)
    announced = await tg.wait_for_message(group, lambda m: "New class" in (m.text or ""), timeout=40)
    [share] = [url for url in announced.urls if "start=c_" in url]
    class_id = share.split("start=c_")[1]

    def refusals() -> list[str]:
        return [m.text or "" for m in tg.messages(group) if "only sent in our private chat" in (m.text or "")]

    async def refused(times: int) -> bool:
        return len(refusals()) >= times

    teacher.press_forged(f"meet:{class_id}", on=announced)
    await wait_until(lambda: refused(1), timeout=40, what="the refusal of Create the meeting now in the group")
    teacher.press_forged(f"start:{class_id}", on=announced)
    await wait_until(lambda: refused(2), timeout=40, what="the refusal of Start link in the group")
    teacher.send("/myclasses")
    card = await world.said(teacher, "Chess")

    assert len(refusals()) == 2
    assert world.zoom.meetings == {}  # nothing made for a press in a group
    assert all(not re.search(r"/(j|s|w)/\d+", message.text or "") for message in tg.messages(group))
    assert not [m for m in tg.messages(group) if "Start on Zoom" in m.button_texts]
    assert "Start link" in card.button_texts  # the private card still offers it, beside…
    assert "Create the Zoom meeting now" in card.button_texts  # …making the meeting now
