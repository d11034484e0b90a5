"""A running fake Telegram, and python-telegram-bot's real Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import telegram
from classbot_fakes.telegram import FakeTelegram


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A started FakeTelegram with no users yet; stopped after the test."""
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    """An initialized ``telegram.Bot`` (it has called getMe) talking to the fake."""
    async with telegram.Bot(fake_telegram.token, base_url=fake_telegram.base_url) as client:
        yield client
