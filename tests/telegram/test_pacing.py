"""Sends paced to Telegram's flood limits per chat: a busy chat waits its turn without holding up the others."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from classbot_fakes.telegram import FakeTelegram, FakeUser
from telegram.ext import ExtBot

from bot.handlers.telegram.pacing import ChatPacer, ChatRate


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(enforce_limits=True) as server:
        yield server


def _delivered_to(fake: FakeTelegram) -> list[int]:
    """The chats of the messages Telegram accepted, in the order it received them."""
    return [int(call.params["chat_id"]) for call in fake.calls if call.method == "sendMessage" and call.ok]


def _people(fake: FakeTelegram, count: int) -> list[FakeUser]:
    people = [fake.add_user(f"Parent {n}") for n in range(count)]
    for person in people:
        person.start_private_chat()
    return people


async def _bot(fake: FakeTelegram, pacer: ChatPacer) -> AsyncIterator[ExtBot[None]]:
    async with ExtBot(fake.token, base_url=fake.base_url, rate_limiter=pacer) as bot:
        yield bot


async def test_a_busy_chat_waits_its_turn_and_every_other_chat_goes_first(fake: FakeTelegram) -> None:
    teacher, *parents = _people(fake, 21)
    async for bot in _bot(fake, ChatPacer()):
        notices = [bot.send_message(teacher.id, f"New booking {n}") for n in range(6)]
        links = [bot.send_message(parent.id, "Your link") for parent in parents]
        await asyncio.gather(*notices, *links)

    order = _delivered_to(fake)
    assert fake.count("sendMessage", ok=False) == 0  # no 429: the limits were kept, not discovered
    assert len(order) == 26
    fourth_notice = [index for index, chat in enumerate(order) if chat == teacher.id][3]
    assert all(order.index(parent.id) < fourth_notice for parent in parents)  # after a burst of 3, 1/s
    assert [m.text for m in fake.messages(teacher)] == [f"New booking {n}" for n in range(6)]  # in order


async def test_a_429_holds_only_its_chat_and_the_message_is_sent_after_the_wait(fake: FakeTelegram) -> None:
    teacher, *parents = _people(fake, 10)
    # Paced too loosely for this chat on purpose, so that Telegram (the fake) answers 429 for it.
    pacer = ChatPacer(private=ChatRate(interval=0.01, burst=10))
    async for bot in _bot(fake, pacer):
        notices = [bot.send_message(teacher.id, f"New booking {n}") for n in range(5)]
        links = [bot.send_message(parent.id, "Your link") for parent in parents]
        await asyncio.gather(*notices, *links)

    assert fake.count("sendMessage", ok=False) >= 1  # Telegram did say "retry after"
    assert sorted(m.text or "" for m in fake.messages(teacher)) == [f"New booking {n}" for n in range(5)]
    order = _delivered_to(fake)
    last_notice = max(index for index, chat in enumerate(order) if chat == teacher.id)
    assert all(order.index(parent.id) < last_notice for parent in parents)  # the wait stopped no one else


TELEGRAM_PER_SECOND = 30  # Telegram's overall limit, as its test server enforces it


class _TimedPacer(ChatPacer):
    """The pacer as it is, noting when it lets each request go (a loaded machine may deliver them bunched)."""

    def __init__(self, messages_per_second: float) -> None:
        super().__init__(messages_per_second=messages_per_second)
        self.let_go: list[float] = []

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        async def noted(*call_args: Any, **call_kwargs: Any) -> Any:
            self.let_go.append(time.monotonic())
            return await callback(*call_args, **call_kwargs)

        return await super().process_request(noted, args, kwargs, endpoint, data, rate_limit_args)


async def test_the_overall_rate_is_never_exceeded_in_any_second(fake: FakeTelegram) -> None:
    parents = _people(fake, 45)
    pacer = _TimedPacer(messages_per_second=29)
    async for bot in _bot(fake, pacer):
        await asyncio.gather(*(bot.send_message(parent.id, "Your link") for parent in parents))
    sends = sorted(pacer.let_go)
    busiest = max(sum(1 for other in sends if start <= other < start + 1.0) for start in sends)

    assert fake.count("sendMessage", ok=True) == 45
    # 45 chats at once, paced at 29 a second: never more than Telegram's 30 in any second as they leave (on a
    # loaded machine they may still arrive bunched, which a bot cannot help)
    assert busiest <= TELEGRAM_PER_SECOND


async def test_asking_who_is_in_a_group_is_not_paced_as_a_send(fake: FakeTelegram) -> None:
    parents = _people(fake, 30)
    group = fake.add_group("Chess parents", members=parents[:10], with_bot=True)
    # A group takes 20 sends a minute: paced as sends, the last ten questions would wait a minute.
    async for bot in _bot(fake, ChatPacer(messages_per_second=5)):
        started = time.monotonic()
        answers = await asyncio.gather(*(bot.get_chat_member(group.id, parent.id) for parent in parents))
        took = time.monotonic() - started

    assert [answer.status for answer in answers] == ["member"] * 10 + ["left"] * 20
    assert took < 3.0  # 30 questions at 5 sends a second alone would take 6 s


async def test_a_429_on_a_call_to_no_chat_is_waited_out_and_retried(fake: FakeTelegram) -> None:
    fake.fail_next("getMe", 429, retry_after=1)
    async for bot in _bot(fake, ChatPacer()):
        me = await bot.get_me()

    assert me.username == fake.bot_username
    assert fake.count("getMe", ok=False) == 1


async def test_a_send_telegram_fails_with_a_5xx_is_sent_again_once_it_answers(fake: FakeTelegram) -> None:
    [parent] = _people(fake, 1)
    fake.fail_next("sendMessage", 502)
    async for bot in _bot(fake, ChatPacer()):
        await bot.send_message(parent.id, "Booked: Mia in “Chess”.")

    assert [m.text for m in fake.messages(parent)] == ["Booked: Mia in “Chess”."]  # delivered, once
    assert [(c.fault, c.took_effect) for c in fake.calls if c.method == "sendMessage"] == [
        ("before 502", False),
        (None, True),
    ]
