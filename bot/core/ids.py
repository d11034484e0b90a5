"""Opaque public ids for classes and bookings: safe in deep links, button payloads and URLs, never guessable."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def new_public_id(length: int = 12) -> str:
    """About 71 bits of randomness: no one finds someone else's class or booking by trying ids."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def looks_like_public_id(text: str) -> bool:
    return 6 <= len(text) <= 16 and text.isascii() and text.isalnum()
