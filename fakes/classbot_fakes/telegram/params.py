"""A method call's parameters, decoded and checked against the spec the way the Bot API server reads them.

Requests carry strings (form and multipart fields; python-telegram-bot JSON-encodes every non-string value) or
JSON values (a JSON body). An empty string counts as absent, as in Telegram. Integers must be whole numbers,
Booleans true/false, arrays and objects JSON that matches the spec's type; ``chat_id`` is an Integer or an
"@username" String. Unknown parameters are kept aside, unchecked, as Telegram ignores them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    CHAT_ID_EMPTY,
    MESSAGE_ID_NOT_SPECIFIED,
    MESSAGE_TEXT_EMPTY,
    NO_DOCUMENT,
    NO_PHOTO,
    QUERY_ID_INVALID,
    WRONG_FILE_ID,
    bad_request,
)
from .markup import check_reply_markup
from .spec import BotApiSpec, FieldSpec, MethodSpec

_INTEGER = re.compile(r"^[+-]?\d+$")
_SCALARS = frozenset({"Integer", "String", "Boolean", "Float", "True", "InputFile"})
# How the server names JSON parameters in "Can't parse ... JSON object" and "Object expected as ...".
_JSON_WORDS = {
    "reply_markup": "reply keyboard markup",
    "reply_parameters": "reply parameters",
    "link_preview_options": "link preview options",
    "scope": "BotCommandScope",
}
# The Bot API's own words for some missing required parameters; the rest get "parameter "x" is required".
_MISSING = {
    "chat_id": CHAT_ID_EMPTY,
    "text": MESSAGE_TEXT_EMPTY,
    "message_id": MESSAGE_ID_NOT_SPECIFIED,
    "document": NO_DOCUMENT,
    "photo": NO_PHOTO,
    "callback_query_id": QUERY_ID_INVALID,
}


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A multipart file part: its field name, file name, content type and bytes."""

    field: str
    file_name: str | None
    content_type: str | None
    data: bytes


@dataclass(slots=True)
class CallParams:
    values: dict[str, Any]
    unknown: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def decode_params(
    spec: BotApiSpec, method: MethodSpec, raw: Mapping[str, Any], files: Mapping[str, UploadedFile]
) -> CallParams:
    """The typed parameters of a call to ``method``, or BotApiError (400) for the first that is missing or wrong."""
    present = {name: value for name, value in raw.items() if value is not None and value != ""}
    for name, spec_field in method.fields.items():
        if spec_field.required and name not in present and name not in files:
            raise bad_request(_MISSING.get(name, f'parameter "{name}" is required'))
    values: dict[str, Any] = {}
    for name, spec_field in method.fields.items():
        if name in present or ("InputFile" in spec_field.types and name in files):
            values[name] = _decode(spec, spec_field, present.get(name), files)
    unknown = {name: value for name, value in present.items() if name not in method.fields}
    return CallParams(values, unknown)


def _decode(spec: BotApiSpec, spec_field: FieldSpec, value: Any, files: Mapping[str, UploadedFile]) -> Any:
    name, types = spec_field.name, spec_field.types
    if "InputFile" in types:
        if value is None:
            return files[name]
        if isinstance(value, str) and value.startswith("attach://"):
            attached = files.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(WRONG_FILE_ID)
            return attached
        return str(value)
    if types == ("Integer", "String"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value)
        return int(text) if _INTEGER.match(text) else text
    if set(types) <= _SCALARS:
        return _scalar(name, types, value)
    words = _JSON_WORDS.get(name, name)
    decoded = value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            if "String" in types:
                return value
            raise bad_request(f"Can't parse {words} JSON object") from None
    if name == "reply_markup":
        return check_reply_markup(decoded, inline_only=types == ("InlineKeyboardMarkup",))
    problem = spec.check_any(types, decoded, name=name)
    if problem is not None:
        raise bad_request(_object_problem(spec, types[0], decoded, words, problem))
    return decoded


def _object_problem(spec: BotApiSpec, type_expr: str, value: Any, words: str, problem: str) -> str:
    """How the Bot API server words a JSON parameter that does not fit its type."""
    if type_expr.startswith("Array of "):
        inner = type_expr.removeprefix("Array of ")
        return f"Expected an Array of {inner}" if not isinstance(value, list) else f"Can't parse {inner}: {problem}"
    if not isinstance(value, dict):
        return f"Object expected as {words}"
    described = spec.types.get(type_expr)
    return f"Can't parse {type_expr}: {problem}" if described is not None and described.subtypes else problem


def _scalar(name: str, types: tuple[str, ...], value: Any) -> Any:
    kind = types[0]
    if kind == "String":
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(value)
    elif kind == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif kind in ("Boolean", "True"):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
    raise bad_request(f"invalid {name} specified")
