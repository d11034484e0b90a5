"""A teacher has a class's Zoom meeting made from Slack, through the real process: "Create the Zoom meeting now"
on the class in the Home tab makes exactly one meeting and sends the start link by direct message only; a class
made without Zoom offers "Add a Zoom meeting" (here from ``/classbot mine``), after which each parent already
booked gets their link by direct message; a teacher without a Zoom connection is told to connect first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def test_the_meeting_is_made_now_and_zoom_added_to_a_class_without_it(world: SlackWorld) -> None:
    slack, zoom = world.slack, world.zoom
    admin, teacher, parent, bob = (
        slack.add_user("Ada", is_admin=True),
        *(slack.add_user(n) for n in ("Ann", "Pat", "Bob")),
    )
    room = slack.add_channel("chess", members=[admin, teacher, parent, bob])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, zoom.add_user(email="ann@example.org", timezone="Europe/Madrid").id)
    await world.create_class(teacher, "Chess")
    await world.said(teacher, "Created")
    home = await slack.wait_for_home(teacher, lambda view: "Create the Zoom meeting now" in view.all_text)
    no_meeting_yet = dict(zoom.meetings)
    await slack.press(teacher, home, "Create the Zoom meeting now")
    start = await world.said(teacher, "Start “Chess”")
    after = await slack.wait_for_home(teacher, lambda view: "Create the Zoom meeting now" not in view.all_text)
    meetings_after_chess = len(zoom.meetings)

    no_zoom = {"zoom": ["yes"]}  # the form's "no Zoom meeting" ticked
    await world.create_class(teacher, "Drawing", channel=room, **no_zoom)  # type: ignore[arg-type]
    await world.book(parent, await world.said(room, "New class"), "Mia")
    await world.said(parent, "Mia")
    links_before = world.zoom_links_in(parent)
    await slack.slash(teacher, "mine")
    mine = await world.whispered(teacher, "Add a Zoom meeting")
    await slack.press(teacher, mine, "Add a Zoom meeting")
    added = await world.whispered(teacher, "now has a Zoom meeting")
    link = await world.said(parent, "“Drawing” now has a Zoom meeting. Here is Mia's link")

    await world.create_class(bob, "Clay", **no_zoom)  # type: ignore[arg-type]
    await world.said(bob, "Created")
    await slack.slash(bob, "mine")
    await slack.press(bob, await world.whispered(bob, "Clay"), "Add a Zoom meeting")
    unconnected = await world.whispered(bob, "Connect Zoom with /classbot connect first")
    await world.all_handled()

    assert no_meeting_yet == {}
    assert [url for url in start.links if "/s/" in url]
    assert meetings_after_chess == 1
    assert "Start link" in after.all_text
    assert links_before == []
    assert added.all_text
    assert [url for url in link.links if "/j/" in url]
    assert len(zoom.meetings) == 2
    assert unconnected.all_text
    assert world.zoom_links_in(room) == []  # never in a channel
    slack.assert_acks_in_time()
