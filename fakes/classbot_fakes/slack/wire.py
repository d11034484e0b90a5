"""The Web API on the wire: arguments from the query string, a form body or a JSON body (merged, body last),
the token from ``Authorization: Bearer`` (or a ``token`` argument outside JSON bodies, which Slack refuses to read
there), client credentials from ``Authorization: Basic``; and answers: HTTP 200 ``{"ok": true, …}`` or
``{"ok": false, "error": …}`` (429 when rate limited).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

JSON_VALUED = frozenset({"blocks", "attachments", "view", "metadata", "files"})


class SlackError(Exception):
    """A refusal: ``{"ok": false, "error": error, **extra}`` with ``response_metadata.messages`` when given."""

    def __init__(
        self,
        error: str,
        *messages: str,
        status: int = 200,
        retry_after: int | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)
        self.status = status
        self.retry_after = retry_after
        self.extra = extra

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.extra}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}


@dataclass(slots=True)
class ApiRequest:
    method: str
    http_method: str
    params: dict[str, Any]
    token: str | None
    basic: tuple[str, str] | None
    headers: Mapping[str, str] = field(default_factory=dict)


async def decode(request: Request, method: str) -> ApiRequest:
    """The call's arguments and credentials; SlackError for a body Slack could not read."""
    params: dict[str, Any] = dict(request.query_params)
    raw = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    from_json = False
    if raw and kind == "application/json":
        try:
            body = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackError("json_not_object")
        body.pop("token", None)  # Slack reads no token from a JSON body: it must come as a Bearer header
        params.update(body)
        from_json = True
    elif raw and kind in ("application/x-www-form-urlencoded", ""):
        try:
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise SlackError("invalid_charset") from None
    elif raw:
        raise SlackError("invalid_form_data")
    token, basic = _credentials(request.headers.get("authorization", ""))
    loose_token = params.pop("token", None)
    if token is None and isinstance(loose_token, str) and loose_token and not from_json:
        token = loose_token
    return ApiRequest(method, request.method, params, token, basic, dict(request.headers))


def _credentials(header: str) -> tuple[str | None, tuple[str, str] | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), None
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return None, (user, password)
    return None, None


# -- reading arguments ---------------------------------------------------------------------------------------------


def text(params: Mapping[str, Any], name: str) -> str | None:
    """A string argument, None when absent or empty (Slack treats both alike)."""
    value = params.get(name)
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def required(params: Mapping[str, Any], name: str, error: str = "invalid_arguments") -> str:
    value = text(params, name)
    if value is None:
        messages = [f"[ERROR] missing required field: {name}"] if error == "invalid_arguments" else []
        raise SlackError(error, *messages)
    return value


def flag(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name)
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def integer(params: Mapping[str, Any], name: str, default: int, error: str = "invalid_arguments") -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SlackError(error) from None


def json_value(params: Mapping[str, Any], name: str, error: str) -> Any:
    """A JSON-valued argument (``blocks``, ``view``…): decoded when it came as a string in a form or query."""
    value = params.get(name)
    if isinstance(value, str) and name in JSON_VALUED:
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise SlackError(error, f"[ERROR] failed to parse `{name}` as JSON") from None
    return value


def user_ids(params: Mapping[str, Any], name: str) -> list[str]:
    value = params.get(name)
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").split(",") if part.strip()]
