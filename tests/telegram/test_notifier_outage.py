"""What the Telegram notifier tells the core when a send fails: Telegram away (``PlatformUnavailable``: the job
waits out the outage) apart from this person unreachable (``RecipientUnreachable``: it waits for the person)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from classbot_fakes.telegram import FakeTelegram
from telegram import Bot

from bot.core.messages import Said
from bot.core.notify import RecipientUnreachable
from bot.core.outages import PlatformUnavailable
from bot.handlers.telegram.notifier import TelegramNotifier
from bot.handlers.telegram.transport import AiohttpRequest
from bot.storage.identity import PersonRef

HELLO = Said("Here is your Zoom link")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
async def notifier(fake: FakeTelegram) -> AsyncIterator[TelegramNotifier]:
    async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
        yield TelegramNotifier(bot)


def _person(user_id: int) -> PersonRef:
    return PersonRef("telegram", str(user_id))


@pytest.mark.parametrize(("code", "retry_after"), [(502, None), (500, None), (503, None), (429, 30)])
async def test_telegram_failing_is_the_platform_unavailable(
    fake: FakeTelegram, notifier: TelegramNotifier, code: int, retry_after: int | None
) -> None:
    parent = fake.add_user("Ana")
    parent.start_private_chat()
    fake.fail_next("sendMessage", code, retry_after=retry_after)

    with pytest.raises(PlatformUnavailable) as away:
        await notifier.send_private(_person(parent.id), HELLO)

    assert away.value.platform == "telegram"
    assert str(away.value).startswith("telegram: ")


async def test_telegram_unreachable_is_the_platform_unavailable() -> None:
    server = FakeTelegram()
    with server:
        bot = Bot(server.token, base_url=server.base_url, request=AiohttpRequest())
        await bot.initialize()
    try:
        with pytest.raises(PlatformUnavailable):  # the server is gone: nothing listens on its port
            await TelegramNotifier(bot).send_private(_person(7), HELLO)
    finally:
        await bot.shutdown()


async def test_a_person_who_blocked_the_bot_or_is_unknown_is_unreachable_not_an_outage(
    fake: FakeTelegram, notifier: TelegramNotifier
) -> None:
    parent = fake.add_user("Ana")
    parent.start_private_chat()
    parent.block_bot()

    with pytest.raises(RecipientUnreachable):
        await notifier.send_private(_person(parent.id), HELLO)
    with pytest.raises(RecipientUnreachable):
        await notifier.send_private(_person(999_999_999), HELLO)
