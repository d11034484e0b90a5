"""Slack waits 3 seconds for an acknowledgement; Zoom may take longer. With every Zoom answer 5 seconds late, each
listener still acknowledges in time, and the links follow when Zoom answers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.slack.world import slack_world

pytestmark = pytest.mark.slow


async def test_every_listener_acknowledges_in_time_while_zoom_takes_five_seconds(
    tmp_path: Path, sqlite_url: str
) -> None:
    async with slack_world(tmp_path, sqlite_url, mode="socket") as world:
        slack, zoom = world.slack, world.zoom
        admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
        room = slack.add_channel("science", members=[admin, teacher, parent])
        await world.set_up_channel(admin, room)
        await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org").id)
        await world.create_class(teacher, "Rockets", channel=room)
        announcement = await world.said(room, "New class")

        zoom.latency = 5
        started = time.monotonic()
        await world.book(parent, announcement, "Mia")
        booked_in = time.monotonic() - started
        await world.said(parent, "Booked: Mia")
        await world.said(parent, "Here is your Zoom link", timeout=40)
        await slack.press(teacher, await slack.wait_for_home(teacher, lambda v: "Rockets" in v.all_text), "Start link")
        await world.said(teacher, "logs you in as the host", timeout=30)
        await slack.slash(teacher, "disconnect")
        await world.said(teacher, "Your Zoom account is disconnected", timeout=30)

    assert booked_in < 3  # the press and the form, end to end, while Zoom is slow
    assert len(slack.acks) == 9  # every command, press, submission and event above, over Socket Mode
    slack.assert_acks_in_time()
