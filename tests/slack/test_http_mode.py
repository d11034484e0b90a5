"""HTTP mode's guard and Slack's redeliveries, through the real process: only Slack's signed, fresh requests get in,
and a request delivered twice is worked on once."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from classbot_fakes.slack import signed_headers
from classbot_fakes.slack.delivery import FORM, http_body

from tests.slack.world import SlackWorld, slack_world

pytestmark = pytest.mark.slow


@pytest.fixture
async def world(tmp_path: Path, sqlite_url: str) -> AsyncIterator[SlackWorld]:
    async with slack_world(tmp_path, sqlite_url, mode="http") as built:
        yield built


async def test_forged_and_stale_requests_are_refused_and_a_redelivery_books_once(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher, parent = slack.add_user("Ada", is_admin=True), slack.add_user("Ann"), slack.add_user("Pat")
    room = slack.add_channel("music", members=[admin, teacher, parent])
    await world.set_up_channel(admin, room)
    await world.connect_zoom(teacher, world.zoom.add_user(email="ann@example.org").id)
    await world.create_class(teacher, "Piano", channel=room)
    await slack.press(parent, await world.said(room, "New class"), "Book a seat")
    form = await slack.wait_for_view(parent, lambda view: view.callback_id == "book_seat")
    booked = await slack.submit_view(parent, form, {"child": {"value": "Mia"}})
    await world.said(parent, "Here is your Zoom link")

    challenge = await slack.url_verification("c-42")
    another_child = copy.deepcopy(booked.payload)
    another_child["view"]["id"] = "V0FORGED01"
    another_child["trigger_id"] = "1.2.forged"
    another_child["view"]["state"]["values"]["child"]["value"]["value"] = "Zed"
    forged_body, _ = http_body("interactive", another_child)
    forged = await slack.post_badly_signed(forged_body, content_type=FORM)
    stale = await slack.post_stale(forged_body, content_type=FORM)
    unsigned = await slack.post_to_bot(forged_body, content_type=FORM, signed=False)
    retried = await _redeliver(world, booked.payload)

    def home_published() -> int:
        return sum(1 for c in slack.calls if c.method == "views.publish" and c.params.get("user_id") == parent.id)

    await slack.wait_until(lambda: home_published() >= 2)  # after the booking, and after the link's message
    await world.said(teacher, "New booking")
    before = home_published()
    home = await slack.open_home(parent)
    home_again = await slack.redeliver(home)
    await world.all_handled()
    bookings = await slack.slash(parent, "bookings")

    assert challenge.response == {"challenge": "c-42"}
    assert (forged.status, stale.status, unsigned.status) == (401, 401, 401)
    assert retried.status_code == 200
    assert home_again.status == 200
    assert "Mia" in str(bookings.response)
    assert "Zed" not in str(bookings.response)
    assert str(bookings.response).count("'action_id': 'cb:") == 1  # one booking, one Cancel button
    assert len([m for m in slack.dm(parent) if "Booked: Mia" in m.all_text]) == 1
    assert len([m for m in slack.dm(teacher) if "New booking" in m.all_text]) == 1
    assert home_published() == before + 1  # the Home tab event was redelivered, and worked on once
    slack.assert_acks_in_time()


async def _redeliver(world: SlackWorld, payload: dict[str, object]) -> httpx.Response:
    """The same interaction posted again, as a retrying proxy (or Slack) would: same body, fresh signature.

    FakeSlack's ``redeliver`` repeats events only, as Slack does; an interaction is repeated here by hand."""
    body, content_type = http_body("interactive", payload)
    headers = signed_headers(world.slack.signing_secret, body, content_type=content_type)
    headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(f"{world.bot.url}/slack/events", content=body, headers=headers)


async def test_an_announcement_made_before_the_bot_is_invited_follows_the_invitation(world: SlackWorld) -> None:
    slack = world.slack
    admin, teacher = slack.add_user("Ada", is_admin=True), slack.add_user("Ann")
    room = slack.add_channel("drama", members=[admin, teacher])
    await slack.slash(admin, "setup", channel=room)
    await world.whispered(admin, "Now invite me to this channel")
    await world.create_class(teacher, "Drama club", channel=room)
    await world.said(teacher, "Created")

    def refused_for_now() -> bool:  # the set-up message, then the announcement
        return sum(c.method == "chat.postMessage" and c.error == "not_in_channel" for c in slack.calls) == 2

    await slack.wait_until(refused_for_now)
    await slack.invite_bot(room, by=admin)

    announcement = await world.said(room, "New class")
    assert "Drama club" in announcement.all_text
    assert [c.error for c in slack.calls if c.method == "chat.postMessage" and not c.ok] == [
        "not_in_channel",  # "ClassBot is set up in this channel"
        "not_in_channel",  # the announcement, which waited for the invitation
    ]
