"""What the Slack notifier tells the core when a send fails: Slack away (``PlatformUnavailable``: the job waits out
the outage) apart from this person or channel unreachable (``RecipientUnreachable``) or gone (``Unretryable``)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from classbot_fakes.slack import FakeSlack

from bot.core.messages import Said
from bot.core.notify import RecipientUnreachable
from bot.core.outages import PlatformUnavailable
from bot.core.worker import Unretryable
from bot.handlers.slack.installations import Workspaces
from bot.handlers.slack.notifier import SlackNotifier
from bot.storage.identity import PersonRef

HELLO = Said("Here is your Zoom link")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def _notifier(fake_slack: FakeSlack) -> SlackNotifier:
    return SlackNotifier(Workspaces(fake_slack.api_url, bot_token=fake_slack.bot_token, installations=None))


@pytest.mark.parametrize(
    ("error", "status"),
    [("service_unavailable", 503), ("internal_error", 200), ("fatal_error", 200), ("request_timeout", 200)],
)
async def test_slack_failing_is_the_platform_unavailable(fake_slack: FakeSlack, error: str, status: int) -> None:
    ann = fake_slack.add_user("Ann")
    fake_slack.fail_next("chat.postMessage", error, status=status)

    with pytest.raises(PlatformUnavailable) as away:
        await _notifier(fake_slack).send_private(PersonRef("slack", ann.id, ann.team_id), HELLO)

    assert away.value.platform == "slack"


async def test_a_rate_limit_the_clients_retries_did_not_outlast_is_the_platform_unavailable(
    fake_slack: FakeSlack,
) -> None:
    ann = fake_slack.add_user("Ann")
    fake_slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=0, times=3)  # 1 + 2 retries

    with pytest.raises(PlatformUnavailable, match="ratelimited"):
        await _notifier(fake_slack).send_private(PersonRef("slack", ann.id, ann.team_id), HELLO)


async def test_slack_unreachable_is_the_platform_unavailable() -> None:
    with socket.socket() as probe:  # a port nothing listens on once this socket is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notifier = SlackNotifier(Workspaces(f"http://127.0.0.1:{port}/api/", bot_token="xoxb-test", installations=None))

    with pytest.raises(PlatformUnavailable):
        await notifier.send_private(PersonRef("slack", "U1", "T1"), HELLO)


async def test_a_refusal_of_this_recipient_is_not_an_outage(fake_slack: FakeSlack) -> None:
    ann = fake_slack.add_user("Ann")
    fake_slack.fail_next("chat.postMessage", "not_in_channel")
    fake_slack.fail_next("chat.postMessage", "user_not_found")
    notifier = _notifier(fake_slack)

    with pytest.raises(RecipientUnreachable):
        await notifier.send_private(PersonRef("slack", ann.id, ann.team_id), HELLO)
    with pytest.raises(Unretryable):
        await notifier.send_private(PersonRef("slack", ann.id, ann.team_id), HELLO)
