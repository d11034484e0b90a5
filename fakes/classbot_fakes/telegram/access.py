"""Who the bot may reach: chat ids and @usernames, and the Bot API's 400/403 answers for chats it cannot use."""

from __future__ import annotations

from .errors import BLOCKED_BY_USER, CANT_INITIATE, CHAT_NOT_FOUND, KICKED, NOT_A_MEMBER, bad_request, forbidden
from .state import GroupRecord, TelegramWorld

MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})


def resolve_chat(world: TelegramWorld, chat_id: int | str) -> int:
    """The numeric id of ``chat_id`` (an id, or a public group's "@username"); 400 "chat not found" otherwise."""
    if isinstance(chat_id, str):
        wanted = chat_id.removeprefix("@").lower()
        for group in world.groups.values():
            if chat_id.startswith("@") and group.username and group.username.lower() == wanted:
                return group.id
        raise bad_request(CHAT_NOT_FOUND)
    if chat_id in world.groups or chat_id in world.users:
        return chat_id
    raise bad_request(CHAT_NOT_FOUND)


def bot_group(world: TelegramWorld, chat_id: int) -> GroupRecord:
    """The group, if the bot is in it: 403 when it was removed or never added."""
    group = world.groups[chat_id]
    if group.bot_status == "kicked":
        raise forbidden(KICKED)
    if group.bot_status not in MEMBER_STATUSES:
        raise forbidden(NOT_A_MEMBER)
    return group


def check_can_write(world: TelegramWorld, chat_id: int) -> None:
    """403 unless the bot may post in ``chat_id``: a group it is in, or a private chat the user started."""
    if chat_id in world.groups:
        bot_group(world, chat_id)
        return
    user = world.users[chat_id]
    if user.blocked:
        raise forbidden(BLOCKED_BY_USER)
    if not user.started:
        raise forbidden(CANT_INITIATE)


def check_can_read(world: TelegramWorld, chat_id: int) -> None:
    """403 for a group the bot is not in; private chats of known users are always readable."""
    if chat_id in world.groups:
        bot_group(world, chat_id)
