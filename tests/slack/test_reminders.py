"""Product contract flow 6 on Slack, through the real process: a class starting a quarter of an hour and a little
more from now gets its 15-minute reminder while the test runs (the way the soak test gets reminders, with no
change behind the process's back). The booked parent gets it in their direct messages with their join link, the
teacher gets theirs with a fresh start link, each once, and the channel sees neither. The process is killed
(SIGKILL) and started again between the booking and the reminder: what is due is kept in the database, not in
the process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classbot_fakes.slack import SlackMessage

from tests.slack.world import ZOOM_LINK, SlackWorld, jobs_idle, slack_world
from tests.support.reminders import soon_start

pytestmark = pytest.mark.slow

TITLE = "Soon chess"


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


def _reminders(world: SlackWorld, who: object, pattern: str) -> list[SlackMessage]:
    return [message for message in world.slack.messages(who) if pattern in message.all_text]


async def test_a_class_starting_soon_reminds_privately_even_after_a_crash(world: SlackWorld, tmp_path: Path) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("chess", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org", timezone="UTC").id)
    start = soon_start()
    due = start - timedelta(minutes=15)
    fields = {"date": start.date().isoformat(), "time": f"{start:%H:%M}", "timezone": "UTC"}
    await world.create_class(teacher, TITLE, channel=room, **fields)
    await world.book(parent, await world.said(room, "New class"), "Mia")
    await world.said(parent, "Here is your Zoom link")
    booked_before = datetime.now(UTC)
    await world.all_handled()  # each delivery so far handled (the count is the process's own)
    world.bot.kill()
    world.bot.start()
    await asyncio.to_thread(world.bot.wait_healthy)

    wait = (due - datetime.now(UTC)).total_seconds() + 60
    reminded = await world.said(parent, f"Reminder: “{TITLE}” for Mia starts", timeout=wait)
    host = await world.said(teacher, f"Reminder: your class “{TITLE}” starts", timeout=60)
    await jobs_idle(tmp_path / "classbot.db")

    assert booked_before < due  # the booking was there before the reminder was due
    assert float(reminded.ts) >= due.timestamp() - 1  # not before its time
    assert [url for url in reminded.links if "/j/" in url]  # the parent's join link
    assert [url for url in host.links if "/s/" in url]  # the teacher's start link
    assert not [url for url in reminded.links if "/s/" in url]
    assert len(_reminders(world, parent, "Reminder:")) == len(_reminders(world, teacher, "Reminder:")) == 1
    assert not _reminders(world, room, "Reminder")
    assert not [url for message in slack.messages(room) for url in message.links if ZOOM_LINK.search(url)]
    slack.assert_acks_in_time()
