"""Reading a Bot API request off the wire: the query string, then a form, multipart or JSON body.

python-telegram-bot (``telegram/request``) posts ``application/x-www-form-urlencoded`` fields, each non-string value
JSON-encoded, or ``multipart/form-data`` when a file goes along: the same fields as parts, and each file as a part
named after its parameter ("document") with a filename and a content type. Other clients post JSON objects.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from .errors import bad_request
from .params import UploadedFile

_PARAMETER = re.compile(r';\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))')


def decode_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The fields and files of a request body."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        return {}, {}
    if kind == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError:
            raise bad_request("Can't parse JSON encoded request body") from None
        if not isinstance(decoded, dict):
            raise bad_request("Can't parse JSON encoded request body: expected an Object")
        return decoded, {}
    if kind == "multipart/form-data":
        boundary = _header_params(content_type).get("boundary")
        if not boundary:
            raise bad_request("Can't parse multipart/form-data request: boundary is not specified")
        return _multipart(body, boundary.encode("latin-1"))
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), {}


def _header_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _PARAMETER.finditer(value):
        quoted, bare = match.group(2), match.group(3)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare.strip()
    return params


def _multipart(body: bytes, boundary: bytes) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    fields: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n")
        head, separator, content = chunk.partition(b"\r\n\r\n")
        if not separator:
            raise bad_request("Can't parse multipart/form-data request")
        content = content.removesuffix(b"\r\n")
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = _header_params(";" + headers.get("content-disposition", "").partition(";")[2])
        field = disposition.get("name")
        if field is None:
            continue
        if "filename" in disposition:
            file_name = disposition["filename"].replace("%22", '"') or None
            content_type = headers.get("content-type") or None
            files[field] = UploadedFile(field, file_name, content_type, content)
        else:
            fields[field] = content.decode("utf-8", "replace")
    return fields, files
