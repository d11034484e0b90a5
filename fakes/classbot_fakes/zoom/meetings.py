"""The user and meeting operations of the fake REST API, with the rules Zoom applies beyond its OpenAPI schema.

Beyond the schema: a type 8 meeting needs a recurrence; ``end_times`` and ``end_date_time`` exclude each other;
``repeat_interval`` is at most 90 days, 12 weeks or 3 months; a started meeting refuses updates (3000) and
deletion (3002), an ended one-off meeting refuses deletion (3007); a host makes at most ``daily_meeting_cap``
create/update calls per UTC day (429); registration cannot be enabled for a basic user.
"""

from __future__ import annotations

import secrets
import string
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .api import ApiError, ApiRequest, ApiResult, day_of, invalid_field, meeting_not_found, resolve_user
from .faults import DAILY_CAP_MESSAGE, next_utc_midnight
from .paging import one_page
from .recurrence import MAX_INTERVAL, MONTHLY, WEEKLY, occurrences
from .render import find_occurrence, list_item, render_meeting, render_user
from .state import FakeZoomMeeting, FakeZoomOccurrence, FakeZoomUser, ZoomWorld, meeting_uuid, zoom_time

DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "registration_type": 1,
    "audio": "voip",
    "auto_recording": "none",
    "waiting_room": False,
    "meeting_authentication": False,
    "registrants_confirmation_email": True,
    "registrants_email_notification": True,
    "email_notification": True,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "alternative_hosts": "",
    "encryption_type": "enhanced_encryption",
    "private_meeting": False,
    "focus_mode": False,
}
STARTED_MEETING = "You cannot update or delete meetings that have started using this method."


def get_user(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    user = resolve_user(world, request)
    return ApiResult(200, render_user(world, user))


def create_meeting(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    host = resolve_user(world, request)
    count_meeting_write(world, host, "Medium")
    body: dict[str, Any] = request.body
    now = world.now()
    meeting = FakeZoomMeeting(
        id=world.new_meeting_number(),
        uuid=meeting_uuid(),
        host_id=host.id,
        topic=body.get("topic", f"{host.first_name} {host.last_name}'s Zoom Meeting"),
        type=body.get("type", 2),
        start_time=None,
        duration=body.get("duration", 60),
        timezone=body.get("timezone") or host.timezone,
        agenda=body.get("agenda", ""),
        created_at=now,
        password=body.get("password")
        or "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6)),
        encrypted_password=secrets.token_urlsafe(24),
        settings=_settings(host, DEFAULT_SETTINGS, body.get("settings", {})),
    )
    reschedule(world, meeting, body)
    world.meetings[meeting.id] = meeting
    world.registrants[meeting.id] = []
    return ApiResult(201, render_meeting(world, meeting, start_url=world.issue_start_url(meeting)))


def list_meetings(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    host = resolve_user(world, request)
    kind = request.query.get("type", "scheduled")
    now = world.now()
    mine = sorted(
        (m for m in world.meetings.values() if m.host_id == host.id and _listed(m, kind, now)),
        key=lambda m: (m.start_time or m.created_at, m.id),
    )
    return one_page(world, request, mine, "meetings", lambda meeting: list_item(world, meeting))


def get_meeting(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    meeting = hosted_meeting(world, request, write=False)
    occurrence_id = request.query.get("occurrence_id")
    if occurrence_id is not None and find_occurrence(meeting, occurrence_id) is None:
        raise ApiError(400, 3000, "Invalid occurrence_id.")
    body = render_meeting(
        world,
        meeting,
        start_url=world.issue_start_url(meeting),
        occurrence_id=occurrence_id,
        show_previous=bool(request.query.get("show_previous_occurrences")),
    )
    return ApiResult(200, body)


def update_meeting(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    meeting = hosted_meeting(world, request, write=True)
    if meeting.status == "started":
        raise ApiError(400, 3000, STARTED_MEETING)
    count_meeting_write(world, world.users[meeting.host_id], "Light")
    body: dict[str, Any] = request.body
    occurrence_id = request.query.get("occurrence_id")
    if occurrence_id is not None:
        occurrence = find_occurrence(meeting, occurrence_id)
        if occurrence is None:
            raise ApiError(400, 3000, "Invalid occurrence_id.")
        if "start_time" in body:
            occurrence.start_time = _parse_start(body["start_time"], _zone(meeting.timezone))
        occurrence.duration = body.get("duration", occurrence.duration)
        return ApiResult(204)
    for name in ("topic", "agenda", "duration", "password"):
        if name in body:
            setattr(meeting, name, body[name])
    if "settings" in body:
        meeting.settings = _settings(world.users[meeting.host_id], meeting.settings, body["settings"])
    if {"start_time", "timezone", "type", "recurrence", "duration"} & body.keys():
        reschedule(world, meeting, body)
    if meeting.status == "ended":
        meeting.status = "waiting"
    return ApiResult(204)


def delete_meeting(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    meeting = hosted_meeting(world, request, write=True)
    occurrence_id = request.query.get("occurrence_id")
    if meeting.status == "started":
        raise ApiError(400, 3002, "Sorry, you cannot delete this meeting since it is in progress.")
    if meeting.status == "ended" and meeting.type in (1, 2):
        raise ApiError(400, 3007, "Sorry, you cannot delete this meeting since it has ended.")
    if occurrence_id is not None:
        occurrence = find_occurrence(meeting, occurrence_id)
        if occurrence is None:
            raise ApiError(400, 3000, "Invalid occurrence_id.")
        occurrence.status = "deleted"
        return ApiResult(204)
    del world.meetings[meeting.id]
    world.registrants.pop(meeting.id, None)
    return ApiResult(204)


def hosted_meeting(world: ZoomWorld, request: ApiRequest, *, write: bool) -> FakeZoomMeeting:
    """The meeting of the ``meetingId`` path parameter, which the caller must host."""
    meeting = world.meetings.get(request.path["meetingId"])
    if meeting is None or (meeting.host_id != request.user.id and not write):
        raise meeting_not_found(request.path["meetingId"])
    if meeting.host_id != request.user.id:
        raise ApiError(400, 3003, "You are not the meeting host.")
    return meeting


def count_meeting_write(world: ZoomWorld, host: FakeZoomUser, category: str) -> None:
    """Spend one of the host's create/update calls for today (UTC), or refuse with Zoom's daily-cap 429."""
    cap, now = world.limits.daily_meeting_cap, world.now()
    key = (host.id, day_of(now))
    used = world.daily_writes.get(key, 0)
    if used >= cap:
        headers = {"X-RateLimit-Category": category}
        if world.limits.daily_cap_headers == "documented":
            headers |= {
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Limit": str(cap),
                "X-RateLimit-Remaining": "0",
                "Retry-After": zoom_time(next_utc_midnight(now)),
            }
        raise ApiError(429, 429, DAILY_CAP_MESSAGE.format(cap=cap), headers=headers)
    world.daily_writes[key] = used + 1


def _listed(meeting: FakeZoomMeeting, kind: str, now: datetime) -> bool:
    ends = [o.start_time.timestamp() + o.duration * 60 for o in meeting.occurrences if o.status != "deleted"]
    if meeting.start_time is not None and not ends:
        ends = [meeting.start_time.timestamp() + meeting.duration * 60]
    upcoming = meeting.status == "started" or meeting.type == 3 or any(end >= now.timestamp() for end in ends)
    if kind == "live":
        return meeting.status == "started"
    if kind in ("upcoming", "upcoming_meetings"):
        return upcoming
    if kind == "previous_meetings":
        return not upcoming
    return True


def _settings(host: FakeZoomUser, base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    settings = {**base, **changes}
    if not host.licensed:
        settings["approval_type"] = 2  # "Registration cannot be enabled for a basic user."
    return settings


def reschedule(world: ZoomWorld, meeting: FakeZoomMeeting, body: dict[str, Any]) -> None:
    """Set type, timezone, start and occurrences from a create or update body."""
    meeting.type = body.get("type", meeting.type)
    meeting.timezone = body.get("timezone") or meeting.timezone
    tz = _zone(meeting.timezone)
    now = world.now().replace(microsecond=0)
    start: datetime | None = _parse_start(body["start_time"], tz) if "start_time" in body else meeting.start_time
    start = now if meeting.type == 1 else None if meeting.type == 3 else start or now
    recurrence = body.get("recurrence", meeting.recurrence)
    kept = {o.occurrence_id: o.status for o in meeting.occurrences}
    meeting.start_time, meeting.recurrence, meeting.occurrences = start, None, []
    if meeting.type != 8 or start is None:
        return
    _check_recurrence(recurrence)
    assert recurrence is not None
    starts = occurrences(start, recurrence, tz)
    if not starts:
        raise invalid_field("recurrence.end_date_time")
    meeting.recurrence = dict(recurrence)
    meeting.start_time = starts[0]
    for moment in starts:
        occurrence_id = str(int(moment.timestamp() * 1000))
        status = kept.get(occurrence_id, "available")
        meeting.occurrences.append(FakeZoomOccurrence(occurrence_id, moment, meeting.duration, status))


def _check_recurrence(recurrence: dict[str, Any] | None) -> None:
    if recurrence is None or "type" not in recurrence:
        raise invalid_field("recurrence.type" if recurrence is not None else "recurrence", "Required field is missing.")
    kind = recurrence["type"]
    if recurrence.get("end_times") is not None and recurrence.get("end_date_time"):
        raise invalid_field("recurrence.end_date_time", "end_times and end_date_time cannot be used together.")
    if recurrence.get("end_times") is not None and recurrence["end_times"] < 1:
        raise invalid_field("recurrence.end_times")
    if not 1 <= recurrence.get("repeat_interval", 1) <= MAX_INTERVAL[kind]:
        raise invalid_field("recurrence.repeat_interval")
    if kind == WEEKLY and not recurrence.get("weekly_days"):
        raise invalid_field("recurrence.weekly_days", "Required field is missing.")
    if kind == MONTHLY:
        by_week = recurrence.get("monthly_week") is not None, recurrence.get("monthly_week_day") is not None
        if by_week[0] != by_week[1]:
            raise invalid_field("recurrence.monthly_week_day" if by_week[0] else "recurrence.monthly_week")
        if not any(by_week) and not 1 <= recurrence.get("monthly_day", 1) <= 31:
            raise invalid_field("recurrence.monthly_day")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid_field("timezone") from None


def _parse_start(value: str, tz: ZoneInfo) -> datetime:
    """``yyyy-MM-ddTHH:mm:ssZ`` (UTC) or ``yyyy-MM-ddTHH:mm:ss`` read in ``tz``; the schema checked the shape."""
    naive = datetime.strptime(value.rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
    return naive.replace(tzinfo=UTC) if value.endswith("Z") else naive.replace(tzinfo=tz).astimezone(UTC)
