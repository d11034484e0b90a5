"""parse_mode "MarkdownV2" and legacy "Markdown", after the Bot API's "Formatting options" and tdlib's parsers.

MarkdownV2: ``*bold*``, ``_italic_``, ``__underline__``, ``~strike~``, ``||spoiler||``, ```code```, fenced pre with
an optional language, ``[text](url)``, ``![emoji](tg://emoji?id=N)`` and ``>`` block quotes at line starts. Every
one of ``_*[]()~`>#+-=|{}.!`` outside an entity's syntax must be escaped with ``\\``, so an unescaped "3.5" is
"Character '.' is reserved and must be escaped with the preceding '\\'". Legacy Markdown knows ``*``, ``_``,
``` ` ```, ```` ``` ```` and ``[text](url)``; an unpaired one (an underscore in a username) is "Can't find end of
the entity starting at byte offset N".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .text import EntityParseError, byte_offset, checked_link, utf16_len

Entity = dict[str, Any]

_RESERVED = set("_*[]()~`>#+-=|{}.!")
_TYPE_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}
_CLOSERS = {"bold": "*", "italic": "_", "underline": "__", "strikethrough": "~", "spoiler": "||", "code": "`"}
_CLOSERS |= {"pre": "```", "text_link": "]", "custom_emoji": "]"}


@dataclass(slots=True)
class _Open:
    kind: str
    offset: int
    text_index: int
    byte_begin: int
    language: str = ""


class _V2Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []
        self.quote_start: int | None = None
        self.line_start = True

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def reserved(self, char: str) -> EntityParseError:
        return EntityParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")

    def run(self) -> tuple[str, list[Entity]]:
        src = self.src
        while self.i < len(src):
            char = src[self.i]
            if char == "\\" and self.i + 1 < len(src) and 0 < ord(src[self.i + 1]) <= 126:
                self.emit(src[self.i + 1])
                self.line_start = src[self.i + 1] == "\n"
                self.i += 2
                continue
            in_code = bool(self.stack) and self.stack[-1].kind in ("code", "pre")
            if char == "\n" and not in_code:
                self.newline()
            elif (in_code and char != "`") or (not in_code and char not in _RESERVED):
                self.emit(char)
                self.line_start = False
                self.i += 1
            elif self.stack and src.startswith(_CLOSERS[self.stack[-1].kind], self.i) and self.closes(char):
                self.close()
            else:
                self.open(char)
        if self.stack:
            top = self.stack[-1]
            raise EntityParseError(f"Can't find end of {_TYPE_NAMES[top.kind]} entity at byte offset {top.byte_begin}")
        self.end_quote()
        return "".join(self.out), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))

    def closes(self, char: str) -> bool:
        kind = self.stack[-1].kind
        return not (kind == "italic" and self.src.startswith("__", self.i))

    def newline(self) -> None:
        self.emit("\n")
        self.i += 1
        self.line_start = True
        if self.quote_start is not None and not self.src.startswith(">", self.i):
            self.end_quote()

    def end_quote(self) -> None:
        if self.quote_start is not None and self.offset > self.quote_start:
            length = self.offset - self.quote_start
            self.entities.append({"type": "blockquote", "offset": self.quote_start, "length": length})
        self.quote_start = None

    def open(self, char: str) -> None:
        src, begin = self.src, self.i
        at_byte = byte_offset(src, begin)
        kind = {"*": "bold", "~": "strikethrough", "[": "text_link"}.get(char)
        width = 1
        language = ""
        if char == "_":
            kind, width = ("underline", 2) if src.startswith("__", begin) else ("italic", 1)
        elif char == "|" and src.startswith("||", begin):
            kind, width = "spoiler", 2
        elif char == "!" and src.startswith("![", begin):
            kind, width = "custom_emoji", 2
        elif char == ">" and self.line_start:
            if self.quote_start is None:
                self.quote_start = self.offset
            self.i += 1
            return
        elif char == "`":
            kind = "code"
            if src.startswith("```", begin):
                kind, width, language = "pre", 3, self.fence_language(begin + 3)
        if kind is None:
            raise self.reserved(char)
        self.i = begin + width if kind != "pre" else self.i
        self.line_start = False
        self.stack.append(_Open(kind, self.offset, len(self.out), at_byte, language))

    def fence_language(self, start: int) -> str:
        src = self.src
        end = start
        while end < len(src) and src[end] not in " \t\r\n`":
            end += 1
        language = src[start:end] if end > start and end < len(src) and src[end] != "`" else ""
        position = end if language else start
        if src.startswith(("\r\n", "\n\r"), position):
            position += 2
        elif src.startswith(("\n", "\r"), position):
            position += 1
        self.i = position
        return language

    def close(self) -> None:
        opened = self.stack.pop()
        self.i += len(_CLOSERS[opened.kind])
        span: Entity = {"offset": opened.offset, "length": self.offset - opened.offset}
        entity: Entity | None = {"type": opened.kind, **span}
        if opened.kind in ("text_link", "custom_emoji"):
            entity = self.link_entity(opened, span)
        elif opened.kind == "pre" and opened.language:
            entity = {"type": "pre", **span, "language": opened.language}
        if entity is not None and span["length"] > 0:
            self.entities.append(entity)

    def link_entity(self, opened: _Open, span: Entity) -> Entity | None:
        if not self.src.startswith("(", self.i):
            if opened.kind == "custom_emoji":
                raise EntityParseError("The entity must contain a tg://emoji or tg://time URL")
            url = "".join(self.out[opened.text_index :])
        else:
            url = self.read_url()
        if opened.kind == "custom_emoji":
            emoji_id = url.removeprefix("tg://emoji?id=")
            if emoji_id == url or not emoji_id.isdigit():
                raise EntityParseError("Invalid tg://emoji or tg://time URL specified")
            return {"type": "custom_emoji", **span, "custom_emoji_id": emoji_id}
        link = checked_link(url)
        return {"type": "text_link", **span, "url": link} if link else None

    def read_url(self) -> str:
        src = self.src
        self.i += 1
        start = self.i
        url: list[str] = []
        while self.i < len(src) and src[self.i] != ")":
            if src[self.i] == "\\" and self.i + 1 < len(src) and 0 < ord(src[self.i + 1]) <= 126:
                url.append(src[self.i + 1])
                self.i += 2
                continue
            url.append(src[self.i])
            self.i += 1
        if self.i >= len(src):
            raise EntityParseError(f"Can't find end of a URL at byte offset {byte_offset(src, start)}")
        self.i += 1
        return "".join(url)


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    return _V2Parser(source).run()


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: no nesting, only ``_*`[`` are special and ``\\`` escapes them."""
    out: list[str] = []
    entities: list[Entity] = []
    offset = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and source[i + 1 : i + 2] in ("_", "*", "`", "["):
            out.append(source[i + 1])
            offset += 1
            i += 2
            continue
        if char not in "_*`[":
            out.append(char)
            offset += utf16_len(char)
            i += 1
            continue
        begin = i
        pre = source.startswith("```", i)
        end_mark = "```" if pre else ("]" if char == "[" else char)
        i += 3 if pre else 1
        language = ""
        if pre:
            end = i
            while end < len(source) and source[end] not in " \t\r\n`":
                end += 1
            if end > i and end < len(source) and source[end] != "`":
                language, i = source[i:end], end
            i += 1 if source.startswith(("\n", "\r"), i) else 0
        close = source.find(end_mark, i)
        if close < 0:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {byte_offset(source, begin)}")
        inner = source[i:close]
        start = offset
        out.append(inner)
        offset += utf16_len(inner)
        i = close + len(end_mark)
        span: Entity = {"offset": start, "length": offset - start}
        if offset == start:
            continue
        if char == "[":
            url = inner
            if source.startswith("(", i):
                close_paren = source.find(")", i)
                url, i = (
                    (source[i + 1 : close_paren], close_paren + 1)
                    if close_paren >= 0
                    else (source[i + 1 :], len(source))
                )
            if link := checked_link(url):
                entities.append({"type": "text_link", **span, "url": link})
        elif pre:
            entities.append({"type": "pre", **span, **({"language": language} if language else {})})
        else:
            entities.append({"type": {"_": "italic", "*": "bold", "`": "code"}[char], **span})
    return "".join(out), entities
