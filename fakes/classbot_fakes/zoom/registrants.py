"""Meeting registrants: personal join links for a licensed host's meetings with registration enabled.

Zoom's rules kept here: a meeting that does not exist answers 404 with code 300 ``Meeting "{meetingId}" not
found or has expired.`` (the code Zoom's API reference documents for the registrant calls, not 3001); a basic
(free) host gets 400 ``{"code":200,"message":"Only available for Paid user: {userId}"}`` (devforum "Create
Meeting v2 API - add attendees"); registration must be enabled (approval_type 0 or 1); with manual approval (1)
the registrant is pending and no join_url is returned; a registrant email can be added at most
``registrant_daily_cap`` times per UTC day (Zoom: 3), after which Zoom answers 429.

The list (``GET /meetings/{meetingId}/registrants``) answers the registrants of one ``status`` (default
``approved``; ``pending`` and ``denied`` on request), oldest first, ``page_size`` at a time (default 30, at most
300) with a ``next_page_token`` while more remain; Zoom's granular scope for it is
``meeting:read:list_registrants`` (classic: ``meeting:read``).
"""

from __future__ import annotations

import secrets
from typing import Any

from .api import ApiError, ApiRequest, ApiResult, day_of, invalid_field, registrants_meeting_not_found
from .meetings import hosted_meeting
from .paging import one_page
from .render import render_occurrences
from .state import FakeZoomMeeting, FakeZoomRegistrant, RegistrantStatus, ZoomWorld, zoom_id, zoom_time

_STATUS_OF_ACTION: dict[str, RegistrantStatus] = {"approve": "approved", "cancel": "cancelled", "deny": "denied"}
REGISTRANT_CAP_MESSAGE = (
    'You have exceeded the daily rate limit of "{cap}" for Add meeting registrant API requests for the '
    'registrant "{email}". You can resume these API requests at GMT 00:00:00.'
)


def add_registrant(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    meeting = _registrants_meeting(world, request)
    host = world.users[meeting.host_id]
    if not host.licensed:
        raise ApiError(400, 200, f"Only available for Paid user: {host.id}")
    approval = meeting.settings.get("approval_type", 2)
    if approval not in (0, 1):
        raise ApiError(404, 3000, f"Registration has not been enabled for this meeting: {meeting.id}.")
    body: dict[str, Any] = request.body
    email = str(body["email"])
    _count_add(world, email)
    occurrence_ids = _occurrence_ids(meeting.occurrences, request.query.get("occurrence_ids"))
    existing = next(
        (
            r
            for r in world.registrants.setdefault(meeting.id, [])
            if r.email.lower() == email.lower() and r.status in ("approved", "pending")
        ),
        None,
    )
    registrant = existing or FakeZoomRegistrant(
        id=zoom_id(),
        meeting_id=meeting.id,
        email=email,
        first_name=str(body["first_name"]),
        last_name=str(body.get("last_name", "")),
        status="approved" if approval == 0 or body.get("auto_approve") else "pending",
        join_url=(f"{world.base_url}/w/{meeting.id}?tk={secrets.token_urlsafe(32)}&pwd={meeting.encrypted_password}"),
        created_at=world.now(),
        occurrence_ids=occurrence_ids,
    )
    if existing is None:
        world.registrants[meeting.id].append(registrant)
    answer: dict[str, Any] = {
        "id": meeting.id,
        "registrant_id": registrant.id,
        "topic": meeting.topic,
    }
    if meeting.start_time is not None:
        answer["start_time"] = zoom_time(meeting.start_time)
    if registrant.status == "approved":
        answer["join_url"] = registrant.join_url
    if meeting.type == 8:
        wanted = set(registrant.occurrence_ids)
        answer["occurrences"] = [o for o in render_occurrences(meeting) if not wanted or o["occurrence_id"] in wanted]
    return ApiResult(201, answer)


def list_registrants(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    """One page of the meeting's registrants of one status, oldest first."""
    meeting = _registrants_meeting(world, request)
    if meeting.settings.get("approval_type", 2) not in (0, 1):
        raise ApiError(400, 300, f"This meeting has not set registration as required:{meeting.id}.")
    status = request.query.get("status", "approved")
    occurrence_id = request.query.get("occurrence_id")
    listed = sorted(
        (
            r
            for r in world.registrants.get(meeting.id, [])
            if r.status == status
            and (occurrence_id is None or not r.occurrence_ids or occurrence_id in r.occurrence_ids)
        ),
        key=lambda r: r.created_at,
    )
    return one_page(world, request, listed, "registrants", _list_item)


def _list_item(registrant: FakeZoomRegistrant) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": registrant.id,
        "email": registrant.email,
        "first_name": registrant.first_name,
        "last_name": registrant.last_name,
        "status": registrant.status,
        "create_time": zoom_time(registrant.created_at),
    }
    if registrant.status == "approved":
        item["join_url"] = registrant.join_url
    return item


def update_registrant_status(world: ZoomWorld, request: ApiRequest) -> ApiResult:
    meeting = _registrants_meeting(world, request)
    if meeting.settings.get("approval_type", 2) not in (0, 1):
        raise ApiError(400, 300, f"This meeting has not set registration as required:{meeting.id}.")
    body: dict[str, Any] = request.body
    status = _STATUS_OF_ACTION[body["action"]]
    for item in body.get("registrants", []):
        for registrant in world.registrants.get(meeting.id, []):
            same_id = item.get("id") is not None and registrant.id == item["id"]
            same_email = item.get("id") is None and str(item.get("email", "")).lower() == registrant.email.lower()
            if same_id or same_email:
                registrant.status = status
    return ApiResult(204)


def _registrants_meeting(world: ZoomWorld, request: ApiRequest) -> FakeZoomMeeting:
    if request.path["meetingId"] not in world.meetings:
        raise registrants_meeting_not_found(request.path["meetingId"])
    return hosted_meeting(world, request, write=True)


def _count_add(world: ZoomWorld, email: str) -> None:
    cap = world.limits.registrant_daily_cap
    if cap is None:
        return
    key = (email.lower(), day_of(world.now()))
    used = world.registrant_adds.get(key, 0)
    if used >= cap:
        raise ApiError(429, 429, REGISTRANT_CAP_MESSAGE.format(cap=cap, email=email))
    world.registrant_adds[key] = used + 1


def _occurrence_ids(occurrences: list[Any], raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    wanted = tuple(part.strip() for part in raw.split(",") if part.strip())
    known = {o.occurrence_id for o in occurrences if o.status != "deleted"}
    if not set(wanted) <= known:
        raise invalid_field("occurrence_ids")
    return wanted
