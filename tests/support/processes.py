"""Environment for ClassBot processes started by tests against the same database and FakeZoom."""

from __future__ import annotations

import os

from classbot_fakes.zoom import FakeZoom

from bot.config import Settings
from tests.support.bot_process import REPOSITORY


def process_environment(settings: Settings, zoom: FakeZoom) -> dict[str, str]:
    key = settings.encryption_key
    assert key is not None
    return {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "DATABASE_URL": settings.database_url,
        "ENCRYPTION_KEY": key.get_secret_value(),
        "PUBLIC_URL": settings.public_url,
        "ZOOM_CLIENT_ID": zoom.client_id,
        "ZOOM_CLIENT_SECRET": zoom.client_secret,
        "ZOOM_OAUTH_URL": zoom.oauth_url,
        "ZOOM_API_URL": zoom.api_url,
        "ZOOM_WEBHOOK_SECRET_TOKEN": "not-used-here",
    }
