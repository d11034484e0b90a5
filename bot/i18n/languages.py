"""Which languages ClassBot speaks, and how a platform's language tag maps onto one of them.

English is the source language (every message id is the English text); Spanish has a complete catalog. A
platform's tag (Telegram's ``language_code`` such as ``es`` or ``pt-br``, Slack's locale such as ``es-ES``)
counts only when we have that language: anything else is English, never a half-translated mix.
"""

from __future__ import annotations

SOURCE = "en"
SUPPORTED: dict[str, str] = {"en": "English", "es": "Español"}


def supported(tag: str | None) -> str | None:
    """The language we speak for a platform's ``tag`` (``es-ES`` → ``es``), or None when we have none."""
    if not tag:
        return None
    base = tag.replace("_", "-").split("-")[0].strip().lower()
    return base if base in SUPPORTED else None


def noted(tag: str | None) -> str | None:
    """What to store for a platform's ``tag``: our language for it, English for one we lack (the platform did
    answer, so it need not be asked again), None when there is no tag at all."""
    return (supported(tag) or SOURCE) if tag else None


def or_source(code: str | None) -> str:
    """A stored or detected language, or English when there is none."""
    return supported(code) or SOURCE


def from_accept_language(header: str) -> str | None:
    """The browser's most preferred language that we speak, from an ``Accept-Language`` header.

    Web pages (the end of the Zoom connect flow) have no chat person at hand: the browser says what its user reads.
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        ranked.append((-weight, position, tag.strip()))
    for negative_weight, _, tag in sorted(ranked):
        language = supported(tag)
        if language is not None and negative_weight < 0:
            return language
    return None
