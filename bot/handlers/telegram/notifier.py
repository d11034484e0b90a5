"""The core's Notifier for Telegram: private messages to people, cards to groups.

A 403 means the person never opened the bot's private chat (or blocked it): the core's job then waits, and
sends as soon as the person opens the chat. Rate limits are handled by the pacer (``pacing``), which also tries
a failed call again a few times; what still fails then, Telegram unreachable or failing (a dropped connection, a
timeout, a 5xx, a rate limit still in force), is ``PlatformUnavailable``: the job waits out the outage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.core.communities import CommunityRef
from bot.core.messages import Said
from bot.core.notify import RecipientUnreachable
from bot.core.outages import PlatformUnavailable
from bot.handlers.telegram.render import keyboard, message_html
from bot.storage.identity import PersonRef


class TelegramNotifier:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_private(self, recipient: PersonRef, message: Said) -> None:
        try:
            async with _outage_told():
                await self._bot.send_message(
                    chat_id=int(recipient.user_id),
                    text=message_html(message),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(message.buttons),
                    link_preview_options=None,
                )
        except Forbidden:
            raise RecipientUnreachable("the person has not opened a private chat with the bot") from None
        except BadRequest as refused:
            if "chat not found" in str(refused).lower():
                raise RecipientUnreachable("Telegram does not know this chat") from None
            raise

    async def post_to_community(self, community: CommunityRef, message: Said) -> None:
        if any(button.url for button in message.buttons):
            raise ValueError("community posts never carry links")  # a private link must never reach a group
        async with _outage_told():
            await self._bot.send_message(
                chat_id=int(community.chat_id),
                text=message_html(message),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message.buttons, in_group=True, bot_username=self._bot.username),
            )


@asynccontextmanager
async def _outage_told() -> AsyncIterator[None]:
    """Telegram unreachable or failing, once the pacer gave up, as the core's ``PlatformUnavailable``.

    ``NetworkError`` is python-telegram-bot's dropped connection, timeout (``TimedOut``) and 5xx; ``BadRequest``
    is one too, but a refusal of this request (left to the caller), not an outage."""
    try:
        yield
    except BadRequest:
        raise
    except (NetworkError, RetryAfter) as failed:
        raise PlatformUnavailable("telegram", f"{type(failed).__name__}: {failed}") from failed
