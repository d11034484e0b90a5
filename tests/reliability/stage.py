"""The stage the reliability tests play on: the real process's settings against the Telegram and Zoom test
servers, and a teacher who has connected Zoom, as the soak, the crash points, the outages and the drill all need
them. One place, so that a setting the process gains (or a step the connect flow gains) reaches every one of them.
"""

from __future__ import annotations

import re

from classbot_fakes.telegram import FakeTelegram, FakeUser, SentMessage
from classbot_fakes.zoom import FakeZoom
from cryptography.fernet import Fernet

from tests.support.zoom_consent import consent_in_browser


def bot_environment(
    telegram: FakeTelegram,
    zoom: FakeZoom,
    *,
    database_url: str,
    public_url: str,
    webhook_secret: str,
    zoom_webhook_secret: str,
    encryption_key: str | None = None,
    log_level: str = "WARNING",
    **more: str,
) -> dict[str, str]:
    """The settings of ``python -m bot run`` in Telegram webhook mode (its endpoint under ``public_url``) with
    Zoom's app on the test servers; ``encryption_key`` a new one unless given (processes sharing a database must
    share it); ``more`` adds or overrides settings by name (``HTTP_PORT``, ``CLASSBOT_CRASH_AT``…)."""
    return {
        "DATABASE_URL": database_url,
        "ENCRYPTION_KEY": encryption_key or Fernet.generate_key().decode(),
        "PUBLIC_URL": public_url,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_BASE_URL": telegram.base_url,
        "TELEGRAM_WEBHOOK": "1",
        "TELEGRAM_WEBHOOK_SECRET": webhook_secret,
        "ZOOM_CLIENT_ID": zoom.client_id,
        "ZOOM_CLIENT_SECRET": zoom.client_secret,
        "ZOOM_OAUTH_URL": zoom.oauth_url,
        "ZOOM_API_URL": zoom.api_url,
        "ZOOM_WEBHOOK_SECRET_TOKEN": zoom_webhook_secret,
        "LOG_LEVEL": log_level,
        **more,
    }


async def said(telegram: FakeTelegram, user: FakeUser, pattern: str, timeout: float = 60) -> SentMessage:
    """The first message in ``user``'s chat whose text matches ``pattern`` (a regular expression)."""
    return await telegram.wait_for_message(user, lambda m: bool(re.search(pattern, m.text or "")), timeout=timeout)


async def teacher_with_zoom(
    telegram: FakeTelegram, zoom: FakeZoom, name: str, email: str, *, licensed: bool, timezone: str = "UTC"
) -> FakeUser:
    """A teacher who started the bot, asked /connect and consented in Zoom's page (as the browser does), once
    ClassBot has said Zoom is connected."""
    teacher = telegram.add_user(name)
    zoom_user = zoom.add_user(email=email, licensed=licensed, timezone=timezone)
    teacher.start_private_chat()
    await said(telegram, teacher, "books kids")
    teacher.send("/connect")
    link = (await said(telegram, teacher, "Connect your Zoom account")).button("Connect Zoom").url
    assert link is not None
    await consent_in_browser(link, zoom_user.id, timeout=30)
    await said(telegram, teacher, "is connected")
    return teacher
