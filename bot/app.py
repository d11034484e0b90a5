"""The composition root: builds every part of ClassBot once, from the settings, and tears it down in reverse.

Nothing is built at import time and nothing is global: ``build_components`` is the one place that knows which
concrete adapter fills which port. The runtime (``bot.runtime``) serves HTTP around the result.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from bot.config import Settings
from bot.storage.cipher import SecretCipher, load_keys
from bot.storage.database import Database
from bot.storage.migrate import upgrade_to_head

log = logging.getLogger(__name__)

# Zoom answers within seconds or not at all; a slow call is retried by the client rather than waited on.
_HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True, slots=True)
class Components:
    """Everything the web app and the front ends need, built once per process."""

    settings: Settings
    database: Database
    cipher: SecretCipher
    http: httpx.AsyncClient


@asynccontextmanager
async def build_components(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Components]:
    """Build the parts (migrating the database first unless told not to); close them in reverse on exit."""
    async with AsyncExitStack() as stack:
        database = Database.connect(settings.database_url)
        stack.push_async_callback(database.dispose)
        if migrate:
            await upgrade_to_head(database)
        cipher = SecretCipher(load_keys(_secret(settings.encryption_key), settings.data_dir))
        http = await stack.enter_async_context(
            httpx.AsyncClient(timeout=_HTTP_TIMEOUT, headers={"User-Agent": "ClassBot"})
        )
        components = Components(settings=settings, database=database, cipher=cipher, http=http)
        _announce_front_ends(settings)
        yield components


def _announce_front_ends(settings: Settings) -> None:
    if not (settings.telegram_configured or settings.slack_configured):
        log.warning(
            "No chat front end is configured, so only the web server runs: set TELEGRAM_BOT_TOKEN for Telegram "
            "and/or SLACK_BOT_TOKEN with SLACK_APP_TOKEN (or SLACK_SIGNING_SECRET) for Slack."
        )


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return get() if get is not None else None
