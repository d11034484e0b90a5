"""reply_markup as the Bot API server checks it (tdlib/telegram-bot-api ``get_reply_markup``), and its buttons.

An inline keyboard is ``{"inline_keyboard": [[button, ...], ...]}``; each button is an object with a String
``text`` and exactly one action: a non-empty ``url`` (HTTP(S) or tg://), a non-empty ``callback_data`` of at most
64 bytes, or one of the other kinds. A button with only text is "Text buttons are unallowed in the inline
keyboard"; 65 bytes of callback_data is ``BUTTON_DATA_INVALID``.
"""

from __future__ import annotations

from typing import Any, NoReturn

from .errors import BUTTON_DATA_INVALID, BUTTON_URL_INVALID, bad_request
from .records import Button
from .text import valid_button_url

MAX_CALLBACK_DATA_BYTES = 64
_OTHER_ACTIONS = (
    "callback_game",
    "pay",
    "switch_inline_query",
    "switch_inline_query_chosen_chat",
    "switch_inline_query_current_chat",
    "login_url",
    "web_app",
    "copy_text",
)


def check_reply_markup(value: Any, *, inline_only: bool = False) -> dict[str, Any]:
    """``value`` (decoded JSON) if Telegram would accept it as reply_markup; raises BotApiError otherwise."""
    if not isinstance(value, dict):
        raise bad_request("Object expected as reply markup")
    keyboard = value.get("keyboard")
    if keyboard is not None and not inline_only:
        _rows(keyboard, "keyboard", 'Field "keyboard" must be an Array of Arrays')
        for row in keyboard:
            for button in row:
                problem = _keyboard_button_problem(button)
                if problem:
                    raise bad_request(f"Can't parse keyboard button: {problem}")
    inline = value.get("inline_keyboard")
    if inline is not None:
        _rows(
            inline, "inline_keyboard", 'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
        for row in inline:
            for button in row:
                _check_inline_button(button)
    for flag in (
        "remove_keyboard",
        "force_reply",
        "selective",
        "resize_keyboard",
        "one_time_keyboard",
        "is_persistent",
    ):
        if flag in value and not isinstance(value[flag], bool):
            raise bad_request(f'Field "{flag}" must be of type Boolean')
    if inline_only and not inline:
        raise bad_request("Can't parse inline keyboard markup: inline keyboard expected")
    return value


def _rows(rows: Any, field: str, not_nested: str) -> None:
    if not isinstance(rows, list):
        raise bad_request(f'Field "{field}" must be of type Array')
    if any(not isinstance(row, list) for row in rows):
        raise bad_request(not_nested)


def _keyboard_button_problem(button: Any) -> str | None:
    if isinstance(button, str):
        return None
    if not isinstance(button, dict):
        return "KeyboardButton must be a String or an Object"
    if "text" not in button:
        return 'Can\'t find field "text"'
    return None if isinstance(button["text"], str) else 'Field "text" must be of type String'


def _check_inline_button(button: Any) -> None:
    def fail(problem: str) -> NoReturn:
        raise bad_request(f"Can't parse inline keyboard button: {problem}")

    if not isinstance(button, dict):
        fail("InlineKeyboardButton must be an Object")
    if "text" not in button:
        fail('Can\'t find field "text"')
    for field in ("text", "url", "callback_data"):
        if field in button and not isinstance(button[field], str):
            fail(f'Field "{field}" must be of type String')
    if button.get("url"):
        if not valid_button_url(button["url"]):
            raise bad_request(BUTTON_URL_INVALID)
        return
    if button.get("callback_data"):
        if len(button["callback_data"].encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
            raise bad_request(BUTTON_DATA_INVALID)
        return
    if not any(action in button for action in _OTHER_ACTIONS):
        fail("Text buttons are unallowed in the inline keyboard")


def inline_buttons(markup: dict[str, Any] | None) -> tuple[tuple[Button, ...], ...]:
    """The rows of an inline keyboard as Button records (empty for any other markup)."""
    if not markup or not isinstance(markup.get("inline_keyboard"), list):
        return ()
    return tuple(
        tuple(
            Button(
                text=button["text"],
                callback_data=button.get("callback_data") or None,
                url=button.get("url") or None,
            )
            for button in row
        )
        for row in markup["inline_keyboard"]
    )
