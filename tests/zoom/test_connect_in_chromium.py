"""The Zoom connect pages in a real headless Chromium: the cookies a browser keeps and sends across the redirect to
Zoom and back, the confirmation form it posts, and what each page (start, confirmation, done, every failure)
says to the person reading it. A screenshot of each page is kept in ``test-artifacts/chromium/``.

ClassBot is served as ``localhost`` and the fake Zoom as ``127.0.0.1``: two sites, as in production, so the
state cookie has to survive a cross-site redirect back (SameSite=Lax) and the confirmation cookie is only sent
by our own page's form (SameSite=Strict).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from classbot_fakes.zoom import FakeZoom

from bot.app import create_web_app
from bot.core.connect import ConnectService
from bot.storage.identity import PersonRef
from tests.support.chromium import Chromium, chromium, free_socket, served
from tests.support.clock import MovableClock
from tests.support.zoom_app import ZoomWorld, zoom_world

pytestmark = pytest.mark.browser

ANN = PersonRef("telegram", "1001", display_name="Ann")
MALLORY = PersonRef("telegram", "1003", display_name="Mallory", handle="mallory")


@dataclass
class BrowserWorld:
    world: ZoomWorld
    browser: Chromium
    clock: MovableClock

    @property
    def connect(self) -> ConnectService:
        assert self.world.components.zoom is not None
        return self.world.components.zoom.connect

    async def link(self, who: PersonRef) -> str:
        return (await self.connect.begin(who)).url

    async def page(self, name: str, *expected: str) -> str:
        """The page's text, after checking it says each of ``expected``; its screenshot is kept as ``name``."""
        await self.browser.screenshot(name)
        text = await self.browser.text()
        for words in expected:
            assert words in text, f"{name}: {words!r} not in {text!r}"
        return text

    async def told(self, who: PersonRef) -> list[str]:
        await self.world.components.worker.run_due_jobs()
        return self.world.notifier.texts_for(who.user_id)


@pytest.fixture
async def chromium_world(
    sqlite_url: str, fake_zoom: FakeZoom, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[BrowserWorld]:
    clock = MovableClock()
    sock = free_socket()
    public_url = f"http://localhost:{sock.getsockname()[1]}"
    async with (
        chromium(request.node.name) as browser,
        zoom_world(sqlite_url, fake_zoom, tmp_path, clock=clock, public_url=public_url) as world,
        served(create_web_app(world.components), sock),
    ):
        yield BrowserWorld(world, browser, clock)


async def test_a_connect_link_walks_to_zoom_and_back_to_a_confirmation_and_done(
    chromium_world: BrowserWorld,
) -> None:
    bw = chromium_world
    await bw.browser.open(await bw.link(MALLORY))  # → our start page → Zoom's authorize → our callback

    assert (await bw.browser.url()).startswith(f"{bw.world.components.settings.public_url}/zoom/oauth/callback?")
    await bw.page(
        "confirm",
        "Connect Zoom to ClassBot?",
        "Connect the Zoom account ann@example.org to ClassBot for Telegram user Mallory (@mallory)?",
        "If you are not Telegram user Mallory (@mallory), cancel",
    )
    cookies = await bw.browser.cookies()
    assert "classbot_zoom_state" not in cookies  # sent back across Zoom's redirect, then dropped
    confirm = cookies["classbot_zoom_confirm"]
    assert (confirm["httpOnly"], confirm["sameSite"], confirm["path"]) == (True, "Strict", "/zoom/oauth")
    assert await bw.world.connections() == []

    await bw.browser.press("Connect")

    await bw.page("done", "Zoom is connected", "ann@example.org")
    assert "classbot_zoom_confirm" not in await bw.browser.cookies()
    [connection] = await bw.world.connections()
    assert connection.email == "ann@example.org"
    assert any("ann@example.org is connected" in text for text in await bw.told(MALLORY))


async def test_the_confirmation_cancelled_late_or_tampered_with_connects_nothing(
    chromium_world: BrowserWorld,
) -> None:
    bw = chromium_world
    await bw.browser.open(await bw.link(MALLORY))
    await bw.browser.press("Cancel")
    await bw.page("cancelled", "Nothing was connected", "You cancelled")

    await bw.browser.open(await bw.link(MALLORY))
    await bw.browser.set_field("csrf", "tampered")
    await bw.browser.press("Connect")
    await bw.page("tampered", "Please confirm on the page itself")

    await bw.browser.open(await bw.link(MALLORY))
    bw.clock.advance(timedelta(minutes=11))
    await bw.browser.press("Connect")
    await bw.page("confirmation expired", "This confirmation has expired", "within 10 minutes")

    await bw.browser.open(await bw.link(MALLORY))
    await bw.browser.delete_cookie("classbot_zoom_confirm")
    await bw.browser.press("Connect")
    await bw.page("no confirmation here", "There is nothing to confirm")

    assert await bw.world.connections() == []
    told = await bw.told(MALLORY)
    assert any("cancelled on the confirmation page" in text for text in told)
    assert any("not confirmed within 10 minutes" in text for text in told)


async def test_every_failure_before_the_confirmation_has_a_page_and_a_chat_message(
    chromium_world: BrowserWorld,
) -> None:
    bw = chromium_world
    public_url = bw.world.components.settings.public_url

    await bw.browser.open(f"{public_url}/zoom/oauth/start?state=made-up")
    await bw.page("start with a made-up link", "This link does not work", "/connect")

    link = await bw.link(ANN)
    bw.clock.advance(timedelta(minutes=11))
    await bw.browser.open(link)
    await bw.page("start with an expired link", "This link has expired", "10 minutes")

    await bw.browser.set_cookie(bw.world.zoom.oauth_url, "fake_zoom_consent", "deny")
    await bw.browser.open(await bw.link(ANN))
    await bw.page("declined in zoom", "Zoom was not connected", "You declined")
    await bw.browser.refresh()  # the callback again: a replay
    await bw.page("replayed callback", "This link was already used")
    await bw.browser.set_cookie(bw.world.zoom.oauth_url, "fake_zoom_consent", "allow")

    link = await bw.link(ANN)
    async with httpx.AsyncClient() as elsewhere:  # the link's start, opened in another browser
        authorize = (await elsewhere.get(link)).headers["location"]
    await bw.browser.open(authorize)
    await bw.page("finished in another browser", "Please start again in this browser")

    bw.world.zoom.fail_next(503, path="/oauth/token")
    await bw.browser.open(await bw.link(ANN))
    await bw.page("zoom down", "Zoom is not answering")

    bw.world.zoom.fail_next(
        400, path="/oauth/token", body={"reason": "Invalid authorization code", "error": "invalid_grant"}
    )
    await bw.browser.open(await bw.link(ANN))
    await bw.page("zoom refused", "Zoom did not accept the authorization")

    assert await bw.world.connections() == []
    told = await bw.told(ANN)
    for words in (
        "expired",
        "declined in Zoom",
        "opened again",
        "different browser",
        "did not answer",
        "did not accept",
    ):
        assert any(words in text for text in told), f"{words!r} not told in chat: {told}"


async def test_a_zoom_account_someone_else_holds_is_asked_for_not_taken(chromium_world: BrowserWorld) -> None:
    bw = chromium_world
    await bw.world.connect_teacher(ANN)
    [anns] = await bw.world.connections()

    await bw.browser.open(await bw.link(MALLORY))
    await bw.page("confirm a held account", "already connected to ClassBot for someone else", "hand it over")
    await bw.browser.press("Connect")

    await bw.page("holder asked", "The holder of this Zoom account was asked", "You will hear from ClassBot")
    [still] = await bw.world.connections()
    assert (still.id, still.person_id) == (anns.id, anns.person_id)
    assert any("asks to connect your Zoom account" in text for text in await bw.told(ANN))
