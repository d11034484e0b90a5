"""Slack's word on who is in a channel, as the audience rule gets it: users.conversations against the fake Slack."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from classbot_fakes.slack import FakeSlack, FakeSlackChannel, FakeSlackUser
from slack_sdk.errors import SlackApiError

from bot.core.communities import CommunityRef
from bot.handlers.slack.installations import Workspaces
from bot.handlers.slack.members import SlackMembers
from bot.storage.identity import PersonRef


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def members(fake_slack: FakeSlack) -> SlackMembers:
    return SlackMembers(Workspaces(fake_slack.api_url, bot_token=fake_slack.bot_token, installations=None))


def _as(user: FakeSlackUser) -> PersonRef:
    return PersonRef("slack", user.id, user.team_id)


def _community(channel: FakeSlackChannel) -> CommunityRef:
    return CommunityRef("slack", channel.id, channel.team_id, channel.name)


async def test_a_person_is_in_the_channels_slack_lists_them_in(fake_slack: FakeSlack, members: SlackMembers) -> None:
    ann, bea = fake_slack.add_user("Ann"), fake_slack.add_user("Bea")
    chess = fake_slack.add_channel("chess", members=[ann], bot_is_member=True)
    staff = fake_slack.add_channel("staff", members=[ann], private=True, bot_is_member=True)
    art = fake_slack.add_channel("art", members=[ann, bea], bot_is_member=True)
    old = fake_slack.add_channel("old", members=[ann, bea], bot_is_member=True)
    fake_slack.archive(old)
    fake_slack.leave(bea, art)
    asked = [_community(channel) for channel in (chess, staff, art, old)]

    assert await members.memberships(_as(ann), asked) == {chess.id: True, staff.id: True, art.id: True, old.id: False}
    assert await members.memberships(_as(bea), asked) == dict.fromkeys((chess.id, staff.id, art.id, old.id), False)


async def test_many_channels_are_read_page_by_page(fake_slack: FakeSlack, members: SlackMembers) -> None:
    ann = fake_slack.add_user("Ann")
    channels = [fake_slack.add_channel(f"room-{n}", members=[ann], bot_is_member=True) for n in range(1205)]

    said = await members.memberships(_as(ann), [_community(channels[0]), _community(channels[-1])])

    assert said == {channels[0].id: True, channels[-1].id: True}
    assert fake_slack.count("users.conversations") == 2


async def test_a_workspace_installed_without_the_read_scopes_vouches_for_nobody_and_says_why(
    fake_slack: FakeSlack, members: SlackMembers, caplog: pytest.LogCaptureFixture
) -> None:
    ann = fake_slack.add_user("Ann")
    chess = fake_slack.add_channel("chess", members=[ann], bot_is_member=True)
    fake_slack.set_bot_scopes(["chat:write", "commands", "channels:read"])

    with caplog.at_level(logging.ERROR):
        said = await members.memberships(_as(ann), [_community(chess)])

    assert said == {chess.id: False}
    assert "missing scope groups:read" in caplog.text
    assert "slack-manifest.yaml" in caplog.text


async def test_slack_failing_is_no_answer(fake_slack: FakeSlack, members: SlackMembers) -> None:
    ann = fake_slack.add_user("Ann")
    chess = fake_slack.add_channel("chess", members=[ann], bot_is_member=True)
    fake_slack.fail_next("users.conversations", "internal_error")

    with pytest.raises(SlackApiError, match="internal_error"):  # the core takes it as no answer
        await members.memberships(_as(ann), [_community(chess)])
    assert await members.memberships(_as(ann), [_community(chess)]) == {chess.id: True}
