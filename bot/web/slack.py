"""Slack's HTTP endpoints on the one Starlette app, through Bolt's Starlette adapter; present when Slack is set up.

``/slack/events`` takes commands, interactions and events in HTTP mode; in Socket Mode it is closed, since
nothing legitimate arrives there. A body is read up to a cap, then must be text signed by Slack within 5 minutes
(else 401) and shaped as one of Slack's (else 400) before Bolt sees it (see ``guard``). ``/slack/install`` and
``/slack/oauth_redirect`` run the multi-workspace install.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler, to_starlette_response
from slack_bolt.async_app import AsyncApp
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.health import Health
from bot.handlers.slack.frontend import SlackFrontEnd
from bot.handlers.slack.installations import INSTALL_PATH, REDIRECT_PATH
from bot.web.limits import bounded_body
from bot.web.slack_guard import MALFORMED, SlackRequestGuard, parsed

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # a modal submission with every field full is a few kilobytes
_NOT_SLACKS = {"error": "the body is not one of Slack's requests"}


def slack_routes(front: SlackFrontEnd, health: Health | None = None) -> list[Route]:
    platform = front.platform
    return slack_endpoints(
        platform.app,
        signing_secret=platform.http_signing_secret,
        install_enabled=platform.install_enabled,
        health=health,
    )


def slack_endpoints(
    app: AsyncApp, *, signing_secret: str | None, install_enabled: bool, health: Health | None = None
) -> list[Route]:
    """The routes; ``signing_secret`` is None in Socket Mode, where ``/slack/events`` is closed.

    Bolt acknowledges an event before its listener runs, and Slack sends an event again only when it was not
    acknowledged: while the database does not answer (``health``), an event is answered 503 instead, so that
    Slack delivers it again later (interactions are never sent again: their listeners tell the person)."""
    adapter = AsyncSlackRequestHandler(app)
    guard = SlackRequestGuard(signing_secret) if signing_secret else None

    async def events(request: Request) -> Response:
        if guard is None:
            return JSONResponse({"error": "this ClassBot takes Slack's requests over Socket Mode"}, status_code=404)
        raw = await bounded_body(request, MAX_BODY_BYTES)
        if raw is None:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "the body is not UTF-8"}, status_code=400)
        if not guard.signed_by_slack(body, request.headers):
            return JSONResponse({"error": "invalid request"}, status_code=401)
        bolt_request = parsed(body, request.query_params, request.headers)
        if bolt_request is None:
            return JSONResponse(_NOT_SLACKS, status_code=400)
        if health is not None and _is_event(bolt_request.body) and not await health.database_answers():
            log.warning("answered a Slack event 503: the database is away")
            return JSONResponse({"error": "the database is not answering; send the event again"}, status_code=503)
        try:
            answer = await app.async_dispatch(bolt_request)
        except MALFORMED as unreadable:  # Bolt choked on a field deeper than the guard looks: still the body's fault
            log.warning("Bolt could not read a signed Slack request (%s)", type(unreadable).__name__)
            return JSONResponse(_NOT_SLACKS, status_code=400)
        return to_starlette_response(answer)

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


def _is_event(body: object) -> bool:
    return isinstance(body, dict) and body.get("type") == "event_callback"
