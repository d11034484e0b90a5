"""The one Starlette app: health, and (as the integrations arrive) Zoom's OAuth callback and webhook,
Telegram's webhook and Slack's endpoints. Routes only translate HTTP; the work happens in the core.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.app import Components
from bot.web_calendar import calendar_routes
from bot.web_info import info_routes
from bot.web_slack import slack_routes
from bot.web_telegram import telegram_routes
from bot.web_zoom import zoom_routes


def create_web_app(components: Components) -> Starlette:
    """The HTTP surface of one ClassBot process, bound to its components."""

    async def healthz(_request: Request) -> Response:
        if await components.database.ping():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable", "reason": "database is not answering"}, status_code=503)

    async def metrics(_request: Request) -> Response:
        pending, oldest = await components.jobs.backlog(components.clock())
        gauges = {"classbot_jobs_pending": pending, "classbot_jobs_oldest_pending_seconds": oldest}
        return PlainTextResponse(components.metrics.render(gauges), media_type="text/plain; version=0.0.4")

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *zoom_routes(components),
        *telegram_routes(components),
        *slack_routes(components),
        *calendar_routes(components),
        *info_routes(components),
    ]
    return Starlette(routes=routes)
