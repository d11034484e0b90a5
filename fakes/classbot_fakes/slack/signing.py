"""Slack's request signing: ``X-Slack-Signature: v0=hex(HMAC-SHA256(signing_secret, "v0:{ts}:{raw body}"))`` with
``X-Slack-Request-Timestamp: {ts}`` (seconds); the receiver rejects timestamps more than 5 minutes off."""

from __future__ import annotations

import hashlib
import hmac
import time

STALE_AFTER = 5 * 60


def sign(signing_secret: str, timestamp: int | str, body: bytes | str) -> str:
    raw = body.decode("utf-8") if isinstance(body, bytes) else body
    digest = hmac.new(signing_secret.encode(), f"v0:{timestamp}:{raw}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(
    signing_secret: str, body: bytes | str, *, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends with ``body``; ``timestamp`` (seconds) defaults to now."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign(signing_secret, stamp, body),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
