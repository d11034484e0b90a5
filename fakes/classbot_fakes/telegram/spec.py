"""The Bot API as its published description says (``telegram-bot-api.json``: methods and types with their fields).

The document lists, for every method and type, its fields with their types ("Integer", "String", "Boolean",
"Float", "True", "InputFile", "Array of X", or a type name) and whether each is required; a type is either an
object with fields or a union listing its ``subtypes``. ``check`` walks a decoded JSON value against a type and
names the first problem in the Bot API server's words ('Can't find field "text"', 'Field "x" must be of type
String'). Method names are case-insensitive, as in Telegram.

The fake cannot read a call's parameters without their types. When serving without checks (the playground
without jsonschema), ``load_essentials`` gives the methods the fake implements from ``essentials.json``: their
fields' names, types and whether they are required, and no types at all, so that objects go unchecked (a test
keeps the file in line with the document).
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SPEC_ENV_VAR = "TELEGRAM_BOT_API_SPEC"
# The vendored copy (see specs/README.md for its source, version and license).
DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram-bot-api.json"

# Subtypes name their discriminator in prose: 'Scope type, must be chat', 'The member's status, always "creator"'.
_CONSTANT = re.compile(r'(?:must be|always) "?([a-z_]+)"?\s*$')
_JSON_TYPE_NAMES = {"Integer": "Number", "Float": "Number", "String": "String", "Boolean": "Boolean", "True": "Boolean"}
_cache: dict[Path, BotApiSpec] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    constant: str | None = None


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TypeSpec:
    name: str
    fields: dict[str, FieldSpec]
    subtypes: tuple[str, ...]


def _fields(entries: list[dict[str, Any]], *, discriminated: bool) -> dict[str, FieldSpec]:
    fields: dict[str, FieldSpec] = {}
    for entry in entries:
        constant = None
        if discriminated and entry["name"] in ("type", "status", "source"):
            match = _CONSTANT.search(entry.get("description", ""))
            constant = match.group(1) if match else None
        fields[entry["name"]] = FieldSpec(entry["name"], tuple(entry["types"]), bool(entry["required"]), constant)
    return fields


class BotApiSpec:
    def __init__(self, document: dict[str, Any]) -> None:
        self.version: str = document.get("version", "")
        self.methods: dict[str, MethodSpec] = {}
        self._by_lower_name: dict[str, MethodSpec] = {}
        for name, entry in document["methods"].items():
            method = MethodSpec(name, _fields(entry.get("fields", []), discriminated=False), tuple(entry["returns"]))
            self.methods[name] = method
            self._by_lower_name[name.lower()] = method
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(
                name,
                _fields(entry.get("fields", []), discriminated=bool(entry.get("subtype_of"))),
                tuple(entry.get("subtypes", ())),
            )
            for name, entry in document["types"].items()
        }

    def method(self, name: str) -> MethodSpec | None:
        """The method called ``name`` in any letter case, or None."""
        return self._by_lower_name.get(name.lower())

    def check(self, type_expr: str, value: Any, *, name: str, strict: bool = False) -> str | None:
        """The first way ``value`` (decoded JSON) is not a ``type_expr``, in the Bot API's words; None if it is.

        ``strict`` also rejects fields the type does not have (for checking the fake's own answers)."""
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return f'Field "{name}" must be of type Array'
            inner = type_expr.removeprefix("Array of ")
            for item in value:
                problem = self.check(inner, item, name=name, strict=strict)
                if problem is not None:
                    return problem
            return None
        if type_expr in _JSON_TYPE_NAMES:
            return None if _scalar_ok(type_expr, value) else f'Field "{name}" must be of type {_json_type(type_expr)}'
        if type_expr == "InputFile":
            return None if isinstance(value, str) else f'Field "{name}" must be of type String'
        spec = self.types.get(type_expr)
        if spec is None:
            return None
        if spec.subtypes:
            problems = [self.check(sub, value, name=name, strict=strict) for sub in spec.subtypes]
            if any(problem is None for problem in problems):
                return None
            return next((p for p in problems if p and 'must be "' not in p), problems[0])
        if not isinstance(value, dict):
            return f'Field "{name}" must be of type Object'
        return self._check_object(spec, value, strict=strict)

    def check_any(self, type_exprs: tuple[str, ...], value: Any, *, name: str, strict: bool = False) -> str | None:
        """None if ``value`` is any one of ``type_exprs``, else the problem with the first."""
        problems = [self.check(expr, value, name=name, strict=strict) for expr in type_exprs]
        return None if any(problem is None for problem in problems) else problems[0]

    def _check_object(self, spec: TypeSpec, value: dict[str, Any], *, strict: bool) -> str | None:
        for field in spec.fields.values():
            if field.name not in value:
                if field.required:
                    return f'Can\'t find field "{field.name}"'
                continue
            item = value[field.name]
            if field.constant is not None and item != field.constant:
                return f'Field "{field.name}" must be "{field.constant}"'
            problem = self.check_any(field.types, item, name=field.name, strict=strict)
            if problem is not None:
                return problem
        if strict:
            unknown = sorted(set(value) - set(spec.fields))
            if unknown:
                return f"{spec.name} has no field {unknown[0]!r}"
        return None


def _scalar_ok(type_expr: str, value: Any) -> bool:
    if type_expr == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_expr == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_expr == "String":
        return isinstance(value, str)
    if type_expr == "True":
        return value is True
    return isinstance(value, bool)


def _json_type(type_expr: str) -> str:
    return _JSON_TYPE_NAMES.get(type_expr, "Object")


def spec_path(override: str | os.PathLike[str] | None = None) -> Path:
    """Where the document is: the argument, else $TELEGRAM_BOT_API_SPEC, else the vendored copy."""
    return Path(override or os.environ.get(SPEC_ENV_VAR) or DEFAULT_SPEC_PATH).resolve()


def load_spec(path: str | os.PathLike[str] | None = None) -> BotApiSpec:
    """The parsed document at ``path``, read on first use and shared by every caller in the process."""
    resolved = spec_path(path)
    with _cache_lock:
        spec = _cache.get(resolved)
        if spec is None:
            with resolved.open(encoding="utf-8") as handle:
                spec = BotApiSpec(json.load(handle))
            _cache[resolved] = spec
        return spec


def load_essentials() -> BotApiSpec:
    """The methods the fake implements, from the package's own summary: parameters are decoded, objects unchecked."""
    text = resources.files(__package__).joinpath("essentials.json").read_text(encoding="utf-8")
    return BotApiSpec(json.loads(text))
