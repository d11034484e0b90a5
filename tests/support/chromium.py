"""A real headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium, and ClassBot's web
app served over real HTTP for it.

Nothing is downloaded at test time: Selenium is given the system's browser and driver, so its manager never
runs. Without them the test skips and says how to install them, except under CI=true, where a missing browser
is a failure (``.ci/run`` installs it). Selenium blocks, so each browser step runs in a worker thread while the
test's event loop keeps serving ClassBot. Screenshots go to ``test-artifacts/`` at the repository's root
(ignored by git), one folder per test.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"


def chromium_or_skip() -> tuple[str, str]:
    """The paths of the system's Chromium and its driver; skips (fails under CI) when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if path is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (the dev extra)")
    if missing:
        reason = f"browser tests need {', '.join(missing)}: {_INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI may not skip them)")
        pytest.skip(reason)
    assert browser is not None
    assert driver is not None
    return browser, driver


def free_socket() -> socket.socket:
    """A listening socket on 127.0.0.1; its port is known before the app that will serve it is built."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


@asynccontextmanager
async def served(app: ASGIApp, sock: socket.socket) -> AsyncIterator[None]:
    """Serve ``app`` with uvicorn on ``sock``, on this event loop, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # raises why it could not start
                await asyncio.sleep(0.01)  # uvicorn offers no event to wait on; this polls its flag
        yield
    finally:
        server.should_exit = True
        await task


class Chromium:
    """One headless Chromium window; every method runs the blocking Selenium call in a thread."""

    def __init__(self, browser: str, driver: str, artifacts: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        options = Options()
        options.binary_location = browser
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,700"):
            options.add_argument(argument)
        options.add_argument("--lang=en-US")
        self._driver = webdriver.Chrome(options=options, service=Service(executable_path=driver))
        self._artifacts = artifacts
        self.screenshots: list[Path] = []

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self._driver.get, url)

    async def refresh(self) -> None:
        await asyncio.to_thread(self._driver.refresh)

    async def press(self, label: str) -> None:
        """Click the button labelled ``label`` and wait for the page it leads to."""

        def click() -> None:
            from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support.ui import WebDriverWait

            [button] = [b for b in self._driver.find_elements(By.TAG_NAME, "button") if b.text == label]
            button.click()

            def left_the_page(_driver: Any) -> bool:
                """The button is gone: the next page replaced it. Mid-navigation Chromium may say so as an
                unknown error about a node no longer in the document, rather than as a stale element."""
                try:
                    button.is_enabled()
                except StaleElementReferenceException:
                    return True
                except WebDriverException as error:
                    if "does not belong to the document" not in str(error):
                        raise
                    return True
                return False

            WebDriverWait(self._driver, 10).until(left_the_page)

        await asyncio.to_thread(click)

    async def text(self) -> str:
        """What the page says: its visible text, as a person reads it."""

        def read() -> str:
            from selenium.webdriver.common.by import By

            return str(self._driver.find_element(By.TAG_NAME, "body").text)

        return await asyncio.to_thread(read)

    async def title(self) -> str:
        return str(await asyncio.to_thread(lambda: self._driver.title))

    async def url(self) -> str:
        return str(await asyncio.to_thread(lambda: self._driver.current_url))

    async def cookies(self) -> dict[str, dict[str, Any]]:
        """The cookies the current page's site holds (HttpOnly ones too), by name."""
        found = await asyncio.to_thread(self._driver.get_cookies)
        return {cookie["name"]: cookie for cookie in found}

    async def set_cookie(self, site: str, name: str, value: str) -> None:
        """Set a cookie for ``site`` (opened first: a browser sets cookies only for the page it shows)."""
        await self.open(site)
        await asyncio.to_thread(self._driver.add_cookie, {"name": name, "value": value, "path": "/"})

    async def delete_cookie(self, name: str) -> None:
        await asyncio.to_thread(self._driver.delete_cookie, name)

    async def set_field(self, name: str, value: str) -> None:
        """Change a form field as a tampering person would, in the browser's developer tools."""
        script = "document.querySelector('[name=' + arguments[0] + ']').value = arguments[1];"
        await asyncio.to_thread(self._driver.execute_script, script, name, value)

    async def screenshot(self, name: str) -> Path:
        """Keep a picture of the page as it is now, as a test artifact."""
        self._artifacts.mkdir(parents=True, exist_ok=True)
        path = self._artifacts / f"{len(self.screenshots) + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.png"
        assert await asyncio.to_thread(self._driver.save_screenshot, str(path)), f"no screenshot of {name}"
        self.screenshots.append(path)
        return path

    def quit(self) -> None:
        self._driver.quit()


@asynccontextmanager
async def chromium(test_name: str) -> AsyncIterator[Chromium]:
    browser, driver = chromium_or_skip()
    folder = ARTIFACTS / "chromium" / re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)
    shutil.rmtree(folder, ignore_errors=True)
    window = await asyncio.to_thread(Chromium, browser, driver, folder)
    try:
        yield window
    finally:
        await asyncio.to_thread(window.quit)
