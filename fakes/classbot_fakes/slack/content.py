"""Reading what a user sees in Block Kit: all the text, the links, the buttons and other interactive elements."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Slack's link markup <https://…|label>, and bare URLs in plain text.
URL = re.compile(r"https?://[^\s<>|\"']+")
_READABLE = frozenset({"text", "url", "image_url", "alt_text", "value", "fallback", "pretext", "title", "title_link"})
INTERACTIVE = frozenset(
    {
        "button",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "overflow",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "radio_buttons",
        "checkboxes",
        "plain_text_input",
        "number_input",
        "email_text_input",
        "url_text_input",
        "rich_text_input",
        "file_input",
    }
)


@dataclass(frozen=True, slots=True)
class Element:
    """An interactive element as shown: its block, action_id, type, label (a button's text), value and url."""

    block_id: str
    action_id: str
    type: str
    text: str
    value: str | None
    url: str | None
    raw: Mapping[str, Any]


def walk_strings(node: object) -> Iterator[str]:
    """Every readable string (text, urls, values, attachment titles and fallbacks), depth first."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if isinstance(value, str) and key in _READABLE:
                yield value
            elif isinstance(value, (Mapping, list)):
                yield from walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)


def all_text(text: str | None, blocks: Sequence[Mapping[str, Any]], *extra: object) -> str:
    """The message or view text and every string in its blocks, one per line (for ``in`` assertions)."""
    parts = [text] if text else []
    parts += list(walk_strings(list(blocks)))
    parts += [s for item in extra for s in walk_strings(item)]
    return "\n".join(parts)


def links(text: str | None, blocks: Sequence[Mapping[str, Any]], *extra: object) -> list[str]:
    """Every URL a reader could follow: in the text, in block text, button urls, image urls."""
    found: list[str] = []
    for chunk in all_text(text, blocks, *extra).split("\n"):
        for url in URL.findall(chunk):
            if url not in found:
                found.append(url)
    return found


def elements(blocks: Sequence[Mapping[str, Any]]) -> list[Element]:
    """The interactive elements of ``blocks``: actions elements, section accessories and input elements."""
    found: list[Element] = []
    for block in blocks:
        candidates: list[Any] = []
        if block.get("type") == "actions":
            candidates = list(block.get("elements") or [])
        elif block.get("type") == "section" and isinstance(block.get("accessory"), Mapping):
            candidates = [block["accessory"]]
        elif block.get("type") == "input" and isinstance(block.get("element"), Mapping):
            candidates = [block["element"]]
        for element in candidates:
            if not isinstance(element, Mapping) or element.get("type") not in INTERACTIVE:
                continue
            label = element.get("text")
            found.append(
                Element(
                    block_id=str(block.get("block_id", "")),
                    action_id=str(element.get("action_id", "")),
                    type=str(element["type"]),
                    text=str(label.get("text", "")) if isinstance(label, Mapping) else "",
                    value=element.get("value"),
                    url=element.get("url"),
                    raw=element,
                )
            )
    return found


def find_element(blocks: Sequence[Mapping[str, Any]], wanted: str, *, where: str) -> Element:
    """The element whose action_id or label is ``wanted``, else the only one whose label contains it
    (case-insensitive). ``where`` names the surface in the error."""
    candidates = elements(blocks)
    exact = [e for e in candidates if wanted in (e.action_id, e.text)]
    if len(exact) == 1:
        return exact[0]
    loose = exact or [e for e in candidates if e.text and wanted.lower() in e.text.lower()]
    if len(loose) == 1:
        return loose[0]
    shown = [f"{e.text or e.type!r} (action_id {e.action_id!r})" for e in candidates]
    problem = "several elements match" if loose else "no element matches"
    raise LookupError(f"{problem} {wanted!r} in {where}; it has: {shown or 'no interactive elements'}")
