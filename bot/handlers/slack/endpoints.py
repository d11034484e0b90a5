"""Slack's HTTP endpoints on our one Starlette app, through Bolt's Starlette adapter.

``/slack/events`` takes commands, interactions and events in HTTP mode (Bolt checks the signing secret and the
5-minute timestamp window and answers 401 otherwise); in Socket Mode it is closed, since nothing legitimate
arrives there. ``/slack/install`` and ``/slack/oauth_redirect`` run the multi-workspace install. A body is read
up to a cap before Bolt sees it.
"""

from __future__ import annotations

from slack_bolt.adapter.starlette.async_handler import (
    AsyncSlackRequestHandler,
    to_async_bolt_request,
    to_starlette_response,
)
from slack_bolt.async_app import AsyncApp
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.handlers.slack.installations import INSTALL_PATH, REDIRECT_PATH
from bot.web_limits import bounded_body

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # a modal submission with every field full is a few kilobytes


def slack_endpoints(app: AsyncApp, *, events_enabled: bool, install_enabled: bool) -> list[Route]:
    adapter = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        if not events_enabled:
            return JSONResponse({"error": "this ClassBot takes Slack's requests over Socket Mode"}, status_code=404)
        body = await bounded_body(request, MAX_BODY_BYTES)
        if body is None:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            bolt_request = to_async_bolt_request(request, body)
        except UnicodeDecodeError:
            return JSONResponse({"error": "the body is not UTF-8"}, status_code=400)
        return to_starlette_response(await app.async_dispatch(bolt_request))

    async def install(request: Request) -> Response:
        if not install_enabled:
            return JSONResponse(
                {"error": "installing into other workspaces needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"},
                status_code=404,
            )
        return await adapter.handle(request)

    return [
        Route(EVENTS_PATH, events, methods=["POST"]),
        Route(INSTALL_PATH, install, methods=["GET"]),
        Route(REDIRECT_PATH, install, methods=["GET"]),
    ]
