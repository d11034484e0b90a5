"""Zoom's published OpenAPI document, used by the fake to refuse what the real API would refuse.

The ~3 MB document is read once per process, lazily, and shared by every ``FakeZoom``; validators are compiled
once per operation. The document describes OpenAPI 3.0 schemas, which are turned into JSON Schema draft 4
(``nullable`` becomes a ``"null"`` type). A few known errata of Zoom's document are corrected where the real
API accepts what the document forbids (see ``_ERRATA``).

The document is vendored in this distribution (``specs/``). Serving without checks (``validate=False``, the
playground's choice when jsonschema is not installed) still has to route requests and read their parameters:
``load_essentials`` serves the operations the fake implements from ``essentials.json`` (their paths, parameter
types and rate-limit labels; a test keeps it in line with the document) and checks nothing.

jsonschema is imported only when a validator is first compiled. It is an optional dependency of this
distribution (the ``check`` extra): checking requests is what the tests do; ClassBot itself never validates.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft4Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

SPEC_ENV_VAR = "ZOOM_OPENAPI_SPEC"
# The vendored copy (see specs/README.md for its source, version and license).
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "zoom-meeting-api.openapi.json"

_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# Zoom documents exactly two shapes: UTC with "Z", or local wall time to be read in the `timezone` field.
_ZOOM_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEEKLY_DAYS = r"^[1-7](,[1-7])*$"


class UnknownPath(LookupError):
    """No operation of the document has this path."""


class MethodNotAllowed(LookupError):
    """The path exists, but not for this HTTP method."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One complaint, in the shape of Zoom's ``errors[]`` items."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]


@dataclass(slots=True)
class Operation:
    """One method on one path template, with its validators compiled on first use."""

    method: str
    template: str
    operation_id: str
    parameters: tuple[Parameter, ...]
    body_schema: Mapping[str, Any] | None
    body_required: bool
    responses: Mapping[str, Any]
    rate_limit_label: str
    _validators: dict[str, Draft4Validator] = field(default_factory=dict)


def _zoom_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_ZOOM_DATE_TIME.match(value))


def _iso_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.match(value))


def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


def _checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in (("date-time", _zoom_date_time), ("date", _iso_date), ("email", _email), ("int64", _int64)):
        checker.checks(name)(check)
    return checker


def _to_json_schema(node: Any, key: str | None = None) -> Any:
    """OpenAPI 3.0 schema objects to JSON Schema draft 4, with Zoom's errata corrected on the way."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v, k) for k, v in node.items() if not k.startswith("x-") and k != "example"}
    if out.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    for erratum in _ERRATA:
        erratum(key, out)
    return out


def _weekly_days_are_a_list(key: str | None, schema: dict[str, Any]) -> None:
    # The document enumerates single days, yet its own description (and the real API) takes "1,3".
    if key == "weekly_days" and schema.get("type") == "string":
        schema.pop("enum", None)
        schema["pattern"] = _WEEKLY_DAYS


def _array_maximum_is_max_items(key: str | None, schema: dict[str, Any]) -> None:
    # e.g. the registrant status body says `"maximum": 30` on an array; Zoom means 30 items.
    if schema.get("type") == "array" and "maximum" in schema:
        schema["maxItems"] = schema.pop("maximum")


def _one_of_is_any_of(key: str | None, schema: dict[str, Any]) -> None:
    # Zoom writes oneOf for overlapping alternatives (any string | an email | "me"): it means anyOf.
    if isinstance(schema.get("oneOf"), list):
        schema["anyOf"] = schema.pop("oneOf")


_ERRATA = (_weekly_days_are_a_list, _array_maximum_is_max_items, _one_of_is_any_of)


class OpenAPISpec:
    """The operations of one OpenAPI document, found by method and concrete path."""

    def __init__(self, document: Mapping[str, Any], *, validating: bool = True) -> None:
        self.validating = validating
        self._formats: FormatChecker | None = None
        self._components = document.get("components", {})
        self._operations: dict[tuple[str, str], Operation] = {}
        self._templates: dict[int, list[tuple[tuple[str, ...], str]]] = {}
        self._lock = threading.Lock()
        for template, item in document.get("paths", {}).items():
            segments = tuple(template.strip("/").split("/"))
            self._templates.setdefault(len(segments), []).append((segments, template))
            shared = item.get("parameters", [])
            for method in _HTTP_METHODS:
                if method in item:
                    self._operations[(method.upper(), template)] = _operation(method, template, item[method], shared)
        for candidates in self._templates.values():
            # Literal segments win over parameters: /registrants/status before /registrants/{registrantId}.
            candidates.sort(key=lambda c: [s.startswith("{") for s in c[0]])

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """The operation serving ``method path`` and the raw path parameters; raises UnknownPath or MethodNotAllowed."""
        segments = tuple(path.strip("/").split("/"))
        known_path = False
        for template_segments, template in self._templates.get(len(segments), []):
            params = _bind(template_segments, segments)
            if params is None:
                continue
            known_path = True
            operation = self._operations.get((method.upper(), template))
            if operation is not None:
                return operation, params
        raise MethodNotAllowed(path) if known_path else UnknownPath(path)

    def operation(self, method: str, template: str) -> Operation:
        return self._operations[(method.upper(), template)]

    def operations(self) -> list[Operation]:
        return list(self._operations.values())

    def check_parameters(
        self, operation: Operation, path_params: Mapping[str, str], query: Mapping[str, str]
    ) -> tuple[dict[str, Any], dict[str, Any], list[FieldError]]:
        """Coerce and check path and query parameters: (path values, query values, errors)."""
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}}
        errors: list[FieldError] = []
        for param in operation.parameters:
            source = path_params if param.location == "path" else query if param.location == "query" else None
            if source is None:
                continue
            if param.name not in source:
                if param.required:
                    errors.append(FieldError(param.name, "Required field is missing."))
                continue
            value = _coerce(source[param.name], param.schema)
            if not self.validating:
                values[param.location][param.name] = value
                continue
            validator = self._validator(operation, f"{param.location}:{param.name}", param.schema)
            if any(True for _ in validator.iter_errors(value)):
                errors.append(FieldError(param.name, "Invalid field."))
            else:
                values[param.location][param.name] = value
        return values["path"], values["query"], errors

    def check_body(self, operation: Operation, body: object) -> list[FieldError]:
        """Zoom-shaped errors for a decoded JSON body (empty when it conforms, or when nothing is checked)."""
        if operation.body_schema is None or not self.validating:
            return []
        validator = self._validator(operation, "body", operation.body_schema)
        return sorted({_field_error(error) for error in validator.iter_errors(body)}, key=lambda e: e.field)

    def check_response(self, operation: Operation, status: int, body: object) -> list[str]:
        """Messages for a response body that its documented schema does not allow (used to test the fake)."""
        schema = operation.responses.get(str(status), {}).get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return [] if body is None else [f"no JSON body is documented for {status}"]
        validator = self._validator(operation, f"response:{status}", schema)
        return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]

    def _validator(self, operation: Operation, key: str, schema: Mapping[str, Any]) -> Draft4Validator:
        from jsonschema import Draft4Validator

        with self._lock:
            validator = operation._validators.get(key)
            if validator is None:
                if self._formats is None:
                    self._formats = _checker()
                # The wrapper carries the document's components so that "#/components/..." refs resolve.
                wrapper = {"allOf": [_to_json_schema(schema)], "components": self._components}
                validator = Draft4Validator(wrapper, format_checker=self._formats)
                operation._validators[key] = validator
            return validator


def _operation(method: str, template: str, raw: Mapping[str, Any], shared: list[Any]) -> Operation:
    by_key = {(p["in"], p["name"]): p for p in [*shared, *raw.get("parameters", [])] if "name" in p}
    parameters = tuple(
        Parameter(p["name"], p["in"], bool(p.get("required")), p.get("schema", {})) for p in by_key.values()
    )
    request_body = raw.get("requestBody") or {}
    body_schema = request_body.get("content", {}).get("application/json", {}).get("schema")
    label = re.search(r"Rate Limit Label.*?`([A-Za-z-]+)`", raw.get("description", ""), re.S)
    return Operation(
        method=method.upper(),
        template=template,
        operation_id=raw.get("operationId", f"{method} {template}"),
        parameters=parameters,
        body_schema=body_schema,
        body_required=bool(request_body.get("required")),
        responses=raw.get("responses", {}),
        rate_limit_label=label.group(1) if label else "Light",
    )


def _bind(template: tuple[str, ...], segments: tuple[str, ...]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for pattern, segment in zip(template, segments, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            if not segment:
                return None
            params[pattern[1:-1]] = segment
        elif pattern != segment:
            return None
    return params


def _coerce(raw: str, schema: Mapping[str, Any]) -> object:
    """A query or path string as the JSON value its schema expects; left as a string when it does not parse."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _field_error(error: ValidationError) -> FieldError:
    path = [str(p) if not isinstance(p, int) else f"[{p}]" for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        return FieldError(_dotted([*path, *missing[:1]]), "Required field is missing.")
    return FieldError(_dotted(path) or "body", "Invalid field.")


def _dotted(parts: list[str]) -> str:
    return "".join(p if p.startswith("[") or i == 0 else f".{p}" for i, p in enumerate(parts))


_cache: dict[Path, OpenAPISpec] = {}
_cache_lock = threading.Lock()


def spec_path(override: str | os.PathLike[str] | None = None) -> Path:
    """Where the document is: the argument, else $ZOOM_OPENAPI_SPEC, else the vendored copy."""
    chosen = override or os.environ.get(SPEC_ENV_VAR) or DEFAULT_SPEC_PATH
    return Path(chosen).resolve()


def load_spec(path: str | os.PathLike[str] | None = None) -> OpenAPISpec:
    """The parsed document at ``path``, read on first use and shared by every caller in the process."""
    resolved = spec_path(path)
    with _cache_lock:
        spec = _cache.get(resolved)
        if spec is None:
            with resolved.open(encoding="utf-8") as handle:
                spec = OpenAPISpec(json.load(handle))
            _cache[resolved] = spec
        return spec


def load_essentials() -> OpenAPISpec:
    """The operations the fake implements, from the package's own summary, with no request checked."""
    text = resources.files(__package__).joinpath("essentials.json").read_text(encoding="utf-8")
    return OpenAPISpec(json.loads(text), validating=False)
