"""The Bot API's error answers: ``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``.

The wording follows Telegram's Bot API server (``tdlib/telegram-bot-api``, ``Client.cpp``): a description starts
with the HTTP reason ("Bad Request: ", "Forbidden: ", "Unauthorized", "Not Found", "Conflict: ", "Too Many
Requests: retry after N"), then the message with its first letter lowered unless it is an upper-case constant
such as ``BUTTON_DATA_INVALID``. The HTTP status of the answer is always ``error_code``.
"""

from __future__ import annotations

from typing import Any

# Bad Request (400)
CHAT_NOT_FOUND = "chat not found"
USER_NOT_FOUND = "user not found"
CHAT_ID_EMPTY = "chat_id is empty"
MESSAGE_TEXT_EMPTY = "message text is empty"
TEXT_MUST_BE_NON_EMPTY = "text must be non-empty"
MESSAGE_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
MESSAGE_ID_NOT_SPECIFIED = "message identifier is not specified"
MESSAGE_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current "
    "content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "message to delete not found"
MESSAGE_TO_REPLY_NOT_FOUND = "message to be replied not found"
MESSAGE_CANT_BE_EDITED = "message can't be edited"
MESSAGE_CANT_BE_DELETED = "message can't be deleted"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
QUERY_ID_INVALID = "query is too old and response timeout expired or query ID is invalid"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
BUTTON_URL_INVALID = "BUTTON_URL_INVALID"
UNSUPPORTED_PARSE_MODE = "unsupported parse_mode"
WRONG_CHAT_ACTION = "wrong parameter action in request"
NO_DOCUMENT = "there is no document in the request"
NO_PHOTO = "there is no photo in the request"
IMAGE_PROCESS_FAILED = "IMAGE_PROCESS_FAILED"
PHOTO_INVALID_DIMENSIONS = "PHOTO_INVALID_DIMENSIONS"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
BOT_COMMAND_INVALID = "BOT_COMMAND_INVALID"
COMMAND_DESCRIPTION_EMPTY = "command description must be non-empty"
NO_ADMINS_IN_PRIVATE_CHAT = "there are no administrators in the private chat"
INVALID_WEBHOOK_URL = "invalid webhook URL specified"
SECRET_TOKEN_TOO_LONG = "secret token is too long"
SECRET_TOKEN_CHARACTERS = "secret token contains unallowed characters"

# Forbidden (403)
CANT_INITIATE = "bot can't initiate conversation with a user"
BLOCKED_BY_USER = "bot was blocked by the user"
NOT_A_MEMBER = "bot is not a member of the supergroup chat"
KICKED = "bot was kicked from the supergroup chat"

# Conflict (409)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
OTHER_GET_UPDATES = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
TERMINATED_BY_SET_WEBHOOK = "Conflict: terminated by setWebhook request"

_PREFIXES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}


class BotApiError(Exception):
    """An error answer; raise it from a method handler and the app sends it as Telegram would."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def describe(error_code: int, message: str) -> str:
    """``message`` with Telegram's prefix for ``error_code``, first letter lowered as the Bot API server does."""
    prefix = _PREFIXES.get(error_code)
    if prefix is None or message.startswith(prefix):
        return message
    if not message:
        return prefix
    constant = len(message) >= 2 and (message[1] == "_" or message[1].isupper())
    return f"{prefix}: {message if constant else message[0].lower() + message[1:]}"


def bad_request(message: str) -> BotApiError:
    return BotApiError(400, describe(400, message))


def forbidden(message: str) -> BotApiError:
    return BotApiError(403, describe(403, message))


def conflict(description: str) -> BotApiError:
    return BotApiError(409, description)


def too_many_requests(retry_after: int) -> BotApiError:
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def not_found() -> BotApiError:
    return BotApiError(404, "Not Found")


def unauthorized() -> BotApiError:
    return BotApiError(401, "Unauthorized")
