"""views.open, views.push, views.update and views.publish.

Slack's rules kept here: a ``trigger_id`` comes from an interaction the fake delivered, is good for 3 seconds
(``expired_trigger_id``) and once (``exchanged_trigger_id``), and belongs to one workspace
(``invalid_trigger_id``); views are checked (``invalid_arguments`` with Slack-style messages); a modal stack holds
at most 3 views (``push_limit_reached``); ``hash`` guards updates (``hash_conflict``); ``external_id`` is unique
per workspace (``duplicate_external_id``); views.publish takes a home view for a user of the workspace
(``invalid_arguments``: "invalid `user_id`").
"""

from __future__ import annotations

from typing import Any

from . import ids, wire
from .api import Call, Method, method, workspace_key
from .blocks import check_view, normalized
from .state import SlackWorld, StoredView, TeamRecord, TriggerRecord
from .wire import SlackError

MAX_STACK = 3


def view_json(
    world: SlackWorld,
    team: TeamRecord,
    view: dict[str, Any],
    *,
    view_id: str,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
) -> dict[str, Any]:
    """The view object Slack stores and returns for the (checked) ``view`` the bot sent."""
    answer: dict[str, Any] = {
        "id": view_id,
        "team_id": team.id,
        "type": view["type"],
        "blocks": normalized(view.get("blocks") or []),
        "private_metadata": view.get("private_metadata") or "",
        "callback_id": view.get("callback_id") or "",
        "state": {"values": {}},
        "hash": ids.view_hash(),
        "title": view.get("title") or {"type": "plain_text", "text": "View Title", "emoji": True},
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": previous_view_id,
        "root_view_id": root_view_id or view_id,
        "app_id": world.app_id,
        "external_id": view.get("external_id") or "",
        "app_installed_team_id": team.id,
        "bot_id": team.bot_id,
    }
    if view["type"] == "home":
        answer["close"] = answer["submit"] = None
    return answer


def checked_view(call: Call, *, kind: str | None, replacing: str | None = None) -> dict[str, Any]:
    view = wire.json_value(call.params, "view", "invalid_arguments")
    if view is None:
        raise SlackError("invalid_arguments", "[ERROR] missing required field: view")
    problems = check_view(view)
    if not problems and kind is not None and view.get("type") != kind:
        problems = [f"[ERROR] must be {kind} [json-pointer:/view/type]"]
    if problems:
        raise SlackError("invalid_arguments", *problems)
    external_id = view.get("external_id")
    if external_id and _by_external_id(call, external_id) not in (None, replacing):
        raise SlackError("duplicate_external_id")
    return dict(view)


def _by_external_id(call: Call, external_id: str) -> str | None:
    """The open view of this workspace with ``external_id``, if any."""
    for view in call.world.views.values():
        if view.team_id == call.team.id and not view.closed and view.json.get("external_id") == external_id:
            return view.id
    return None


def exchange_trigger(call: Call) -> TriggerRecord:
    world = call.world
    trigger = world.triggers.get(wire.required(call.params, "trigger_id"))
    if trigger is None or trigger.team_id != call.team.id:
        raise SlackError("invalid_trigger_id")
    if trigger.used:
        raise SlackError("exchanged_trigger_id")
    if world.now() - trigger.issued > world.trigger_ttl:
        raise SlackError("expired_trigger_id")
    return trigger


def _show(world: SlackWorld, stored: StoredView) -> dict[str, Any]:
    world.views[stored.id] = stored
    world.opened.setdefault(stored.user_id, []).append(stored.id)
    world.changes.notify()
    return {"view": stored.json}


def views_open(call: Call) -> dict[str, Any]:
    world = call.world
    trigger = exchange_trigger(call)
    view = checked_view(call, kind="modal")
    trigger.used = True
    for old in world.modal_stacks.pop(trigger.user_id, []):
        world.views[old].closed = True
    view_id = ids.slack_id("V")
    stored = StoredView(
        view_id, "modal", trigger.user_id, call.team.id, view_json(world, call.team, view, view_id=view_id)
    )
    world.modal_stacks[trigger.user_id] = [view_id]
    return _show(world, stored)


def views_push(call: Call) -> dict[str, Any]:
    world = call.world
    trigger = exchange_trigger(call)
    view = checked_view(call, kind="modal")
    stack = world.modal_stacks.get(trigger.user_id) or []
    if not stack:
        raise SlackError("not_found", "[ERROR] no modal is open to push onto")
    if len(stack) >= MAX_STACK:
        raise SlackError("push_limit_reached")
    trigger.used = True
    view_id = ids.slack_id("V")
    json = view_json(world, call.team, view, view_id=view_id, root_view_id=stack[0], previous_view_id=stack[-1])
    stack.append(view_id)
    return _show(world, StoredView(view_id, "modal", trigger.user_id, call.team.id, json))


def replace_view(world: SlackWorld, team: TeamRecord, stored: StoredView, view: dict[str, Any]) -> None:
    """Give ``stored`` new content (same id, root and previous view; a new hash; state cleared)."""
    stored.history.append(stored.json)
    stored.json = view_json(
        world,
        team,
        view,
        view_id=stored.id,
        root_view_id=stored.json["root_view_id"],
        previous_view_id=stored.json["previous_view_id"],
    )
    world.changes.notify()


def views_update(call: Call) -> dict[str, Any]:
    world = call.world
    view_id, external_id = wire.text(call.params, "view_id"), wire.text(call.params, "external_id")
    if view_id is None and external_id is None:
        raise SlackError("invalid_arguments", "[ERROR] either view_id or external_id is required")
    if view_id is None and external_id is not None:
        view_id = _by_external_id(call, external_id)
    stored = world.views.get(view_id or "")
    if stored is None or stored.closed or stored.team_id != call.team.id:
        raise SlackError("not_found")
    given_hash = wire.text(call.params, "hash")
    if given_hash is not None and given_hash != stored.json["hash"]:
        raise SlackError("hash_conflict")
    view = checked_view(call, kind=stored.type, replacing=stored.id)
    replace_view(world, call.team, stored, view)
    return {"view": stored.json}


def views_publish(call: Call) -> dict[str, Any]:
    world = call.world
    user_id = wire.required(call.params, "user_id")
    if world.team_user(call.team.id, user_id) is None:
        raise SlackError("invalid_arguments", "invalid `user_id`")
    existing = world.views.get(world.home.get(user_id, ""))
    view = checked_view(call, kind="home", replacing=existing.id if existing is not None else None)
    given_hash = wire.text(call.params, "hash")
    if existing is not None and given_hash is not None and given_hash != existing.json["hash"]:
        raise SlackError("hash_conflict")
    if existing is None:
        view_id = ids.slack_id("V")
        existing = StoredView(
            view_id, "home", user_id, call.team.id, view_json(world, call.team, view, view_id=view_id)
        )
        world.views[view_id] = existing
        world.home[user_id] = view_id
        world.changes.notify()
    else:
        replace_view(world, call.team, existing, view)
    return {"view": existing.json}


METHODS: dict[str, Method] = {
    "views.open": method(views_open, rate_key=workspace_key),
    "views.push": method(views_push, rate_key=workspace_key),
    "views.update": method(views_update, rate_key=workspace_key),
    "views.publish": method(views_publish, rate_key=workspace_key),
}
