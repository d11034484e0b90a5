"""Product contract flow 6 on Telegram, through the real process, with Telegram answering as usual (the outage
drill, tests/reliability/test_telegram_outage.py, holds reminders back): a class starting a quarter of an hour and
a little more from now gets its 15-minute reminder while the test runs, with no change behind the process's back.
The booked parent gets it in their private chat with their join link, the teacher theirs with a fresh start link,
each once, and the group the class is announced in sees neither. Slack's twin is tests/slack/test_reminders.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.telegram import SentMessage

from tests.slack.world import jobs_idle
from tests.support.reminders import soon_start
from tests.telegram.world import TelegramWorld, telegram_world

pytestmark = pytest.mark.slow

TITLE = "Soon chess"


@pytest.fixture
def world(tmp_path: Path, sqlite_url: str) -> Iterator[TelegramWorld]:
    with telegram_world(tmp_path, sqlite_url) as built:
        yield built


def _reminders(world: TelegramWorld, chat: object) -> list[SentMessage]:
    return [message for message in world.telegram.messages(chat) if "Reminder" in (message.text or "")]


async def test_a_class_starting_soon_reminds_the_parent_and_the_teacher_privately(
    world: TelegramWorld, tmp_path: Path
) -> None:
    tg = world.telegram
    admin, teacher, parent = tg.add_user("Ada"), tg.add_user("Ann"), tg.add_user("Pat")
    group = tg.add_group("Chess parents", members=[teacher, parent], admins=[admin])
    tg.add_bot_to_group(group, by=admin)
    for person in (teacher, parent):
        person.start_private_chat()
        await world.said(person, "books kids")
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="UTC").id)
    admin.send("/setup", group)
    await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)
    start = soon_start()
    due = start - timedelta(minutes=15)
    teacher.send(f"/newclass {TITLE} | {start:%Y-%m-%d %H:%M} | 45 | 5", group)
    announcement = await tg.wait_for_message(group, lambda m: "New class" in (m.text or ""), timeout=40)
    [deep_link] = [url for url in announcement.urls if "start=c_" in url]
    parent.open_deep_link(deep_link)
    parent.press(await world.said(parent, TITLE), "Book a seat")
    await world.said(parent, "who is the seat for")
    parent.send("Mia")
    await world.said(parent, "Here is your Zoom link")
    booked_before = datetime.now(UTC)

    wait = (due - datetime.now(UTC)).total_seconds() + 60
    reminded = await world.said(parent, f"Reminder: “{TITLE}” for Mia starts", timeout=wait)
    host = await world.said(teacher, f"Reminder: your class “{TITLE}” starts", timeout=60)
    await jobs_idle(tmp_path / "classbot.db")  # nothing more on its way

    assert booked_before < due  # the booking was there before the reminder was due
    assert reminded.date >= int(due.timestamp()) - 1  # not before its time
    assert [url for url in reminded.urls if "/j/" in url]  # the parent's join link
    assert [url for url in host.urls if "/s/" in url]  # the teacher's start link
    assert not [url for url in reminded.urls if "/s/" in url]
    assert len(_reminders(world, parent)) == len(_reminders(world, teacher)) == 1
    assert not _reminders(world, group)
    assert world.zoom_links_in(group) == []
    assert all(not re.search(r"/(j|s|w)/\d+", message.text or "") for message in tg.messages(group))
