"""On Slack, each person's ``tz`` (users.info) is kept: a parent elsewhere reads a class's time and their own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.slack.world import SlackWorld, class_form, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def test_a_parent_in_another_timezone_reads_both_times(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann", tz="Europe/Madrid")
    parent = slack.add_user("Pat", tz="America/New_York")
    room = slack.add_channel("chess", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org", timezone="Europe/Madrid").id)
    await slack.slash(teacher, "new", channel=room)
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "new_class")
    assert (await slack.submit_view(teacher, form, class_form("Chess", channel=room))).errors is None
    announcement = await world.said(room, "New class: “Chess” with")

    await slack.press(parent, announcement, "Book a seat")
    booking = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
    assert (await slack.submit_view(parent, booking, {"child": {"value": "Mia"}})).errors is None
    await world.said(parent, "Booked: Mia in “Chess”")
    link = await world.said(parent, "Here is your Zoom link")  # sent later, by the worker

    day = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    start = datetime.fromisoformat(f"{day}T16:30").replace(tzinfo=ZoneInfo("Europe/Madrid"))
    theirs = start.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    assert f"16:30 (Europe/Madrid), {theirs} your time" in link.all_text
    assert "your time" not in announcement.all_text  # a channel is read by many: the class's time alone
    await slack.slash(teacher, "mine")
    await world.whispered(teacher, "Chess")
    teacher_sees = [m.all_text for m in slack.ephemeral_messages(teacher) if "Chess" in m.all_text]
    assert any("16:30 (Europe/Madrid)" in text for text in teacher_sees)
    assert all("your time" not in text for text in teacher_sees)  # the teacher lives on the class's clock
