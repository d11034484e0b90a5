"""Delivering updates to the bot's webhook, as Telegram does once setWebhook is called.

Each pending update is POSTed, in order, as JSON with ``X-Telegram-Bot-Api-Secret-Token`` when a secret_token was
set. A 2xx answer confirms it; anything else (or no answer) is retried after a short, growing pause, and after
``attempts`` failures the update is dropped (kept in ``world.webhook_dropped``). Failures show in getWebhookInfo
as ``last_error_date`` and ``last_error_message`` ("Wrong response from the webhook: 500 Internal Server Error").
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from typing import Any

import httpx

from .state import TelegramWorld

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookSender:
    def __init__(self, world: TelegramWorld, *, attempts: int = 4, retry_delay: float = 0.05, timeout: float = 10.0):
        self._world = world
        self._attempts = attempts
        self._retry_delay = retry_delay
        self._timeout = timeout
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="fake-telegram-webhook", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._world.lock:
            self._stopping = True
            self._world.changes.notify()
        if self._thread is not None:
            self._thread.join(timeout=self._timeout + 1)
        self._thread = None

    def _next(self) -> tuple[str, str | None, dict[str, Any]] | None:
        world = self._world
        if self._stopping:
            return ("", None, {})
        if world.webhook is not None and world.updates:
            return (world.webhook.url, world.webhook.secret_token, world.updates[0])
        return None

    def _run(self) -> None:
        failures = 0
        with httpx.Client(timeout=self._timeout) as client:
            while True:
                found = self._world.changes.wait_for_sync(self._next, timeout=3600)
                if found is None:
                    continue
                url, secret, update = found
                if not url:
                    return
                error = self._post(client, url, secret, update)
                with self._world.lock:
                    still_first = bool(self._world.updates) and self._world.updates[0] is update
                    if error is None:
                        failures = 0
                        if still_first:
                            self._world.updates.pop(0)
                    else:
                        failures += 1
                        if self._world.webhook is not None:
                            self._world.webhook.last_error_date = self._world.now()
                            self._world.webhook.last_error_message = error
                        if failures >= self._attempts and still_first:
                            self._world.webhook_dropped.append(self._world.updates.pop(0))
                            failures = 0
                    self._world.changes.notify()
                if error is not None and failures:
                    self._pause(self._retry_delay * 2 ** (failures - 1))

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

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when stopping."""
        self._world.changes.wait_for_sync(lambda: True if self._stopping else None, timeout=seconds)
