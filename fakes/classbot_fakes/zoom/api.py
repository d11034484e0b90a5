"""The contract between the fake's HTTP layer and its REST operations: a checked request in, a result out.

Operations raise ``ApiError`` for any refusal; the HTTP layer renders it as Zoom does:
``{"code": int, "message": str}`` plus ``errors[]`` for validation failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .state import FakeZoomUser, ZoomWorld

VALIDATION_FAILED = "Validation Failed."


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def invalid_field(name: str, message: str = "Invalid field.") -> ApiError:
    return ApiError(400, 300, VALIDATION_FAILED, errors=[{"field": name, "message": message}])


def meeting_not_found(meeting_id: object) -> ApiError:
    return ApiError(404, 3001, f"Meeting does not exist: {meeting_id}.")


def registrants_meeting_not_found(meeting_id: object) -> ApiError:
    """What the registrant calls answer for a missing meeting: Zoom documents code 300 for them, not 3001."""
    return ApiError(404, 300, f'Meeting "{meeting_id}" not found or has expired.')


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """A request that passed authentication, scopes and the OpenAPI checks."""

    user: FakeZoomUser
    path: dict[str, Any]
    query: dict[str, Any]
    body: Any = None


@dataclass(frozen=True, slots=True)
class ApiResult:
    status: int
    body: object | None = None
    headers: dict[str, str] = field(default_factory=dict)


def day_of(moment: datetime) -> date:
    """The UTC calendar day on which Zoom's daily counters are kept."""
    return moment.astimezone(UTC).date()


def resolve_user(world: ZoomWorld, request: ApiRequest) -> FakeZoomUser:
    """The ``userId`` path parameter ("me", an id or an email); a user-level app sees only its own user."""
    ref = str(request.path["userId"])
    if ref == "me":
        return request.user
    user = world.find_user(ref)
    if user is None or user.id != request.user.id:
        raise ApiError(404, 1001, f"User does not exist: {ref}.")
    return user
