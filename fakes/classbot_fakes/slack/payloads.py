"""The payloads Slack sends an app, shaped as Slack shapes them: slash commands (form fields), ``block_actions``
and ``view_submission`` interactions, and ``event_callback`` envelopes for the Events API."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from . import ids
from .content import Element
from .state import ChannelRecord, SlackWorld, StoredView, TeamRecord, UserRecord


def user_ref(user: UserRecord) -> dict[str, Any]:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}


def team_ref(team: TeamRecord) -> dict[str, Any]:
    return {"id": team.id, "domain": team.domain}


def slash_command(
    world: SlackWorld, user: UserRecord, channel: ChannelRecord, text: str, *, trigger_id: str, response_url: str
) -> dict[str, str]:
    team = world.teams[user.team_id]
    return {
        "token": world.verification_token,
        "team_id": team.id,
        "team_domain": team.domain,
        "channel_id": channel.id,
        "channel_name": "directmessage" if channel.kind == "im" else channel.name,
        "user_id": user.id,
        "user_name": user.name,
        "command": world.command,
        "text": text,
        "api_app_id": world.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def action(element: Element, value: str | None) -> dict[str, Any]:
    """One entry of ``actions``: what the user did to ``element`` (a press, or choosing ``value``)."""
    raw = element.raw
    answer: dict[str, Any] = {"action_id": element.action_id, "block_id": element.block_id, "type": element.type}
    chosen = value if value is not None else element.value
    if element.type == "button":
        answer |= {"text": raw.get("text"), "value": chosen} if chosen is not None else {"text": raw.get("text")}
        if raw.get("style"):
            answer["style"] = raw["style"]
    elif element.type in ("static_select", "overflow", "radio_buttons", "external_select"):
        options = list(raw.get("options") or []) + [o for g in raw.get("option_groups") or [] for o in g["options"]]
        option = next((o for o in options if o.get("value") == chosen), None)
        if option is None and element.type != "external_select":
            raise LookupError(f"{element.type} {element.action_id!r} has no option with value {chosen!r}")
        answer["selected_option"] = option or {"text": {"type": "plain_text", "text": chosen}, "value": chosen}
    elif element.type == "datepicker":
        answer["selected_date"] = chosen
    elif element.type == "users_select":
        answer["selected_user"] = chosen
    elif element.type in ("conversations_select", "channels_select"):
        answer[f"selected_{element.type.removesuffix('s_select')}"] = chosen
    else:
        answer["value"] = chosen
    return answer | {"action_ts": f"{time.time():.6f}"}


def block_actions(
    world: SlackWorld,
    user: UserRecord,
    element: Element,
    value: str | None,
    *,
    trigger_id: str,
    channel: ChannelRecord | None = None,
    message: dict[str, Any] | None = None,
    ephemeral: bool = False,
    response_url: str | None = None,
    view: StoredView | None = None,
) -> dict[str, Any]:
    team = world.teams[user.team_id]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user_ref(user),
        "api_app_id": world.app_id,
        "token": world.verification_token,
        "trigger_id": trigger_id,
        "team": team_ref(team),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload |= {"container": {"type": "view", "view_id": view.id}, "view": copy.deepcopy(view.json)}
    else:
        assert channel is not None, "a message interaction needs the message's channel"
        assert message is not None, "a message interaction needs the message"
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel.id,
            "is_ephemeral": ephemeral,
        }
        payload["channel"] = {"id": channel.id, "name": "directmessage" if channel.kind == "im" else channel.name}
        if not ephemeral:
            payload["message"] = copy.deepcopy(message)
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url
    payload["actions"] = [action(element, value)]
    return payload


def view_submission(world: SlackWorld, user: UserRecord, view: dict[str, Any], *, trigger_id: str) -> dict[str, Any]:
    team = world.teams[user.team_id]
    return {
        "type": "view_submission",
        "team": team_ref(team),
        "user": user_ref(user),
        "api_app_id": world.app_id,
        "token": world.verification_token,
        "trigger_id": trigger_id,
        "view": view,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def event_callback(world: SlackWorld, team: TeamRecord, event: dict[str, Any]) -> dict[str, Any]:
    """The Events API envelope around ``event`` (an ``event_ts`` is added when missing)."""
    event = {"event_ts": ids.message_ts()} | event
    return {
        "token": world.verification_token,
        "team_id": team.id,
        "context_team_id": team.id,
        "api_app_id": world.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": ids.event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team.id,
                "user_id": team.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }


def url_verification(world: SlackWorld, challenge: str) -> dict[str, Any]:
    return {"token": world.verification_token, "challenge": challenge, "type": "url_verification"}
