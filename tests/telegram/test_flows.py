"""Telegram flows across restarts, webhook mode, bookings management, and buttons nobody should press."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.telegram.world import TelegramWorld, class_time, guided_to_the_price, telegram_world

pytestmark = pytest.mark.slow


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


def _restart(world: TelegramWorld) -> None:
    assert world.bot.stop(signal.SIGTERM) == 0
    world.bot.start()
    world.bot.wait_healthy()


async def test_the_guided_newclass_survives_a_restart(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    teacher.send("/newclass")
    await world.said(teacher, "What is the class called")
    teacher.send("Robotics")
    day_question = await world.said(teacher, "Which day")

    _restart(world)

    teacher.press(day_question, day_question.button_texts[2])
    asked = await world.said(teacher, "At what time")
    assert re.search(r"Times are read in \w+(/\w+)*\.", asked.text or "")  # where the time is typed
    teacher.send("25:00")
    await world.said(teacher, "24-hour clock")
    await world.said(teacher, "At what time")
    teacher.send("17:15")
    duration = await world.said(teacher, "How many minutes")
    teacher.press(duration, "60")
    seats = await world.said(teacher, "How many seats")
    teacher.press(seats, "8")
    repeat = await world.said(teacher, "Once, or weekly")
    teacher.press(repeat, "Weekly, 4 times")
    teacher.press(await world.said(teacher, "price per child"), "Free")  # the price step, skipped
    settings = await world.said(teacher, "Last, the settings")
    teacher.press(settings, "Create the class")  # every setting skipped: the defaults
    created = await world.said(teacher, "Created")
    assert "Robotics" in (created.text or "")
    assert "weekly x4" in (created.text or "")
    assert "17:15" in (created.text or "")


async def test_the_guided_newclass_sets_approval_minimum_zoom_and_description(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    teacher.send("/newclass")
    await world.said(teacher, "What is the class called")
    settings = await world.answered(teacher, [*guided_to_the_price("Robotics"), ("free", "Last, the settings")])
    assert "Bookings: confirmed at once" in (settings.text or "")
    assert "Zoom meeting: yes" in (settings.text or "")
    assert "Price: Free" in (settings.text or "")
    teacher.press(settings, "Approve each booking myself")
    settings = await world.said(teacher, "Bookings: you approve each one")
    teacher.press(settings, "Minimum 2 children")
    settings = await world.said(teacher, "Minimum bookings: 2")
    teacher.press(settings, "No Zoom meeting")
    settings = await world.said(teacher, "Zoom meeting: no")
    teacher.send("ages 6-9")
    settings = await world.said(teacher, "Children's ages: Ages 6\u20139")
    teacher.send("min 9")  # more than the 4 seats: named, and the question asked again
    await world.said(teacher, "minimum number of bookings must be from 1 to the seats")
    settings = await world.said(teacher, "Last, the settings")
    assert "Minimum bookings: 2" in (settings.text or "")
    teacher.send("/myclasses")
    await world.said(teacher, "You have no upcoming classes")  # nothing made before Create
    teacher.send("Lego robots for beginners")
    settings = await world.said(teacher, "Description: Lego robots for beginners")
    teacher.press(settings, "Create the class")
    created = await world.said(teacher, "Created")
    for said in ("Lego robots for beginners", "You approve each booking yourself", "fewer than 2 children", "No Zoom"):
        assert said in (created.text or "")
    [share] = [url for url in created.urls if "start=c_" in url]
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Robotics(.|\n)*Ages 6\u20139"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "the teacher approves bookings")
    assert not world.zoom.meetings


async def test_cancel_leaves_the_conversation(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    teacher.send("/newclass")
    await world.said(teacher, "What is the class called")
    teacher.send("/cancel")
    await world.said(teacher, "we left that")
    teacher.send("Robotics")
    await world.said(teacher, "didn't get that")


async def test_a_booking_survives_a_restart_and_the_parent_manages_it(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Chess"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia, Leo")
    await world.said(parent, "Booked: Mia")
    first_link = await world.said(parent, "Here is your Zoom link")

    _restart(world)

    parent.send("/mybookings")
    listed = await world.said(parent, "1. Mia in")  # not a link message still arriving ("You're booked: Mia in")
    assert "2. Leo in" in (listed.text or "")  # both in one message, numbered
    parent.press(listed, "1. Get my Zoom link")
    again = await world.said(parent, "Your Zoom link")
    assert set(again.urls) & set(first_link.urls)
    parent.press(listed, "1. Add to calendar (.ics)")
    calendar = await world.telegram.wait_for_message(parent, lambda m: m.document is not None, timeout=40)
    assert calendar.document is not None
    assert b"BEGIN:VCALENDAR" in calendar.document.data
    assert b"SUMMARY:Chess (Mia)" in calendar.document.data
    parent.press(listed, "1. Cancel this booking")
    question = await world.said(parent, "Cancel Mia's seat in “Chess”\\?")  # asked first, as for a class
    parent.send("/mybookings")
    assert "1. Mia in" in ((await world.said(parent, "1. Mia in")).text or "")  # nothing cancelled yet
    parent.press(question, "Yes, cancel the booking")
    await world.said(parent, "Cancelled: Mia")
    teacher.send("/myclasses")
    await world.said(teacher, "4 of 5 seats left")


async def test_remembered_children_are_one_tap_next_time(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    for title in ("Chess", "Art"):
        teacher.send(f"/newclass {title} | {class_time()} | 45 | 5")
        [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
        parent.open_deep_link(share)
        parent.press(await world.said(parent, title), "Book a seat")
        question = await world.said(parent, "who is the seat for")
        if title == "Chess":
            parent.send("Mia")
        else:
            parent.press(question, "Mia")
        await world.said(parent, "Booked: Mia")


async def test_forged_stale_and_foreign_buttons_are_refused(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    intruder = world.telegram.add_user("Eve")
    intruder.start_private_chat()
    await world.said(intruder, "books kids")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5")
    await world.said(teacher, "Created")
    teacher.send("/myclasses")
    card = await world.said(teacher, "Chess")

    # Eve replays the teacher's buttons from her own chat (same callback data, her user id).
    for label in ("Start link", "Cancel the class", "Roster"):
        data = card.button(label).callback_data
        assert data is not None
        intruder.press_forged(data)
        await world.said(intruder, "Only the class's teacher")
    for forged in ("zzz:1", "roster:" + "x" * 57, "nonsense"):
        answer = await world.telegram.wait_for_callback_answer(intruder.press_forged(forged), timeout=40)
        assert (answer.text, answer.show_alert) == ("This button is no longer valid.", True)
    intruder.press_forged("cc:nope00000000")  # well formed, but no such class
    await world.said(intruder, "no longer exists")
    assert world.bot.process.poll() is None
    teacher.send("/myclasses")
    await world.said(teacher, "5 of 5 seats left")


def test_webhook_mode_refuses_a_wrong_secret_and_processes_an_update_once(tmp_path: Path, sqlite_url: str) -> None:
    with telegram_world(tmp_path, sqlite_url, webhook=True) as world:
        assert world.telegram.webhook_url == f"{world.bot.url}/telegram/webhook"
        user = world.telegram.add_user("Pat")
        update = {
            "update_id": 424242,
            "message": {
                "message_id": 1,
                "date": int(datetime.now(UTC).timestamp()),
                "chat": {"id": user.id, "type": "private", "first_name": "Pat"},
                "from": {"id": user.id, "is_bot": False, "first_name": "Pat"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        body = json.dumps(update)
        url = f"{world.bot.url}/telegram/webhook"
        wrong = httpx.post(url, content=body, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        missing = httpx.post(url, content=body)
        assert (wrong.status_code, missing.status_code) == (403, 403)

        user.start_private_chat()  # delivered by the fake through the webhook
        right = {"X-Telegram-Bot-Api-Secret-Token": "tg-secret-123", "content-type": "application/json"}
        for _ in range(2):  # Telegram redelivers the same update
            assert httpx.post(url, content=body, headers=right).status_code == 200
        assert httpx.post(url, content="[]", headers=right).status_code == 400

        asyncio.run(world.said(user, "books kids"))
        helps = [m for m in world.telegram.messages(user) if "books kids" in (m.text or "")]
        assert len(helps) == 2  # one for /start through the fake's webhook, one for the update sent twice


async def test_forgetme_cancels_and_deletes_after_a_confirmation(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5")
    [share] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]
    await world.booked(parent, share, "Chess", "Mia")

    parent.send("/forgetme")
    confirm = await world.said(parent, "cannot be undone")
    parent.press(confirm, "Yes, forget me")
    await world.said(parent, "1 booking")
    await world.said(teacher, "Mia no longer comes")
    parent.send("/mybookings")
    await world.said(parent, "no upcoming bookings")


async def test_the_one_line_newclass_takes_settings_and_names_a_wrong_part(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    for wrong, answer in (
        (
            f"/newclass Chess | {class_time()} | 45 | 5 | min 9",
            "minimum number of bookings must be from 1 to the seats",
        ),
        (f"/newclass Chess | {class_time()} | 45 | 5 | approve | zoom maybe", "“zoom maybe” is not a part I know"),
        (f"/newclass Chess | {class_time()} | 45 | 5 | min three", "“three” is not a number of children"),
    ):
        teacher.send(wrong)
        await world.said(teacher, re.escape(answer))
    teacher.send("/myclasses")
    await world.said(teacher, "You have no upcoming classes")  # nothing made by a wrong line

    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5 | approve | min 2 | no zoom | about: Openings | endgames")
    created = await world.said(teacher, "Created")
    for said in ("Openings | endgames", "You approve each booking yourself", "fewer than 2 children", "No Zoom"):
        assert said in (created.text or "")
    [share] = [url for url in created.urls if "start=c_" in url]
    parent.open_deep_link(share)
    parent.press(await world.said(parent, "Chess"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "the teacher approves bookings")
    assert not world.zoom.meetings  # no meeting for a class without Zoom


async def test_ages_on_the_card_filter_classes_and_ride_with_the_childs_name(world: TelegramWorld) -> None:
    teacher = await world.ready_teacher()
    parent = world.telegram.add_user("Pat")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5 | ages 10-7")
    await world.said(teacher, "The ages must go from the youngest to the oldest")
    teacher.send(f"/newclass Chess | {class_time()} | 45 | 5 | ages seven")
    await world.said(teacher, "“seven” is not an age range: type it as 7-10")
    shares = {}
    for title, ages in (("Chess", "7-10"), ("Art", "11-14")):
        teacher.send(f"/newclass {title} | {class_time()} | 45 | 5 | ages {ages}")
        [shares[title]] = [url for url in (await world.said(teacher, "Created")).urls if "start=c_" in url]

    parent.open_deep_link(shares["Chess"])
    parent.press(await world.said(parent, "Chess(.|\n)*Ages 7\u201310"), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Leo 5")
    booked = await world.said(parent, "Booked: Leo in “Chess”")
    assert "Leo is 5, outside the teacher's range for this class (Ages 7\u201310)" in (booked.text or "")

    parent.open_deep_link(shares["Art"])
    parent.press(await world.said(parent, "Art(.|\n)*Ages 11\u201314"), "Book a seat")
    parent.press(await world.said(parent, "who is the seat for"), "Leo 5")  # the age rides with the name
    await world.said(parent, "Leo is 5, outside the teacher's range for this class \\(Ages 11\u201314\\)")

    parent.send("/classes 8")
    listed = await world.said(parent, "“Chess” with Ann")
    assert "Art" not in (listed.text or "")
    parent.send("/classes 12")
    listed = await world.said(parent, "“Art” with Ann")
    assert "Chess" not in (listed.text or "")
    parent.send("/classes 3")
    await world.said(parent, "No upcoming classes for age 3")
    parent.send("/classes eight")
    await world.said(parent, "“eight” is not an age")
