"""What may reach Bolt at ``/slack/events``: text, signed by Slack within five minutes, shaped as Slack's bodies.

Bolt checks the signature too, but only after it has parsed the body and read its fields, which raises on a body
that is not JSON (or a form carrying JSON) or whose fields have other types than Slack's; and it reads the
timestamp header with ``int()``. Each of those would be a 500 for whoever posts anything. So the request is
checked here first, in that order: readable (else 400), signed and fresh (else 401, what Bolt answers), one of
Slack's kinds of body (else 400).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# The exceptions Bolt raises while reading a body unlike Slack's (json errors are ValueErrors).
MALFORMED = (ValueError, TypeError, AttributeError, LookupError)


class SlackRequestGuard:
    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)

    def signed_by_slack(self, body: str, headers: Mapping[str, str]) -> bool:
        """The signature is Slack's (``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``) and at most 5 minutes old."""
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        return self._verifier.is_valid(body, timestamp, signature)


def parsed(body: str, query: Any, headers: Any) -> AsyncBoltRequest | None:
    """Bolt's request for a body shaped as one of Slack's (an event, an interaction, a command, a check), else None."""
    try:
        request = AsyncBoltRequest(body=body, query=query, headers=headers)
    except MALFORMED:
        return None
    return request if _shaped_as_slacks(request.body) else None


# The fields Bolt reads before any listener runs, with the types Slack gives them.
_OBJECTS = ("event", "view", "container", "message", "state", "authed_user")
_OBJECTS_OR_IDS = ("user", "team", "channel", "enterprise")
_VIEW_KEYS = ("type", "callback_id")


def _shaped_as_slacks(fields: dict[str, Any]) -> bool:
    kind = fields.get("type")
    if not (isinstance(kind, str) or isinstance(fields.get("command"), str) or "ssl_check" in fields):
        return False
    if any(name in fields and not isinstance(fields[name], dict) for name in _OBJECTS):
        return False
    if any(not isinstance(fields.get(name), str | dict | None) for name in _OBJECTS_OR_IDS):
        return False
    actions = fields.get("actions", [{}])  # a press carries at least one action, and Bolt reads the first
    if not isinstance(actions, list) or not actions or not all(isinstance(action, dict) for action in actions):
        return False
    # What Bolt indexes into: the event's type, each button's action_id, a view's type and callback_id.
    if kind == "block_actions" and not all(isinstance(action.get("action_id"), str) for action in actions):
        return False
    view = fields.get("view", {})
    if kind in ("view_submission", "view_closed") and not all(isinstance(view.get(k), str) for k in _VIEW_KEYS):
        return False
    return kind != "event_callback" or isinstance(fields.get("event", {}).get("type"), str)
