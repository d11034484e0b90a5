"""Zoom's JSON, both ways: request bodies built from our models, and our models read from Zoom's answers.

Kept apart from the HTTP loop so that the one place that knows Zoom's field names, enums and formats is small
and can be checked against the OpenAPI spec (vendored with the test servers, in ``fakes/``) in one reading.

Zoom facts encoded here (from the spec's operation descriptions):

- ``start_time`` is sent as local time ``yyyy-MM-ddTHH:mm:ss`` together with an IANA ``timezone``; answers give
  it in UTC with a ``Z``.
- ``type`` 2 is a scheduled meeting, 8 a recurring one with a fixed time; ``recurrence.type`` 2 is weekly and
  ``weekly_days`` counts 1 = Sunday … 7 = Saturday; ``end_times`` and ``end_date_time`` exclude each other.
- ``settings.approval_type`` 0 approves registrants automatically (personal join links), 2 means no
  registration; ``registration_type`` 1 (register once for every occurrence) applies to type 8 only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.zoom.models import (
    Meeting,
    MeetingRequest,
    MeetingSummary,
    MeetingUpdate,
    Occurrence,
    Registrant,
    ZoomUser,
)

SCHEDULED = 2
RECURRING_FIXED_TIME = 8
WEEKLY = 2
APPROVE_AUTOMATICALLY = 0
NO_REGISTRATION = 2
REGISTER_ONCE_FOR_ALL_OCCURRENCES = 1
LICENSED_USER_TYPE = 2

JSONObject = dict[str, Any]


class UnexpectedPayload(ValueError):
    """A success answer from Zoom lacks a field we need or has it in the wrong type."""


# --- requests -------------------------------------------------------------------------------------------


def zoom_weekday(moment: datetime, timezone: str) -> int:
    """Zoom's weekday number of ``moment`` in ``timezone``: 1 = Sunday … 7 = Saturday."""
    return moment.astimezone(ZoneInfo(timezone)).isoweekday() % 7 + 1


def local_start_time(moment: datetime, timezone: str) -> str:
    """``moment`` as Zoom's local ``yyyy-MM-ddTHH:mm:ss`` in ``timezone`` (no offset: Zoom reads ``timezone``)."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M:%S")


def _weekly_recurrence(start: datetime, timezone: str, sessions: int) -> JSONObject:
    return {
        "type": WEEKLY,
        "repeat_interval": 1,
        "weekly_days": str(zoom_weekday(start, timezone)),
        "end_times": sessions,
    }


def create_meeting_body(request: MeetingRequest) -> JSONObject:
    """The body of ``POST /users/me/meetings`` for a kids' class."""
    settings: JSONObject = {
        # Children wait until the teacher lets them in, never alone in a room with each other.
        "waiting_room": True,
        "join_before_host": False,
        "mute_upon_entry": True,
        "auto_recording": "none",
        "use_pmi": False,
        "approval_type": APPROVE_AUTOMATICALLY if request.registration else NO_REGISTRATION,
        # Links reach parents through the chat, privately; Zoom's own e-mails would duplicate them.
        "registrants_email_notification": False,
        "registrants_confirmation_email": False,
    }
    body: JSONObject = {
        "topic": request.topic,
        "type": RECURRING_FIXED_TIME if request.recurring else SCHEDULED,
        "start_time": local_start_time(request.start, request.timezone),
        "timezone": request.timezone,
        "duration": request.duration_minutes,
        "settings": settings,
    }
    if request.agenda:
        body["agenda"] = request.agenda
    if request.recurring:
        assert request.weekly_sessions is not None
        body["recurrence"] = _weekly_recurrence(request.start, request.timezone, request.weekly_sessions)
        if request.registration:
            settings["registration_type"] = REGISTER_ONCE_FOR_ALL_OCCURRENCES
    return body


def update_meeting_body(update: MeetingUpdate) -> JSONObject:
    """The body of ``PATCH /meetings/{meetingId}``: only what changes."""
    body: JSONObject = {}
    if update.topic is not None:
        body["topic"] = update.topic
    if update.agenda is not None:
        body["agenda"] = update.agenda
    if update.duration_minutes is not None:
        body["duration"] = update.duration_minutes
    if update.timezone is not None:
        body["timezone"] = update.timezone
    if update.start is not None:
        assert update.timezone is not None  # MeetingUpdate guarantees it
        body["start_time"] = local_start_time(update.start, update.timezone)
        if update.weekly_sessions is not None and update.weekly_sessions > 1:
            body["type"] = RECURRING_FIXED_TIME
            body["recurrence"] = _weekly_recurrence(update.start, update.timezone, update.weekly_sessions)
    return body


def add_registrant_body(email: str, first_name: str, last_name: str | None) -> JSONObject:
    """The body of ``POST /meetings/{meetingId}/registrants`` (Zoom caps names at 64, e-mails at 128)."""
    if not first_name.strip():
        raise ValueError("a registrant needs a first name")
    body: JSONObject = {"email": email[:128], "first_name": first_name[:64]}
    if last_name:
        body["last_name"] = last_name[:64]
    return body


def cancel_registrant_body(registrant_id: str, email: str) -> JSONObject:
    """The body of ``PUT /meetings/{meetingId}/registrants/status`` that cancels one registration."""
    return {"action": "cancel", "registrants": [{"id": registrant_id, "email": email}]}


# --- answers --------------------------------------------------------------------------------------------


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    # bool is an int in Python, but never a valid Zoom id or duration.
    if value is None or not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise UnexpectedPayload(f"field {name!r} is missing or not a {kind}")
    return value


def _optional_str(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) and value else None


def _id(data: Mapping[str, Any], name: str = "id") -> str:
    value = _field(data, name, (int, str))
    text = str(value)
    if not text.isascii() or not text.isdigit():
        raise UnexpectedPayload(f"field {name!r} is not a numeric id")
    return text


def _utc(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UnexpectedPayload(f"field {name!r} is not an ISO date-time") from None
    # Zoom's answers are in GMT; a time without an offset is read as such.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _optional_utc(data: Mapping[str, Any], name: str) -> datetime | None:
    text = _optional_str(data, name)
    return None if text is None else _utc(text, name)


def _occurrences(data: Mapping[str, Any]) -> tuple[Occurrence, ...]:
    items = data.get("occurrences") or []
    if not isinstance(items, list):
        raise UnexpectedPayload("field 'occurrences' is not a list")
    return tuple(
        Occurrence(
            occurrence_id=str(_field(item, "occurrence_id", (str, int))),
            start=_utc(_field(item, "start_time", str), "start_time"),
            duration=_field(item, "duration", int),
            status=_optional_str(item, "status") or "available",
        )
        for item in items
        if isinstance(item, Mapping)
    )


def read_user(data: Mapping[str, Any]) -> ZoomUser:
    return ZoomUser(
        id=_field(data, "id", str),
        email=_field(data, "email", str),
        first_name=_optional_str(data, "first_name") or "",
        last_name=_optional_str(data, "last_name") or "",
        licensed=_field(data, "type", int) == LICENSED_USER_TYPE,
        timezone=_optional_str(data, "timezone"),
        account_id=_field(data, "account_id", str),
    )


def read_meeting(data: Mapping[str, Any]) -> Meeting:
    occurrences = _occurrences(data)
    start = _optional_utc(data, "start_time")
    if start is None and occurrences:
        start = occurrences[0].start
    if start is None:
        raise UnexpectedPayload("the meeting has no start_time and no occurrences")
    return Meeting(
        id=_id(data),
        uuid=_optional_str(data, "uuid"),
        topic=_field(data, "topic", str),
        type=_field(data, "type", int),
        start=start,
        duration=_field(data, "duration", int),
        timezone=_optional_str(data, "timezone"),
        agenda=_optional_str(data, "agenda") or "",
        join_url=_field(data, "join_url", str),
        start_url=_field(data, "start_url", str),
        password=_optional_str(data, "password"),
        occurrences=occurrences,
    )


def read_meeting_summary(data: Mapping[str, Any]) -> MeetingSummary:
    duration = data.get("duration")
    return MeetingSummary(
        id=_id(data),
        uuid=_optional_str(data, "uuid"),
        topic=_optional_str(data, "topic") or "",
        type=_field(data, "type", int),
        start=_optional_utc(data, "start_time"),
        duration=duration if isinstance(duration, int) and not isinstance(duration, bool) else None,
        timezone=_optional_str(data, "timezone"),
        agenda=_optional_str(data, "agenda") or "",
    )


def read_meeting_page(data: Mapping[str, Any]) -> tuple[list[MeetingSummary], str | None]:
    """One page of the meeting list and the token of the next one (None on the last page)."""
    items = data.get("meetings") or []
    if not isinstance(items, list):
        raise UnexpectedPayload("field 'meetings' is not a list")
    summaries = [read_meeting_summary(item) for item in items if isinstance(item, Mapping)]
    return summaries, _optional_str(data, "next_page_token")


def read_registrant_page(data: Mapping[str, Any], meeting_id: str) -> tuple[list[tuple[str, Registrant]], str | None]:
    """One page of a meeting's registrant list: each registrant with its e-mail, and the next page's token."""
    items = data.get("registrants") or []
    if not isinstance(items, list):
        raise UnexpectedPayload("field 'registrants' is not a list")
    listed = [
        (
            str(_field(item, "email", str)),
            Registrant(
                registrant_id=str(_field(item, "id", (str, int))),
                meeting_id=meeting_id,
                join_url=_optional_str(item, "join_url"),
            ),
        )
        for item in items
        if isinstance(item, Mapping)
    ]
    return listed, _optional_str(data, "next_page_token")


def read_registrant(data: Mapping[str, Any], meeting_id: str) -> Registrant:
    return Registrant(
        registrant_id=str(_field(data, "registrant_id", (str, int))),
        meeting_id=_id(data) if data.get("id") is not None else meeting_id,
        join_url=_optional_str(data, "join_url"),
    )
