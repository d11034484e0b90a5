"""Zoom's token paging, as its list endpoints answer: ``page_size`` records (30 unless asked, 300 at most) and a
``next_page_token`` for the rest, good once; ``page_count``, ``page_number`` and ``total_records`` beside them."""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .api import ApiRequest, ApiResult, invalid_field
from .state import ZoomWorld

_MOST_PER_PAGE = 300

Record = TypeVar("Record")


def one_page(
    world: ZoomWorld,
    request: ApiRequest,
    records: Sequence[Record],
    named: str,
    shown: Callable[[Record], dict[str, Any]],
) -> ApiResult:
    """The page of ``records`` (in their order) that the request's ``page_size`` and ``next_page_token`` ask for,
    listed under ``named``, each as ``shown``."""
    page_size = int(request.query.get("page_size", 30))
    if not 1 <= page_size <= _MOST_PER_PAGE:
        raise invalid_field("page_size")
    token = request.query.get("next_page_token")
    offset = world.page_tokens.pop(token, None) if token else 0
    if offset is None:
        raise invalid_field("next_page_token")
    next_token = ""
    if offset + page_size < len(records):
        next_token = secrets.token_urlsafe(24)
        world.page_tokens[next_token] = offset + page_size
    return ApiResult(
        200,
        {
            "page_count": max(1, math.ceil(len(records) / page_size)),
            "page_number": offset // page_size + 1,
            "page_size": page_size,
            "total_records": len(records),
            "next_page_token": next_token,
            named: [shown(record) for record in records[offset : offset + page_size]],
        },
    )
