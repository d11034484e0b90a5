"""The real ClassBot process with its Telegram front end, against FakeTelegram and FakeZoom over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from classbot_fakes.telegram import FakeTelegram, FakeUser, SentMessage
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from tests.support.bot_process import BotProcess
from tests.support.ports import free_port
from tests.support.zoom_consent import consent_in_browser

ZOOM_LINK = re.compile(r"/(j|s|w)/\d+")


@dataclass
class TelegramWorld:
    bot: BotProcess
    telegram: FakeTelegram
    zoom: FakeZoom

    async def said(self, user: FakeUser, pattern: str, *, timeout: float = 40) -> SentMessage:
        """The next message to ``user`` whose text matches ``pattern``."""
        return await self.telegram.wait_for_message(
            user, lambda message: bool(re.search(pattern, message.text or message.caption or "")), timeout=timeout
        )

    async def connect_zoom(self, teacher: FakeUser, zoom_user_id: str) -> None:
        teacher.send("/connect")
        prompt = await self.said(teacher, "Connect your Zoom account")
        link = prompt.button("Connect Zoom").url
        assert link is not None
        await consent_in_browser(link, zoom_user_id)
        await self.said(teacher, "is connected")

    def zoom_links_in(self, chat: object) -> list[str]:
        return [url for message in self.telegram.messages(chat) for url in message.urls if ZOOM_LINK.search(url)]


@contextmanager
def telegram_world(
    tmp_path: Path, database_url: str, *, webhook: bool = False, settings: dict[str, str] | None = None
) -> Iterator[TelegramWorld]:
    """``settings``: more of the process's environment (``PAYMENT_HOLD_SECONDS``, say)."""
    with FakeTelegram() as telegram, FakeZoom() as zoom:
        port = free_port()
        environment = {
            "DATABASE_URL": database_url,
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "HTTP_PORT": str(port),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_BASE_URL": telegram.base_url,
            "ZOOM_CLIENT_ID": zoom.client_id,
            "ZOOM_CLIENT_SECRET": zoom.client_secret,
            "ZOOM_OAUTH_URL": zoom.oauth_url,
            "ZOOM_API_URL": zoom.api_url,
            "ZOOM_WEBHOOK_SECRET_TOKEN": "zoom-webhook-secret",
        }
        environment |= settings or {}
        if webhook:
            environment |= {"TELEGRAM_WEBHOOK": "1", "TELEGRAM_WEBHOOK_SECRET": "tg-secret-123"}
        bot = BotProcess(tmp_path, environment)
        bot.start()
        try:
            bot.wait_healthy()
            yield TelegramWorld(bot, telegram, zoom)
        finally:
            bot.kill()
