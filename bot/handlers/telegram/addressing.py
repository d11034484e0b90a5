"""Whom a command typed in a group was for.

A command may name its bot (``/setup@ClassBot``) or not (``/setup``). In privacy mode (Telegram's default) a bot
gets the commands that name it and the bare ones only when it was the last bot to speak in the group; so with
several bots in a group, a bare command lands on whichever bot spoke last, and ClassBot cannot be sure a bare
command it gets was meant for it. A bot that reads every message (privacy mode off, or an admin of the group)
gets every bare command, other bots' included. ClassBot accepts both forms of its own commands, stays quiet about
commands that name another bot, and, when a bare command it does not know reaches it only because it spoke last,
says so, with the form that reaches the right bot.
"""

from __future__ import annotations

from enum import Enum

from telegram import Bot
from telegram.constants import ChatMemberStatus

from bot.i18n.texts import Text, tr


class Addressee(Enum):
    ME = "me"
    ANOTHER_BOT = "another bot"
    UNNAMED = "unnamed"  # a bare command: for whichever bot Telegram gave it to


def addressee(text: str, bot_username: str) -> Addressee:
    """Whom ``text`` (a message starting with a command) names."""
    command = text.split(maxsplit=1)[0] if text.strip() else ""
    _, at, name = command.partition("@")
    if not at:
        return Addressee.UNNAMED
    return Addressee.ME if name.lower() == bot_username.lower() else Addressee.ANOTHER_BOT


def command_word(text: str) -> str:
    """The command as typed, without a bot's name: ``/ban@OtherBot now`` -> ``/ban``."""
    return text.split(maxsplit=1)[0].partition("@")[0] if text.strip() else ""


async def hears_every_command(bot: Bot, chat_id: int) -> bool:
    """True when Telegram gives this bot every command in the chat (privacy mode off, or an admin there): then a
    bare command it does not know is simply another bot's, and not worth a word."""
    if bot.can_read_all_group_messages:
        return True
    member = await bot.get_chat_member(chat_id, bot.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def not_mine(command: str, bot_username: str) -> Text:
    """The answer to a bare command ClassBot does not know, given to it because it spoke last in the group."""
    return tr(
        "{command} is not one of my commands: was it for another bot? In a group with several bots, Telegram gives "
        "a command without a bot's name to the bot that spoke last, so add the name: {command}@TheirBot. "
        "Mine are in /help@{bot}.",
        command=command,
        bot=bot_username,
    )


def name_me(bot_username: str) -> Text:
    """The line added where ClassBot tells a group which commands to type."""
    return tr(
        "Several bots in this group? Write my commands with my name, like /setup@{bot}, so that they reach me "
        "whichever bot spoke last.",
        bot=bot_username,
    )
