"""Which bot token speaks to which workspace, and the Web API clients that carry them.

One workspace (``SLACK_BOT_TOKEN``) has one token. An app installed into many workspaces (``SLACK_CLIENT_ID`` and
``SLACK_CLIENT_SECRET``) keeps each workspace's token in slack-sdk's SQLAlchemy installation store, on our own
engine, with the OAuth ``state`` values in its state store. The installation store is slack-sdk's own with one
change: its token columns are encrypted (``bot.storage.slack_tokens``), so Bolt uses it as it is while the
database holds no token in clear (``bot.storage.slack_installations``).

Every client talks to ``SLACK_API_URL`` and retries once on a dropped connection and on Slack's 429 (after its
``Retry-After``), so a burst of announcements or reminders slows down instead of failing.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core.notify import RecipientUnreachable
from bot.storage.cipher import SecretCipher
from bot.storage.database import Database
from bot.storage.slack_installations import EncryptedInstallationStore

log = logging.getLogger(__name__)

# What the bot asks for at install: the slash command, messages and DMs, uploading files (the stats chart), and
# reading users (admin checks) and channels (member_joined_channel). The same list is in slack-manifest.yaml.
BOT_SCOPES = ("commands", "chat:write", "im:write", "files:write", "users:read", "channels:read", "groups:read")
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
_STATE_SECONDS = 600


def web_client(api_url: str, token: str | None = None) -> AsyncWebClient:
    """A Web API client on ``api_url`` that waits out rate limits and retries a dropped connection once."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def authorize_url(api_url: str) -> str:
    """Slack's authorize page on the same host as its Web API (``…/api/`` → ``…/oauth/v2/authorize``)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"


class NotInstalled(RecipientUnreachable):
    """The app has no installation (no bot token) in that workspace."""


class Workspaces:
    """Hands out a Web API client holding the right workspace's bot token."""

    def __init__(self, api_url: str, *, bot_token: str | None, installations: AsyncInstallationStore | None) -> None:
        self._api_url = api_url
        self._bot_token = bot_token
        self._installations = installations
        self._clients: dict[str, AsyncWebClient] = {}

    async def client_for(self, team_id: str) -> AsyncWebClient:
        token = self._bot_token
        if self._installations is not None:
            bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team_id or None)
            token = bot.bot_token if bot is not None else None
        if not token:
            raise NotInstalled(f"ClassBot is not installed in Slack workspace {team_id or '(unknown)'}")
        client = self._clients.get(token)
        if client is None:
            client = self._clients[token] = web_client(self._api_url, token)
        return client


class Installing:
    """The multi-workspace install: slack-sdk's stores on our engine, and Bolt's settings and authorization."""

    def __init__(self, settings: Settings, database: Database, cipher: SecretCipher, client: AsyncWebClient) -> None:
        client_id, secret = settings.slack_client_id, settings.slack_client_secret
        assert client_id is not None
        assert secret is not None
        self.installations = EncryptedInstallationStore(client_id, database.engine, cipher, log)
        states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=_STATE_SECONDS, engine=database.engine, logger=log)
        self.settings = AsyncOAuthSettings(
            client_id=client_id,
            client_secret=secret.get_secret_value(),
            scopes=list(BOT_SCOPES),
            redirect_uri=settings.public_url.rstrip("/") + REDIRECT_PATH,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
            authorization_url=authorize_url(settings.slack_api_url),
            installation_store=self.installations,
            installation_store_bot_only=True,
            state_store=states,
            state_expiration_seconds=_STATE_SECONDS,
            logger=log,
        )
        # Cached: a workspace's token is looked up (and checked with auth.test) once, not on every request.
        self.authorize = AsyncInstallationStoreAuthorize(
            logger=log,
            installation_store=self.installations,
            client_id=client_id,
            client_secret=secret.get_secret_value(),
            bot_only=True,
            cache_enabled=True,
            client=client,
        )
