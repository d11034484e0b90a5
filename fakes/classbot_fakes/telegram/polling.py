"""Getting updates: getUpdates long polling, and setWebhook / deleteWebhook / getWebhookInfo.

getUpdates (Bot API): ``offset`` confirms every update below it (a negative offset keeps only the last -offset),
``limit`` is 1-100, ``timeout`` up to 50 s waits for a first update, ``allowed_updates`` changes the kinds the
bot gets from then on ([] restores the default). While a webhook is set getUpdates is 409 Conflict; a second
getUpdates ends a waiting one with 409 "terminated by other getUpdates request", and setWebhook ends it with
"terminated by setWebhook request".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from .errors import (
    INVALID_WEBHOOK_URL,
    OTHER_GET_UPDATES,
    SECRET_TOKEN_CHARACTERS,
    SECRET_TOKEN_TOO_LONG,
    TERMINATED_BY_SET_WEBHOOK,
    WEBHOOK_ACTIVE,
    bad_request,
    conflict,
)
from .params import CallParams
from .state import TelegramWorld, WebhookConfig

LONG_POLL_MAX_TIMEOUT = 50
UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]*$")

Outcome = tuple[str, Any]


def _set_allowed_updates(world: TelegramWorld, params: CallParams) -> None:
    allowed = params.get("allowed_updates")
    if allowed is None:
        return
    chosen = frozenset(kind.lower() for kind in allowed) & UPDATE_TYPES
    world.allowed_updates = chosen or None


async def get_updates(world: TelegramWorld, params: CallParams) -> list[dict[str, Any]]:
    limit = min(max(params.get("limit", 100), 1), 100)
    timeout = min(max(params.get("timeout", 0), 0), LONG_POLL_MAX_TIMEOUT)
    with world.lock:
        if world.webhook is not None:
            raise conflict(WEBHOOK_ACTIVE)
        world.poll_generation += 1
        world.poll_conflict = OTHER_GET_UPDATES
        mine = world.poll_generation
        _set_allowed_updates(world, params)
        world.confirm(params.get("offset", 0))
        world.changes.notify()

    def outcome() -> Outcome | None:
        if world.poll_generation != mine:
            return ("conflict", world.poll_conflict)
        if world.updates or world.closing:
            return ("updates", list(world.updates[:limit]))
        return None

    if timeout > 0:
        with world.lock:
            world.polls_waiting += 1
            world.changes.notify()
        try:
            found = await world.changes.wait_for(outcome, timeout)
        finally:
            with world.lock:
                world.polls_waiting -= 1
                world.changes.notify()
    else:
        with world.lock:
            found = outcome()
    if found is None:
        return []
    kind, value = found
    if kind == "conflict":
        raise conflict(value)
    updates: list[dict[str, Any]] = value
    return updates


def set_webhook(world: TelegramWorld, params: CallParams) -> bool:
    url = params.get("url")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise bad_request(INVALID_WEBHOOK_URL)
    secret = params.get("secret_token")
    if secret is not None and len(secret) > 256:
        raise bad_request(SECRET_TOKEN_TOO_LONG)
    if secret is not None and not _SECRET.match(secret):
        raise bad_request(SECRET_TOKEN_CHARACTERS)
    if params.get("drop_pending_updates"):
        world.updates.clear()
    _set_allowed_updates(world, params)
    world.webhook = WebhookConfig(
        url=url,
        secret_token=secret or None,
        max_connections=params.get("max_connections", 40),
        ip_address=params.get("ip_address"),
    )
    world.poll_generation += 1
    world.poll_conflict = TERMINATED_BY_SET_WEBHOOK
    world.changes.notify()
    return True


def delete_webhook(world: TelegramWorld, params: CallParams) -> bool:
    if params.get("drop_pending_updates"):
        world.updates.clear()
    world.webhook = None
    world.changes.notify()
    return True


def get_webhook_info(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": world.webhook.url if world.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if world.webhook is not None:
        info["max_connections"] = world.webhook.max_connections
        info["ip_address"] = world.webhook.ip_address or "127.0.0.1"
        if world.webhook.last_error_date is not None:
            info["last_error_date"] = world.webhook.last_error_date
            info["last_error_message"] = world.webhook.last_error_message
    if world.allowed_updates is not None:
        info["allowed_updates"] = sorted(world.allowed_updates)
    return info
