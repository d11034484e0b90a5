"""Who is acting: a person as their chat platform names them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A user on one platform; ``workspace_id`` is the Slack team (empty on Telegram)."""

    platform: str
    user_id: str
    workspace_id: str = ""
    display_name: str = ""
