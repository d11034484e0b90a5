"""Webhook delivery over several connections at once, as Telegram does, in front of the fake's own delivery.

The fake Telegram POSTs webhook updates one at a time and waits for each answer. Telegram itself keeps up to
``max_connections`` (default 40) deliveries in flight. Since ClassBot answers a webhook only after its handlers
ran (so a crash leaves the update with Telegram), one-at-a-time delivery would cap the bot at one update at a
time and the benchmark would measure the fake. So the Telegram host can interpose this fan-out: it points the
fake's webhook (through the Bot API's own setWebhook) at itself, answers each update at once, and delivers it to
the bot's real webhook with up to ``connections`` requests in flight, keeping each chat's updates in order and
retrying a failed delivery a few times with a growing pause, as the fake does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from typing import Any

import httpx
from classbot_fakes.telegram import SECRET_HEADER, FakeTelegram
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

_ATTEMPTS = 4
_RETRY_DELAY = 0.05


def chat_of(update: dict[str, Any]) -> int:
    """The chat an update belongs to (updates of one chat are delivered in order)."""
    for kind in ("message", "edited_message", "my_chat_member"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    if "callback_query" in update:
        query = update["callback_query"]
        return int(query.get("message", {}).get("chat", {}).get("id", query["from"]["id"]))
    return 0


class WebhookFanout:
    def __init__(self, fake: FakeTelegram) -> None:
        self._fake = fake
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._chats: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._workers: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None
        self._target = ""
        self._secret = ""
        self.failed = 0
        self._in_flight = 0

    @property
    def pending(self) -> int:
        """Updates received from the fake and not yet answered by the bot."""
        return self._queue.qsize() + self._in_flight

    async def interpose(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """``{"here": URL of /webhook-in, "secret": the bot's secret token, "connections": n}``."""
        target = self._fake.webhook_url
        if not target:
            raise RuntimeError("the bot has set no webhook yet")
        self._target, self._secret = target, str(arguments["secret"])
        connections = int(arguments.get("connections", 40))
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=connections))
        self._workers = [asyncio.create_task(self._deliver()) for _ in range(connections)]
        async with httpx.AsyncClient() as api:  # the Bot API's own method, as any client would call it
            answer = await api.post(
                f"{self._fake.base_url}{self._fake.token}/setWebhook",
                json={"url": arguments["here"], "secret_token": self._secret, "max_connections": connections},
            )
        if answer.status_code != 200:
            raise RuntimeError(f"setWebhook refused: {answer.text}")
        return {"target": target, "connections": connections}

    async def receive(self, request: Request) -> Response:
        if request.headers.get(SECRET_HEADER) != self._secret:
            return JSONResponse({"error": "forbidden"}, status_code=403)
        await self._queue.put(json.loads(await request.body()))
        return JSONResponse({"ok": True})

    async def close(self) -> None:
        for worker in self._workers:
            worker.cancel()
        for worker in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        if self._client is not None:
            await self._client.aclose()

    async def _deliver(self) -> None:
        assert self._client is not None
        while True:
            update = await self._queue.get()
            self._in_flight += 1
            try:
                await self._deliver_one(update)
            finally:
                self._in_flight -= 1

    async def _deliver_one(self, update: dict[str, Any]) -> None:
        assert self._client is not None
        async with self._chats[chat_of(update)]:
            for attempt in range(_ATTEMPTS):
                try:
                    answer = await self._client.post(self._target, json=update, headers={SECRET_HEADER: self._secret})
                    if 200 <= answer.status_code < 300:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(_RETRY_DELAY * 2**attempt)
            self.failed += 1
