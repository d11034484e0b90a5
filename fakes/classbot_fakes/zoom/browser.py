"""A person's browser walking ClassBot's Zoom connect link: ClassBot's start page, Zoom's consent, the callback,
and ClassBot's confirmation form when it shows one.

The fake's consent page knows who is signed in to Zoom from the ``X-Fake-Zoom-User`` header (or the
``fake_zoom_user`` cookie, for a real browser), where the real one would ask for a password; everything else is
the redirects a browser follows and the form it posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx


class ConsentFailed(Exception):
    """A step of the walk did not answer as it should; the message names the step and what it said, and ``step``,
    ``status`` and ``page`` (the answer's body) say it apart, for a caller that shows the page's own words."""

    def __init__(self, step: str, status: int, page: str) -> None:
        super().__init__(f"{step} answered {status}: {page[:300]}")
        self.step = step
        self.status = status
        self.page = page


@dataclass
class PageForm:
    """The first form of a page: where it posts, its hidden fields, and the values of its submit buttons."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, str] = field(default_factory=dict)  # value -> name


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form: PageForm | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.form is None:
            self.form = PageForm(values.get("action", ""), values.get("method", "get").lower())
        elif self.form is not None and not self._done:
            if tag == "input" and values.get("type") == "hidden" and "name" in values:
                self.form.fields[values["name"]] = values.get("value", "")
            elif tag == "button" and values.get("type", "submit") == "submit" and "name" in values:
                self.form.buttons[values.get("value", "")] = values["name"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._done = True


def page_form(html: str) -> PageForm | None:
    """The page's first form, or None when it has none."""
    reader = _FormReader()
    reader.feed(html)
    return reader.form


async def submit(browser: httpx.AsyncClient, page: httpx.Response, choice: str) -> httpx.Response:
    """Press the submit button whose value is ``choice`` on ``page``'s form, as a browser posts it."""
    form = page_form(page.text)
    if form is None or choice not in form.buttons:
        raise ConsentFailed(f"a form with a {choice!r} button", page.status_code, page.text)
    return await browser.post(urljoin(str(page.url), form.action), data={**form.fields, form.buttons[choice]: choice})


async def consent_in_browser(link: str, zoom_user_id: str, *, timeout: float = 10) -> None:
    """Open ``link`` as the Zoom user ``zoom_user_id``, allow ClassBot and confirm on ClassBot's page;
    ConsentFailed unless every step answers as it should."""
    async with httpx.AsyncClient(timeout=timeout) as browser:
        started = _expect(await browser.get(link), 302, "ClassBot's start page")
        consent = _expect(
            await browser.get(started.headers["location"], headers={"X-Fake-Zoom-User": zoom_user_id}),
            302,
            "Zoom's consent page",
        )
        page = _expect(await browser.get(consent.headers["location"]), 200, "ClassBot's callback")
        if page_form(page.text) is not None:
            _expect(await submit(browser, page, "connect"), 200, "ClassBot's confirmation")


def _expect(response: httpx.Response, status: int, step: str) -> httpx.Response:
    if response.status_code != status:
        raise ConsentFailed(step, response.status_code, response.text)
    return response
