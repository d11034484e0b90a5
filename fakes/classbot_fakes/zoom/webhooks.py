"""Zoom's webhook side: event envelopes, signatures, and delivery to the bot.

Signature (Zoom "Verify webhook events"): ``x-zm-signature = "v0=" + hex(HMAC-SHA256(secret_token,
"v0:{x-zm-request-timestamp}:{raw body}"))``, the timestamp in seconds. URL validation answers
``{"plainToken": P, "encryptedToken": hex(HMAC-SHA256(secret_token, P))}``. Envelope:
``{"event", "event_ts" (ms), "payload": {"account_id", "object": {...}}}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from .state import FakeZoomUser


def sign(secret_token: str, timestamp: int | str, raw_body: bytes | str) -> str:
    body = raw_body.decode("utf-8") if isinstance(raw_body, bytes) else raw_body
    message = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()


def encrypted_token(secret_token: str, plain_token: str) -> str:
    """What the bot must answer as ``encryptedToken`` to a URL validation."""
    return hmac.new(secret_token.encode(), plain_token.encode(), hashlib.sha256).hexdigest()


def signed_headers(secret_token: str, raw_body: bytes | str, *, timestamp: int | None = None) -> dict[str, str]:
    """The headers Zoom sends with ``raw_body``; ``timestamp`` (seconds) defaults to now."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "content-type": "application/json; charset=utf-8",
        "x-zm-request-timestamp": str(stamp),
        "x-zm-signature": sign(secret_token, stamp, raw_body),
    }


def _now_ms() -> int:
    return int(time.time() * 1000)


def url_validation_event(plain_token: str) -> dict[str, Any]:
    return {"event": "endpoint.url_validation", "event_ts": _now_ms(), "payload": {"plainToken": plain_token}}


def event(
    name: str, obj: dict[str, Any], *, account_id: str, event_ts: int | None = None, **payload: Any
) -> dict[str, Any]:
    """Zoom's envelope around ``obj``; extra keyword arguments join the payload (operator, operation, ...)."""
    return {
        "event": name,
        "event_ts": _now_ms() if event_ts is None else event_ts,
        "payload": {"account_id": account_id, **payload, "object": obj},
    }


def deauthorization_event(user: FakeZoomUser, client_id: str, *, event_ts: int | None = None) -> dict[str, Any]:
    """``app_deauthorized``: the user removed the app; its tokens are already dead."""
    stamp = _now_ms() if event_ts is None else event_ts
    moment = datetime.fromtimestamp(stamp / 1000, UTC)
    return {
        "event": "app_deauthorized",
        "event_ts": stamp,
        "payload": {
            "account_id": user.account_id,
            "user_id": user.id,
            "signature": secrets.token_hex(32),
            "deauthorization_time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "client_id": client_id,
        },
    }


def encode(payload: dict[str, Any]) -> bytes:
    """An event's body as Zoom sends it (compact JSON)."""
    return json.dumps(payload, separators=(",", ":")).encode()


class WebhookSender:
    """Posts signed events to the bot's webhook URL, synchronously or from async tests."""

    def __init__(self, url: str, secret_token: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.secret_token = secret_token
        self.timeout = timeout

    def deliver(self, payload: dict[str, Any]) -> httpx.Response:
        body = encode(payload)
        with httpx.Client(timeout=self.timeout) as client:
            return client.post(self.url, content=body, headers=signed_headers(self.secret_token, body))

    async def adeliver(self, payload: dict[str, Any]) -> httpx.Response:
        body = encode(payload)
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            return await client.post(self.url, content=body, headers=signed_headers(self.secret_token, body))
