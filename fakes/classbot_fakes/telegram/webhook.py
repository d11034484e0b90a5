"""Delivering updates to the bot's webhook, as Telegram does once setWebhook is called.

Each pending update is POSTed as JSON with ``X-Telegram-Bot-Api-Secret-Token`` when a secret_token was set. As
Telegram does, up to setWebhook's ``max_connections`` (default 40) requests are open at once, each on an update
of a different chat: updates of one chat go one at a time and in order (the next only once the bot answered the
one before), updates of different chats at the same time. An update without a chat (a pre-checkout query) goes
in its sender's line.

A 2xx answer confirms an update; anything else (or no answer) is retried after a pause that doubles from
``retry_delay`` up to ``max_retry_delay`` and then stays there (Telegram keeps retrying for a while at a bounded
interval), and after ``attempts`` failures the update is dropped (kept in ``world.webhook_dropped``). While an
update waits out its pause, the later updates of its chat wait behind it; other chats go on. Failures show in
getWebhookInfo as ``last_error_date`` and ``last_error_message`` ("Wrong response from the webhook: 500 Internal
Server Error").
"""

from __future__ import annotations

import json
import threading
import time
from http import HTTPStatus
from typing import Any

import httpx

from .state import TelegramWorld

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Delivery = tuple[str, str | None, dict[str, Any], object]  # url, secret token, update, its chat's line
_STOP: Delivery = ("", None, {}, None)
_SOONER: Delivery = ("", None, {}, "sooner")  # a pause now ends before the one being waited for


def line_of(update: dict[str, Any]) -> object:
    """The chat an update belongs to (its line of in-order delivery): the chat of its message, else its sender;
    an update with neither is a line of its own."""
    for key, payload in update.items():
        if key == "update_id" or not isinstance(payload, dict):
            continue
        for holder in (payload, payload.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict) and "id" in holder["chat"]:
                return ("chat", holder["chat"]["id"])
        sender = payload.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return ("chat", sender["id"])
    return ("update", update.get("update_id"))


class WebhookSender:
    def __init__(
        self,
        world: TelegramWorld,
        *,
        attempts: int = 4,
        retry_delay: float = 0.05,
        max_retry_delay: float = 2.0,
        timeout: float = 10.0,
    ):
        self._world = world
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay
        self._timeout = timeout
        self._stopping = False
        self._thread: threading.Thread | None = None
        # Under world.lock: the updates being delivered (update_id -> line), failures and retry times by update_id.
        self._in_flight: dict[int, object] = {}
        self._failures: dict[int, int] = {}
        self._not_before: dict[int, float] = {}
        self._deliveries: set[threading.Thread] = set()
        self.most_in_flight = 0  # the most requests ever open at once (for tests of max_connections)

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="fake-telegram-webhook", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._world.lock:
            self._stopping = True
            self._world.changes.notify()
        if self._thread is not None:
            self._thread.join(timeout=2 * self._timeout + 2)  # it waits for the deliveries under way
        self._thread = None

    def pause_after(self, failures: int) -> float:
        """How long an update waits after its ``failures``-th failed delivery: doubling, then bounded."""
        return min(self._max_retry_delay, self._retry_delay * 2.0 ** min(failures - 1, 30))

    def _next(self) -> Delivery | None:
        """The first pending update that may go now (under the lock), marked as in flight."""
        world = self._world
        if self._stopping:
            return _STOP
        webhook = world.webhook
        if webhook is None or len(self._in_flight) >= max(1, int(webhook.max_connections)):
            return None
        now = time.monotonic()
        busy = set(self._in_flight.values())
        for update in world.updates:
            line = line_of(update)
            if line in busy:
                continue
            busy.add(line)  # the later updates of this line wait for this one, whatever becomes of it
            update_id = int(update["update_id"])
            if self._not_before.get(update_id, 0.0) > now:
                continue
            self._in_flight[update_id] = line
            self.most_in_flight = max(self.most_in_flight, len(self._in_flight))
            return (webhook.url, webhook.secret_token, update, line)
        return None

    def _earliest_retry(self) -> float:
        """When the earliest pause ends (time.monotonic(), under the lock); an hour ahead when none is waiting."""
        return min(self._not_before.values(), default=time.monotonic() + 3600.0)

    def _run(self) -> None:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        with httpx.Client(timeout=self._timeout, limits=limits) as client:
            while True:
                with self._world.lock:
                    wake = self._earliest_retry()

                def ready(wake: float = wake) -> Delivery | None:
                    found = self._next()
                    return _SOONER if found is None and self._earliest_retry() < wake else found

                found = self._world.changes.wait_for_sync(ready, timeout=max(0.0, wake - time.monotonic()) + 0.001)
                if found is None or found is _SOONER:
                    continue
                url, secret, update, _ = found
                if not url:
                    with self._world.lock:
                        deliveries = list(self._deliveries)
                    for delivery in deliveries:  # the client stays open until they are answered
                        delivery.join(timeout=self._timeout + 1)
                    return
                delivery = threading.Thread(
                    target=self._deliver, args=(client, url, secret, update), name="fake-telegram-delivery", daemon=True
                )
                with self._world.lock:
                    self._deliveries.add(delivery)
                delivery.start()

    def _deliver(self, client: httpx.Client, url: str, secret: str | None, update: dict[str, Any]) -> None:
        update_id = int(update["update_id"])
        try:
            error = self._post(client, url, secret, update)
        except RuntimeError:  # the client closed as the server stopped
            error = "Connection error: closed"
        world = self._world
        with world.lock:
            self._in_flight.pop(update_id, None)
            self._deliveries.discard(threading.current_thread())
            pending = any(each is update for each in world.updates)
            if error is None:
                self._failures.pop(update_id, None)
                self._not_before.pop(update_id, None)
                if pending:
                    world.updates.remove(update)
            else:
                failures = self._failures.get(update_id, 0) + 1
                if world.webhook is not None:
                    world.webhook.last_error_date = world.now()
                    world.webhook.last_error_message = error
                if failures >= self._attempts or not pending:
                    self._failures.pop(update_id, None)
                    self._not_before.pop(update_id, None)
                    if pending:
                        world.updates.remove(update)
                        world.webhook_dropped.append(update)
                else:
                    self._failures[update_id] = failures
                    self._not_before[update_id] = time.monotonic() + self.pause_after(failures)
            world.changes.notify()

    def _post(self, client: httpx.Client, url: str, secret: str | None, update: dict[str, Any]) -> str | None:
        """None once the bot took the update, else what getWebhookInfo would say went wrong."""
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            response = client.post(url, content=json.dumps(update).encode(), headers=headers)
        except httpx.HTTPError as failure:
            return f"Connection error: {type(failure).__name__}"
        if 200 <= response.status_code < 300:
            return None
        try:
            reason = HTTPStatus(response.status_code).phrase
        except ValueError:
            reason = "Unknown"
        return f"Wrong response from the webhook: {response.status_code} {reason}"
