"""Stripe's webhook side: the ``Stripe-Signature`` header and delivery to the bot, retried on failure.

Stripe signs ``"{t}.{raw body}"`` with HMAC-SHA256 and the endpoint's secret (``whsec_...``) and sends
``Stripe-Signature: t={unix seconds},v1={hex}``. An answer other than 2xx is retried (Stripe retries for days
with a growing pause; here a few times, a short pause apart, so a test sees the outcome at once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx


def signature_header(payload: str, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` value Stripe would send with ``payload`` (now, unless ``timestamp`` is given)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def encode(event: dict[str, Any]) -> str:
    """An event's body as Stripe sends it (pretty-printed JSON, as Stripe's are)."""
    return json.dumps(event, indent=2)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One attempt to deliver an event: what was sent and what the bot answered (0: no answer)."""

    event_id: str
    event_type: str
    body: str
    signature: str
    status: int


class WebhookSender:
    """Posts signed events to the bot's endpoint; retries a non-2xx answer ``attempts`` times in all."""

    def __init__(self, url: str, secret: str, *, attempts: int = 3, pause: float = 0.05, timeout: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.attempts = attempts
        self.pause = pause
        self.timeout = timeout

    def deliver(self, event: dict[str, Any]) -> list[Delivery]:
        """Every attempt, the last one first to succeed (or the last one made)."""
        body = encode(event)
        made: list[Delivery] = []
        with httpx.Client(timeout=self.timeout) as client:
            for attempt in range(self.attempts):
                if attempt:
                    time.sleep(self.pause * 2**attempt)  # Stripe's growing pause between retries, shortened
                signature = signature_header(body, self.secret)
                try:
                    answer = client.post(
                        self.url,
                        content=body.encode(),
                        headers={
                            "content-type": "application/json; charset=utf-8",
                            "stripe-signature": signature,
                            "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                        },
                    )
                    status = answer.status_code
                except httpx.HTTPError:
                    status = 0
                made.append(Delivery(str(event["id"]), str(event["type"]), body, signature, status))
                if 200 <= status < 300:
                    break
        return made
