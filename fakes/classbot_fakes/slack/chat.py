"""chat.postMessage, chat.update, chat.delete, chat.postEphemeral, and what a ``response_url`` (Bolt's
``respond()``) or a slash command's acknowledgement body does to the conversation.

Slack's rules kept here: a user id as ``channel`` posts in the DM between the app and that user (opened on the
way); the bot must be in a channel to post there (``not_in_channel``; the fake grants no chat:write.public); an
ephemeral message needs its user in the channel (``user_not_in_channel``); text or blocks are required
(``no_text``); text is at most 40,000 characters (``msg_too_long``); blocks are checked (``invalid_blocks``, or
``invalid_blocks_format`` when they are not a JSON array); only the bot's own messages can be updated or
deleted (``cant_update_message``, ``cant_delete_message``). A response_url works five times within 30 minutes.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from . import ids, wire
from .api import Call, Method, method
from .blocks import check_blocks, normalized
from .records import MessageVersion
from .state import ChannelRecord, ResponseUrl, SlackWorld, StoredMessage, TeamRecord
from .wire import SlackError

MAX_TEXT = 40_000
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = 30 * 60.0


def message_json(world: SlackWorld, team: TeamRecord, message: StoredMessage) -> dict[str, Any]:
    """A bot message as Slack returns it from chat.postMessage and sends it in interaction payloads."""
    answer: dict[str, Any] = {
        "type": "message",
        "text": message.text or "",
        "user": message.user,
        "ts": message.ts,
        "team": team.id,
    }
    if message.user == team.bot_user_id:
        answer |= {"bot_id": team.bot_id, "app_id": world.app_id}
    if message.blocks:
        answer["blocks"] = message.blocks
    if message.attachments:
        answer["attachments"] = message.attachments
    if message.thread_ts:
        answer["thread_ts"] = message.thread_ts
    if message.history:
        answer["edited"] = {"user": message.user, "ts": ids.message_ts()}
    return answer


def message_content(
    params: dict[str, Any],
) -> tuple[str | None, list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """(text, blocks, attachments) as given, checked; blocks and attachments None when not given."""
    text = wire.text(params, "text")
    blocks = wire.json_value(params, "blocks", "invalid_blocks_format")
    attachments = wire.json_value(params, "attachments", "invalid_attachments")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format", "[ERROR] must be an array [json-pointer:/blocks]")
        problems = check_blocks(blocks, "message")
        if problems:
            raise SlackError("invalid_blocks", *problems)
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_attachments")
    if text is None and not blocks and not attachments:
        raise SlackError("no_text")
    if text is not None and len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    return text, normalized(blocks) if blocks else blocks, attachments


def channel_key(call: Call) -> str | None:
    """The rate-limit bucket of a chat call: its channel (a user id counts as the DM it posts to)."""
    channel = wire.text(call.params, "channel")
    if channel is None:
        return None
    found = call.world.channels.get(channel)
    if found is not None and found.kind == "im":
        return f"im:{found.name}"
    return f"im:{channel}" if channel[:1] in ("U", "W") else channel


def _postable(call: Call, channel: ChannelRecord) -> None:
    if channel.archived:
        raise SlackError("is_archived")
    if not channel.is_dm and not channel.bot_member:
        raise SlackError("not_in_channel")


def post_message(call: Call) -> dict[str, Any]:
    world, team = call.world, call.team
    channel = call.channel(wire.text(call.params, "channel"), open_dm=True)
    _postable(call, channel)
    text, blocks, attachments = message_content(call.params)
    message = world.store(
        StoredMessage(
            channel.id,
            ids.message_ts(),
            team.bot_user_id,
            text,
            blocks or [],
            wire.text(call.params, "thread_ts"),
            attachments=attachments or [],
        )
    )
    answer: dict[str, Any] = {"channel": channel.id, "ts": message.ts, "message": message_json(world, team, message)}
    if text is None:
        warning = "missing_text_or_fallback_or_attachments"
        answer |= {"warning": warning, "response_metadata": {"warnings": [warning]}}
    return answer


def post_ephemeral(call: Call) -> dict[str, Any]:
    world, team = call.world, call.team
    channel = call.channel(wire.text(call.params, "channel"), open_dm=True)
    user = call.user(wire.text(call.params, "user"), "user_not_in_channel")
    if user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    _postable(call, channel)
    text, blocks, attachments = message_content(call.params)
    message = StoredMessage(
        channel.id,
        ids.message_ts(),
        team.bot_user_id,
        text,
        blocks or [],
        wire.text(call.params, "thread_ts"),
        user.id,
        "chat.postEphemeral",
        attachments=attachments or [],
    )
    world.store(message)
    return {"message_ts": message.ts}


def update(call: Call) -> dict[str, Any]:
    world, team = call.world, call.team
    channel = call.channel(wire.text(call.params, "channel"))
    stored = world.find_message(channel.id, wire.text(call.params, "ts") or "")
    if stored is None or stored.deleted or stored.ephemeral_to is not None:
        raise SlackError("message_not_found")
    if stored.user != team.bot_user_id:
        raise SlackError("cant_update_message")
    text, blocks, attachments = message_content(call.params)
    _revise(world, stored, text, blocks, attachments)
    return {
        "channel": channel.id,
        "ts": stored.ts,
        "text": stored.text or "",
        "message": message_json(world, team, stored),
    }


def _revise(
    world: SlackWorld,
    stored: StoredMessage,
    text: str | None,
    blocks: list[dict[str, Any]] | None,
    attachments: list[dict[str, Any]] | None,
) -> None:
    stored.history.append(MessageVersion(stored.text, stored.blocks))
    stored.text = text if text is not None else stored.text if blocks is None else None
    stored.blocks = blocks if blocks is not None else stored.blocks
    stored.attachments = attachments if attachments is not None else stored.attachments
    world.changes.notify()


def delete(call: Call) -> dict[str, Any]:
    channel = call.channel(wire.text(call.params, "channel"))
    stored = call.world.find_message(channel.id, wire.text(call.params, "ts") or "")
    if stored is None or stored.deleted or stored.ephemeral_to is not None:
        raise SlackError("message_not_found")
    if stored.user != call.team.bot_user_id:
        raise SlackError("cant_delete_message")
    stored.deleted = True
    call.world.changes.notify()
    return {"channel": channel.id, "ts": stored.ts}


# -- response_url and acknowledgement bodies ----------------------------------------------------------------------


def apply_response(world: SlackWorld, origin: ResponseUrl, body: dict[str, Any], source: str) -> None:
    """What Slack does with a message sent to a response_url (or in a slash command's ack): a new ephemeral
    message for the user (``response_type`` "in_channel": a message in the channel), or with
    ``replace_original`` / ``delete_original`` a change to the message the interaction came from."""
    team = world.teams[origin.team_id]
    original = world.find_message(origin.channel_id, origin.message_ts) if origin.message_ts else None
    if body.get("delete_original") in (True, "true") and original is not None:
        original.deleted = True
        world.changes.notify()
        return
    text, blocks, attachments = message_content(body)
    if body.get("replace_original") in (True, "true") and original is not None:
        _revise(world, original, text, blocks, attachments)
        return
    in_channel = body.get("response_type") == "in_channel"
    world.store(
        StoredMessage(
            origin.channel_id,
            ids.message_ts(),
            team.bot_user_id,
            text,
            blocks or [],
            wire.text(body, "thread_ts"),
            None if in_channel else origin.user_id,
            source,
            attachments=attachments or [],
        )
    )


def response_url_post(world: SlackWorld, url_id: str, raw: bytes, content_type: str) -> tuple[int, str]:
    """The answer to a POST on a response_url: (status, text body)."""
    origin = world.response_urls.get(url_id)
    if origin is None or world.now() - origin.issued > RESPONSE_URL_LIFETIME:
        return 404, "expired_url"
    if origin.uses >= RESPONSE_URL_USES:
        return 404, "used_url"
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            body = json.loads(dict(parse_qsl(raw.decode())).get("payload", "{}"))
        else:
            body = json.loads(raw or b"{}")
    except ValueError:
        return 400, "invalid_payload"
    if not isinstance(body, dict):
        return 400, "invalid_payload"
    try:
        apply_response(world, origin, body, "response_url")
    except SlackError as refusal:
        return 400, refusal.error
    origin.uses += 1
    return 200, "ok"


METHODS: dict[str, Method] = {
    "chat.postMessage": method(post_message, rate_key=channel_key),
    "chat.postEphemeral": method(post_ephemeral, rate_key=channel_key),
    "chat.update": method(update, rate_key=channel_key),
    "chat.delete": method(delete, rate_key=channel_key),
}
