"""A running fake Slack, and slack-sdk's real AsyncWebClient pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from classbot_fakes.slack import FakeSlack
from slack_sdk.web.async_client import AsyncWebClient


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A started FakeSlack (workspace T0001, bot U0BOT, no people yet); stopped after the test."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack_client(fake_slack: FakeSlack) -> AsyncWebClient:
    """slack-sdk's AsyncWebClient with the bot token, talking to the fake."""
    return AsyncWebClient(token=fake_slack.bot_token, base_url=fake_slack.api_url)
