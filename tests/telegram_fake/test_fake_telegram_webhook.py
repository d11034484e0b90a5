"""The Telegram test server delivers webhook updates as Telegram does: up to ``max_connections`` at once, one chat's
updates one at a time and in order, and failed deliveries retried after a pause that stops growing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import telegram
from classbot_fakes.runner import ThreadedServer
from classbot_fakes.telegram import FakeTelegram
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def _chat_of(update: dict[str, Any]) -> int:
    return int(update["message"]["chat"]["id"])


class HoldingReceiver:
    """A webhook endpoint that keeps every request open until ``release``; it records what is open and what came,
    and refuses with 500 the first ``fail`` requests."""

    def __init__(self, *, fail: int = 0) -> None:
        self.fail = fail
        self.arrived: list[tuple[float, dict[str, Any]]] = []  # (time.monotonic(), update), in arrival order
        self.open: list[dict[str, Any]] = []
        self.most_open = 0
        self.changed = threading.Condition()
        self._released = threading.Event()

        async def hook(request: Request) -> Response:
            update = await request.json()
            with self.changed:
                self.arrived.append((time.monotonic(), update))
                failing = len(self.arrived) <= self.fail
                if failing:
                    self.changed.notify_all()
                    return Response(status_code=500)
                self.open.append(update)
                self.most_open = max(self.most_open, len(self.open))
                self.changed.notify_all()
            await asyncio.to_thread(self._released.wait, 30)
            with self.changed:
                self.open.remove(update)
                self.changed.notify_all()
            return Response(status_code=200)

        self.server = ThreadedServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), name="hook")

    def release(self) -> None:
        self._released.set()

    async def until(self, condition: Any, timeout: float = 20) -> None:
        def wait() -> bool:
            with self.changed:
                return self.changed.wait_for(condition, timeout)

        assert await asyncio.to_thread(wait), "the webhook did not get there in time"

    def __enter__(self) -> HoldingReceiver:
        self.server.start(self.server.bind())
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/hook"


@pytest.fixture
def receiver() -> Iterator[HoldingReceiver]:
    with HoldingReceiver() as hook:
        yield hook


async def test_updates_of_different_chats_go_at_once_up_to_max_connections(
    fake_telegram: FakeTelegram, bot: telegram.Bot, receiver: HoldingReceiver
) -> None:
    assert await bot.set_webhook(receiver.url, max_connections=3)
    people = [fake_telegram.add_user(f"Parent{n}") for n in range(6)]
    for person in people:
        person.send("/start")

    await receiver.until(lambda: len(receiver.open) == 3)  # three chats at once, the webhook still answering none
    receiver.release()
    await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates)

    assert receiver.most_open == 3
    assert fake_telegram.webhook_most_in_flight == 3  # never more than max_connections
    assert sorted(_chat_of(update) for _, update in receiver.arrived) == sorted(person.id for person in people)
    assert (await bot.get_webhook_info()).max_connections == 3


async def test_one_chats_updates_go_one_at_a_time_in_order(
    fake_telegram: FakeTelegram, bot: telegram.Bot, receiver: HoldingReceiver
) -> None:
    assert await bot.set_webhook(receiver.url)  # 40 connections, as Telegram's default
    ann, bob = fake_telegram.add_user("Ann"), fake_telegram.add_user("Bob")
    for text in ("/start", "ann 1", "ann 2"):
        ann.send(text)
    bob.send("/start")

    # Ann's first and Bob's only update are open together; Ann's second waits until her first is answered.
    await receiver.until(lambda: len(receiver.open) == 2)
    assert sorted(_chat_of(update) for update in receiver.open) == sorted((ann.id, bob.id))
    receiver.release()
    await fake_telegram.wait_until(lambda: not fake_telegram.pending_updates)

    anns = [update["message"]["text"] for _, update in receiver.arrived if _chat_of(update) == ann.id]
    assert anns == ["/start", "ann 1", "ann 2"]
    assert receiver.most_open == 2


async def test_a_failing_webhook_is_retried_at_a_bounded_pause() -> None:
    """Twelve refusals: doubling without a bound (0.05 s · 2^n) would wait over three minutes before the
    thirteenth try; with the pause capped at 0.2 s the update is through in a few seconds."""
    with (
        FakeTelegram(webhook_attempts=20, webhook_max_pause=0.2) as fake,
        HoldingReceiver(fail=12) as receiver,
    ):
        receiver.release()
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            assert await bot.set_webhook(receiver.url)
            fake.add_user("Ann").send("/start")
            await fake.wait_until(lambda: not fake.pending_updates, timeout=30)
            info = await bot.get_webhook_info()
    assert len(receiver.arrived) == 13
    assert len({update["update_id"] for _, update in receiver.arrived}) == 1
    assert fake.dropped_webhook_updates == []
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_an_update_refused_every_time_is_dropped_and_the_chat_goes_on() -> None:
    with FakeTelegram(webhook_attempts=3, webhook_max_pause=0.1) as fake, HoldingReceiver(fail=3) as receiver:
        receiver.release()
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            assert await bot.set_webhook(receiver.url)
            ann = fake.add_user("Ann")
            ann.send("/start")
            ann.send("second")
            await fake.wait_until(lambda: not fake.pending_updates, timeout=30)
    assert [update["message"]["text"] for update in fake.dropped_webhook_updates] == ["/start"]
    assert [update["message"]["text"] for _, update in receiver.arrived] == ["/start"] * 3 + ["second"]
