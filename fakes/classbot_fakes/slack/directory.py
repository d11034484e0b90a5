"""auth.test, users.info, users.conversations, conversations.open/info/members and apps.connections.open.

The membership methods (conversations.members, users.conversations) check scopes as Slack does: reading a public
channel's members needs ``channels:read``, a private channel's ``groups:read``, a DM's ``im:read``, a group DM's
``mpim:read``; without it Slack answers ``missing_scope`` naming the scope ``needed`` and those ``provided``.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from . import wire
from .api import Call, Method, method, workspace_key
from .state import ChannelRecord, SlackWorld, TeamRecord, UserRecord
from .wire import SlackError


def auth_test(call: Call) -> dict[str, Any]:
    team, credential = call.team, call.credential
    assert credential is not None
    user = call.world.users[credential.user_id]
    answer: dict[str, Any] = {
        "url": f"https://{team.domain}.slack.com/",
        "team": team.name,
        "user": user.name,
        "team_id": team.id,
        "user_id": user.id,
    }
    if credential.kind == "bot":
        answer["bot_id"] = team.bot_id
    return answer | {"is_enterprise_install": False}


def user_json(world: SlackWorld, user: UserRecord, *, include_locale: bool = False) -> dict[str, Any]:
    now = datetime.now(ZoneInfo(user.tz))
    offset = now.utcoffset()
    first, _, last = user.real_name.partition(" ")
    profile: dict[str, Any] = {
        "real_name": user.real_name,
        "real_name_normalized": user.real_name,
        "display_name": user.name,
        "display_name_normalized": user.name,
        "first_name": first,
        "last_name": last,
        "email": user.email,
        "team": user.team_id,
        "status_text": "",
        "status_emoji": "",
        "image_48": f"https://avatars.example/{user.id}_48.png",
    }
    if user.is_bot:
        profile |= {"bot_id": user.bot_id, "api_app_id": world.app_id, "always_active": True}
    answer: dict[str, Any] = {
        "id": user.id,
        "team_id": user.team_id,
        "name": user.name,
        "deleted": user.deleted,
        "color": "9f69e7",
        "real_name": user.real_name,
        "tz": user.tz,
        "tz_label": now.tzname() or user.tz,
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "profile": profile,
        "is_admin": user.is_admin or user.is_owner,
        "is_owner": user.is_owner,
        "is_primary_owner": user.is_owner,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": 1_700_000_000,
        "is_email_confirmed": True,
    }
    if include_locale:
        answer["locale"] = user.locale
    return answer


def users_info(call: Call) -> dict[str, Any]:
    user = call.user(wire.text(call.params, "user"))
    return {"user": user_json(call.world, user, include_locale=wire.flag(call.params, "include_locale"))}


def conversation_json(world: SlackWorld, team: TeamRecord, channel: ChannelRecord, **options: bool) -> dict[str, Any]:
    if channel.kind == "im":
        return {
            "id": channel.id,
            "created": channel.created,
            "is_im": True,
            "is_org_shared": False,
            "user": channel.name,
            "is_user_deleted": False,
            "priority": 0,
        }
    answer: dict[str, Any] = {
        "id": channel.id,
        "name": channel.name,
        "is_channel": channel.kind in ("public", "private"),
        "is_group": False,
        "is_im": False,
        "is_mpim": channel.kind == "mpim",
        "is_private": channel.kind != "public",
        "created": channel.created,
        "is_archived": channel.archived,
        "is_general": channel.name == "general",
        "unlinked": 0,
        "name_normalized": channel.name,
        "is_shared": False,
        "is_org_shared": False,
        "is_ext_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "context_team_id": team.id,
        "creator": channel.creator,
        "is_member": channel.bot_member,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "previous_names": [],
    }
    if options.get("include_num_members"):
        answer["num_members"] = len(channel.members)
    if options.get("include_locale"):
        answer["locale"] = "en-US"
    return answer


def conversations_info(call: Call) -> dict[str, Any]:
    channel = call.channel(wire.text(call.params, "channel"))
    options = {name: wire.flag(call.params, name) for name in ("include_num_members", "include_locale")}
    return {"channel": conversation_json(call.world, call.team, channel, **options)}


# The scope that lets a token read who is in a conversation of each kind, and users.conversations' name for it.
READ_SCOPE = {"public": "channels:read", "private": "groups:read", "im": "im:read", "mpim": "mpim:read"}
CONVERSATION_TYPES = {"public_channel": "public", "private_channel": "private", "im": "im", "mpim": "mpim"}


def _page(call: Call, items: list[Any]) -> tuple[list[Any], str]:
    """One page of ``items`` as ``limit`` (1-1000) and ``cursor`` ask, and the cursor of the next ("" at the end)."""
    limit = wire.integer(call.params, "limit", 100, "invalid_limit")
    if not 1 <= limit <= 1000:
        raise SlackError("invalid_limit")
    cursor = wire.text(call.params, "cursor")
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().removeprefix("offset:"))
        except ValueError:
            raise SlackError("invalid_cursor") from None
    more = start + limit < len(items)
    next_cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return items[start : start + limit], next_cursor


def conversations_members(call: Call) -> dict[str, Any]:
    channel = call.channel(wire.text(call.params, "channel"))
    call.require_scope(READ_SCOPE[channel.kind])
    members = channel.members + ([call.team.bot_user_id] if channel.bot_member and not channel.is_dm else [])
    page, next_cursor = _page(call, members)
    return {"members": page, "response_metadata": {"next_cursor": next_cursor}}


def users_conversations(call: Call) -> dict[str, Any]:
    """The conversations ``user`` (default: the token's own user) is in, of the ``types`` asked (default public
    channels). Non-public ones only where the token's user is a member too, as Slack restricts them."""
    world, team, credential = call.world, call.team, call.credential
    assert credential is not None
    named = [part.strip() for part in (wire.text(call.params, "types") or "public_channel").split(",") if part.strip()]
    if not named or any(name not in CONVERSATION_TYPES for name in named):
        raise SlackError("invalid_types")
    kinds = [CONVERSATION_TYPES[name] for name in named]
    for kind in kinds:
        call.require_scope(READ_SCOPE[kind])
    user = call.user(wire.text(call.params, "user") or credential.user_id)
    caller = credential.user_id
    exclude_archived = wire.flag(call.params, "exclude_archived")
    found = [
        channel
        for channel in world.channels.values()
        if channel.team_id == team.id
        and channel.kind in kinds
        and _is_in(channel, user.id, team.bot_user_id)
        and (channel.kind == "public" or _is_in(channel, caller, team.bot_user_id))
        and not (exclude_archived and channel.archived)
    ]
    page, next_cursor = _page(call, found)
    # Slack leaves is_member and num_members out of these conversation objects.
    channels = [
        {key: value for key, value in conversation_json(world, team, channel).items() if key != "is_member"}
        for channel in page
    ]
    return {"channels": channels, "response_metadata": {"next_cursor": next_cursor}}


def _is_in(channel: ChannelRecord, user_id: str, bot_user_id: str) -> bool:
    if user_id == bot_user_id and not channel.is_dm:
        return channel.bot_member
    return user_id in channel.members


def conversations_open(call: Call) -> dict[str, Any]:
    world, team = call.world, call.team
    channel_id = wire.text(call.params, "channel")
    user_ids = wire.user_ids(call.params, "users")
    if channel_id:
        channel = call.channel(channel_id)
        if not channel.is_dm:
            raise SlackError("method_not_supported_for_channel_type")
        existed = True
    elif not user_ids:
        raise SlackError("users_list_not_supplied")
    elif len(user_ids) > 8:
        raise SlackError("too_many_users")
    else:
        users = [call.user(user_id) for user_id in user_ids]
        if len(users) == 1:
            channel, existed = world.open_im(users[0])
        else:
            members = sorted({u.id for u in users})
            found = next((c for c in world.channels.values() if c.kind == "mpim" and c.members == members), None)
            existed = found is not None
            if found is None:
                name = "mpdm-" + "--".join(world.users[m].name for m in members) + "-1"
                found = ChannelRecord(
                    f"G{secrets.token_hex(5).upper()}", team.id, name, "mpim", members, members[0], bot_member=True
                )
                world.channels[found.id] = found
            channel = found
    body: dict[str, Any] = {"channel": {"id": channel.id}}
    if wire.flag(call.params, "return_im"):
        body["channel"] = conversation_json(world, team, channel)
    if existed:
        body |= {"no_op": True, "already_open": True}
    world.changes.notify()
    return body


def apps_connections_open(call: Call) -> dict[str, Any]:
    world = call.world
    if not world.socket_url:
        raise SlackError("internal_error", "[ERROR] the fake's Socket Mode server is not running")
    ticket = secrets.token_hex(16)
    world.tickets[ticket] = world.now()
    return {"url": f"{world.socket_url}/socket?ticket={ticket}&app_id={world.app_id}"}


METHODS: dict[str, Method] = {
    "auth.test": method(auth_test),
    "users.info": method(users_info, rate_key=workspace_key),
    "conversations.info": method(conversations_info, rate_key=workspace_key),
    "conversations.members": method(conversations_members, rate_key=workspace_key),
    "users.conversations": method(users_conversations, rate_key=workspace_key),
    "conversations.open": method(conversations_open, rate_key=workspace_key),
    "apps.connections.open": method(apps_connections_open, tokens=("app",)),
}
