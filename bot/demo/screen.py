"""What the newcomer sees of the bot: each new message (or edit) once, labelled with its chat, its buttons numbered
so that typing the number presses them; link buttons show where they lead.

Numbers are never reused, so a number typed later still means the button it was printed with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from classbot_fakes.telegram import SentMessage


@dataclass(frozen=True, slots=True)
class ShownButton:
    chat_id: int
    message_id: int
    text: str
    callback_data: str | None
    url: str | None


class Screen:
    """Which versions of which messages have been shown, and the numbered buttons."""

    def __init__(self, chat_label: Callable[[int], str]) -> None:
        self._chat_label = chat_label
        self._shown: dict[tuple[int, int], tuple[int, bool]] = {}
        self._buttons: dict[int, ShownButton] = {}

    def unseen(self, messages: list[SentMessage]) -> list[SentMessage]:
        """The messages (from the bot, in order) that are new or changed since they were last shown."""
        return [m for m in messages if self._shown.get((m.chat_id, m.message_id)) != _version(m)]

    def skip(self, messages: list[SentMessage]) -> None:
        """Count these as shown without showing them."""
        for message in messages:
            self._shown[(message.chat_id, message.message_id)] = _version(message)

    def show(self, message: SentMessage) -> list[str]:
        """The lines for ``message`` as it stands now; its buttons get their numbers here."""
        key = (message.chat_id, message.message_id)
        changed = key in self._shown
        self._shown[key] = _version(message)
        heading = f"[{self._chat_label(message.chat_id)}] ClassBot"
        if message.deleted:
            return [f"{heading} deleted a message."]
        lines = [f"{heading}{' (edited)' if changed else ''}:"]
        words = message.text if message.text is not None else (message.caption or "")
        lines += [f"    {line}" for line in words.splitlines() or [""]]
        if message.document is not None:
            lines.append(f"    (file: {message.document.file_name})")
        if message.invoice is not None:
            invoice = message.invoice
            lines.append(f"    invoice: {invoice['title']}: {invoice['description']}")
            lines.append(f"    total: {invoice['total_amount']} {invoice['currency']} (type :pay to pay)")
        lines += [f"    link: {e['url']}" for e in message.entities if e.get("type") == "text_link"]
        for row in message.buttons:
            for button in row:
                number = len(self._buttons) + 1
                self._buttons[number] = ShownButton(
                    message.chat_id, message.message_id, button.text, button.callback_data, button.url
                )
                lines.append(f"    [{number}] {button.text}" + (f"  ->  {button.url}" if button.url else ""))
        return lines

    def button(self, number: int) -> ShownButton | None:
        return self._buttons.get(number)


def _version(message: SentMessage) -> tuple[int, bool]:
    return len(message.history), message.deleted
