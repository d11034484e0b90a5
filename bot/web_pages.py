"""The few HTML pages a browser sees (the end of the Zoom connect flow): small, escaped, self-contained."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ClassBot: {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>
"""


def page(title: str, text: str, status_code: int = 200) -> HTMLResponse:
    """A page with ``title`` and ``text`` (both escaped), never cached."""
    return HTMLResponse(
        _PAGE.format(title=escape(title), text=escape(text)),
        status_code=status_code,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
