"""A person's browser walking ClassBot's Zoom connect link: ClassBot's start page, Zoom's consent, the callback.

The fake's consent page knows who is signed in to Zoom from the ``X-Fake-Zoom-User`` header, where the real one
would ask for a password; everything else is the redirects a browser follows.
"""

from __future__ import annotations

import httpx


class ConsentFailed(Exception):
    """A step of the walk did not answer as it should; the message names the step and what it said, and ``step``,
    ``status`` and ``page`` (the answer's body) say it apart, for a caller that shows the page's own words."""

    def __init__(self, step: str, status: int, page: str) -> None:
        super().__init__(f"{step} answered {status}: {page[:300]}")
        self.step = step
        self.status = status
        self.page = page


async def consent_in_browser(link: str, zoom_user_id: str) -> None:
    """Open ``link`` as the Zoom user ``zoom_user_id`` and allow ClassBot; ConsentFailed unless the callback is 200."""
    async with httpx.AsyncClient(timeout=10) as browser:
        started = _expect(await browser.get(link), 302, "ClassBot's start page")
        consent = _expect(
            await browser.get(started.headers["location"], headers={"X-Fake-Zoom-User": zoom_user_id}),
            302,
            "Zoom's consent page",
        )
        _expect(await browser.get(consent.headers["location"]), 200, "ClassBot's callback")


def _expect(response: httpx.Response, status: int, step: str) -> httpx.Response:
    if response.status_code != status:
        raise ConsentFailed(step, response.status_code, response.text)
    return response
