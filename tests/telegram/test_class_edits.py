"""A teacher edits a class from its /myclasses card, through the real process: a menu of its settings, the new
value typed (or approval switched with a tap), the card as it is now; fewer seats than are taken are refused
with the number, more seats move the waitlist up, the parents are told, and no one else may edit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def test_a_teacher_edits_a_class_and_the_parents_are_told(world: TelegramWorld) -> None:
    tg = world.telegram
    teacher, parent, waiting = tg.add_user("Ann"), tg.add_user("Pat"), tg.add_user("Quinn")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    for person in (teacher, parent, waiting):
        person.start_private_chat()
        await world.said(person, "books kids")
    await world.connect_zoom(teacher, zoom_user.id)
    when = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d 16:30")
    teacher.send(f"/newclass Chess | {when} | 45 | 2")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    class_id = share.split("start=c_")[1]
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Chess"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia, Ava")
    await world.said(parent, "Booked: Mia")
    waiting.open_deep_link(share)
    waiting.press(await world.said(waiting, "Chess"), "Join the waitlist")
    await world.said(waiting, "who should go on the waitlist")
    waiting.send("Leo")
    await world.said(waiting, "on the waitlist")

    waiting.press_forged(f"edit:{class_id}")
    refused = await world.said(waiting, "Only the class's teacher")
    waiting.press_forged(f"es:{class_id}:title")  # a menu's choice, naming someone else's class
    await world.said(waiting, "Only the class's teacher")
    teacher.send("/myclasses")
    card = await world.said(teacher, "Chess")
    teacher.press(card, "Edit")
    menu = await world.said(teacher, "What should change in “Chess”")
    teacher.press(menu, "Seats")
    await world.said(teacher, "Type the number of seats")
    teacher.send("1")
    too_few = await world.said(teacher, "already taken")
    teacher.send("3")
    more_seats = await world.said(teacher, "Saved")
    promoted = await world.said(waiting, "A seat opened in “Chess”: Leo is booked now")

    teacher.press(more_seats, "Edit")
    teacher.press(await world.said(teacher, "What should change"), "Title")
    await world.said(teacher, "Type the new title")
    teacher.send("Chess club")
    renamed = await world.said(teacher, "Saved, and 2 parents were told")
    told = [await world.said(person, "The teacher changed “Chess”") for person in (parent, waiting)]
    teacher.press(renamed, "Edit")
    teacher.press(await world.said(teacher, "What should change in “Chess club”"), "Approval: off (switch on)")
    approval = await world.said(teacher, "Saved")

    assert "Edit" not in refused.button_texts
    assert (too_few.text or "").startswith("2 seats are already taken: the class cannot have fewer than 2 seats.")
    assert "full: join the waitlist" in (more_seats.text or "")  # Leo took the third seat
    assert promoted.text
    assert "“Chess club” with Ann" in (renamed.text or "")
    for notice in told:
        assert "It is now called “Chess club”" in (notice.text or "")
    assert len([m for m in tg.messages(parent) if "The teacher changed" in (m.text or "")]) == 1  # one per parent
    assert "You approve each booking yourself." in (approval.text or "")
    assert "Reschedule" in approval.button_texts  # the updated card, with what a teacher can do


async def test_an_older_edit_menu_still_edits_its_own_class(world: TelegramWorld) -> None:
    """Menus sit in the chat: a teacher may open one class's, then another's, and scroll back to the first."""
    tg = world.telegram
    teacher = tg.add_user("Ann")
    zoom_user = world.zoom.add_user(email="ann@example.org", timezone="Europe/Madrid")
    teacher.start_private_chat()
    await world.said(teacher, "books kids")
    await world.connect_zoom(teacher, zoom_user.id)
    day = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    teacher.send(f"/newclass Chess | {day} 16:30 | 45 | 4")
    await world.said(teacher, "Created")
    teacher.send(f"/newclass Drawing | {day} 18:00 | 45 | 4")
    await world.said(teacher, "Created")
    teacher.send("/myclasses")
    chess, drawing = await world.said(teacher, "Chess"), await world.said(teacher, "Drawing")

    teacher.press(chess, "Edit")
    chess_menu = await world.said(teacher, "What should change in “Chess”")
    teacher.press(drawing, "Edit")
    await world.said(teacher, "What should change in “Drawing”")
    teacher.press(chess_menu, "Title")  # the older menu, Drawing's being the chat's latest
    await world.said(teacher, "Type the new title")
    teacher.send("Chess club")
    renamed = await world.said(teacher, "Saved")
    for _ in range(2):  # the older menu again, twice: approval is set, not flipped back
        teacher.press(chess_menu, "Approval: off (switch on)")
    approvals = [await world.said(teacher, "Saved") for _ in range(2)]
    teacher.send("/myclasses")
    cards = [await world.said(teacher, "with Ann") for _ in range(2)]

    assert "“Chess club” with Ann" in (renamed.text or "")
    shown = " | ".join(card.text or "" for card in cards)
    assert "“Chess club” with Ann" in shown  # A was renamed…
    assert "“Drawing” with Ann" in shown  # …and B kept its title
    assert "“Chess” with" not in shown
    for saved in approvals:
        assert "“Chess club” with Ann" in (saved.text or "")
        assert "You approve each booking yourself." in (saved.text or "")
    for row in chess_menu.buttons:  # each button carries its class, within Telegram's 64 bytes of callback data
        for button in row:
            assert button.callback_data is not None
            assert len(button.callback_data.encode()) <= 64
