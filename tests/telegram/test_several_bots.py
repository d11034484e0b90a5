"""A group with several bots, in privacy mode: ClassBot takes its commands with or without its name, says so when a
bare command it does not know reached it only because it spoke last, and stays quiet about other bots' commands.
Then the way back from webhook to polling. The real process, in webhook mode: Telegram (the fake) counts an update
as delivered only once ClassBot has handled it, so "nothing was said" can be checked without waiting."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from classbot_fakes.telegram import FakeGroup, FakeTelegram, FakeUser

from tests.support.bot_process import BotProcess
from tests.telegram.world import TelegramWorld, telegram_world

NAME = "classbot_test_bot"


async def _handled(telegram: FakeTelegram) -> None:
    await telegram.wait_until(lambda: not telegram.pending_updates, timeout=40)


def _said(telegram: FakeTelegram, group: FakeGroup, words: str) -> list[str]:
    return [m.text or "" for m in telegram.messages(group) if words in (m.text or "")]


async def _group(world: TelegramWorld) -> tuple[FakeGroup, FakeUser]:
    tg = world.telegram
    admin = tg.add_user("Ada")
    group = tg.add_group("Chess parents", admins=[admin])
    tg.add_bot_to_group(group, by=admin)
    await _handled(tg)
    return group, admin


async def test_commands_with_or_without_the_bots_name_and_other_bots_commands(tmp_path: Path, sqlite_url: str) -> None:
    with telegram_world(tmp_path, sqlite_url, webhook=True) as world:
        tg = world.telegram
        group, admin = await _group(world)

        admin.send(f"/setup@{NAME}", group)  # named: reaches ClassBot whoever spoke last
        await tg.wait_for_message(group, lambda m: "is set up here" in (m.text or ""), timeout=40)
        admin.send("/help", group)  # bare, and ClassBot spoke last: it is ClassBot's
        hint = await tg.wait_for_message(group, lambda m: "Several bots in this group?" in (m.text or ""), timeout=40)
        assert f"/setup@{NAME}" in (hint.text or "")

        group.another_bot_speaks()
        admin.send("/classes", group)  # Telegram gives it to the other bot
        admin.send(f"/classes@{NAME}", group)
        await tg.wait_for_message(group, lambda m: "No upcoming classes" in (m.text or ""), timeout=40)

        admin.send("/ban@other_bot Sam", group)  # another bot's, by name: not a word
        admin.send("/ban Sam", group)  # bare and unknown, given to ClassBot because it spoke last
        await _handled(tg)
        [answer] = _said(tg, group, "is not one of my commands")
        assert answer.startswith("/ban is not one of my commands")
        assert "/ban@TheirBot" in answer
        assert f"/help@{NAME}" in answer
        assert len(_said(tg, group, "No upcoming classes")) == 1  # the bare /classes never reached ClassBot


async def test_a_bot_that_reads_every_message_says_nothing_of_other_bots_bare_commands(
    tmp_path: Path, sqlite_url: str
) -> None:
    with telegram_world(tmp_path, sqlite_url, webhook=True) as world:
        tg = world.telegram
        group, admin = await _group(world)
        tg.promote_bot(group)  # an admin bot gets every message, other bots' commands included
        admin.send("/ban Sam", group)
        admin.send(f"/ban@{NAME}", group)  # named, so certainly for ClassBot: it does not know it
        await _handled(tg)
        assert _said(tg, group, "is not one of my commands") == []
        assert len(_said(tg, group, "I don't know that command")) == 1


def test_back_from_webhook_to_polling(tmp_path: Path, sqlite_url: str) -> None:
    with telegram_world(tmp_path, sqlite_url, webhook=True) as world:
        tg = world.telegram
        assert tg.webhook_url is not None
        assert world.bot.stop(signal.SIGTERM) == 0
        polling = {k: v for k, v in world.bot.environment.items() if not k.startswith("TELEGRAM_WEBHOOK")}
        bot = BotProcess(tmp_path, polling)  # the same settings, TELEGRAM_WEBHOOK removed
        bot.start()
        try:
            bot.wait_healthy()
            parent = tg.add_user("Pat")
            parent.start_private_chat()
            asyncio.run(world.said(parent, "books kids"))
            assert tg.webhook_url is None
            assert tg.count("deleteWebhook") >= 1
        finally:
            bot.kill()
