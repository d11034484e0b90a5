"""A teacher sets a class's price on Telegram, through the real process: a step of the guided /newclass (Free
skips it), the one-line form's ``price`` part, the class's Edit menu; a wrong price is named with what to type,
and the price is on the class's card for the teacher and for parents. So is a paid class's refund rule: asked
after the price (not for a free class), changed in the Edit menu of a paid class only. Parents on Telegram pay in
Stars only, so a price in money is refused with what to type instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.telegram.world import TelegramWorld, class_time, guided_to_the_price, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


async def test_the_guided_newclass_asks_the_price_and_names_a_wrong_one(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    teacher.send("/newclass")
    await world.said(teacher, "What is the class called")
    asked = await world.answered(teacher, guided_to_the_price("Robotics"))
    assert "Free" in asked.button_texts
    teacher.send("12 dollars")
    wrong = await world.said(teacher, "is not a price")
    await world.said(teacher, "price per child")  # asked again
    teacher.send("12.50 EUR")
    not_stars = await world.said(teacher, "Parents here pay in Telegram Stars: type the price in XTR, like 250 XTR")
    await world.said(teacher, "price per child")  # asked again
    teacher.send("250 XTR")
    rule_asked = await world.said(teacher, "a parent who cancels still gets the whole price back")
    teacher.send("two days")
    wrong_rule = await world.said(teacher, "does not fit")
    await world.said(teacher, "a parent who cancels still gets the whole price back")  # asked again
    teacher.send("48h")
    settings = await world.said(teacher, "Last, the settings")
    teacher.press(settings, "Approve each booking myself")  # a paid class books those who pay
    refused = await world.said(teacher, "cannot also wait for your approval")
    await world.said(teacher, "Last, the settings")
    teacher.send("price 9 EUR")
    await world.said(teacher, "Parents here pay in Telegram Stars")
    await world.said(teacher, "Last, the settings")
    teacher.send("free")
    free = await world.said(teacher, "Price: Free")
    teacher.send("price 300 XTR")
    await world.said(teacher, "Price: 300 ⭐ per child")
    teacher.send("refund 0")
    priced = await world.said(teacher, "Full refund if cancelled before the class starts")
    teacher.press(priced, "Create the class")
    created = await world.said(teacher, "Created")
    [share] = [url for url in created.urls if "start=c_" in url]
    parent.start_private_chat()
    await world.said(parent, "books kids")
    parent.open_deep_link(share)
    card = await world.said(parent, "Robotics")

    assert "12 dollars" in (wrong.text or "")
    assert "12.50" not in (not_stars.text or "")
    assert "Price: 250 ⭐ per child" in (settings.text or "")
    assert rule_asked.button_texts == ["Until the class starts", "Until 24 h before", "Until 48 h before"]
    assert "“two days” does not fit" in (wrong_rule.text or "")
    assert "from 0 (until the class starts) to 720" in (wrong_rule.text or "")
    assert "Full refund if cancelled at least 48 hours before the first session." in (settings.text or "")
    assert refused.text
    assert "Price: Free" in (free.text or "")
    assert "Full refund" not in (free.text or "")  # a free class has no refund rule to show
    assert "Price: 300 ⭐ per child" in (created.text or "")
    assert "Price: 300 ⭐ per child" in (card.text or "")
    assert "Full refund if cancelled before the class starts." in (card.text or "")


async def test_the_one_line_price_and_the_edit_menu_change_it_and_the_parents_are_told(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    parent.start_private_chat()
    await world.said(parent, "books kids")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5 | price twelve euros")
    wrong_line = await world.said(teacher, "is not a price")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5 | price 12.50 EUR")
    await world.said(teacher, "Parents here pay in Telegram Stars: type the price in XTR, like 250 XTR")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5 | price 250 XTR")
    created = await world.said(teacher, "Created")
    teacher.send(f"/newclass Drawing | {class_time()} | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Drawing"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "Booked: Mia")

    teacher.send("/myclasses")
    drawing = await world.said(teacher, "“Drawing” with")
    teacher.press(drawing, "Edit")
    menu = await world.said(teacher, "What should change in “Drawing”")
    teacher.press(menu, "Price per child")
    await world.said(teacher, "Type the price per child")
    teacher.send("1.234 EUR")
    too_fine = await world.said(teacher, "decimals at most")
    teacher.send("9 EUR")
    await world.said(teacher, "Parents here pay in Telegram Stars")
    teacher.send("250 XTR")
    saved = await world.said(teacher, "Saved, and 1 parent was told")
    told = await world.said(parent, "The teacher changed “Drawing”")
    teacher.press(saved, "Edit")
    paid_menu = await world.said(teacher, "What should change in “Drawing”")
    teacher.press(paid_menu, "Refund rule")
    await world.said(teacher, "a parent who cancels still gets the whole price back")
    teacher.send("-3")
    wrong_rule = await world.said(teacher, "does not fit")
    teacher.send("6 hours")
    ruled = await world.said(teacher, "Saved")
    teacher.press(ruled, "Edit")
    teacher.press(await world.said(teacher, "What should change in “Drawing”"), "Price per child")
    await world.said(teacher, "Type the price per child")
    teacher.send("-")
    free_again = await world.said(teacher, "Saved")
    told_free = await world.said(parent, "It is free now")

    assert "twelve euros" in (wrong_line.text or "")
    assert "Price: 250 ⭐ per child" in (created.text or "")
    assert "Price:" not in (drawing.text or "")  # a free class's card names no price
    assert "Price per child" in menu.button_texts
    assert "Refund rule" not in menu.button_texts  # a free class has none
    assert "Refund rule" in paid_menu.button_texts
    assert "“-3” does not fit" in (wrong_rule.text or "")
    assert "Full refund if cancelled at least 6 hours before the first session." in (ruled.text or "")
    assert too_fine.text
    assert "Price: 250 ⭐ per child" in (saved.text or "")
    assert "New price: 250 ⭐ per child" in (told.text or "")
    assert "Price:" not in (free_again.text or "")
    assert told_free.text
