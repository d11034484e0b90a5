"""What the core says to people, independent of how a platform draws it.

A ``Message`` is text plus buttons. A button either carries an ``action`` (an opaque id the front end sends
back when pressed, checked against the presser every time) or opens a ``url``. Front ends escape and format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.action is None) == (self.url is None):
            raise ValueError("a button has either an action or a url")


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    buttons: tuple[Button, ...] = field(default=())

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready form for the job table (never used for messages that carry private links)."""
        return {
            "text": self.text,
            "buttons": [{"label": b.label, "action": b.action, "url": b.url} for b in self.buttons],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        return cls(text=payload["text"], buttons=tuple(Button(**button) for button in payload.get("buttons", [])))
