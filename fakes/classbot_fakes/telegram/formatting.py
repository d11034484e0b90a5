"""Telegram's text formatting: a ``parse_mode`` turns marked-up text into plain text plus MessageEntity objects.

HTML follows the Bot API's rules ("Formatting options", and tdlib's ``parse_html``): the tags b, strong, i, em,
u, ins, s, strike, del, span class="tg-spoiler", tg-spoiler, a href, code (class="language-x"), pre, blockquote
(expandable), tg-emoji emoji-id and tg-time; the named references &lt; &gt; &amp; &quot; and numeric ones. Any
other ``<`` is a tag, so an unescaped ``a < b`` fails with 'Unsupported start tag "" at byte offset 2'. Errors
name byte offsets into the UTF-8 text; entity offsets and lengths count UTF-16 code units.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from .markdown import parse_markdown, parse_markdown_v2
from .text import EntityParseError, byte_offset, checked_link, utf16_len

Entity = dict[str, Any]

ALLOWED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "tg-time", "span"}
    | {"pre", "code", "blockquote"}
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SPACE = " \t\n\r\v\f"
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_TOKEN = set(string.ascii_letters + string.digits + ".-")
_ATTRIBUTE_STOP = set(_SPACE + "=>/\"'")
_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")


class UnsupportedParseMode(ValueError):
    pass


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """The plain text and entities of ``text`` sent with ``parse_mode`` (any letter case; None or "" for none)."""
    mode = (parse_mode or "").lower()
    if mode in ("", "none") or not text:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise UnsupportedParseMode(parse_mode)


@dataclass(slots=True)
class _Open:
    tag: str
    argument: str
    offset: int
    text_index: int
    byte_begin: int


def _html_reference(source: str, pos: int) -> tuple[str, int] | None:
    """The character an ``&...`` reference at ``pos`` stands for and where it ends, or None if it is not one."""
    end = pos + 1
    if source.startswith("#", end):
        end += 1
        hexadecimal = source.startswith("x", end)
        end += hexadecimal
        digits_start = end
        alphabet = string.hexdigits if hexadecimal else string.digits
        while end < len(source) and source[end] in alphabet:
            end += 1
        digits = source[digits_start:end]
        code = int(digits, 16 if hexadecimal else 10) if digits else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(source) and source[end] in string.ascii_letters:
            end += 1
        named = _NAMED.get(source[pos + 1 : end])
        if named is None:
            return None
        char = named
    return char, end + 1 if source.startswith(";", end) else end


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []

    def error(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def at(self, index: int) -> str:
        return self.source[index] if index < len(self.source) else ""

    def run(self) -> tuple[str, list[Entity]]:
        source = self.source
        while self.pos < len(source):
            char = source[self.pos]
            if char == "&" and (reference := _html_reference(source, self.pos)) is not None:
                self.emit(reference[0])
                self.pos = reference[1]
            elif char != "<":
                self.emit(char)
                self.pos += 1
            elif self.at(self.pos + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        return "".join(self.out), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def start_tag(self) -> None:
        begin = self.pos
        at_byte = byte_offset(self.source, begin)
        end = begin + 1
        while self.at(end) and self.at(end) not in _SPACE and self.at(end) != ">":
            end += 1
        if not self.at(end):
            raise self.error(f"Unclosed start tag at byte offset {at_byte}")
        tag = self.source[begin + 1 : end].lower()
        if tag not in ALLOWED_TAGS:
            raise self.error(f'Unsupported start tag "{tag}" at byte offset {at_byte}')
        self.pos = end
        argument = self.attributes(tag, at_byte)
        if tag == "span" and argument != "spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {at_byte}')
        self.pos += 1  # the '>'
        self.stack.append(_Open(tag, argument, self.offset, len(self.out), at_byte))

    def attributes(self, tag: str, at_byte: int) -> str:
        """Reads attributes up to the closing '>' (left at ``self.pos``); returns the one that matters."""
        argument = ""
        while True:
            while self.at(self.pos) and self.at(self.pos) in _SPACE:
                self.pos += 1
            if self.at(self.pos) == ">":
                return argument
            name_start = self.pos
            while self.at(self.pos) and self.at(self.pos) not in _ATTRIBUTE_STOP:
                self.pos += 1
            name = self.source[name_start : self.pos]
            if not name:
                raise self.error(f'Empty attribute name in the tag "{tag}" at byte offset {at_byte}')
            while self.at(self.pos) and self.at(self.pos) in _SPACE:
                self.pos += 1
            if self.at(self.pos) != "=":
                if not self.at(self.pos):
                    raise self.error(f'Unclosed start tag "{tag}" at byte offset {at_byte}')
                if tag == "blockquote" and name == "expandable":
                    argument = "expandable"
                continue
            self.pos += 1
            while self.at(self.pos) and self.at(self.pos) in _SPACE:
                self.pos += 1
            if not self.at(self.pos):
                raise self.error(f'Unclosed start tag "{tag}" at byte offset {at_byte}')
            value = self.attribute_value()
            if not self.at(self.pos):
                raise self.error(f"Unclosed start tag at byte offset {at_byte}")
            argument = _argument(tag, name, value, argument)

    def attribute_value(self) -> str:
        quote = self.at(self.pos)
        if quote not in ("'", '"'):
            start = self.pos
            while self.at(self.pos) and self.at(self.pos) in _NAME_TOKEN:
                self.pos += 1
            if self.at(self.pos) and self.at(self.pos) not in _SPACE + ">":
                raise self.error(f"Unexpected end of name token at byte offset {byte_offset(self.source, start)}")
            return self.source[start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.at(self.pos) and self.at(self.pos) != quote:
            if self.at(self.pos) == "&" and (reference := _html_reference(self.source, self.pos)) is not None:
                value.append(reference[0])
                self.pos = reference[1]
                continue
            value.append(self.at(self.pos))
            self.pos += 1
        if self.at(self.pos) == quote:
            self.pos += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.pos
        at_byte = byte_offset(self.source, begin)
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {at_byte}")
        end = begin + 2
        while self.at(end) and self.at(end) not in _SPACE and self.at(end) != ">":
            end += 1
        name = self.source[begin + 2 : end].lower()
        while self.at(end) and self.at(end) in _SPACE:
            end += 1
        if self.at(end) != ">":
            raise self.error(f"Unclosed end tag at byte offset {at_byte}")
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise self.error(
                f'Unmatched end tag at byte offset {at_byte}, expected "</{opened.tag}>", found "</{name}>"'
            )
        self.pos = end + 1
        if self.offset > opened.offset:
            self.close(opened)

    def close(self, opened: _Open) -> None:
        span: Entity = {"offset": opened.offset, "length": self.offset - opened.offset}
        tag = opened.tag
        if tag in _SIMPLE:
            self.entities.append({"type": _SIMPLE[tag], **span})
        elif tag == "a":
            self.close_link(opened, span)
        elif tag == "code":
            pre = self.entities[-1] if self.entities else None
            if pre is not None and pre["type"] == "pre" and pre["offset"] == opened.offset and opened.argument:
                pre["language"] = opened.argument
            else:
                self.entities.append({"type": "code", **span})
                if opened.argument:
                    self.entities[-1]["_language"] = opened.argument
        elif tag == "pre":
            self.close_pre(span)
        elif tag == "blockquote":
            self.entities.append({"type": "expandable_blockquote" if opened.argument else "blockquote", **span})
        elif tag == "tg-emoji":
            if not opened.argument.isdigit() or int(opened.argument) == 0:
                raise self.error("Invalid custom emoji identifier specified")
            self.entities.append({"type": "custom_emoji", **span, "custom_emoji_id": opened.argument})

    def close_link(self, opened: _Open, span: Entity) -> None:
        url = opened.argument or "".join(self.out[opened.text_index :])
        user = _USER_LINK.match(url)
        if user:
            mentioned = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
            self.entities.append({"type": "text_mention", **span, "user": mentioned})
        elif link := checked_link(url):
            self.entities.append({"type": "text_link", **span, "url": link})

    def close_pre(self, span: Entity) -> None:
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == span["offset"] and last["length"] == span["length"]
        if last is not None and same_span and last["type"] == "code" and "_language" in last:
            self.entities[-1] = {"type": "pre", **span, "language": last["_language"]}
            return
        self.entities.append({"type": "pre", **span})


def _argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and name == "emoji-id":
        return value
    if tag == "blockquote" and name == "expandable":
        return "expandable"
    return current


def parse_html(source: str) -> tuple[str, list[Entity]]:
    text, entities = _HtmlParser(source).run()
    for entity in entities:
        entity.pop("_language", None)
    return text, entities
