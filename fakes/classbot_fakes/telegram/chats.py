"""Chat and bot methods: getMe, getChat, getChatMember, getChatAdministrators, getChatMemberCount, leaveChat,
setMyCommands, getMyCommands, deleteMyCommands, and a few settings Telegram simply stores."""

from __future__ import annotations

import json
import re
from typing import Any

from .access import MEMBER_STATUSES, bot_group, check_can_read, resolve_chat
from .errors import (
    BOT_COMMAND_INVALID,
    COMMAND_DESCRIPTION_EMPTY,
    NO_ADMINS_IN_PRIVATE_CHAT,
    USER_NOT_FOUND,
    bad_request,
)
from .params import CallParams
from .render import bot_user, chat_full_info, get_me, group_member, member_json, my_chat_member, user_json
from .state import TelegramWorld

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
MAX_COMMANDS = 100
# Setters whose effect the fake does not model: it accepts them (after the spec check) and answers True.
STORED_SETTINGS = frozenset(
    {
        "setmydescription",
        "setmyshortdescription",
        "setmyname",
        "setchatmenubutton",
        "setmydefaultadministratorrights",
    }
)


def get_me_method(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    return get_me(world)


def get_chat(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    chat_id = resolve_chat(world, params.get("chat_id"))
    check_can_read(world, chat_id)
    return chat_full_info(world, chat_id)


def get_chat_member(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    chat_id = resolve_chat(world, params.get("chat_id"))
    user_id = params.get("user_id")
    check_can_read(world, chat_id)
    if user_id != world.bot.id and user_id not in world.users:
        raise bad_request(USER_NOT_FOUND)
    group = world.groups.get(chat_id)
    if group is not None:
        return group_member(world, group, user_id)
    if user_id == world.bot.id:
        return member_json("member", bot_user(world))
    if user_id != chat_id:
        raise bad_request(USER_NOT_FOUND)
    user = world.users[user_id]
    return member_json("kicked" if user.blocked else "member", user_json(user))


def get_chat_administrators(world: TelegramWorld, params: CallParams) -> list[dict[str, Any]]:
    chat_id = resolve_chat(world, params.get("chat_id"))
    if chat_id not in world.groups:
        raise bad_request(NO_ADMINS_IN_PRIVATE_CHAT)
    group = bot_group(world, chat_id)
    ranked = sorted(
        (user_id for user_id, status in group.statuses.items() if status in ("creator", "administrator")),
        key=lambda user_id: group.statuses[user_id] != "creator",
    )
    admins = [group_member(world, group, user_id) for user_id in ranked]
    if group.bot_status == "administrator":
        admins.append(group_member(world, group, world.bot.id))
    return admins


def get_chat_member_count(world: TelegramWorld, params: CallParams) -> int:
    chat_id = resolve_chat(world, params.get("chat_id"))
    if chat_id not in world.groups:
        return 2
    group = bot_group(world, chat_id)
    members = sum(1 for user_id in group.statuses if group.in_chat(user_id))
    return members + (1 if group.bot_status in MEMBER_STATUSES else 0)


def leave_chat(world: TelegramWorld, params: CallParams) -> bool:
    chat_id = resolve_chat(world, params.get("chat_id"))
    if chat_id not in world.groups:
        raise bad_request("chat member status can't be changed in private chats")
    group = bot_group(world, chat_id)
    old = group_member(world, group, world.bot.id)
    group.bot_status = "left"
    group.bot_rights = {}
    new = member_json("left", bot_user(world))
    world.enqueue("my_chat_member", my_chat_member(world, group.id, bot_user(world), old, new))
    return True


def commands_key(scope: dict[str, Any] | None, language_code: str) -> tuple[str, str]:
    """Commands are stored per scope and language, as Telegram keeps them."""
    return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code


def _commands_key(params: CallParams) -> tuple[str, str]:
    return commands_key(params.get("scope"), params.get("language_code", ""))


def set_my_commands(world: TelegramWorld, params: CallParams) -> bool:
    commands = params.get("commands")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    for command in commands:
        if not _COMMAND.match(command["command"]):
            raise bad_request(BOT_COMMAND_INVALID)
        if not command["description"].strip():
            raise bad_request(COMMAND_DESCRIPTION_EMPTY)
    stored = [{"command": c["command"], "description": c["description"]} for c in commands]
    world.commands[_commands_key(params)] = stored
    world.changes.notify()
    return True


def get_my_commands(world: TelegramWorld, params: CallParams) -> list[dict[str, str]]:
    return [dict(command) for command in world.commands.get(_commands_key(params), [])]


def delete_my_commands(world: TelegramWorld, params: CallParams) -> bool:
    world.commands.pop(_commands_key(params), None)
    world.changes.notify()
    return True


def stored_setting(world: TelegramWorld, params: CallParams) -> bool:
    return True
