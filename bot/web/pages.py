"""The few HTML pages a browser sees (the Zoom connect flow, privacy and support): small, escaped,
self-contained, and in the language the browser asks for (``Accept-Language``), as far as we speak it.

No page may be framed (a confirmation button inside someone else's page could be clicked unseen), none runs a
script, a form posts only back to us, and none is cached or sends a referrer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import from_accept_language
from bot.i18n.texts import Text
from bot.i18n.translator import Translator

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClassBot: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}
button{{font:inherit;padding:.5rem 1rem;margin:0 .5rem .5rem 0}}</style>
</head><body><h1>{title}</h1>{paragraphs}{form}</body></html>
"""
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}


@dataclass(frozen=True, slots=True)
class PageForm:
    """A form that posts ``fields`` (hidden) to ``action``, with one submit button per choice: (value, label)."""

    action: str
    fields: dict[str, str]
    choices: Sequence[tuple[str, Text]]
    name: str = "decision"


def browser_translator(request: Request, catalogs: Catalogs) -> Translator:
    """The language the browser prefers among ours (English when it prefers none of them)."""
    return catalogs.translator(from_accept_language(request.headers.get("accept-language", "")))


def page(
    t: Translator,
    title: Text,
    text: Text,
    status_code: int = 200,
    *,
    more: Sequence[Text] = (),
    form: PageForm | None = None,
) -> HTMLResponse:
    """A page with ``title``, ``text`` and ``more`` paragraphs in ``t``'s language (all escaped), and ``form``."""
    paragraphs = "".join(f"<p>{escape(t(paragraph))}</p>" for paragraph in (text, *more))
    return HTMLResponse(
        _PAGE.format(lang=t.code, title=escape(t(title)), paragraphs=paragraphs, form=_form(t, form)),
        status_code=status_code,
        headers={**_HEADERS, "Content-Language": t.code},
    )


def _form(t: Translator, form: PageForm | None) -> str:
    if form is None:
        return ""
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in form.fields.items()
    )
    buttons = "".join(
        f'<button type="submit" name="{escape(form.name)}" value="{escape(value)}">{escape(t(label))}</button>'
        for value, label in form.choices
    )
    return f'<form method="post" action="{escape(form.action)}">{hidden}{buttons}</form>'
