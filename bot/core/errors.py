"""What a use case refuses, with a message that tells the person what to do instead.

CoreError              every refusal; ``str()`` is the sentence shown to the person
├── InvalidInput       a field is wrong: ``field`` names it, the message says what to fix
├── NotFound           the class, booking or link no longer exists
├── NotAllowed         the person may not do this (not the teacher, not the parent, not an admin)
└── Conflict           the state forbids it now (the class was cancelled, already started, …)
"""

from __future__ import annotations


class CoreError(Exception):
    """A refusal the front end shows as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(CoreError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(CoreError):
    pass


class NotAllowed(CoreError):
    pass


class Conflict(CoreError):
    pass
