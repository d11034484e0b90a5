"""Zoom's webhooks: proof that a request came from Zoom, the URL validation answer, and event parsing.

Zoom signs ``v0:{x-zm-request-timestamp}:{raw body}`` with the app's secret token (HMAC-SHA256, hex, prefixed
``v0=``). The check runs on the raw bytes before any parsing, compares in constant time, and refuses timestamps
more than five minutes from now so that a captured request cannot be replayed later. Meeting ids arrive as a
string in some events and a number in others; they leave here as strings.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.zoom.events import ZoomEvent

MAX_BODY_BYTES = 64 * 1024
TIMESTAMP_TOLERANCE_SECONDS = 300


class WebhookRejected(Exception):
    """The request is not a valid Zoom webhook; ``str()`` says why, safe to log and to answer.

    ``status`` is 401 when the request is not proven to come from Zoom, 400 when it does but makes no sense.
    """

    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def verify_signature(headers: Mapping[str, str], body: bytes, secret_token: str, now: datetime) -> None:
    timestamp = headers.get("x-zm-request-timestamp", "")
    signature = headers.get("x-zm-signature", "")
    if not timestamp or not signature:
        raise WebhookRejected("missing x-zm-request-timestamp or x-zm-signature", status=401)
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookRejected("x-zm-request-timestamp is not a number", status=401) from None
    seconds = sent_at / 1000 if sent_at > 10**11 else sent_at  # Zoom sends seconds; tolerate milliseconds
    if abs(now.timestamp() - seconds) > TIMESTAMP_TOLERANCE_SECONDS:
        raise WebhookRejected("the request timestamp is too old or in the future", status=401)
    message = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise WebhookRejected("the signature does not match", status=401)


def read_envelope(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except ValueError:
        raise WebhookRejected("the body is not JSON") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("event"), str):
        raise WebhookRejected("the body is not a Zoom event")
    if not isinstance(envelope.get("payload"), dict):
        raise WebhookRejected("the event has no payload")
    return envelope


def url_validation_answer(envelope: dict[str, Any], secret_token: str) -> dict[str, str]:
    plain = envelope["payload"].get("plainToken")
    if not isinstance(plain, str) or not plain:
        raise WebhookRejected("the validation request has no plainToken")
    encrypted = hmac.new(secret_token.encode(), plain.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain, "encryptedToken": encrypted}


def event_key(body: bytes) -> str:
    """The same delivery retried by Zoom has the same body; its hash identifies it."""
    return hashlib.sha256(body).hexdigest()


def parse_event(envelope: dict[str, Any]) -> ZoomEvent:
    payload: dict[str, Any] = envelope["payload"]
    name: str = envelope["event"]
    account_id = str(payload.get("account_id", ""))
    if name == "app_deauthorized":
        return ZoomEvent(name=name, account_id=account_id, zoom_user_id=_text(payload.get("user_id")))
    obj = payload.get("object")
    if not isinstance(obj, dict):
        return ZoomEvent(name=name, account_id=account_id)
    participant = obj.get("participant")
    if not isinstance(participant, dict):
        participant = {}
    participant_key = (
        _text(participant.get("registrant_id"))
        or _text(participant.get("participant_user_id"))
        or _text(participant.get("user_id"))
        or _text(participant.get("email"))
        or _text(participant.get("user_name"))
    )
    changes = {key: obj[key] for key in ("start_time", "duration", "topic", "timezone") if key in obj}
    return ZoomEvent(
        name=name,
        account_id=account_id,
        zoom_user_id=_text(obj.get("host_id")),
        meeting_id=_text(obj.get("id")),
        start_time=_text(obj.get("start_time")),
        duration=obj.get("duration") if isinstance(obj.get("duration"), int) else None,
        topic=_text(obj.get("topic")),
        participant_key=participant_key,
        participant_name=_text(participant.get("user_name")),
        changes=changes if name == "meeting.updated" else {},
    )


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
        return text or None
    return None
