"""The real ClassBot process with its Telegram front end, against FakeTelegram and FakeZoom over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classbot_fakes.telegram import FakeTelegram, FakeUser, SentMessage
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from tests.support.bot_process import BotProcess
from tests.support.ports import free_port
from tests.support.zoom_consent import consent_in_browser

ZOOM_LINK = re.compile(r"/(j|s|w)/\d+")


def class_time(days: int = 3) -> str:
    """A class's date and time as a teacher types them: 16:30, ``days`` from today."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d 16:30")


def guided_to_the_price(title: str) -> list[tuple[str, str]]:
    """The guided /newclass's answers, each with the question it brings, from the title to the price: 60 minutes
    at 17:15 three days from today, 4 seats, "1" to once or weekly."""
    return [
        (title, "Which day"),
        (class_time().split()[0], "At what time"),
        ("17:15", "How many minutes"),
        ("60", "How many seats"),
        ("4", "Once, or weekly"),
        ("1", "price per child"),
    ]


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

    async def ready_teacher(self, name: str = "Ann") -> FakeUser:
        """A teacher who opened the private chat and connected a Zoom user of their own (in Europe/Madrid)."""
        teacher = self.telegram.add_user(name)
        zoom_user = self.zoom.add_user(email=f"{name.lower()}@example.org", timezone="Europe/Madrid")
        teacher.start_private_chat()
        await self.said(teacher, "books kids")
        await self.connect_zoom(teacher, zoom_user.id)
        return teacher

    async def answered(self, user: FakeUser, steps: Iterable[tuple[str, str]]) -> SentMessage:
        """``user`` sends each answer and waits for the question it brings; the last question."""
        asked: SentMessage | None = None
        for answer, next_question in steps:
            user.send(answer)
            asked = await self.said(user, next_question)
        assert asked is not None, "no step to answer"
        return asked

    async def booked(self, parent: FakeUser, share_link: str, title: str, child: str) -> SentMessage:
        """``parent`` opens the class's share link, presses Book and names ``child``: the link message."""
        parent.open_deep_link(share_link)
        parent.press(await self.said(parent, title), "Book a seat")
        await self.said(parent, "who is the seat for")
        parent.send(child)
        return await self.said(parent, "Here is your Zoom link")

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
