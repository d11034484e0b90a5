"""Telegram's /language: which language ClassBot speaks, and the buttons to change it.

In a private chat it is the person's own language: their pick wins over the ``language_code`` Telegram sends from
then on. In a group it is the group's language, the one announcements are posted in; only the group's admins (as
Telegram lists them when the button is pressed) may change it, since everyone there reads what is posted.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.messages import Message
from bot.core.words.labels import language_buttons
from bot.core.words.replies import language_menu, now_speaking
from bot.handlers.telegram.base import answers_refusals, community_of, in_group, person_of
from bot.handlers.telegram.commands import Commands
from bot.handlers.telegram.render import html
from bot.i18n.languages import SUPPORTED
from bot.i18n.texts import tr


class Languages(Commands):
    @answers_refusals
    async def language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The language in use, with a button per language: a person's own in private, the group's in a group."""
        if in_group(update):
            chat = update.effective_chat
            assert chat is not None
            current = await self.languages.of_community(community_of(chat))
            text = tr(
                "This group's announcements are in {language}. Admins can choose another language:",
                language=SUPPORTED[current],
            )
            await self.show(update, Message(text, language_buttons()))
            return
        t = await self.translator(update)
        await self.show(update, language_menu(t.code))

    async def choose_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE, code: str) -> None:
        """A language button: the presser's own language in private, the group's (admins only) in a group."""
        if in_group(update):
            chat = update.effective_chat
            assert chat is not None
            admin = await self.is_admin(update, context)
            chosen = await self.languages.choose_for_community(community_of(chat), code, admin_verified=admin)
            # Said in the group's new language: it is the group's setting, not the presser's.
            done = tr("Done: this group's announcements are in {language} now.", language=SUPPORTED[chosen])
            await self.reply(update, html(self.catalogs.translator(chosen)(done)))
            return
        chosen = await self.languages.choose(person_of(update), code)
        await self.say(update, now_speaking(chosen))
