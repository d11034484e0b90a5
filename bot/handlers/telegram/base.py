"""What every Telegram handler shares: who is acting, where, in which language, how to answer, and how core
refusals are shown.

Answers are in the language of the person who acted: their choice from /language, else the ``language_code``
Telegram sends with each update (noted with the person, for the messages the worker sends them later). The
language is looked up for each answer rather than kept in the process, so every process agrees at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ContextTypes

from bot.core.communities import CommunityRef
from bot.core.errors import CoreError
from bot.core.messages import Button, Message, SaidButton
from bot.core.services import Services
from bot.handlers.telegram.payments import TelegramInvoices
from bot.handlers.telegram.render import deep_link, html, keyboard, truncate
from bot.i18n.texts import Text
from bot.i18n.translator import Translator
from bot.storage.identity import PersonRef

log = logging.getLogger(__name__)

PLATFORM = "telegram"
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def person_of(update: Update) -> PersonRef:
    user = update.effective_user
    assert user is not None
    return PersonRef(PLATFORM, str(user.id), "", user.full_name[:200], user.language_code, user.username or "")


def community_of(chat: Chat) -> CommunityRef:
    return CommunityRef(PLATFORM, str(chat.id), "", (chat.title or "")[:200])


def in_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


class TelegramBase:
    """Holds the core services; subclasses add handlers for one concern each."""

    def __init__(self, services: Services, invoices: TelegramInvoices) -> None:
        self.core = services
        self.invoices = invoices  # holds the card provider's token, when there is one
        self.conversations = services.conversations
        self.privacy = services.privacy
        self.reports = services.reports
        self.languages = services.languages
        self.catalogs = services.catalogs
        # Updates this process has answered (ids, oldest first, at most 10,000): one that meets the database away
        # after its answer went is done with, not delivered again (which would answer it twice).
        self.answered: dict[int, None] = {}

    def has_answered(self, update: Update) -> bool:
        return update.update_id in self.answered

    def link(self, context: ContextTypes.DEFAULT_TYPE, payload: str) -> str:
        return deep_link(context.bot.username, payload)

    async def translator(self, update: Update) -> Translator:
        """The acting person's language (noting the one Telegram reports, unless they chose their own), for their
        timezone when we know it."""
        user = update.effective_user
        assert user is not None
        # never makes a row; the person's timezone comes along, so class times are also told as their clock reads
        language, zone = await self.languages.of_reader(person_of(update), user.language_code)
        return self.catalogs.translator(language, zone)

    async def reply(
        self,
        update: Update,
        text_html: str,
        buttons: list[Button] | None = None,
        *,
        markup: InlineKeyboardMarkup | None = None,
        translator: Translator | None = None,
    ) -> None:
        """Reply with HTML the caller already put in the person's words; button labels are rendered here."""
        said: tuple[SaidButton, ...] = ()
        if buttons:
            t = translator or await self.translator(update)
            said = tuple(SaidButton(t(b.label), b.action, b.url) for b in buttons)
        await self._send(update, text_html, said, markup)

    async def _send(
        self, update: Update, text_html: str, said: tuple[SaidButton, ...], markup: InlineKeyboardMarkup | None
    ) -> None:
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(
            truncate(text_html),
            parse_mode=ParseMode.HTML,
            reply_markup=markup or keyboard(said),
            link_preview_options=None,
        )
        self.answered[update.update_id] = None
        if len(self.answered) > 10_000:
            del self.answered[next(iter(self.answered))]

    async def show(self, update: Update, message: Message) -> None:
        """Reply with a message the core worded (text and buttons), in the person's language."""
        await self.say(update, message.text, list(message.buttons))

    async def say(
        self, update: Update, text: Text, buttons: list[Button] | None = None, *, translator: Translator | None = None
    ) -> None:
        """Reply with ``text`` as plain text (escaped), in ``translator``'s language when the caller already knows
        the person's (the core said it), else in the person's, looked up."""
        t = translator or await self.translator(update)
        said = Message(text, tuple(buttons or ())).render(t)  # the buttons' labels too, once
        await self._send(update, html(said.text), said.buttons, None)


def answers_refusals(handler: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., Coroutine[Any, Any, None]]:
    """A core refusal becomes the answer to the person, in the chat where they acted."""

    @wraps(handler)
    async def guarded(self: TelegramBase, update: Update, *args: Any) -> None:
        try:
            await handler(self, update, *args)
        except CoreError as refusal:
            await self.say(update, refusal.text)

    return guarded
