"""Telegram's webhook endpoint: only Telegram (holding our secret token) gets in, and each update counts once; an
update that met a database outage is answered 503, so that Telegram delivers it again later."""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.handlers.telegram.frontend import WEBHOOK_PATH, TelegramFrontEnd
from bot.storage.database import is_unavailable
from bot.web.limits import bounded_body

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
MAX_UPDATE_BYTES = 1024 * 1024


def telegram_routes(front: TelegramFrontEnd, settings: Settings) -> list[Route]:
    async def webhook(request: Request) -> Response:
        secret = settings.telegram_webhook_secret
        if secret is None or not settings.telegram_webhook:
            return JSONResponse({"error": "the Telegram webhook is not enabled"}, status_code=404)
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
            log.warning("refused a Telegram webhook request without the right secret token")
            return JSONResponse({"error": "forbidden"}, status_code=403)
        body = await bounded_body(request, MAX_UPDATE_BYTES)
        if body is None:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return JSONResponse({"error": "the body is not a Telegram update"}, status_code=400)
        try:
            await front.feed(data)
        except Exception as failure:
            if not is_unavailable(failure):
                raise
            # Not stored: Telegram keeps the update and sends it again, until the database answers.
            log.warning("answered a Telegram update 503: the database is away")
            return JSONResponse({"error": "the database is not answering; send the update again"}, status_code=503)
        return JSONResponse({"ok": True})

    return [Route(WEBHOOK_PATH, webhook, methods=["POST"])]
