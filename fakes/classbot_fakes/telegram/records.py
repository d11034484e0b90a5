"""What a test reads back from the fake: immutable snapshots of messages, buttons, documents, answers and calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Button:
    """One inline keyboard button: a callback button (callback_data) or a link button (url)."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class SentPhoto:
    """An uploaded photo, kept as sent (Telegram would also keep smaller sizes; the fake answers with one)."""

    file_id: str
    file_unique_id: str
    width: int
    height: int
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class SentDocument:
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class MessageVersion:
    """A message's content before an edit replaced it."""

    text: str | None
    sent_text: str | None
    parse_mode: str | None
    entities: tuple[dict[str, Any], ...]
    reply_markup: dict[str, Any] | None
    replaced_at: int


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the bot sent, as it stands now (after edits; ``deleted`` once deleted), with its earlier versions.

    ``text`` is what the user sees (entities parsed out of ``sent_text``); a document's words are ``caption``."""

    chat_id: int
    message_id: int
    date: int
    text: str | None
    sent_text: str | None
    parse_mode: str | None
    entities: tuple[dict[str, Any], ...]
    reply_markup: dict[str, Any] | None
    buttons: tuple[tuple[Button, ...], ...]
    document: SentDocument | None = None
    photo: SentPhoto | None = None
    caption: str | None = None
    reply_to_message_id: int | None = None
    link_preview_disabled: bool = False
    edit_date: int | None = None
    deleted: bool = False
    history: tuple[MessageVersion, ...] = ()
    sender_id: int = 0
    invoice: dict[str, Any] | None = None  # an invoice message's Invoice (title, currency, total_amount, ...)

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> Button:
        """The button labelled exactly ``text``; KeyError naming the labels there are."""
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise KeyError(f"no button {text!r} on message {self.message_id}; buttons: {self.button_texts}")

    @property
    def urls(self) -> list[str]:
        """Every link in the message: button URLs, text_link entities and URLs written in the text."""
        found = [button.url for row in self.buttons for button in row if button.url]
        words = self.text if self.text is not None else (self.caption or "")
        encoded = words.encode("utf-16-le")
        for entity in self.entities:
            if entity["type"] == "text_link":
                found.append(entity["url"])
            elif entity["type"] == "url":
                start, end = entity["offset"] * 2, (entity["offset"] + entity["length"]) * 2
                found.append(encoded[start:end].decode("utf-16-le"))
        return found


@dataclass(frozen=True, slots=True)
class UserMessage:
    """A message a fake user sent; ``update_id`` is None when the bot was not told (privacy mode, not a member)."""

    chat_id: int
    message_id: int
    text: str
    date: int
    update_id: int | None


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """What the bot answered to a callback query with answerCallbackQuery."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True, slots=True)
class TelegramCall:
    """One request the fake received: the method as named in the URL, its parameters (as sent: strings for form
    requests), the names and sizes of uploaded files, and the answer's status and description."""

    method: str
    http_method: str
    params: dict[str, Any]
    files: dict[str, tuple[str | None, int]]
    status: int
    description: str | None
    at: float = field(compare=False)  # time.monotonic() when the request arrived
    fault: str | None = None  # the injected fault, if any: "before 429", "after 502", "after dropped"

    @property
    def took_effect(self) -> bool:
        """Whether Telegram acted (delivered the message, say), whatever the bot was told."""
        return self.status == 200 or (self.fault or "").startswith("after")

    @property
    def ok(self) -> bool:
        return self.status == 200
