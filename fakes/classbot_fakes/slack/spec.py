"""Slack's Web API description (Swagger 2.0, ``slackapi/slack-api-specs``, last changed 2020) and where it is stale.

The fake's methods are checked against it in the tests: arguments it marks required, the error codes it lists,
the fields a success must have. Where Slack and its SDKs moved on, ``CORRECTIONS`` says so and the fake follows
Slack: ``views.*`` are POSTs with a JSON body in slack-sdk (the document says GET with a query); ``users.info``
needs ``user`` and ``conversations.info``/``members`` need ``channel``; ``apps.connections.open`` and the newer
external upload (files.getUploadURLExternal, files.completeUploadExternal) are missing; a rate-limited call
answers ``ratelimited`` (the document lists ``rate_limited``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_ENV_VAR = "SLACK_WEB_API_SPEC"
# The vendored copy (see specs/README.md for its source, version and license).
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "slack-web-api.openapi-v2.json"

# Errors every method may answer, which the document lists only on some methods.
COMMON_ERRORS = frozenset({"not_authed", "invalid_auth", "not_allowed_token_type", "ratelimited", "invalid_json"})
CORRECTIONS: dict[str, dict[str, Any]] = {
    "users.info": {"required": ("user",)},
    "conversations.info": {"required": ("channel",)},
    "conversations.members": {"required": ("channel",)},
    "views.open": {"http": "POST"},
    "views.publish": {"http": "POST"},
    "views.update": {"http": "POST"},
    "views.push": {"http": "POST"},
    "apps.connections.open": {"missing": True},
    "files.getUploadURLExternal": {"missing": True},
    "files.completeUploadExternal": {"missing": True},
}


@dataclass(frozen=True)
class SlackMethodSpec:
    name: str
    http_method: str
    operation: Mapping[str, Any]

    @property
    def required(self) -> tuple[str, ...]:
        """Arguments the document (with ``CORRECTIONS``) marks required, the token aside."""
        listed = tuple(
            p["name"] for p in self.operation.get("parameters", []) if p.get("required") and p["name"] != "token"
        )
        return tuple(dict.fromkeys(listed + CORRECTIONS.get(self.name, {}).get("required", ())))

    @property
    def errors(self) -> frozenset[str] | None:
        """The error codes the document enumerates (None where it enumerates none)."""
        schema = self.operation.get("responses", {}).get("default", {}).get("schema", {})
        listed = schema.get("properties", {}).get("error", {}).get("enum")
        return frozenset(listed) | COMMON_ERRORS if listed else None

    @property
    def success_fields(self) -> tuple[str, ...]:
        schema = self.operation.get("responses", {}).get("200", {}).get("schema", {})
        return tuple(schema.get("required", ()))


class SlackWebApiSpec:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document

    def method(self, name: str) -> SlackMethodSpec | None:
        path = self._document["paths"].get(f"/{name}")
        if not path:
            return None
        http_method, operation = next(iter(path.items()))
        return SlackMethodSpec(name, CORRECTIONS.get(name, {}).get("http", http_method.upper()), operation)


_cache: dict[Path, SlackWebApiSpec] = {}
_cache_lock = threading.Lock()


def load_spec(path: str | os.PathLike[str] | None = None) -> SlackWebApiSpec:
    """The document at ``path``, else $SLACK_WEB_API_SPEC, else the vendored copy (read once)."""
    resolved = Path(path or os.environ.get(SPEC_ENV_VAR) or DEFAULT_SPEC_PATH).resolve()
    with _cache_lock:
        spec = _cache.get(resolved)
        if spec is None:
            with resolved.open(encoding="utf-8") as handle:
                spec = SlackWebApiSpec(json.load(handle))
            _cache[resolved] = spec
        return spec
