"""Small text helpers shared by the formatting parsers: UTF-16 lengths, byte offsets, link checks, and the
entities Telegram detects in plain text."""

from __future__ import annotations

import re
from typing import Any

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?([/?#].*)?$")
LINK_SCHEMES = frozenset({"http", "https", "tg", "ton"})
# What Telegram marks up by itself in any text: links, @mentions and /commands (optionally /command@bot).
_DETECTED = re.compile(
    r"(?P<url>https?://[^\s<>\"]+)"
    r"|(?P<mention>(?<![\w@])@[A-Za-z]\w{3,31})"
    r"|(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z]\w{3,31})?)"
)


class EntityParseError(ValueError):
    """Telegram's "can't parse entities" error; the message is tdlib's, e.g. 'Unclosed start tag at byte offset 3'."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of MessageEntity offsets and lengths."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of ``text[index]``, the unit of tdlib's parse error messages."""
    return len(text[:index].encode("utf-8"))


def checked_link(url: str) -> str:
    """The link a text_link entity gets for ``url``, or "" when Telegram would drop the entity."""
    url = url.strip()
    scheme = _SCHEME.match(url)
    if scheme:
        return url if scheme.group(1).lower() in LINK_SCHEMES else ""
    return f"http://{url}" if _HOST.match(url) else ""


def valid_button_url(url: str) -> bool:
    """Whether an inline button may carry ``url`` (an HTTP(S) or tg:// link with something after the scheme)."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return _HOST.match(url) is not None
    return scheme.group(1).lower() in LINK_SCHEMES and len(url) > len(scheme.group(0)) + 2


def with_detected_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``entities`` plus the urls, @mentions and /commands Telegram finds by itself where no entity already is."""
    found = list(entities)
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities]
    for match in _DETECTED.finditer(text):
        kind = match.lastgroup or "url"
        value = match.group().rstrip(".,;:!?)") if kind == "url" else match.group()
        start = utf16_len(text[: match.start()])
        end = start + utf16_len(value)
        if any(start < taken_end and taken_start < end for taken_start, taken_end in taken):
            continue
        found.append({"type": kind, "offset": start, "length": end - start})
    return sorted(found, key=lambda e: (e["offset"], -e["length"]))
