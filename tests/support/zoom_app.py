"""ClassBot's components wired to a running FakeZoom, and a browser that walks the OAuth dance."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from classbot_fakes.zoom import FakeZoom
from classbot_fakes.zoom.browser import page_form, submit
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.app import Components, build_components, create_web_app
from bot.config import Settings, load_settings
from bot.core.connect import ConnectService
from bot.core.membership import MembershipSource
from bot.core.refunds import Refunder
from bot.storage.identity import PersonRef
from bot.storage.models import OAuthState, ZoomConnection
from bot.support.clock import Clock, utc_now
from bot.zoom.credentials import ZoomAccount
from bot.zoom.retry import RetryPolicy
from tests.support.notifier import RecordingNotifier

PUBLIC_URL = "http://classbot.test"
WEBHOOK_SECRET = "zoom-webhook-secret-token"
# Retries in tests wait no more than a few milliseconds, so a failing run stays fast.
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, max_inline_wait=0.5)


def zoom_settings(database_url: str, zoom: FakeZoom, data_dir: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "encryption_key": Fernet.generate_key().decode(),
        "public_url": PUBLIC_URL,
        "zoom_client_id": zoom.client_id,
        "zoom_client_secret": zoom.client_secret,
        "zoom_webhook_secret_token": WEBHOOK_SECRET,
        "zoom_oauth_url": zoom.oauth_url,
        "zoom_api_url": zoom.api_url,
    }
    return load_settings(**{**values, **extra})


@asynccontextmanager
async def zoom_components(
    settings: Settings,
    notifier: RecordingNotifier,
    clock: Clock = utc_now,
    *,
    zoom_timeout: float | None = None,
    membership_sources: Mapping[str, MembershipSource] | None = None,
    refunders: Mapping[str, Refunder] | None = None,
    slack_too: bool = False,
) -> AsyncIterator[tuple[Components, httpx.AsyncClient]]:
    """Components (worker not started: tests run jobs explicitly) and a client for the web app; ``zoom_timeout``
    shortens how long a call to Zoom waits, for tests of a Zoom that does not answer; with ``slack_too`` the
    notifier records Slack's private messages as well (one person on both apps)."""
    timeout = {} if zoom_timeout is None else {"http_timeout": httpx.Timeout(zoom_timeout)}
    async with build_components(
        settings,
        notifiers={"telegram": notifier, "slack": notifier} if slack_too else {"telegram": notifier},
        zoom_retry=FAST_RETRY,
        start_worker=False,
        clock=clock,
        membership_sources=membership_sources,
        refunders=refunders,
        **timeout,
    ) as components:
        transport = httpx.ASGITransport(app=create_web_app(components))
        async with httpx.AsyncClient(transport=transport, base_url=settings.public_url) as web:
            yield components, web


class Browser:
    """One person's browser: our web app and the fake Zoom, each keeping its own cookies."""

    def __init__(self, web: httpx.AsyncClient, zoom: FakeZoom, zoom_user_id: str) -> None:
        self.web = web
        self._zoom = zoom
        self._zoom_user_id = zoom_user_id

    async def open_connect_link(self, link: str, *, consent: bool = True) -> str:
        """Follow the chat's connect link to Zoom and back; return the callback URL Zoom redirects to."""
        started = await self.web.get(link)
        assert started.status_code == 302, started.text
        headers = {"X-Fake-Zoom-User": self._zoom_user_id}
        if not consent:
            headers["X-Fake-Zoom-Consent"] = "deny"
        async with httpx.AsyncClient() as zoom_browser:
            authorized = await zoom_browser.get(started.headers["location"], headers=headers)
        assert authorized.status_code == 302, authorized.text
        return authorized.headers["location"]

    async def finish(self, callback_url: str) -> httpx.Response:
        """Open Zoom's callback: the confirmation page (or the done page, or why not)."""
        return await self.web.get(callback_url)

    async def confirm(self, page: httpx.Response, decision: str = "connect") -> httpx.Response:
        """Press "connect" (or "cancel") on the confirmation ``page``."""
        return await submit(self.web, page, decision)

    async def connect(self, link: str) -> httpx.Response:
        """The whole walk, confirming when ClassBot asks: the last page the person sees."""
        page = await self.finish(await self.open_connect_link(link))
        return await self.confirm(page) if page_form(page.text) is not None else page


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@dataclass
class ZoomWorld:
    """ClassBot with Zoom configured against a FakeZoom that has one teacher's Zoom user."""

    components: Components
    web: httpx.AsyncClient
    zoom: FakeZoom
    notifier: RecordingNotifier
    zoom_user_id: str

    def browser(self, zoom_user_id: str | None = None) -> Browser:
        return Browser(self.web, self.zoom, zoom_user_id or self.zoom_user_id)

    def fresh_browser(self, zoom_user_id: str | None = None) -> Browser:
        """Another browser (no cookies) talking to the same app."""
        web = httpx.AsyncClient(transport=self.web._transport, base_url=str(self.web.base_url))
        return Browser(web, self.zoom, zoom_user_id or self.zoom_user_id)

    async def connections(self) -> list[ZoomConnection]:
        async with self.components.database.read() as session:
            return list((await session.execute(select(ZoomConnection))).scalars())

    async def unused_states(self) -> int:
        """Connect links that could still be used."""
        async with self.components.database.read() as session:
            query = select(func.count()).select_from(OAuthState).where(OAuthState.used_at.is_(None))
            return int((await session.execute(query)).scalar_one())

    @property
    def connect_flow(self) -> ConnectService:
        """The core's connect flow (Zoom is configured in this world)."""
        assert self.components.zoom is not None
        return self.components.zoom.connect

    async def connect_teacher(self, who: PersonRef) -> ZoomAccount:
        """Walk the real connect flow for ``who`` and return the account the REST client acts for."""
        link = await self.connect_flow.begin(who)
        response = await self.fresh_browser().connect(link.url)
        assert response.status_code == 200, response.text
        [connection] = [c for c in await self.connections() if c.zoom_user_id == self.zoom_user_id]
        return ZoomAccount(connection.id, connection.zoom_account_id, connection.licensed)


@asynccontextmanager
async def zoom_world(
    database_url: str,
    fake_zoom: FakeZoom,
    data_dir: Path,
    *,
    clock: Clock = utc_now,
    licensed: bool = False,
    public_url: str = PUBLIC_URL,
    zoom_timeout: float | None = None,
    membership_sources: Mapping[str, MembershipSource] | None = None,
    refunders: Mapping[str, Refunder] | None = None,
    slack_too: bool = False,
    settings: Mapping[str, object] | None = None,
) -> AsyncIterator[ZoomWorld]:
    """``settings`` adds to (or replaces) the Zoom settings (Stripe's, say)."""
    user = fake_zoom.add_user(
        email="ann@example.org", first_name="Ann", last_name="Lee", timezone="Europe/Madrid", licensed=licensed
    )
    notifier = RecordingNotifier()
    built = zoom_settings(database_url, fake_zoom, data_dir, public_url=public_url, **(settings or {}))
    async with zoom_components(
        built,
        notifier,
        clock,
        zoom_timeout=zoom_timeout,
        membership_sources=membership_sources,
        refunders=refunders,
        slack_too=slack_too,
    ) as (components, web):
        yield ZoomWorld(components, web, fake_zoom, notifier, user.id)
