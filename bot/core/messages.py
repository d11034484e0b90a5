"""What the core says to people, independent of how a platform draws it and of the reader's language.

A ``Message`` is text plus buttons, both as translatable ``Text`` (``bot.i18n.texts``): a message queued for
later is stored untranslated and put into words only when it is delivered, in its recipient's language. A
button either carries an ``action`` (an ``Action`` of ``bot.core.actions``, which the front end sends back when
pressed and which is checked against the presser every time) or opens a ``url``. Front ends render, escape and
format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.actions import Action
from bot.i18n.texts import Language, Text, plain


@dataclass(frozen=True, slots=True)
class Button:
    label: Text
    action: Action | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.action is None) == (self.url is None):
            raise ValueError("a button has either an action or a url")


@dataclass(frozen=True, slots=True)
class Message:
    text: Text
    buttons: tuple[Button, ...] = field(default=())

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready form for the job table (never used for messages that carry private links)."""
        return {
            "text": self.text.to_json(),
            "buttons": [
                {"label": b.label.to_json(), "action": b.action.wire if b.action else None, "url": b.url}
                for b in self.buttons
            ],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        buttons = []
        for button in payload.get("buttons", []):
            action, url = button.get("action"), button.get("url")
            parsed = Action.parse(action) if action is not None else None
            if action is not None and parsed is None:
                continue  # a kind no longer ours: pressing it could only say "no longer valid"
            buttons.append(Button(_text_of(button["label"]), parsed, url))
        return cls(text=_text_of(payload["text"]), buttons=tuple(buttons))

    def render(self, language: Language) -> Said:
        """The message in one language, ready for a platform to draw."""
        return Said(
            self.text.render(language),
            tuple(SaidButton(b.label.render(language), b.action, b.url) for b in self.buttons),
        )


@dataclass(frozen=True, slots=True)
class SaidButton:
    label: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Said:
    """A message put into one language's words: what a notifier draws and sends."""

    text: str
    buttons: tuple[SaidButton, ...] = ()


def _text_of(stored: dict[str, Any] | str) -> Text:
    """A stored text; a bare string is a message queued before texts were translatable, shown as it was."""
    return plain(stored) if isinstance(stored, str) else Text.from_json(stored)
