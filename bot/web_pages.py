"""The few HTML pages a browser sees (the end of the Zoom connect flow, the privacy and support pages): small,
escaped, self-contained, and in the language the browser asks for (``Accept-Language``), as far as we speak it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.core.texts import Text
from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import from_accept_language
from bot.i18n.translator import Translator

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClassBot: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}</style>
</head><body><h1>{title}</h1>{body}</body></html>
"""


def browser_translator(request: Request, catalogs: Catalogs) -> Translator:
    """The language the browser prefers among ours (English when it prefers none of them)."""
    return catalogs.translator(from_accept_language(request.headers.get("accept-language", "")))


def page(t: Translator, title: Text, text: Text, status_code: int = 200) -> HTMLResponse:
    """A page with ``title`` and ``text`` in ``t``'s language (both escaped), never cached."""
    return document(t, title, [text], status_code=status_code)


def document(t: Translator, title: Text, paragraphs: Sequence[Text], status_code: int = 200) -> HTMLResponse:
    """A page with ``title`` and one HTML paragraph per text, in ``t``'s language (all escaped), never cached."""
    body = "".join(f"<p>{escape(t(paragraph))}</p>" for paragraph in paragraphs)
    return HTMLResponse(
        _PAGE.format(lang=t.code, title=escape(t(title)), body=body),
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "Content-Language": t.code},
    )
