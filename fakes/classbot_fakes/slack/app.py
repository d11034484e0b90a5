"""The fake's HTTP side: the Web API at ``/api/{method}``, Slack's authorize page at ``/oauth/v2/authorize``,
response URLs at ``/response/{team}/{id}`` and file upload URLs at ``/upload/v1/{key}``.

A Web API call goes: read the arguments (``invalid_json``, ``invalid_form_data``), unknown method
(``unknown_method``), scripted failures, authentication (``not_authed``, ``invalid_auth``,
``not_allowed_token_type``: bot and user tokens for most methods, the app-level token only for
apps.connections.open), the per-channel rate limit (HTTP 429, ``Retry-After``), then the method. Every call is
recorded with its answer. Answers are HTTP 200 whether ok or not, as Slack's are, except 429s and scripted statuses.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from . import chat, directory, files, oauth, views, wire
from .api import Call, Method
from .records import SlackCall
from .state import SlackWorld
from .wire import ApiRequest, SlackError

METHODS: dict[str, Method] = directory.METHODS | chat.METHODS | views.METHODS | oauth.METHODS | files.METHODS


def _answer(status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    payload = json.dumps(body, separators=(",", ":")).encode()
    return Response(payload, status, headers, media_type="application/json; charset=utf-8")


def dispatch(world: SlackWorld, api: ApiRequest) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, body, headers) of one Web API call; the caller holds the lock."""
    call = Call(world, api)
    try:
        spec = METHODS.get(api.method)
        if spec is None:
            raise SlackError("unknown_method", req_method=api.method)
        fault = world.faults.take(api.method)
        if fault is not None:
            raise SlackError(fault.error, status=fault.status, retry_after=fault.retry_after)
        if spec.tokens:
            if api.token is None:
                raise SlackError("not_authed")
            credential = world.tokens.get(api.token)
            if credential is None:
                raise SlackError("invalid_auth")
            if credential.kind not in spec.tokens:
                raise SlackError("not_allowed_token_type")
            call.credential = credential
            if credential.kind == "bot":
                call.headers["x-oauth-scopes"] = ",".join(call.team.scopes)
        key = spec.rate_key(call) if spec.rate_key is not None else None
        if key is not None:
            wait = world.limits.take(api.method, key, world.now())
            if wait is not None:
                raise SlackError("ratelimited", status=429, retry_after=wait)
        body = {"ok": True} | spec.handler(call)
        return 200, body, call.headers
    except SlackError as refusal:
        return refusal.status, refusal.body(), call.headers | refusal.headers()


def build_app(world: SlackWorld) -> Starlette:
    async def web_api(request: Request) -> Response:
        method = request.path_params["method"]
        with world.lock:
            latency = world.latency
        if latency:
            await asyncio.sleep(latency)
        try:
            api = await wire.decode(request, method)
        except SlackError as refusal:
            api = ApiRequest(method, request.method, {}, None, None)
            status, body, headers = refusal.status, refusal.body(), refusal.headers()
        else:
            with world.lock:
                status, body, headers = dispatch(world, api)
        with world.lock:
            world.calls.append(
                SlackCall(
                    method,
                    request.method,
                    api.params,
                    api.token,
                    status,
                    bool(body.get("ok")),
                    body.get("error"),
                    world.now(),
                )
            )
            world.changes.notify()
        return _answer(status, body, headers)

    async def authorize(request: Request) -> Response:
        return oauth.authorize(world, request)

    async def response_url(request: Request) -> Response:
        raw = await request.body()
        with world.lock:
            status, text = chat.response_url_post(
                world, request.path_params["url_id"], raw, request.headers.get("content-type", "")
            )
        return PlainTextResponse(text, status)

    async def upload(request: Request) -> Response:
        raw = await request.body()
        with world.lock:
            status, text = files.receive_upload(world, request.path_params["key"], raw)
        return PlainTextResponse(text, status)

    async def health(request: Request) -> Response:
        return PlainTextResponse("fake slack")

    return Starlette(
        routes=[
            Route("/api/{method}", web_api, methods=["GET", "POST"]),
            Route("/oauth/v2/authorize", authorize, methods=["GET"]),
            Route("/response/{team_id}/{url_id}", response_url, methods=["POST"]),
            Route(files.UPLOAD_PATH + "{key}", upload, methods=["POST"]),
            Route("/", health, methods=["GET"]),
        ]
    )
