"""How the fake renders users and meetings in its answers, in the shapes of Zoom's documented responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .state import FakeZoomMeeting, FakeZoomOccurrence, FakeZoomUser, ZoomWorld, zoom_time


def render_user(world: ZoomWorld, user: FakeZoomUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": f"{user.first_name} {user.last_name}",
        "email": user.email,
        "type": user.type,
        "role_name": "Owner",
        "pmi": user.pmi,
        "use_pmi": False,
        "personal_meeting_url": f"{world.base_url}/j/{user.pmi}",
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "created_at": zoom_time(user.created_at),
        "user_created_at": zoom_time(user.created_at),
        "last_login_time": zoom_time(world.now()),
        "language": "en-US",
        "status": "active",
        "role_id": "0",
        "account_id": user.account_id,
        "account_number": int.from_bytes(user.account_id.encode()[:4], "big"),
        "cluster": "us05",
        "login_types": [100],
    }


def render_meeting(
    world: ZoomWorld,
    meeting: FakeZoomMeeting,
    *,
    start_url: str | None,
    occurrence_id: str | None = None,
    show_previous: bool = True,
) -> dict[str, Any]:
    host = world.users[meeting.host_id]
    body: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "host_email": host.email,
        "assistant_id": "",
        "topic": meeting.topic,
        "type": meeting.type,
        "status": "started" if meeting.status == "started" else "waiting",
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "created_at": zoom_time(meeting.created_at),
        "join_url": world.join_url(meeting),
        "password": meeting.password,
        "h323_password": meeting.password,
        "pstn_password": meeting.password,
        "encrypted_password": meeting.encrypted_password,
        "settings": dict(meeting.settings),
        "pre_schedule": False,
    }
    if start_url is not None:
        body["start_url"] = start_url
    start, duration = meeting.start_time, meeting.duration
    chosen = find_occurrence(meeting, occurrence_id) if occurrence_id is not None else None
    if chosen is not None:
        start, duration = chosen.start_time, chosen.duration
    if start is not None:
        body["start_time"] = zoom_time(start)
    if meeting.type != 1:
        body["duration"] = duration
    if meeting.settings.get("approval_type") in (0, 1):
        body["registration_url"] = f"{world.base_url}/meeting/register/{meeting.encrypted_password[:16]}"
    if meeting.type == 8:
        body["recurrence"] = dict(meeting.recurrence or {})
        body["occurrences"] = render_occurrences(meeting, now=None if show_previous else world.now())
    return body


def render_occurrences(meeting: FakeZoomMeeting, *, now: datetime | None = None) -> list[dict[str, Any]]:
    return [
        {
            "occurrence_id": o.occurrence_id,
            "start_time": zoom_time(o.start_time),
            "duration": o.duration,
            "status": o.status,
        }
        for o in meeting.occurrences
        if o.status != "deleted" and (now is None or o.start_time.timestamp() + o.duration * 60 >= now.timestamp())
    ]


def list_item(world: ZoomWorld, meeting: FakeZoomMeeting) -> dict[str, Any]:
    item = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "duration": meeting.duration,
        "timezone": meeting.timezone,
        "agenda": meeting.agenda,
        "created_at": zoom_time(meeting.created_at),
        "join_url": world.join_url(meeting),
    }
    if meeting.start_time is not None:
        item["start_time"] = zoom_time(meeting.start_time)
    return item


def find_occurrence(meeting: FakeZoomMeeting, occurrence_id: str) -> FakeZoomOccurrence | None:
    """A live (not deleted) occurrence of the meeting."""
    return next((o for o in meeting.occurrences if o.occurrence_id == occurrence_id and o.status != "deleted"), None)
