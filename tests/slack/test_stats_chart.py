"""``/classbot stats`` uploads the weekly chart (a PNG, through Slack's external upload) into the asking person's DM
with the app, never into a channel: a channel's admin gets that channel's chart beside its numbers, a teacher
outside a channel the chart of their own classes. Through the real process and the test server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from classbot_fakes.slack import DEFAULT_BOT_SCOPES

from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url) as built:
        yield built


async def test_the_chart_goes_to_the_askers_dm_never_to_the_channel(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("chess", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Chess club", channel=room)
    await world.book(parent, await world.said(room, "New class"), "Mia")
    await world.said(parent, "Booked")

    await slack.slash(admin, "stats", channel=room)
    numbers = await world.whispered(admin, "Last 30 days here")
    chart = await slack.wait_for_file(admin, timeout=40)
    await slack.slash(teacher, "stats")
    own = await slack.wait_for_file(teacher, timeout=40)
    await slack.slash(parent, "stats", channel=room)
    await world.whispered(parent, "Only workspace admins and owners")
    await slack.slash(parent, "stats")
    await world.whispered(parent, "You teach no classes yet")
    await world.all_handled()

    assert "Last 12 weeks: 1 bookings" in numbers.all_text
    assert chart.data.startswith(PNG_SIGNATURE)
    assert chart.channel == slack.dm_channel_id(admin)
    assert chart.uploader == slack.bot_user_id
    assert chart.title == "The last 12 weeks"
    assert chart.comment == f"The weekly chart of <#{room.id}>, for you only."
    assert own.data.startswith(PNG_SIGNATURE)
    assert own.comment == "The weekly chart of the classes you teach."
    assert [f.channel for f in slack.files()] == [slack.dm_channel_id(admin), slack.dm_channel_id(teacher)]
    assert slack.files(room) == []
    assert all(m.source != "files.completeUploadExternal" for m in slack.messages(room))
    assert [m.text for m in slack.dm(admin) if m.source == "files.completeUploadExternal"] == [chart.comment]
    slack.assert_acks_in_time()


async def test_a_workspace_without_files_write_still_gets_the_numbers(world: SlackWorld) -> None:
    """Installed before ClassBot asked for files:write: Slack refuses the upload, the numbers still come, and no
    apology follows them."""
    slack = world.slack
    admin = slack.add_user("Ada", is_owner=True)
    room = slack.add_channel("art", members=[admin])
    await world.set_up_channel(admin, room)
    slack.set_bot_scopes(scope for scope in DEFAULT_BOT_SCOPES if scope != "files:write")

    await slack.slash(admin, "stats", channel=room)
    await world.whispered(admin, "Last 30 days here")
    await world.all_handled()

    refused = [c for c in slack.calls if c.method == "files.getUploadURLExternal"]
    assert [(c.ok, c.error) for c in refused] == [(False, "missing_scope")]
    assert slack.files() == []
    assert not any("went wrong" in m.all_text.lower() for m in slack.ephemeral_messages(admin) + slack.dm(admin))
