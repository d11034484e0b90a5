"""What every Telegram handler shares: who is acting, where, how to answer, and how core refusals are shown."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import TYPE_CHECKING, Any

from telegram import Chat, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.core.communities import CommunityRef
from bot.core.conversations import Conversations
from bot.core.errors import CoreError
from bot.core.identity import PersonRef
from bot.core.messages import Button
from bot.core.reports import Reports
from bot.handlers.telegram.render import deep_link, html, keyboard, truncate

if TYPE_CHECKING:
    from bot.app import Components

log = logging.getLogger(__name__)

PLATFORM = "telegram"
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def person_of(update: Update) -> PersonRef:
    user = update.effective_user
    assert user is not None
    return PersonRef(PLATFORM, str(user.id), "", user.full_name[:200])


def community_of(chat: Chat) -> CommunityRef:
    return CommunityRef(PLATFORM, str(chat.id), "", (chat.title or "")[:200])


def in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


class TelegramBase:
    """Holds the core services; subclasses add handlers for one concern each."""

    def __init__(self, components: Components) -> None:
        self.core = components
        self.conversations = Conversations(components.database, clock=components.clock, platform=PLATFORM)
        self.privacy = components.privacy
        self.reports = Reports(components.database, components.classes, clock=components.clock)

    def link(self, context: ContextTypes.DEFAULT_TYPE, payload: str) -> str:
        return deep_link(context.bot.username, payload)

    async def reply(
        self,
        update: Update,
        text_html: str,
        buttons: list[Button] | None = None,
        *,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(
            truncate(text_html),
            parse_mode=ParseMode.HTML,
            reply_markup=markup or keyboard(buttons or []),
            link_preview_options=None,
        )

    async def say(self, update: Update, text: str, buttons: list[Button] | None = None) -> None:
        """Reply with plain text (escaped)."""
        await self.reply(update, html(text), buttons)


def answers_refusals(handler: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., Coroutine[Any, Any, None]]:
    """A core refusal becomes the answer to the person, in the chat where they acted."""

    @wraps(handler)
    async def guarded(self: TelegramBase, update: Update, *args: Any) -> None:
        try:
            await handler(self, update, *args)
        except CoreError as refusal:
            await self.say(update, refusal.message)

    return guarded
