"""Block Kit checks, the ones Slack enforces and a bot most easily breaks: known block and element types, required
fields, text lengths (section text 3000, header 150, button text 75 and value 2000, …), at most 50 blocks in a
message and 100 in a view, unique block_ids, action_ids unique within a block; and for views: a title of at most
24 characters on modals, a submit button when there are inputs, private_metadata of at most 3000 characters.

Problems read like Slack's: ``[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]``.
Slack fills in a missing block_id or action_id with a random one: ``normalized`` does the same.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal

from . import ids
from .content import INTERACTIVE

Surface = Literal["message", "modal", "home"]
MAX_BLOCKS: dict[Surface, int] = {"message": 50, "modal": 100, "home": 100}
BLOCK_TYPES = frozenset(
    {"section", "divider", "image", "actions", "context", "input", "header", "rich_text", "video", "file", "markdown"}
)
INPUT_ELEMENTS = INTERACTIVE - {"button", "overflow"}
SELECTS_WITH_OPTIONS = frozenset({"static_select", "multi_static_select", "overflow", "radio_buttons", "checkboxes"})


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.problems.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def text_object(
        self, node: Any, pointer: str, *, limit: int, plain_only: bool = False, required: bool = True
    ) -> None:
        if node is None:
            if required:
                self.fail(pointer, "missing required field")
            return
        if not isinstance(node, Mapping):
            self.fail(pointer, "must be an object")
            return
        kinds = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if node.get("type") not in kinds:
            self.fail(f"{pointer}/type", f"must be one of {', '.join(kinds)}")
        value = node.get("text")
        if not isinstance(value, str) or not value:
            self.fail(f"{pointer}/text", "must be more than 0 characters")
        elif len(value) > limit:
            self.fail(f"{pointer}/text", f"must be less than {limit + 1} characters")

    def string(self, node: Mapping[str, Any], key: str, pointer: str, *, limit: int, required: bool = False) -> None:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(pointer, f"missing required field: {key}")
        elif not isinstance(value, str):
            self.fail(f"{pointer}/{key}", "must be a string")
        elif len(value) > limit:
            self.fail(f"{pointer}/{key}", f"must be less than {limit + 1} characters")

    def element(self, node: Any, pointer: str, allowed: frozenset[str]) -> None:
        if not isinstance(node, Mapping) or not isinstance(node.get("type"), str):
            self.fail(pointer, "must be an element object with a type")
            return
        kind = node["type"]
        if kind not in allowed:
            self.fail(f"{pointer}/type", f"unsupported element type: {kind}")
            return
        if kind == "image":
            self.string(node, "alt_text", pointer, limit=2000, required=True)
            return
        self.string(node, "action_id", pointer, limit=255)
        if kind == "button":
            self.text_object(node.get("text"), f"{pointer}/text", limit=75, plain_only=True)
            self.string(node, "value", pointer, limit=2000)
            self.string(node, "url", pointer, limit=3000)
            if node.get("style") not in (None, "primary", "danger"):
                self.fail(f"{pointer}/style", "must be one of primary, danger")
        if kind in SELECTS_WITH_OPTIONS:
            options = node.get("options")
            if options is None and node.get("option_groups") is None:
                self.fail(pointer, "missing required field: options")
            for index, option in enumerate(options or []):
                self.text_object(
                    option.get("text") if isinstance(option, Mapping) else None,
                    f"{pointer}/options/{index}/text",
                    limit=75,
                )
                if isinstance(option, Mapping):
                    self.string(option, "value", f"{pointer}/options/{index}", limit=150, required=True)
        if "placeholder" in node:
            self.text_object(node["placeholder"], f"{pointer}/placeholder", limit=150, plain_only=True)

    def block(self, block: Any, pointer: str, surface: Surface) -> None:
        if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
            self.fail(pointer, "must be a block object with a type")
            return
        kind = block["type"]
        if kind not in BLOCK_TYPES:
            self.fail(f"{pointer}/type", f"unsupported block type: {kind}")
            return
        self.string(block, "block_id", pointer, limit=255)
        if kind == "section":
            if block.get("text") is None and not block.get("fields"):
                self.fail(pointer, "must provide either text or fields")
            self.text_object(block.get("text"), f"{pointer}/text", limit=3000, required=False)
            fields = block.get("fields") or []
            if len(fields) > 10:
                self.fail(f"{pointer}/fields", "must provide an array with no more than 10 items")
            for index, item in enumerate(fields):
                self.text_object(item, f"{pointer}/fields/{index}", limit=2000)
            if block.get("accessory") is not None:
                self.element(block["accessory"], f"{pointer}/accessory", INTERACTIVE | {"image"})
        elif kind == "header":
            self.text_object(block.get("text"), f"{pointer}/text", limit=150, plain_only=True)
        elif kind == "actions":
            items = block.get("elements")
            if not isinstance(items, list) or not items or len(items) > 25:
                self.fail(f"{pointer}/elements", "must provide an array of 1 to 25 elements")
                return
            for index, item in enumerate(items):
                self.element(item, f"{pointer}/elements/{index}", INTERACTIVE)
        elif kind == "context":
            items = block.get("elements")
            if not isinstance(items, list) or not items or len(items) > 10:
                self.fail(f"{pointer}/elements", "must provide an array of 1 to 10 elements")
                return
            for index, item in enumerate(items):
                if isinstance(item, Mapping) and item.get("type") == "image":
                    self.element(item, f"{pointer}/elements/{index}", frozenset({"image"}))
                else:
                    self.text_object(item, f"{pointer}/elements/{index}", limit=3000)
        elif kind == "input":
            self.text_object(block.get("label"), f"{pointer}/label", limit=2000, plain_only=True)
            self.element(block.get("element"), f"{pointer}/element", INPUT_ELEMENTS)
            if block.get("hint") is not None:
                self.text_object(block["hint"], f"{pointer}/hint", limit=2000, plain_only=True)
        elif kind == "image":
            if block.get("image_url") is None and block.get("slack_file") is None:
                self.fail(pointer, "missing required field: image_url")
            self.string(block, "alt_text", pointer, limit=2000, required=True)
        elif kind == "markdown":
            self.string(block, "text", pointer, limit=12000, required=True)


def _unique(checker: _Checker, blocks: list[Any], pointer: str) -> None:
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            continue
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen:
                checker.fail(f"{pointer}/{index}/block_id", f"duplicate block_id: {block_id}")
            seen.add(block_id)
        children = block.get("elements") if block.get("type") == "actions" else None
        actions = [e.get("action_id") for e in children or [] if isinstance(e, Mapping) and e.get("action_id")]
        for action_id in {a for a in actions if actions.count(a) > 1}:
            checker.fail(f"{pointer}/{index}/elements", f"duplicate action_id: {action_id}")


def check_blocks(blocks: Any, surface: Surface, pointer: str = "/blocks") -> list[str]:
    """Slack's objections to ``blocks`` on ``surface`` (empty when it would accept them)."""
    checker = _Checker()
    if not isinstance(blocks, list):
        checker.fail(pointer, "must be an array")
        return checker.problems
    if len(blocks) > MAX_BLOCKS[surface]:
        checker.fail(pointer, f"must provide an array with no more than {MAX_BLOCKS[surface]} items")
    for index, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{index}", surface)
    _unique(checker, blocks, pointer)
    return checker.problems


def check_view(view: Any) -> list[str]:
    """Slack's objections to a view object (``/view`` pointers), modal or home."""
    checker = _Checker()
    if not isinstance(view, Mapping):
        checker.fail("/view", "must be an object")
        return checker.problems
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("/view/type", "must be one of modal, home")
        return checker.problems
    if kind == "modal":
        checker.text_object(view.get("title"), "/view/title", limit=24, plain_only=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                checker.text_object(view[key], f"/view/{key}", limit=24, plain_only=True)
        blocks = view.get("blocks") or []
        if view.get("submit") is None and any(isinstance(b, Mapping) and b.get("type") == "input" for b in blocks):
            checker.fail("/view/submit", "must provide submit when using input blocks")
    checker.string(view, "private_metadata", "/view", limit=3000)
    checker.string(view, "callback_id", "/view", limit=255)
    checker.string(view, "external_id", "/view", limit=255)
    if "blocks" not in view:
        checker.fail("/view", "missing required field: blocks")
    else:
        checker.problems += check_blocks(view["blocks"], "modal" if kind == "modal" else "home", "/view/blocks")
    return checker.problems


def normalized(blocks: list[Any]) -> list[dict[str, Any]]:
    """A copy of checked ``blocks`` with Slack's random block_id and action_id where they were left out."""
    result: list[dict[str, Any]] = copy.deepcopy(blocks)
    for block in result:
        block.setdefault("block_id", ids.block_id())
        children = list(block.get("elements") or []) if block.get("type") == "actions" else []
        children += [block[key] for key in ("accessory", "element") if isinstance(block.get(key), dict)]
        for child in children:
            if isinstance(child, dict) and child.get("type") in INTERACTIVE:
                child.setdefault("action_id", ids.block_id())
    return result
