"""What Telegram already had, in Slack, through the real process: a teacher writes to the parents of a class, and
workspace admins see a channel's numbers."""

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


async def test_a_teacher_writes_to_the_booked_parents_by_direct_message(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
    parents = [slack.add_user("Pat"), slack.add_user("Quinn")]
    bystander = slack.add_user("Eve")
    room = slack.add_channel("chess", members=[admin, teacher, *parents, bystander])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Chess", channel=room)
    announcement = await world.said(room, "New class")
    for parent, child in zip(parents, ("Mia", "Zed"), strict=True):
        await world.book(parent, announcement, child)
        await world.said(parent, "Booked")

    await slack.slash(teacher, "mine")
    listed = await world.whispered(teacher, "Chess")
    await slack.press(teacher, listed, "Message the parents")
    form = await slack.wait_for_view(teacher, lambda view: view.callback_id == "message_parents")
    empty = await slack.submit_view(teacher, form, {"words": {"value": "   "}})
    sent = await slack.submit_view(teacher, form, {"words": {"value": "Bring <b>paper</b> & pencils"}})
    told = [await world.said(parent, "From the teacher of “Chess”") for parent in parents]
    await world.said(teacher, "Sent to 2 parents")
    await world.all_handled()

    assert empty.errors == {"words": "The message is empty: type what to tell the parents."}
    assert sent.errors is None
    assert slack.current_view(teacher) is None
    assert all("Bring &lt;b&gt;paper&lt;/b&gt; &amp; pencils" in message.all_text for message in told)
    assert not any("From the teacher" in message.all_text for message in slack.dm(bystander))
    assert not any("From the teacher" in message.all_text for message in slack.messages(room, ephemeral=False))
    slack.assert_acks_in_time()


async def test_workspace_admins_see_a_channels_numbers_and_members_do_not(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_owner=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("art", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.create_class(teacher, "Art club", channel=room)
    await world.book(parent, await world.said(room, "New class"), "Leo")
    await world.said(parent, "Booked")

    await slack.slash(parent, "stats", channel=room)
    refused = await world.whispered(parent, "Only workspace admins and owners")
    await slack.slash(admin, "stats", channel=room)
    numbers = await world.whispered(admin, "Last 30 days here")
    await slack.slash(admin, "stats")
    in_dm = await world.whispered(admin, "You teach no classes yet")
    await slack.slash(teacher, "stats")
    own = await world.whispered(teacher, "Last 12 weeks: 1 bookings")

    assert "1 class announced, 1 booking, 0 attended" in numbers.all_text
    assert "Last 30 days" not in refused.all_text
    assert "Last 12 weeks" in numbers.all_text
    assert "Last 12 weeks" not in in_dm.all_text
    assert "0 cancelled" in own.all_text
    assert all("Last 30 days" not in message.all_text for message in slack.messages(room, ephemeral=False))
    slack.assert_acks_in_time()
