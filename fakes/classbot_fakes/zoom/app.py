"""The fake's HTTP surface: a Starlette app for Zoom's OAuth endpoints, the /v2 REST API and the meeting links.

Every request is recorded. Requests to /v2 and /oauth/token first wait ``latency`` seconds and may be answered by
an injected fault; /v2 requests then pass authentication, the per-second limit, the endpoint's scopes and the
OpenAPI checks before an operation runs under the world lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..dropped import DROPPED, DroppedConnection
from .api import VALIDATION_FAILED, ApiError, ApiRequest, ApiResult
from .faults import Fault, qps_headers
from .meetings import create_meeting, delete_meeting, get_meeting, get_user, list_meetings, update_meeting
from .oauth import AccessDenied
from .oauth_routes import authorize, revoke, token
from .registrants import add_registrant, list_registrants, update_registrant_status
from .spec import MethodNotAllowed, OpenAPISpec, Operation, UnknownPath
from .state import START_URL_LIFETIME, FakeZoomUser, ZoomCall, ZoomWorld

Handler = Callable[[ZoomWorld, ApiRequest], ApiResult]
Endpoint = Callable[[Request, bytes], Awaitable[Response]]

HANDLERS: dict[str, Handler] = {
    "user": get_user,
    "meetingCreate": create_meeting,
    "meetings": list_meetings,
    "meeting": get_meeting,
    "meetingUpdate": update_meeting,
    "meetingDelete": delete_meeting,
    "meetingRegistrantCreate": add_registrant,
    "meetingRegistrants": list_registrants,
    "meetingRegistrantStatus": update_registrant_status,
}
# The granular scope each operation needs (its ":admin" form also does), then the classic scopes that cover it.
SCOPES: dict[str, tuple[str, ...]] = {
    "user": ("user:read:user", "user:read", "user_info:read"),
    "meetingCreate": ("meeting:write:meeting", "meeting:write"),
    "meetings": ("meeting:read:list_meetings", "meeting:read"),
    "meeting": ("meeting:read:meeting", "meeting:read"),
    "meetingUpdate": ("meeting:update:meeting", "meeting:write"),
    "meetingDelete": ("meeting:delete:meeting", "meeting:write"),
    "meetingRegistrantCreate": ("meeting:write:registrant", "meeting:write"),
    "meetingRegistrants": ("meeting:read:list_registrants", "meeting:read"),
    "meetingRegistrantStatus": ("meeting:update:registrant_status", "meeting:write"),
}
JSON_TYPE = "application/json;charset=UTF-8"
NOT_A_JSON_OBJECT = "Request Body should be a valid JSON object."


def build_app(world: ZoomWorld, spec: OpenAPISpec) -> Starlette:
    def observed(endpoint: Endpoint, *, faultable: bool) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            raw = await request.body()
            fault = await _fault_for(world, request) if faultable else None
            if fault is not None and not fault.after:
                response = await _answer(spec, request, fault)
                _record(world, request, raw, response.status_code, fault=fault.label)
                return response
            response = await endpoint(request, raw)
            if fault is None:
                _record(world, request, raw, response.status_code)
                return response
            effect = response.status_code
            response = await _answer(spec, request, fault)
            _record(world, request, raw, response.status_code, fault=fault.label, effect_status=effect)
            return response

        return serve

    async def rest(request: Request, raw: bytes) -> Response:
        return _rest(world, spec, request, raw)

    async def links(request: Request, raw: bytes) -> Response:
        return _link_page(world, request)

    async def oauth_authorize(request: Request, raw: bytes) -> Response:
        return authorize(world, request)

    async def oauth_token(request: Request, raw: bytes) -> Response:
        response = token(world, request, raw)
        response.headers.update(_tracking(request))
        return response

    async def oauth_revoke(request: Request, raw: bytes) -> Response:
        return revoke(world, request, raw)

    async def not_found(request: Request, raw: bytes) -> Response:
        return Response("Not Found", status_code=404, media_type="text/plain")

    every_method = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route("/oauth/authorize", observed(oauth_authorize, faultable=False), methods=["GET"]),
            Route("/oauth/token", observed(oauth_token, faultable=True), methods=["POST"]),
            Route("/oauth/revoke", observed(oauth_revoke, faultable=False), methods=["POST"]),
            Route("/v2/{rest:path}", observed(rest, faultable=True), methods=every_method),
            Route("/{kind:str}/{meeting_id:int}", observed(links, faultable=False), methods=["GET"]),
            Route("/{rest:path}", observed(not_found, faultable=False), methods=every_method),
        ]
    )


async def _fault_for(world: ZoomWorld, request: Request) -> Fault | None:
    """Latency first, then the scripted or random fault that applies to this request, if any."""
    with world.lock:
        latency = world.limits.latency
    if latency > 0:
        await asyncio.sleep(latency)
    with world.lock:
        return world.faults.take(request.method, request.url.path)


async def _answer(spec: OpenAPISpec, request: Request, fault: Fault) -> Response:
    """The fault's canned answer, after its delay; for ``DROPPED``, a response that closes the connection."""
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.status == DROPPED:
        return DroppedConnection()
    category = "Light"
    if request.url.path.startswith("/v2/"):
        with contextlib.suppress(LookupError):
            category = spec.match(request.method, request.url.path[3:])[0].rate_limit_label
    canned = fault.response(category)
    headers = {**canned.headers, **_tracking(request)}
    return Response(canned.body, status_code=canned.status, headers=headers, media_type=canned.content_type)


def _rest(world: ZoomWorld, spec: OpenAPISpec, request: Request, raw: bytes) -> Response:
    tracking = _tracking(request)
    try:
        operation, raw_path = spec.match(request.method, request.url.path[3:])
    except UnknownPath:
        return _json(404, {"code": 404, "message": "Not Found"}, tracking)
    except MethodNotAllowed:
        return _json(405, {"code": 405, "message": "Method Not Allowed"}, tracking)
    try:
        with world.lock:
            user = _authenticate(world, request)
            _check_rate(world, user, operation)
            _check_scopes(user, operation)
        path, query, errors = spec.check_parameters(operation, raw_path, dict(request.query_params))
        body = _decode(operation, raw)
        errors += spec.check_body(operation, body) if body is not None else []
        if errors:
            raise ApiError(
                400, 300, VALIDATION_FAILED, errors=[{"field": e.field, "message": e.message} for e in errors]
            )
        handler = HANDLERS.get(operation.operation_id)
        if handler is None:
            message = f"FakeZoom does not implement {operation.operation_id} ({operation.method} {operation.template})"
            raise ApiError(501, 501, message)
        with world.lock:
            result = handler(world, ApiRequest(user=user, path=path, query=query, body=body))
    except ApiError as error:
        return _json(error.status, error.body(), {**error.headers, **tracking})
    return _json(result.status, result.body, {**result.headers, **tracking})


def _authenticate(world: ZoomWorld, request: Request) -> FakeZoomUser:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not credentials:
            raise AccessDenied("Invalid access token.")
        user = world.users.get(world.oauth.authenticate(credentials.strip()))
        if user is None:
            raise AccessDenied("Invalid access token.")
    except AccessDenied as denied:
        raise ApiError(401, 124, denied.message) from None
    return user


def _check_rate(world: ZoomWorld, user: FakeZoomUser, operation: Operation) -> None:
    limit = world.limits.per_second_limit
    if limit is not None and not world.per_second.allow(user.account_id, limit):
        headers = qps_headers(operation.rate_limit_label, limit=limit)
        raise ApiError(
            429,
            429,
            "You have reached the maximum per-second rate limit for this API. Try again later.",
            headers=headers,
        )


def _check_scopes(user: FakeZoomUser, operation: Operation) -> None:
    accepted = SCOPES.get(operation.operation_id)
    if accepted is None:
        return
    granted = set(user.scopes)
    if granted & {*accepted, *(f"{scope}:admin" for scope in accepted)}:
        return
    needed = f"{accepted[0]}, {accepted[0]}:admin"
    raise ApiError(400, 4711, f"Invalid access token, does not contain scopes:[{needed}].")


def _decode(operation: Operation, raw: bytes) -> Any:
    if operation.body_schema is None:
        return None
    if not raw.strip():
        if operation.body_required:
            raise ApiError(400, 300, NOT_A_JSON_OBJECT)
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, 300, NOT_A_JSON_OBJECT) from None
    if not isinstance(body, dict):
        raise ApiError(400, 300, NOT_A_JSON_OBJECT)
    return body


def _json(status: int, body: object | None, headers: dict[str, str]) -> Response:
    if body is None:
        return Response(status_code=status, headers=headers)
    return Response(json.dumps(body), status_code=status, headers=headers, media_type=JSON_TYPE)


def _tracking(request: Request) -> dict[str, str]:
    """Zoom's ``x-zm-trackingid``, on every answer of the REST API and the token endpoint."""
    if not (request.url.path.startswith("/v2/") or request.url.path == "/oauth/token"):
        return {}
    return {"x-zm-trackingid": f"v=2.0;clid=us05;rid=WEB_{secrets.token_hex(16)}"}


def _link_page(world: ZoomWorld, request: Request) -> Response:
    """The pages behind join_url (/j), start_url (/s) and a registrant's join_url (/w)."""
    kind, meeting_id = request.path_params["kind"], request.path_params["meeting_id"]
    with world.lock:
        meeting = world.meetings.get(meeting_id)
        if kind not in ("j", "s", "w") or meeting is None:
            return HTMLResponse("<h1>This meeting link is invalid (3,001)</h1>", status_code=404)
        if kind == "s":
            issued = next((s for s in meeting.start_urls if s.zak == request.query_params.get("zak")), None)
            if issued is None or world.now() - issued.issued_at >= START_URL_LIFETIME:
                return HTMLResponse("<h1>This start link has expired</h1>", status_code=401)
            return HTMLResponse(f"<h1>Starting meeting {meeting.id} as its host</h1>")
        if kind == "w":
            url = str(request.url).replace(str(request.base_url).rstrip("/"), world.base_url)
            approved = any(r.join_url == url and r.status == "approved" for r in world.registrants[meeting.id])
            if not approved:
                return HTMLResponse("<h1>You are not registered for this meeting</h1>", status_code=403)
        return HTMLResponse(f"<h1>Joining meeting {meeting.id}</h1>")


def _record(
    world: ZoomWorld,
    request: Request,
    raw: bytes,
    status: int,
    *,
    fault: str | None = None,
    effect_status: int | None = None,
) -> None:
    content_type = request.headers.get("content-type", "")
    form = dict(parse_qsl(raw.decode("utf-8", "replace"))) if "x-www-form-urlencoded" in content_type else None
    decoded: object | None = None
    if raw and form is None:
        try:
            decoded = json.loads(raw)
        except ValueError:
            decoded = raw.decode("utf-8", "replace")
    call = ZoomCall(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        json=decoded,
        form=form,
        headers={k.lower(): v for k, v in request.headers.items()},
        status=status,
        fault=fault,
        effect_status=effect_status,
    )
    with world.lock:
        world.calls.append(call)
