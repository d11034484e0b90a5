"""Turning the core's plain messages into Telegram's HTML and inline keyboards.

Everything a person typed (titles, names, descriptions) is escaped: the core's text is plain text, and only
the markup added here is HTML. Texts arrive already in their reader's language (``Said``). In groups, a Book
action becomes a deep link into the private chat, because booking asks questions and sends private links,
which never happen in a group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.actions import Act
from bot.core.messages import Said, SaidButton

MAX_TEXT = 4096
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def html(text: str) -> str:
    return escape(text, quote=False)


def deep_link(bot_username: str, payload: str) -> str:
    """``https://t.me/BOT?start=PAYLOAD``; the payload is at most 64 of ``[A-Za-z0-9_-]``."""
    if not _PAYLOAD.match(payload):
        raise ValueError("a deep-link payload is 1-64 characters of A-Z a-z 0-9 _ -")
    return f"https://t.me/{bot_username}?start={payload}"


def valid_payload(payload: str) -> bool:
    return bool(_PAYLOAD.match(payload))


def keyboard(
    buttons: Sequence[SaidButton], *, in_group: bool = False, bot_username: str = ""
) -> InlineKeyboardMarkup | None:
    """One button per row; group cards link to the private chat instead of pressing in the group."""
    rows = []
    for button in buttons:
        if button.url is not None:
            rows.append([InlineKeyboardButton(button.label, url=button.url)])
        elif button.action is None:
            continue
        elif in_group and button.action.act is Act.BOOK:
            payload = "c_" + button.action.value
            rows.append([InlineKeyboardButton(button.label, url=deep_link(bot_username, payload))])
        else:
            rows.append([InlineKeyboardButton(button.label, callback_data=button.action.wire)])
    return InlineKeyboardMarkup(rows) if rows else None


def message_html(message: Said) -> str:
    return truncate(html(message.text))


def truncate(text: str) -> str:
    """Telegram refuses more than 4096 characters; cut at a line break where possible."""
    if len(text) <= MAX_TEXT:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT - 2)
    return text[: cut if cut > 0 else MAX_TEXT - 2] + "\n…"
