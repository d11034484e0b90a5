"""Submitting a modal as the Slack client does: the entered values become ``view.state.values`` in the shape of
each input element, required inputs must be filled (Slack's client would not submit otherwise), text inputs keep
to their ``min_length``/``max_length``; then the app's answer decides what happens to the modal: ``errors`` keeps
it open, ``update`` replaces it, ``push`` stacks a new view, ``clear`` closes the whole stack, and no
``response_action`` closes the submitted view.
"""

from __future__ import annotations

import copy
from typing import Any

from . import ids
from .blocks import check_view
from .state import SlackWorld, StoredView
from .views import MAX_STACK, replace_view, view_json

_SINGLE_OPTION = frozenset({"static_select", "external_select", "radio_buttons"})
_MULTI_OPTION = frozenset({"multi_static_select", "multi_external_select", "checkboxes"})
_SELECTED = {
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}


def _option(element: dict[str, Any], value: str) -> dict[str, Any]:
    options = list(element.get("options") or []) + [o for g in element.get("option_groups") or [] for o in g["options"]]
    found = next((o for o in options if o.get("value") == value), None)
    if found is None:
        if element["type"].endswith("external_select"):
            return {"text": {"type": "plain_text", "text": value}, "value": value}
        raise ValueError(f"{element['type']} {element.get('action_id')!r} has no option with value {value!r}")
    return copy.deepcopy(found)


def _entry(element: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = element["type"]
    entry: dict[str, Any] = {"type": kind}
    if kind in _SINGLE_OPTION:
        entry["selected_option"] = None if value is None else _option(element, str(value))
    elif kind in _MULTI_OPTION:
        entry["selected_options"] = [_option(element, str(v)) for v in value or []]
    elif kind in _SELECTED:
        entry[_SELECTED[kind]] = value
    else:
        text = None if value is None else str(value)
        low, high = element.get("min_length"), element.get("max_length")
        if text is not None and ((low is not None and len(text) < low) or (high is not None and len(text) > high)):
            raise ValueError(f"{element.get('action_id')!r}: Slack takes {low or 0} to {high or 3000} characters")
        entry["value"] = text
    return entry


def _empty(entry: dict[str, Any]) -> bool:
    return all(value in (None, "", []) for key, value in entry.items() if key != "type")


def state_values(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``view.state.values`` for ``values`` ({block_id: {action_id: value}}); a ValueError for what the Slack
    client would refuse: an unknown block or action, a missing required input, an option that is not offered."""
    inputs = {b["block_id"]: b for b in view.get("blocks") or [] if b.get("type") == "input"}
    unknown = set(values) - set(inputs)
    if unknown:
        raise ValueError(f"the view has no input blocks {sorted(unknown)}; its inputs are {sorted(inputs)}")
    state: dict[str, dict[str, Any]] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        given = values.get(block_id, {})
        extra = set(given) - {element["action_id"]}
        if extra:
            raise ValueError(f"input {block_id!r} has action_id {element['action_id']!r}, not {sorted(extra)}")
        entry = _entry(element, given.get(element["action_id"]))
        if _empty(entry) and not block.get("optional", False):
            label = block.get("label", {}).get("text", block_id)
            raise ValueError(f"Slack will not submit: the required input {label!r} ({block_id}) is empty")
        state[block_id] = {element["action_id"]: entry}
    return state


def apply_answer(world: SlackWorld, stored: StoredView, answer: Any) -> None:
    """What the app's answer to a view_submission does to the modal stack (the caller holds the lock)."""
    stack = world.modal_stacks.get(stored.user_id, [])
    action = answer.get("response_action") if isinstance(answer, dict) else None
    if action == "errors":
        return
    team = world.teams[stored.team_id]
    if action in ("update", "push"):
        view = answer.get("view")
        problems = check_view(view)
        if problems or not isinstance(view, dict) or view.get("type") != "modal":
            raise ValueError(f"Slack refuses the response_action {action!r} view: {problems or 'not a modal'}")
        if action == "update":
            replace_view(world, team, stored, view)
            return
        if len(stack) >= MAX_STACK:
            raise ValueError("Slack refuses response_action 'push': the modal stack already holds 3 views")
        view_id = ids.slack_id("V")
        json = view_json(world, team, view, view_id=view_id, root_view_id=stack[0], previous_view_id=stack[-1])
        world.views[view_id] = StoredView(view_id, "modal", stored.user_id, team.id, json)
        world.opened.setdefault(stored.user_id, []).append(view_id)
        stack.append(view_id)
    elif action == "clear":
        for view_id in stack:
            world.views[view_id].closed = True
        stack.clear()
    else:
        stored.closed = True
        if stored.id in stack:
            stack.remove(stored.id)
    world.changes.notify()
