"""The floor: the least a Telegram bot must do per final tap, so ClassBot's CPU per booking has a yardstick.

    python -m bench.floor_bot     (settings from the environment, as ClassBot's; see ``main``)

Same stack as ClassBot (python-telegram-bot inside a Starlette app under uvicorn, webhook mode with the secret
header, 64 concurrent updates, the Bot API over ClassBot's aiohttp transport, one shared httpx client for Zoom) and,
per typed child name, the same external calls ClassBot makes for a booking: the reply, the parent's private link
message, the teacher's notice, and Zoom's ``POST /meetings/{id}/registrants``. Nothing else: no database, no jobs,
no rate limiter, no checks. The Zoom meeting (registration on) is created once at start-up, and the access token
comes from the environment (``FLOOR_ZOOM_TOKEN``), so no OAuth happens while it is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.handlers.telegram.transport import AiohttpRequest

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
WEBHOOK_PATH = "/telegram/webhook"


class Floor:
    def __init__(self, zoom: httpx.AsyncClient, meeting_id: str, teacher_chat: int) -> None:
        self._zoom = zoom
        self._meeting = meeting_id
        self._teacher = teacher_chat

    async def name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        child = escape(message.text or "", quote=False)
        await chat.send_message(
            f"Booked: {child} in “Floor class”. Your Zoom link follows here.", parse_mode=ParseMode.HTML
        )
        answer = await self._zoom.post(
            f"/meetings/{self._meeting}/registrants",
            json={"email": f"parent-{secrets.token_hex(6)}@classbot.example", "first_name": child[:64]},
        )
        answer.raise_for_status()
        link = InlineKeyboardMarkup([[InlineKeyboardButton("Join the class on Zoom", url=answer.json()["join_url"])]])
        await context.bot.send_message(
            chat.id,
            f"You're booked: {child} in “Floor class”. Here is your Zoom link; keep this message.",
            parse_mode=ParseMode.HTML,
            reply_markup=link,
        )
        await context.bot.send_message(
            self._teacher, f"New booking: {child} for “Floor class”.", parse_mode=ParseMode.HTML
        )


async def create_meeting(zoom: httpx.AsyncClient) -> str:
    start = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT16:30:00")
    body = {
        "topic": "Floor class",
        "type": 2,
        "start_time": start,
        "timezone": "UTC",
        "duration": 45,
        "settings": {"approval_type": 0, "registrants_email_notification": False},
    }
    answer = await zoom.post("/users/me/meetings", json=body)
    answer.raise_for_status()
    return str(answer.json()["id"])


def web_app(application: Application[Any, Any, Any, Any, Any, Any], secret: str) -> Starlette:
    async def webhook(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.update_queue.put(update)
        return JSONResponse({"ok": True})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route(WEBHOOK_PATH, webhook, methods=["POST"]), Route("/healthz", healthz)])


async def serve() -> None:
    env = os.environ
    zoom = httpx.AsyncClient(
        base_url=env["ZOOM_API_URL"], headers={"Authorization": f"Bearer {env['FLOOR_ZOOM_TOKEN']}"}, timeout=10
    )
    application = (
        ApplicationBuilder()
        .token(env["TELEGRAM_BOT_TOKEN"])
        .base_url(env["TELEGRAM_BASE_URL"])
        .request(AiohttpRequest())
        .updater(None)
        .concurrent_updates(64)
        .build()
    )
    floor = Floor(zoom, await create_meeting(zoom), int(env["FLOOR_TEACHER_CHAT"]))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, floor.name))
    await application.initialize()
    secret = env["TELEGRAM_WEBHOOK_SECRET"]
    await application.bot.set_webhook(env["PUBLIC_URL"].rstrip("/") + WEBHOOK_PATH, secret_token=secret)
    await application.start()
    server = uvicorn.Server(
        uvicorn.Config(
            web_app(application, secret),
            host="127.0.0.1",
            port=int(env["HTTP_PORT"]),
            lifespan="off",
            log_config=None,
            access_log=False,
        )
    )
    try:  # uvicorn stops on SIGTERM by itself
        await server.serve()
    finally:
        with contextlib.suppress(Exception):
            await application.stop()
            await application.shutdown()
        await zoom.aclose()


def main() -> None:
    try:  # the same event loop as ClassBot's server (bot/runtime.py), so the ratio compares like with like
        import uvloop
    except ImportError:
        asyncio.run(serve())
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve())


if __name__ == "__main__":
    main()
