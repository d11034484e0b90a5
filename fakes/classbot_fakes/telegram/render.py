"""The Bot API's JSON shapes for the fake's state: User, Chat, ChatFullInfo, Message, ChatMember, updates."""

from __future__ import annotations

from typing import Any

from .state import GroupRecord, Restriction, StoredMessage, TelegramWorld, UserRecord

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
DEFAULT_BOT_RIGHTS = {
    right: right in ("can_manage_chat", "can_delete_messages", "can_invite_users", "can_pin_messages")
    for right in ADMIN_RIGHTS
}


def bot_user(world: TelegramWorld) -> dict[str, Any]:
    return {"id": world.bot.id, "is_bot": True, "first_name": world.bot.first_name, "username": world.bot.username}


def get_me(world: TelegramWorld) -> dict[str, Any]:
    return {
        **bot_user(world),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def user_json(user: UserRecord) -> dict[str, Any]:
    found: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.last_name:
        found["last_name"] = user.last_name
    if user.username:
        found["username"] = user.username
    if user.language_code:
        found["language_code"] = user.language_code
    return found


def sender_json(world: TelegramWorld, sender_id: int) -> dict[str, Any]:
    return bot_user(world) if sender_id == world.bot.id else user_json(world.users[sender_id])


def chat_json(world: TelegramWorld, chat_id: int) -> dict[str, Any]:
    group = world.groups.get(chat_id)
    if group is not None:
        chat: dict[str, Any] = {"id": group.id, "title": group.title, "type": "supergroup"}
        if group.username:
            chat["username"] = group.username
        return chat
    user = world.users[chat_id]
    chat = {"id": user.id, "first_name": user.first_name, "type": "private"}
    if user.last_name:
        chat["last_name"] = user.last_name
    if user.username:
        chat["username"] = user.username
    return chat


def chat_full_info(world: TelegramWorld, chat_id: int) -> dict[str, Any]:
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels")
    return {
        **chat_json(world, chat_id),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys(gifts, False),
    }


def message_json(world: TelegramWorld, message: StoredMessage, *, nested: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {
        "message_id": message.message_id,
        "from": sender_json(world, message.sender_id),
        "chat": chat_json(world, message.chat_id),
        "date": message.date,
    }
    if message.reply_to is not None and not nested:
        replied = world.find_message(message.chat_id, message.reply_to)
        if replied is not None and not replied.deleted:
            found["reply_to_message"] = message_json(world, replied, nested=True)
    if message.edit_date is not None:
        found["edit_date"] = message.edit_date
    if message.text is not None:
        found["text"] = message.text
        if message.entities:
            found["entities"] = [dict(entity) for entity in message.entities]
    if message.link_preview_disabled:
        found["link_preview_options"] = {"is_disabled": True}
    if message.photo is not None:
        photo = message.photo
        found["photo"] = [
            {
                "file_id": photo.file_id,
                "file_unique_id": photo.file_unique_id,
                "width": photo.width,
                "height": photo.height,
                "file_size": photo.size,
            }
        ]
    if message.document is not None:
        document = message.document
        found["document"] = {"file_id": document.file_id, "file_unique_id": document.file_unique_id}
        if document.file_name:
            found["document"]["file_name"] = document.file_name
        if document.mime_type:
            found["document"]["mime_type"] = document.mime_type
        found["document"]["file_size"] = document.size
    if (message.document is not None or message.photo is not None) and message.caption:
        found["caption"] = message.caption
        if message.entities:
            found["caption_entities"] = [dict(entity) for entity in message.entities]
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        found["reply_markup"] = {"inline_keyboard": message.reply_markup["inline_keyboard"]}
    found.update(message.extra)
    return found


# ChatMemberRestricted's permissions, each required (a restricted user's "can_send_messages" is the fake's own;
# the others follow it).
RESTRICTED_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


def restricted_json(user: dict[str, Any], restriction: Restriction) -> dict[str, Any]:
    """A ChatMemberRestricted: restricted forever (``until_date`` 0), in the group or not (``is_member``)."""
    allowed = restriction.can_send_messages
    return {
        "status": "restricted",
        "user": user,
        "is_member": restriction.is_member,
        **dict.fromkeys(RESTRICTED_PERMISSIONS, allowed),
        "can_change_info": False,
        "can_pin_messages": False,
        "can_manage_topics": False,
        "until_date": 0,
    }


def member_json(status: str, user: dict[str, Any], rights: dict[str, bool] | None = None) -> dict[str, Any]:
    """A ChatMember of the variant ``status`` names (creator, administrator, member, left, kicked; a restricted
    member is ``restricted_json``)."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        granted = rights or DEFAULT_BOT_RIGHTS
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            **{right: granted.get(right, False) for right in ADMIN_RIGHTS},
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


def group_member(world: TelegramWorld, group: GroupRecord, user_id: int) -> dict[str, Any]:
    if user_id == world.bot.id:
        return member_json(group.bot_status, bot_user(world), group.bot_rights)
    status = group.statuses.get(user_id, "left")
    if status == "restricted":
        return restricted_json(user_json(world.users[user_id]), group.restrictions[user_id])
    rights = dict.fromkeys(ADMIN_RIGHTS, True) | {"can_manage_topics": False}
    return member_json(status, user_json(world.users[user_id]), rights)


def my_chat_member(
    world: TelegramWorld, chat_id: int, actor: dict[str, Any], old: dict[str, Any], new: dict[str, Any]
) -> dict[str, Any]:
    """A ChatMemberUpdated about the bot itself (the ``my_chat_member`` update)."""
    return {
        "chat": chat_json(world, chat_id),
        "from": actor,
        "date": world.now(),
        "old_chat_member": old,
        "new_chat_member": new,
    }
