"""A teacher's browser walking the Zoom connect link: ClassBot's start page, Zoom's consent, the callback."""

from __future__ import annotations

import httpx


async def consent_in_browser(link: str, zoom_user_id: str) -> None:
    """Open ``link`` as the Zoom user ``zoom_user_id`` and allow ClassBot; fail unless the callback says 200."""
    async with httpx.AsyncClient() as browser:
        started = await browser.get(link)
        assert started.status_code == 302, started.text
        consent = await browser.get(started.headers["location"], headers={"X-Fake-Zoom-User": zoom_user_id})
        assert consent.status_code == 302, consent.text
        finished = await browser.get(consent.headers["location"])
        assert finished.status_code == 200, finished.text
