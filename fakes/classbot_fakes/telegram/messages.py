"""The message methods: sendMessage, sendDocument, sendPhoto, editMessageText, editMessageReplyMarkup, deleteMessage,
sendChatAction and answerCallbackQuery, with Telegram's checks and wording.

Text is 1-4096 characters after entity parsing (a caption 0-1024); an edit that changes neither the text, its
entities nor the keyboard is "message is not modified"; an edit without reply_markup removes the keyboard. An
uploaded photo must be an image the fake can read (a PNG: its size comes from its header), width and height
together at most 10000.
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from . import formatting
from .access import check_can_write, resolve_chat
from .errors import (
    CAPTION_TOO_LONG,
    CHAT_ID_EMPTY,
    IMAGE_PROCESS_FAILED,
    MESSAGE_CANT_BE_DELETED,
    MESSAGE_CANT_BE_EDITED,
    MESSAGE_ID_NOT_SPECIFIED,
    MESSAGE_NOT_MODIFIED,
    MESSAGE_TEXT_EMPTY,
    MESSAGE_TO_DELETE_NOT_FOUND,
    MESSAGE_TO_EDIT_NOT_FOUND,
    MESSAGE_TO_REPLY_NOT_FOUND,
    MESSAGE_TOO_LONG,
    NO_TEXT_TO_EDIT,
    PHOTO_INVALID_DIMENSIONS,
    QUERY_ID_INVALID,
    TEXT_MUST_BE_NON_EMPTY,
    UNSUPPORTED_PARSE_MODE,
    WRONG_CHAT_ACTION,
    WRONG_FILE_ID,
    bad_request,
)
from .params import CallParams, UploadedFile
from .records import CallbackAnswer, MessageVersion, SentDocument, SentPhoto
from .render import message_json
from .state import StoredMessage, TelegramWorld
from .text import EntityParseError, with_detected_entities

MAX_TEXT = 4096
MAX_CAPTION = 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def parse_text(text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None) -> tuple[str, list[Any]]:
    """The visible text and entities, or 400 "can't parse entities: ..." / "unsupported parse_mode"."""
    if parse_mode:
        try:
            visible, parsed = formatting.parse(text, parse_mode)
        except EntityParseError as error:
            raise bad_request(f"Can't parse entities: {error.message}") from None
        except formatting.UnsupportedParseMode:
            raise bad_request(UNSUPPORTED_PARSE_MODE) from None
    else:
        visible, parsed = text, list(entities or [])
    return visible, with_detected_entities(visible, parsed)


def send_message(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    text, entities = parse_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
    chat_id = resolve_chat(world, params.get("chat_id"))
    check_can_write(world, chat_id)
    if len(text) > MAX_TEXT:
        raise bad_request(MESSAGE_TOO_LONG)
    if not text.strip():
        raise bad_request(TEXT_MUST_BE_NON_EMPTY)
    reply_to = _reply_target(world, chat_id, params)
    world.limits.admit(chat_id, is_group=world.is_group(chat_id))
    message = world.store(
        StoredMessage(
            chat_id=chat_id,
            message_id=world.new_message_id(chat_id),
            date=world.now(),
            sender_id=world.bot.id,
            text=text,
            sent_text=params.get("text"),
            parse_mode=params.get("parse_mode"),
            entities=entities,
            reply_markup=params.get("reply_markup"),
            reply_to=reply_to,
            link_preview_disabled=_preview_disabled(params),
        )
    )
    world.changes.notify()
    return message_json(world, message)


def send_document(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    return _send_captioned(world, params, lambda: {"document": _document(world, params.get("document"))})


def send_photo(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    return _send_captioned(world, params, lambda: {"photo": _photo(world, params.get("photo"))})


def _send_captioned(
    world: TelegramWorld, params: CallParams, attachment: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """A file with a caption, checked in Telegram's order: the chat, the caption, then the file itself."""
    caption, entities = parse_text(params.get("caption", ""), params.get("parse_mode"), params.get("caption_entities"))
    chat_id = resolve_chat(world, params.get("chat_id"))
    check_can_write(world, chat_id)
    if len(caption) > MAX_CAPTION:
        raise bad_request(CAPTION_TOO_LONG)
    attached = attachment()
    reply_to = _reply_target(world, chat_id, params)
    world.limits.admit(chat_id, is_group=world.is_group(chat_id))
    message = world.store(
        StoredMessage(
            chat_id=chat_id,
            message_id=world.new_message_id(chat_id),
            date=world.now(),
            sender_id=world.bot.id,
            caption=caption or None,
            sent_text=params.get("caption"),
            parse_mode=params.get("parse_mode"),
            entities=entities if caption else [],
            reply_markup=params.get("reply_markup"),
            reply_to=reply_to,
            **attached,
        )
    )
    world.changes.notify()
    return message_json(world, message)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _photo(world: TelegramWorld, photo: object) -> SentPhoto:
    """An uploaded PNG as Telegram keeps it; Telegram refuses what it cannot read as an image."""
    if not isinstance(photo, UploadedFile):
        raise bad_request(WRONG_FILE_ID)  # the fake keeps no earlier photos to send again by file_id or URL
    if not photo.data.startswith(_PNG_SIGNATURE) or photo.data[12:16] != b"IHDR":
        raise bad_request(IMAGE_PROCESS_FAILED)
    width, height = int.from_bytes(photo.data[16:20], "big"), int.from_bytes(photo.data[20:24], "big")
    if width + height > 10_000:
        raise bad_request(PHOTO_INVALID_DIMENSIONS)
    file_id, unique_id = world.new_file_ids()
    return SentPhoto(file_id, unique_id, width, height, photo.data)


def edit_message_text(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    if not params.get("text"):
        raise bad_request(MESSAGE_TEXT_EMPTY)
    text, entities = parse_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
    message = _editable(world, params)
    if message.text is None:
        raise bad_request(NO_TEXT_TO_EDIT)
    if len(text) > MAX_TEXT:
        raise bad_request(MESSAGE_TOO_LONG)
    if not text.strip():
        raise bad_request(TEXT_MUST_BE_NON_EMPTY)
    markup = params.get("reply_markup")
    if text == message.text and entities == message.entities and markup == message.reply_markup:
        raise bad_request(MESSAGE_NOT_MODIFIED)
    _keep_version(world, message)
    message.text, message.sent_text, message.parse_mode = text, params.get("text"), params.get("parse_mode")
    message.entities, message.reply_markup = entities, markup
    message.link_preview_disabled = _preview_disabled(params)
    world.changes.notify()
    return message_json(world, message)


def edit_message_reply_markup(world: TelegramWorld, params: CallParams) -> dict[str, Any]:
    message = _editable(world, params)
    markup = params.get("reply_markup")
    if markup == message.reply_markup or (not markup and not message.reply_markup):
        raise bad_request(MESSAGE_NOT_MODIFIED)
    _keep_version(world, message)
    message.reply_markup = markup
    world.changes.notify()
    return message_json(world, message)


def delete_message(world: TelegramWorld, params: CallParams) -> bool:
    chat_id = resolve_chat(world, params.get("chat_id"))
    message = world.find_message(chat_id, params.get("message_id"))
    if message is None or message.deleted:
        raise bad_request(MESSAGE_TO_DELETE_NOT_FOUND)
    group = world.groups.get(chat_id)
    may_delete_others = group is None or (
        group.bot_status == "administrator" and group.bot_rights.get("can_delete_messages", False)
    )
    if message.sender_id != world.bot.id and not may_delete_others:
        raise bad_request(MESSAGE_CANT_BE_DELETED)
    message.deleted = True
    world.changes.notify()
    return True


def send_chat_action(world: TelegramWorld, params: CallParams) -> bool:
    chat_id = resolve_chat(world, params.get("chat_id"))
    check_can_write(world, chat_id)
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request(WRONG_CHAT_ACTION)
    return True


def answer_callback_query(world: TelegramWorld, params: CallParams) -> bool:
    query = world.callback_queries.get(params.get("callback_query_id"))
    expired = (
        query is not None
        and world.callback_query_ttl is not None
        and time.monotonic() - query.created > world.callback_query_ttl
    )
    if query is None or query.answer is not None or expired:
        raise bad_request(QUERY_ID_INVALID)
    query.answer = CallbackAnswer(
        query_id=query.id,
        text=params.get("text"),
        show_alert=bool(params.get("show_alert", False)),
        url=params.get("url"),
        cache_time=params.get("cache_time", 0),
    )
    world.changes.notify()
    return True


def _editable(world: TelegramWorld, params: CallParams) -> StoredMessage:
    if params.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    if params.get("chat_id") is None:
        raise bad_request(CHAT_ID_EMPTY)
    if params.get("message_id") is None:
        raise bad_request(MESSAGE_ID_NOT_SPECIFIED)
    chat_id = resolve_chat(world, params.get("chat_id"))
    check_can_write(world, chat_id)
    message = world.find_message(chat_id, params.get("message_id"))
    if message is None or message.deleted:
        raise bad_request(MESSAGE_TO_EDIT_NOT_FOUND)
    if message.sender_id != world.bot.id:
        raise bad_request(MESSAGE_CANT_BE_EDITED)
    return message


def _keep_version(world: TelegramWorld, message: StoredMessage) -> None:
    now = world.now()
    version = MessageVersion(
        text=message.text if message.text is not None else message.caption,
        sent_text=message.sent_text,
        parse_mode=message.parse_mode,
        entities=tuple(message.entities),
        reply_markup=message.reply_markup,
        replaced_at=now,
    )
    message.history.append(version)
    message.edit_date = now


def _reply_target(world: TelegramWorld, chat_id: int, params: CallParams) -> int | None:
    reply = params.get("reply_parameters") or {}
    legacy = params.unknown.get("reply_to_message_id")
    target: int | None = reply.get("message_id", int(legacy) if legacy is not None and str(legacy).isdigit() else None)
    if target is None:
        return None
    found = world.find_message(chat_id, target)
    if found is None or found.deleted:
        allowed = reply.get("allow_sending_without_reply") or params.unknown.get("allow_sending_without_reply")
        if allowed in (True, "true"):
            return None
        raise bad_request(MESSAGE_TO_REPLY_NOT_FOUND)
    return target


def _preview_disabled(params: CallParams) -> bool:
    options = params.get("link_preview_options") or {}
    legacy = params.unknown.get("disable_web_page_preview")
    return bool(options.get("is_disabled")) or legacy in (True, "true", "True")


def _document(world: TelegramWorld, document: UploadedFile | str) -> SentDocument:
    if isinstance(document, UploadedFile):
        file_id, unique_id = world.new_file_ids()
        stored = SentDocument(file_id, unique_id, document.file_name, document.content_type, document.data)
        world.files[file_id] = stored
        return stored
    if document in world.files:
        return world.files[document]
    if document.startswith(("http://", "https://")):
        file_id, unique_id = world.new_file_ids()
        name = posixpath.basename(urlparse(document).path) or None
        return SentDocument(file_id, unique_id, name, None, b"")
    raise bad_request(WRONG_FILE_ID)
