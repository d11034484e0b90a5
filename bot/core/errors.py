"""What a use case refuses, with a message that tells the person what to do instead.

CoreError              every refusal; ``text`` is the sentence shown to the person, in their language
├── InvalidInput       a field is wrong: ``field`` names it, the message says what to fix
├── NotFound           the class, booking or link no longer exists
├── NotAllowed         the person may not do this (not the teacher, not the parent, not an admin)
└── Conflict           the state forbids it now (the class was cancelled, already started, …)

The core does not know who will read a refusal, so it carries a translatable ``Text``; the front end renders it
with the reader's translator. ``str()`` and ``message`` give the English sentence, for logs and tests.
"""

from __future__ import annotations

from bot.i18n.texts import Text, source


class CoreError(Exception):
    """A refusal the front end shows as it is."""

    def __init__(self, text: Text) -> None:
        self.message = source(text)
        super().__init__(self.message)
        self.text = text


class InvalidInput(CoreError):
    def __init__(self, field: str, text: Text) -> None:
        super().__init__(text)
        self.field = field


class NotFound(CoreError):
    pass


class NotAllowed(CoreError):
    pass


class Conflict(CoreError):
    pass
